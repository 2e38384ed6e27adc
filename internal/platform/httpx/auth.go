package httpx

import (
	"context"
	"crypto/subtle"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
)

// SessionCookie is the web client's session cookie (HttpOnly) on plain
// http (loopback use); SecureSessionCookie is its name on HTTPS, where the
// __Host- prefix makes browsers insist on Secure, Path=/ and no Domain, so
// no other host or plain-http page can set or shadow it.
const (
	SessionCookie       = "plaza_session"
	SecureSessionCookie = "__Host-plaza_session"
)

// SessionCookieName is the session cookie's name for r: SecureSessionCookie
// when the client reached Plaza over TLS (Secure), else SessionCookie.
func SessionCookieName(r *http.Request) string {
	if Secure(r) {
		return SecureSessionCookie
	}
	return SessionCookie
}

// SetSessionCookie sets (or, with maxAge < 0, clears) the session cookie:
// HttpOnly, SameSite=Lax, Path=/, no Domain, and Secure whenever the client
// reached Plaza over TLS, directly or through a trusted proxy.
func SetSessionCookie(w http.ResponseWriter, r *http.Request, token string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookieName(r), Value: token, Path: "/",
		MaxAge: int(maxAge.Seconds()), HttpOnly: true, Secure: Secure(r), SameSite: http.SameSiteLaxMode,
	})
}

// Principal is who a request acts for.
type Principal struct {
	UserID    string
	Username  string
	Region    string
	Admin     bool
	SessionID string
	// Cookie is true when the session came from the cookie, not a bearer
	// token; such requests that change state must carry the CSRF token.
	Cookie bool
	// CSRFToken is the session's anti-forgery token.
	CSRFToken string
}

// Authenticator resolves a session token. It returns an unauthenticated
// *errs.Error for a token that is unknown, expired or revoked.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (Principal, error)
}

// Auth is the authentication middleware.
type Auth struct {
	Authn Authenticator
	// PerAccount limits each signed-in account's requests (nil: no limit).
	PerAccount *Limiter
}

// PrincipalFrom is the signed-in caller; ok is false outside Required.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(keyPrincipal).(Principal)
	return p, ok
}

// Caller is the signed-in caller of a handler wrapped in Required.
func Caller(r *http.Request) Principal {
	p, _ := PrincipalFrom(r.Context())
	return p
}

// TokenFrom finds a session token: the Authorization bearer first, then
// the session cookie, then (for WebSocket upgrades only, where browsers
// cannot set headers) the token query parameter.
func TokenFrom(r *http.Request, allowQuery bool) (token string, cookie bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
			return strings.TrimSpace(h[7:]), false
		}
		return "", false
	}
	// Only the name this scheme sets: on HTTPS a plain plaza_session could
	// have been planted over http or by a sibling host.
	if c, err := r.Cookie(SessionCookieName(r)); err == nil && c.Value != "" {
		return c.Value, true
	}
	if allowQuery {
		return r.URL.Query().Get("token"), false
	}
	return "", false
}

// Required admits signed-in callers only, checks the CSRF token of cookie
// requests that change state, and applies the per-account rate limit.
func (a *Auth) Required(h HandlerFunc) http.Handler {
	return a.wrap(h, false, false)
}

// RequiredWS is Required for a WebSocket upgrade: it also takes ?token=.
func (a *Auth) RequiredWS(h HandlerFunc) http.Handler {
	return a.wrap(h, false, true)
}

// Optional serves everyone: a signed-in caller's Principal is in the
// context (Caller), anyone else's is empty. For pages (GET) only: it checks
// no CSRF token and never refuses.
func (a *Auth) Optional(h HandlerFunc) http.Handler {
	return HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		if s, err := a.authenticate(r, false); err == nil {
			r = r.WithContext(context.WithValue(r.Context(), keyPrincipal, s))
		}
		return h(w, r)
	})
}

// Admin admits signed-in administrators only.
func (a *Auth) Admin(h HandlerFunc) http.Handler {
	return a.wrap(h, true, false)
}

func (a *Auth) wrap(h HandlerFunc, admin, allowQuery bool) http.Handler {
	return HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		s, err := a.authenticate(r, allowQuery)
		if err != nil {
			return err
		}
		if admin && !s.Admin {
			return errs.E(errs.Forbidden, "Only administrators may do this.")
		}
		if err := a.PerAccount.Check(w, s.UserID); err != nil {
			return err
		}
		return h(w, r.WithContext(context.WithValue(r.Context(), keyPrincipal, s)))
	})
}

func (a *Auth) authenticate(r *http.Request, allowQuery bool) (Principal, error) {
	token, cookie := TokenFrom(r, allowQuery)
	if token == "" {
		return Principal{}, errs.E(errs.Unauthenticated, "Sign in first: no session token was sent.")
	}
	s, err := a.Authn.Authenticate(r.Context(), token)
	if err != nil {
		return Principal{}, err
	}
	s.Cookie = cookie
	if cookie && !safeMethod(r.Method) {
		got := r.Header.Get("X-CSRF-Token")
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(s.CSRFToken)) != 1 {
			return Principal{}, errs.E(errs.Forbidden, "Missing or wrong X-CSRF-Token header; get it from GET /api/v1/me.")
		}
	}
	return s, nil
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// Page is the contract's list shape; items is never null.
func Page[T any](items []T, next string) map[string]any {
	if items == nil {
		items = []T{}
	}
	return map[string]any{"items": items, "next_cursor": next}
}

// Limit reads ?limit=, between 1 and max, def when absent. Errors:
// invalid_argument.
func Limit(r *http.Request, def, max int) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		return 0, errs.Field("limit", "limit must be a whole number from 1 to %d.", max)
	}
	return n, nil
}

// SameOrigin refuses a browser request that a page of another origin made
// — a form another site, or a mini-program's origin on the same site,
// posts to sign the browser in to an account of the attacker's (login
// CSRF: a text/plain form body can be valid JSON). It goes by the
// browser's Sec-Fetch-Site, else (older browsers) by Origin against
// Plaza's own host;
// clients that send neither (SDKs, curl) pass. Errors: forbidden.
func SameOrigin(h HandlerFunc) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var refused bool
		switch site := r.Header.Get("Sec-Fetch-Site"); {
		case site != "":
			refused = site != "same-origin" && site != "none"
		case r.Header.Get("Origin") != "":
			u, err := url.Parse(r.Header.Get("Origin"))
			own, _ := url.Parse(BaseURL(r))
			refused = err != nil || u.Host == "" || own == nil || !strings.EqualFold(u.Host, own.Host)
		}
		if refused {
			return errs.E(errs.Forbidden, "This request came from another site's page; sign in on Plaza's own page.")
		}
		return h(w, r)
	}
}
