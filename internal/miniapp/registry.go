package miniapp

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/platform/text"
)

func hashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// CreateApp registers an app for a developer and returns its secret, shown
// this once (only its hash is kept). Errors: invalid_argument.
func (s *Service) CreateApp(ctx context.Context, developerID, name, description, category string, domains []string) (App, string, error) {
	name, err := text.Name("name", "An app name", name, 40)
	if err != nil {
		return App{}, "", err
	}
	if utf8.RuneCountInString(description) > 500 {
		return App{}, "", errs.Field("description", "A description has at most 500 characters.")
	}
	clean := []string{}
	for _, d := range domains {
		u, err := url.Parse(d)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" && u.Path != "/" {
			return App{}, "", errs.Field("request_domains", "%q is not an origin such as https://api.example.com.", d)
		}
		clean = append(clean, u.Scheme+"://"+u.Host)
	}
	a := App{AppID: "mp" + ids.Token(10)[:16], Name: name, Description: description, Category: category,
		DeveloperID: developerID, RequestDomains: clean, CreatedAt: sqldb.FromMicro(sqldb.Micro(s.now()))}
	secret := ids.Token(24)
	d, _ := json.Marshal(clean)
	_, err = s.db.Exec(ctx, insertApp, a.AppID, a.Name, a.Description, a.Category, developerID, hashSecret(secret), string(d), sqldb.Micro(a.CreatedAt))
	return a, secret, err
}

// App loads an app. Errors: not_found.
func (s *Service) App(ctx context.Context, appid string) (App, error) {
	a, err := scanApp(s.db.QueryRow(ctx, selectAppByID, appid))
	if errors.Is(err, sql.ErrNoRows) {
		return App{}, errs.E(errs.NotFound, "No mini-program %q.", appid)
	}
	return a, err
}

// owned is an app the developer owns. Errors: not_found.
func (s *Service) owned(ctx context.Context, developerID, appid string) (App, error) {
	a, err := s.App(ctx, appid)
	if err != nil || a.DeveloperID != developerID {
		return App{}, errs.E(errs.NotFound, "No mini-program %q of yours.", appid)
	}
	return a, nil
}

// checkSecret compares an app's secret in constant time.
func (s *Service) checkSecret(ctx context.Context, appid, secret string) (string, bool) {
	if d, ok := s.dev(appid); ok {
		return "dev", d.secretOK(secret)
	}
	var stored, developer string
	if err := s.db.QueryRow(ctx, selectAppSecret, appid).Scan(&stored, &developer); err != nil {
		return "", false
	}
	return developer, subtle.ConstantTimeCompare([]byte(stored), []byte(hashSecret(secret))) == 1
}

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
		return addEvent(ctx, tx, VersionReleasedSubject, VersionReleased{AppID: appid, Version: code, DeveloperID: developerID,
			ReleasedAt: sqldb.FromMicro(sqldb.Micro(s.now()))})
	})
	if err != nil {
		return v, err
	}
	v.Status = "released"
	return v, nil
}

// Directory lists released apps whose name or description holds q, in
// category when it is not empty. Errors: none but internal ones.
func (s *Service) Directory(ctx context.Context, q, category string, limit int) ([]App, error) {
	like := "%" + strings.ToLower(strings.TrimSpace(q)) + "%"
	return s.queryApps(ctx, selectDirectory, like, like, category, category, limit)
}

// queryApps runs a query of appColumns and scans every app (an empty list,
// not nil, when there is none).
func (s *Service) queryApps(ctx context.Context, query string, args ...any) ([]App, error) {
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	out, err := sqldb.ScanAll(rows, func(r *sql.Rows) (App, error) { return scanApp(r) })
	if out == nil && err == nil {
		out = []App{}
	}
	return out, err
}

// Package returns the files of an app's released version (or of code, for
// a trial), parsed once and then kept in a bounded cache. The package is
// shared: callers must not change it. Errors: not_found.
func (s *Service) Package(ctx context.Context, appid string, code int64) (*Package, error) {
	if code == 0 {
		a, err := s.App(ctx, appid)
		if err != nil || a.ReleasedCode == 0 {
			return nil, errs.E(errs.NotFound, "%s has no released version.", appid)
		}
		code = a.ReleasedCode
	}
	key := cacheKey(appid, code)
	if p := s.packages.get(key); p != nil {
		return p, nil
	}
	var data []byte
	if err := s.db.QueryRow(ctx, selectVersionPackage, appid, code).Scan(&data); err != nil {
		return nil, errs.E(errs.NotFound, "No version %d of %s.", code, appid)
	}
	s.inflated.Add(1)
	p, err := ReadPackage(data, appid)
	if err != nil {
		return nil, err
	}
	s.packages.put(key, p)
	return p, nil
}

// PackagesRead counts the packages read (inflated) from the database since
// the service started; the cache keeps it low.
func (s *Service) PackagesRead() int64 { return s.inflated.Load() }
