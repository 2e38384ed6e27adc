package miniapp

import (
	"context"
	"net/http"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
	"github.com/plaza-dev/plaza/internal/trust"
)

// Policies (trust) withhold an app from the users of some regions:
//
//   - distribution: the app is absent from the directory (and its search)
//     and its details answer not_found, as for an app that does not exist;
//   - hosting: opening it, its bridge calls (login codes, consents, the
//     profile, storage, payment requests) and its origin are refused with
//     blocked_by_policy, answered 403;
//   - payments: its payment requests are refused with blocked_by_policy
//     (422, as on money).
//
// A policy names the app (target app) or its developer (target developer:
// the app's DeveloperID), and the user through their account's region,
// which trust looks up. Users elsewhere see no change.

// question is what trust is asked about userID and app a for scope.
func question(userID string, a App, scope trust.Scope) trust.Question {
	return trust.Question{UserID: userID, Target: trust.Target{Type: trust.TargetApp, ID: a.AppID}, DeveloperID: a.DeveloperID, Scope: scope}
}

// check is nil when no policy withholds a from userID for scope, else
// trust's blocked_by_policy refusal (or the error asking it met).
func (s *Service) check(ctx context.Context, userID string, a App, scope trust.Scope) error {
	if s.policies == nil {
		return nil
	}
	return s.policies.Check(ctx, question(userID, a, scope))
}

// listed reports whether a is in userID's directory; errors are the
// trust's lookup failures, not refusals.
func (s *Service) listed(ctx context.Context, userID string, a App) (bool, error) {
	err := s.check(ctx, userID, a, trust.ScopeDistribution)
	if errs.Is(err, trust.BlockedByPolicy) {
		return false, nil
	}
	return err == nil, err
}

// mayHost is nil when userID may run a (open it, call its bridge), else
// blocked_by_policy answered 403.
func (s *Service) mayHost(ctx context.Context, userID string, a App) error {
	if err := s.check(ctx, userID, a, trust.ScopeHosting); err != nil {
		return errs.WithStatus(err, http.StatusForbidden)
	}
	return nil
}

// mayOpen is nil when userID may open a. As the contract orders it:
// distribution hides the released app's details (not_found, as for an app
// that does not exist; the client explains it from the user's notices),
// then hosting refuses with 403 blocked_by_policy and the reason. A trial
// is opened by its testers from a link, not found in the directory: only
// hosting applies.
func (s *Service) mayOpen(ctx context.Context, userID string, a App, trial bool) error {
	if !trial {
		ok, err := s.listed(ctx, userID, a)
		if err != nil {
			return err
		}
		if !ok {
			return errs.E(errs.NotFound, "No mini-program %q to open.", a.AppID)
		}
	}
	return s.mayHost(ctx, userID, a)
}

// hostBlocking is the policy that withholds a's origin, or nil. The origin
// carries no Plaza session (no cookie is sent there), so it knows no user:
// only the policies of every region ("*") apply; a user's region policies
// are refused where the client opens the app (Open, the bridge).
func (s *Service) hostBlocking(ctx context.Context, a App) *trust.Policy {
	if s.policies == nil {
		return nil
	}
	return s.policies.Blocking(ctx, question("", a, trust.ScopeHosting))
}

// OpenBlocking is the policy that keeps userID from opening appid (hosting,
// as of now), or nil: the client's page /app/{appid}, loaded afresh, is
// then answered with the page that says why instead of the client.
func (s *Service) OpenBlocking(ctx context.Context, userID, appid string) (*App, *trust.Policy) {
	if s.policies == nil {
		return nil, nil
	}
	a, err := s.App(ctx, appid)
	if err != nil {
		return nil, nil
	}
	if p := s.policies.Blocking(ctx, question(userID, a, trust.ScopeHosting)); p != nil {
		return &a, p
	}
	return nil, nil
}

// AppPage serves the client's route /app/{appid} with next (the client),
// unless a policy keeps the caller from opening the app: then 403 and the
// page that says why.
func (h *Handler) AppPage(next http.Handler) http.Handler {
	return h.Auth.Optional(func(w http.ResponseWriter, r *http.Request) error {
		if a, p := h.Service.OpenBlocking(r.Context(), httpx.Caller(r).UserID, r.PathValue("appid")); p != nil {
			blockedPage(w, r, a, p, "/discover")
			return nil
		}
		next.ServeHTTP(w, r)
		return nil
	})
}
