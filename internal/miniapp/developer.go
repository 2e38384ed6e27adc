package miniapp

import (
	"context"
	"database/sql"

	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/outbox"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// RotateSecret replaces an app's secret; the old one stops working at
// once. AppSecretRotatedSubject (for the audit log) is written in the
// same transaction. Errors: not_found.
func (s *Service) RotateSecret(ctx context.Context, developerID, appid string) (string, error) {
	if _, err := s.owned(ctx, developerID, appid); err != nil {
		return "", err
	}
	secret := ids.Token(24)
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, updateAppSecret, hashSecret(secret), appid); err != nil {
			return err
		}
		return outbox.Add(ctx, tx, AppSecretRotatedSubject, AppSecretRotated{AppID: appid, DeveloperID: developerID,
			RotatedAt: sqldb.FromMicro(sqldb.Micro(s.now()))})
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// AppsOf lists a developer's apps, oldest first. Errors: none but internal
// ones.
func (s *Service) AppsOf(ctx context.Context, developerID string) ([]App, error) {
	return s.queryApps(ctx, selectAppsOfDeveloper, developerID)
}

// Versions lists an app's versions for its developer, newest first.
// Errors: not_found.
func (s *Service) Versions(ctx context.Context, developerID, appid string) ([]Version, error) {
	a, err := s.owned(ctx, developerID, appid)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, selectVersionsOfApp, appid)
	if err != nil {
		return nil, err
	}
	out := []Version{}
	err = sqldb.Each(rows, func(r *sql.Rows) error {
		v, err := scanVersion(r)
		if err != nil {
			return err
		}
		if v.Code == a.ReleasedCode {
			v.Status = "released"
		}
		out = append(out, v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Grants lists every app a user shared something with (Me → Privacy).
// Errors: none but internal ones.
func (s *Service) Grants(ctx context.Context, userID string) ([]Grant, error) {
	rows, err := s.db.Query(ctx, selectGrantsOfUser, userID)
	if err != nil {
		return nil, err
	}
	out := []Grant{}
	err = sqldb.Each(rows, func(r *sql.Rows) error {
		var appid, name, scope string
		var at int64
		if err := r.Scan(&appid, &name, &scope, &at); err != nil {
			return err
		}
		if n := len(out); n > 0 && out[n-1].AppID == appid {
			out[n-1].Scopes = append(out[n-1].Scopes, scope)
			return nil
		}
		out = append(out, Grant{AppID: appid, Name: name, Scopes: []string{scope}, GrantedAt: sqldb.FromMicro(at)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
