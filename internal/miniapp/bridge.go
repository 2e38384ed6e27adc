package miniapp

import (
	"context"
	"database/sql"
	"regexp"
	"strings"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/trust"
)

// runnable is the app userID is running in the Plaza client: its released
// version when trial is empty, else the version of the trial label, which
// only the app's developer and testers may run. Every bridge call is
// authorised by it, for the version actually running, and refused when a
// policy withholds the app's hosting from the user. Errors: not_found,
// blocked_by_policy (403).
func (s *Service) runnable(ctx context.Context, userID, appid, trial string) (App, error) {
	var a App
	var err error
	if trial == "" {
		a, err = s.openable(ctx, appid)
	} else {
		a, _, err = s.trial(ctx, userID, appid, trial)
	}
	if err != nil {
		return App{}, err
	}
	if err := s.mayHost(ctx, userID, a); err != nil {
		return App{}, err
	}
	return a, nil
}

// openable is an app anyone may open: released (policies are the
// callers' to ask, see policies.go). Errors: not_found.
func (s *Service) openable(ctx context.Context, appid string) (App, error) {
	if d, ok := s.dev(appid); ok {
		return App{AppID: appid, Name: d.name, Description: "Served from " + d.dir, DeveloperID: "dev", ReleasedCode: 1, RequestDomains: []string{}}, nil
	}
	a, err := s.App(ctx, appid)
	if err != nil || a.ReleasedCode == 0 {
		return App{}, errs.E(errs.NotFound, "No mini-program %q to open.", appid)
	}
	return a, nil
}

// Open is an app as the client opens it, with its manifest's window
// settings: its released version when trial is empty (for anyone), else
// the version of that trial label (for its developer and testers), then
// with the Trial beside it. A policy withholding the app from the user
// refuses it: hosting with blocked_by_policy (403), distribution with
// not_found (see policies.go). Errors: not_found, blocked_by_policy.
func (s *Service) Open(ctx context.Context, userID, appid, trial string) (App, *Trial, error) {
	if trial != "" {
		a, t, err := s.trial(ctx, userID, appid, trial)
		if err != nil {
			return App{}, nil, err
		}
		if err := s.mayOpen(ctx, userID, a, true); err != nil {
			return App{}, nil, err
		}
		if p, err := s.Package(ctx, appid, t.Code); err == nil {
			a.Window = p.Manifest.Window
		}
		return a, &t, nil
	}
	a, err := s.openable(ctx, appid)
	if err != nil {
		return App{}, nil, err
	}
	if err := s.mayOpen(ctx, userID, a, false); err != nil {
		return App{}, nil, err
	}
	if a.ReleasedCode > 0 {
		if p, err := s.Package(ctx, a.AppID, a.ReleasedCode); err == nil {
			a.Window = p.Manifest.Window
		}
	}
	return a, nil, nil
}

var scopeRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.]{0,63}$`)

// ReservedScope is the prefix of scopes no user grants: Plaza's own
// (testers, for one, are named by the developer, not by consent).
const ReservedScope = "plaza."

// SetConsent grants (or, with grant false, revokes) a scope to an app
// running as trial (empty: released). Revoking always works. Errors:
// invalid_argument, forbidden (a reserved plaza.* scope), not_found.
func (s *Service) SetConsent(ctx context.Context, userID, appid, trial, scope string, grant bool) error {
	if !scopeRe.MatchString(scope) {
		return errs.Field("scope", "A scope is a name such as userInfo.")
	}
	if strings.HasPrefix(strings.ToLower(scope), ReservedScope) {
		return errs.E(errs.Forbidden, "Scopes under plaza. are Plaza's own; no consent grants them.")
	}
	if !grant {
		_, err := s.db.Exec(ctx, deleteConsent, userID, appid, scope)
		return err
	}
	if _, err := s.runnable(ctx, userID, appid, trial); err != nil {
		return err
	}
	_, err := s.db.Exec(ctx, insertConsent, userID, appid, scope, sqldb.Micro(s.now()))
	return err
}

// Consents lists the scopes a user granted an app running as trial (empty:
// released). Errors: not_found.
func (s *Service) Consents(ctx context.Context, userID, appid, trial string) ([]string, error) {
	if _, err := s.runnable(ctx, userID, appid, trial); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, selectConsentScopes, userID, appid)
	if err != nil {
		return nil, err
	}
	out, err := sqldb.ScanAll(rows, func(rows *sql.Rows) (string, error) {
		var sc string
		err := rows.Scan(&sc)
		return sc, err
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// Profile is what an app with the userInfo consent sees of a user.
// Errors: forbidden, not_found.
func (s *Service) Profile(ctx context.Context, userID, appid, trial string) (map[string]string, error) {
	if _, err := s.runnable(ctx, userID, appid, trial); err != nil {
		return nil, err
	}
	var one int
	err := s.db.QueryRow(ctx, selectHasUserInfo, userID, appid).Scan(&one)
	if err != nil {
		return nil, errs.E(errs.Forbidden, "The user has not shared their profile with this app (consent userInfo).")
	}
	u, err := s.accounts.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	return map[string]string{"nickname": u.DisplayName, "avatar_url": ""}, nil
}

// PaymentRequest checks a mini-program's requestPayment parameters and
// returns what the payer confirms. A policy withholding the app's hosting
// refuses it with blocked_by_policy (403), one withholding its payments
// with blocked_by_policy (422). Errors: bad_pay_sign, not_found,
// blocked_by_policy.
func (s *Service) PaymentRequest(ctx context.Context, userID, appid, trial, timeStamp, nonceStr, pkg, signType, paySign string) (any, error) {
	a, err := s.runnable(ctx, userID, appid, trial)
	if err != nil {
		return nil, err
	}
	if err := s.check(ctx, userID, a, trust.ScopePayments); err != nil {
		return nil, err
	}
	return s.payments.PaymentRequest(ctx, userID, appid, timeStamp, nonceStr, pkg, signType, paySign)
}
