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

// Directory lists, for userID, released apps whose name or description
// holds q, in category when it is not empty, but for those a policy
// withholds from them for distribution (see policies.go). Errors: none
// but internal ones.
func (s *Service) Directory(ctx context.Context, userID, q, category string, limit int) ([]App, error) {
	like := "%" + strings.ToLower(strings.TrimSpace(q)) + "%"
	for n := max(limit, 1); ; n *= 2 {
		apps, err := s.queryApps(ctx, selectDirectory, like, like, category, category, n)
		if err != nil || s.policies == nil {
			return apps, err
		}
		kept := apps[:0]
		for _, a := range apps {
			ok, err := s.listed(ctx, userID, a)
			if err != nil {
				return nil, err
			}
			if ok {
				kept = append(kept, a)
			}
		}
		// Withheld apps leave gaps: read further until limit are kept or
		// the directory ends.
		if len(kept) >= limit || len(apps) < n {
			return kept[:min(len(kept), limit)], nil
		}
	}
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
