package miniapp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"strconv"
	"strings"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Trials: a developer, and the testers they name, open an unreleased
// version. It is served from its own host label, {appid}--v{code}--{mac},
// so that every path inside it stays on that version; the mac (keyed by the
// server) makes the label something only the API hands out.
//
// A label alone opens nothing: the apps origin has no Plaza cookie, so it
// cannot tell who is looking. The Plaza client, where the user is signed
// in, asks for a launch (POST /miniapps/{appid}/trial-launch {label}); only
// the app's developer and testers get one. The launch is a short-lived
// token, {expiry}.{mac of label and expiry}, which every trial page URL
// carries as ?plaza_launch=; the apps host serves no page of a trial
// without a valid one. Every bridge call from a trial names its label
// (?trial=) and is authorised, again, for a tester of that app.

// LaunchTTL is how long a trial launch token opens pages; the client asks
// for a fresh one well before it runs out.
const LaunchTTL = 10 * time.Minute

// AddTester lets a user open the app's unreleased versions; only the app's
// developer may. Naming a tester twice is fine. Errors: invalid_argument
// (no username), not_found (another developer's app, or no such user).
func (s *Service) AddTester(ctx context.Context, developerID, appid, username string) (Tester, error) {
	if username == "" {
		return Tester{}, errs.Field("username", "Name the user to add as a tester.")
	}
	if _, err := s.owned(ctx, developerID, appid); err != nil {
		return Tester{}, err
	}
	u, err := s.accounts.UserByUsername(ctx, username)
	if err != nil {
		return Tester{}, errs.E(errs.NotFound, "No user %q.", username)
	}
	now := sqldb.FromMicro(sqldb.Micro(s.now()))
	if _, err := s.db.Exec(ctx, insertTester, appid, u.ID, sqldb.Micro(now)); err != nil {
		return Tester{}, err
	}
	var at int64
	if err := s.db.QueryRow(ctx, selectTesterAddedAt, appid, u.ID).Scan(&at); err != nil {
		return Tester{}, err
	}
	return Tester{Username: u.Username, DisplayName: u.DisplayName, AddedAt: sqldb.FromMicro(at)}, nil
}

// RemoveTester takes a tester off the app (removing one who is not a
// tester is fine). Errors: not_found (another developer's app).
func (s *Service) RemoveTester(ctx context.Context, developerID, appid, username string) error {
	if _, err := s.owned(ctx, developerID, appid); err != nil {
		return err
	}
	u, err := s.accounts.UserByUsername(ctx, username)
	if err != nil {
		return nil
	}
	_, err = s.db.Exec(ctx, deleteTester, appid, u.ID)
	return err
}

// Testers lists an app's testers for its developer, earliest first.
// Errors: not_found (another developer's app).
func (s *Service) Testers(ctx context.Context, developerID, appid string) ([]Tester, error) {
	if _, err := s.owned(ctx, developerID, appid); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, selectTestersOfApp, appid)
	if err != nil {
		return nil, err
	}
	type row struct {
		id string
		at int64
	}
	// Every row is read (and the rows closed) before the accounts are asked.
	ids, err := sqldb.ScanAll(rows, func(rows *sql.Rows) (row, error) {
		var r row
		err := rows.Scan(&r.id, &r.at)
		return r, err
	})
	if err != nil {
		return nil, err
	}
	out := []Tester{}
	for _, r := range ids {
		u, err := s.accounts.User(ctx, r.id)
		if err != nil {
			continue // an erased account
		}
		out = append(out, Tester{Username: u.Username, DisplayName: u.DisplayName, AddedAt: sqldb.FromMicro(r.at)})
	}
	return out, nil
}

// TestingOf lists the apps a user is a tester of. Errors: none but
// internal ones.
func (s *Service) TestingOf(ctx context.Context, userID string) ([]Testing, error) {
	rows, err := s.db.Query(ctx, selectTestingOfUser, userID)
	if err != nil {
		return nil, err
	}
	out, err := sqldb.ScanAll(rows, func(rows *sql.Rows) (Testing, error) {
		var t Testing
		var at int64
		err := rows.Scan(&t.AppID, &t.Name, &at)
		t.AddedAt = sqldb.FromMicro(at)
		return t, err
	})
	if out == nil && err == nil {
		out = []Testing{}
	}
	return out, err
}

// LeaveTesting takes the user off an app's testers (they decline); leaving
// an app one does not test is fine. Errors: none but internal ones.
func (s *Service) LeaveTesting(ctx context.Context, userID, appid string) error {
	_, err := s.db.Exec(ctx, deleteTester, appid, userID)
	return err
}

