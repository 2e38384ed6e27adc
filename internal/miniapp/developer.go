package miniapp

import (
	"context"
	"encoding/json"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// RotateSecret replaces an app's secret; the old one stops working at
// once. Errors: not_found.
func (s *Service) RotateSecret(ctx context.Context, developerID, appid string) (string, error) {
	if _, err := s.owned(ctx, developerID, appid); err != nil {
		return "", err
	}
	secret := ids.Token(24)
	_, err := s.db.Exec(ctx, `UPDATE miniapps SET secret_hash = ? WHERE appid = ?`, hashSecret(secret), appid)
	return secret, err
}

// AppsOf lists a developer's apps.
func (s *Service) AppsOf(ctx context.Context, developerID string) ([]App, error) {
	return s.queryApps(ctx, `SELECT `+appColumns+` FROM miniapps WHERE developer_id = ? ORDER BY created_at`, developerID)
}

// Versions lists an app's versions for its developer, newest first.
func (s *Service) Versions(ctx context.Context, developerID, appid string) ([]Version, error) {
	a, err := s.owned(ctx, developerID, appid)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT `+versionCols+` FROM miniapp_versions WHERE appid = ? ORDER BY code DESC`, appid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Version{}
	for rows.Next() {
		var v Version
		var manifest string
		var created int64
		if err := rows.Scan(&v.AppID, &v.Code, &v.Name, &manifest, &v.SHA256, &v.Status, &v.Reason, &created); err != nil {
			return nil, err
		}
		json.Unmarshal([]byte(manifest), &v.Manifest)
		v.CreatedAt = sqldb.FromMicro(created)
		if v.Code == a.ReleasedCode {
			v.Status = "released"
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Grant is what a user shared with one app.
type Grant struct {
	AppID     string    `json:"appid"`
	Name      string    `json:"name"`
	Scopes    []string  `json:"scopes"`
	GrantedAt time.Time `json:"granted_at"`
}

// Grants lists every app a user shared something with (Me → Privacy).
func (s *Service) Grants(ctx context.Context, userID string) ([]Grant, error) {
	rows, err := s.db.Query(ctx, `SELECT c.appid, a.name, c.scope, c.granted_at FROM miniapp_consents c
		JOIN miniapps a ON a.appid = c.appid WHERE c.user_id = ? AND c.scope <> 'plaza.tester' ORDER BY a.name, c.scope`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Grant{}
	for rows.Next() {
		var appid, name, scope string
		var at int64
		if err := rows.Scan(&appid, &name, &scope, &at); err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && out[n-1].AppID == appid {
			out[n-1].Scopes = append(out[n-1].Scopes, scope)
			continue
		}
		out = append(out, Grant{AppID: appid, Name: name, Scopes: []string{scope}, GrantedAt: sqldb.FromMicro(at)})
	}
	return out, rows.Err()
}
