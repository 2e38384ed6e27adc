package miniapp

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/outbox"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Versions: an upload, its review by an administrator, and the release
// that makes it the one users open.

// Upload stores a package as a new version; version.code must grow.
// Errors: not_found, invalid_argument, payload_too_large, conflict.
func (s *Service) Upload(ctx context.Context, developerID, appid string, data []byte) (Version, error) {
	if _, err := s.owned(ctx, developerID, appid); err != nil {
		return Version{}, err
	}
	p, err := ReadPackage(data, appid)
	if err != nil {
		return Version{}, err
	}
	var top sql.NullInt64
	if err := s.db.QueryRow(ctx, selectTopVersionCode, appid).Scan(&top); err != nil {
		return Version{}, err
	}
	if top.Valid && p.Manifest.Version.Code <= top.Int64 {
		return Version{}, errs.E(errs.Conflict, "manifest.json: version.code %d must be greater than %d, the last uploaded.", p.Manifest.Version.Code, top.Int64)
	}
	m, _ := json.Marshal(p.Manifest)
	v := Version{AppID: appid, Code: p.Manifest.Version.Code, Name: p.Manifest.Version.Name, Status: "uploaded", SHA256: p.SHA256,
		Manifest: p.Manifest, CreatedAt: sqldb.FromMicro(sqldb.Micro(s.now()))}
	_, err = s.db.Exec(ctx, insertVersion, appid, v.Code, v.Name, string(m), v.SHA256, data, sqldb.Micro(v.CreatedAt))
	if sqldb.IsUniqueViolation(err) {
		return Version{}, errs.E(errs.Conflict, "Version %d was just uploaded.", v.Code)
	}
	return v, err
}

// rowQuerier is a *sqldb.DB or a *sqldb.Tx.
type rowQuerier interface {
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
}

// version loads one version of appid through q. Errors: not_found.
func (s *Service) version(ctx context.Context, q rowQuerier, appid string, code int64) (Version, error) {
	v, err := scanVersion(q.QueryRow(ctx, selectVersion, appid, code))
	if errors.Is(err, sql.ErrNoRows) {
		return v, errs.E(errs.NotFound, "No version %d of %s.", code, appid)
	}
	return v, err
}

// transition moves a version from one of from to status. Errors:
// not_found, conflict.
func (s *Service) transition(ctx context.Context, appid string, code int64, from []string, status, reason string) (Version, error) {
	v, err := s.version(ctx, s.db, appid, code)
	if err != nil {
		return v, err
	}
	ok := false
	for _, f := range from {
		ok = ok || v.Status == f
	}
	if !ok {
		return v, errs.E(errs.Conflict, "Version %d is %s; it cannot become %s.", code, v.Status, status)
	}
	if _, err := s.db.Exec(ctx, updateVersionStatus, status, reason, appid, code); err != nil {
		return v, err
	}
	v.Status, v.Reason = status, reason
	return v, nil
}

// Submit sends a version to review (from uploaded or rejected). Errors:
// not_found, conflict.
func (s *Service) Submit(ctx context.Context, developerID, appid string, code int64) (Version, error) {
	if _, err := s.owned(ctx, developerID, appid); err != nil {
		return Version{}, err
	}
	return s.transition(ctx, appid, code, []string{"uploaded", "rejected"}, "submitted", "")
}

// Review approves or rejects a submitted version (administrators); a
// rejection needs a reason. Errors: invalid_argument, not_found, conflict.
func (s *Service) Review(ctx context.Context, appid string, code int64, approve bool, reason string) (Version, error) {
	if approve {
		return s.transition(ctx, appid, code, []string{"submitted"}, "approved", reason)
	}
	if strings.TrimSpace(reason) == "" {
		return Version{}, errs.Field("reason", "Tell the developer why the version is rejected.")
	}
	return s.transition(ctx, appid, code, []string{"submitted"}, "rejected", reason)
}

// Release makes an approved version the one users open (also to roll back
// to an earlier approved version), and announces it on
// VersionReleasedSubject through the outbox, in the same transaction.
// Errors: not_found, conflict.
func (s *Service) Release(ctx context.Context, developerID, appid string, code int64) (Version, error) {
	if _, err := s.owned(ctx, developerID, appid); err != nil {
		return Version{}, err
	}
	var v Version
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		var err error
		if v, err = s.version(ctx, tx, appid, code); err != nil {
			return err
		}
		if v.Status != "approved" && v.Status != "released" {
			return errs.E(errs.Conflict, "Version %d is %s; only an approved version can be released.", code, v.Status)
		}
		if _, err := tx.Exec(ctx, updateReleasedCode, code, appid); err != nil {
			return err
		}
		return outbox.Add(ctx, tx, VersionReleasedSubject, VersionReleased{AppID: appid, Version: code, DeveloperID: developerID,
			ReleasedAt: sqldb.FromMicro(sqldb.Micro(s.now()))})
	})
	if err != nil {
		return v, err
	}
	v.Status = "released"
	return v, nil
}