func (s *Service) isTester(ctx context.Context, appid, userID string) bool {
	var one int
	return s.db.QueryRow(ctx, selectIsTester, appid, userID).Scan(&one) == nil
}

// mayTry reports whether userID is the app's developer or one of its testers.
func (s *Service) mayTry(ctx context.Context, a App, userID string) bool {
	return userID != "" && (a.DeveloperID == userID || s.isTester(ctx, a.AppID, userID))
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

func (s *Service) mac(parts ...string) string {
	m := hmac.New(sha256.New, s.trialKey)
	m.Write([]byte(strings.Join(parts, "|")))
	return strings.ToLower(b32.EncodeToString(m.Sum(nil))[:16])
}

func (s *Service) trialMAC(appid string, code int64) string {
	return s.mac("trial", appid, strconv.FormatInt(code, 10))
}

// TrialLabel is the host label that serves version code of appid, for its
// developer or a tester. Errors: not_found.
func (s *Service) TrialLabel(ctx context.Context, userID, appid string, code int64) (string, error) {
	a, err := s.App(ctx, appid)
	if err != nil || !s.mayTry(ctx, a, userID) {
		return "", errs.E(errs.NotFound, "No mini-program %q you may try.", appid)
	}
	if _, err := s.version(ctx, s.db, appid, code); err != nil {
		return "", err
	}
	return appid + "--v" + strconv.FormatInt(code, 10) + "--" + s.trialMAC(appid, code), nil
}

// canonicalCode is a version code written as Plaza writes it: decimal, no
// sign, no leading zero, 1 to MaxVersionCode.
func canonicalCode(s string) (int64, bool) {
	if s == "" || len(s) > 10 || s[0] == '0' {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 || n > MaxVersionCode {
		return 0, false
	}
	return n, true
}

// parseTrial reads a trial label; ok only when it is canonical and its mac
// checks out.
func (s *Service) parseTrial(label string) (appid string, code int64, ok bool) {
	parts := strings.Split(label, "--")
	if len(parts) != 3 || parts[0] == "" || !strings.HasPrefix(parts[1], "v") {
		return "", 0, false
	}
	code, ok = canonicalCode(parts[1][1:])
	if !ok || !hmac.Equal([]byte(parts[2]), []byte(s.trialMAC(parts[0], code))) {
		return "", 0, false
	}
	return parts[0], code, true
}

// trial is the version label runs of appid, for userID: its developer or a
// tester. Errors: not_found (also for a forged label or anyone else, so
// that nothing about the app leaks).
func (s *Service) trial(ctx context.Context, userID, appid, label string) (App, Trial, error) {
	nope := errs.E(errs.NotFound, "No trial of %q you may open.", appid)
	id, code, ok := s.parseTrial(label)
	if !ok || id != appid {
		return App{}, Trial{}, nope
	}
	a, err := s.App(ctx, appid)
	if err != nil || !s.mayTry(ctx, a, userID) {
		return App{}, Trial{}, nope
	}
	v, err := s.version(ctx, s.db, appid, code)
	if err != nil {
		return App{}, Trial{}, nope
	}
	if v.Code == a.ReleasedCode {
		v.Status = "released"
	}
	return a, Trial{Label: label, Code: v.Code, Name: v.Name, Status: v.Status}, nil
}

// TrialLaunch gives the app's developer or a tester a launch token for a
// trial label. Errors: not_found.
func (s *Service) TrialLaunch(ctx context.Context, userID, appid, label string) (Launch, error) {
	_, t, err := s.trial(ctx, userID, appid, label)
	if err != nil {
		return Launch{}, err
	}
	exp := s.now().Add(LaunchTTL).Unix()
	return Launch{Token: s.launchToken(label, exp), ExpiresAt: time.Unix(exp, 0).UTC(), Trial: t}, nil
}

// launchToken opens label's pages until exp (Unix seconds).
func (s *Service) launchToken(label string, exp int64) string {
	e := strconv.FormatInt(exp, 36)
	return e + "." + s.mac("launch", label, e)
}

// checkLaunch reports whether token opens label now.
func (s *Service) checkLaunch(label, token string) bool {
	e, m, ok := strings.Cut(token, ".")
	if !ok || e == "" || len(e) > 13 {
		return false
	}
	exp, err := strconv.ParseInt(e, 36, 64)
	if err != nil || strconv.FormatInt(exp, 36) != e || s.now().Unix() >= exp {
		return false
	}
	return hmac.Equal([]byte(m), []byte(s.mac("launch", label, e)))
}
