// Package miniapp is Plaza's mini-program platform: the registry, W3C
// MiniApp packages, review and release, the directory, and what the host
// calls for the bridge — one-time login codes, consents, the profile,
// per-user storage and payment requests — with WeChat's jscode2session for
// the apps' own backends.
//
// Service methods return *errs.Error values with codes invalid_argument,
// not_found, forbidden, conflict, payload_too_large, bad_pay_sign and
// blocked_by_policy (a trust policy withholds the app: 403 on opening and
// bridge calls, 422 on payment requests); anything else is internal. Exchange (jscode2session) answers with a
// *CodeError in WeChat's numbers instead.
//
// Where things are:
//
//   - miniapp.go: the types, the Service and its Config, the interfaces it
//     needs of other components (Accounts, Payments, Policies) and the
//     error codes.
//   - registry.go: apps and their secrets, the directory, and the package
//     of a version (parsed once, kept in cache.go's cache).
//   - review.go: versions: upload, review and release.
//   - developer.go: a developer's lists and secret rotation; a user's
//     grants (Me → Privacy).
//   - trial.go: testers, trial labels and launch tokens.
//   - bridge.go: what the host calls for a running app (which version runs,
//     Open, consents, the profile, payment requests); login.go: login codes
//     and jscode2session; storage.go: per-user storage.
//   - policies.go: what trust's policies withhold (distribution: the
//     directory and details; hosting: opening, bridge calls, the origin).
//   - host.go: the apps origin ({appid}.{apps-domain}) that serves the
//     packages; dev.go: apps served from a folder (plaza serve --dev-app).
//   - pkg.go, pack.go and pkgzip/: reading, checking and zipping packages.
//   - store.go: every SQL statement, as named constants, and the row
//     scanners; migrations/: the schema.
//   - events.go: the bus subjects this component publishes, and their
//     payloads; run.go: its scheduled work (Run: pruning login codes).
//   - http.go: the routes: decode, call the Service, encode.
package miniapp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/trust"
)

//go:embed migrations
var migrations embed.FS

// Migrations is the mini-program platform's schema.
var Migrations = sqldb.Migrations{Component: "miniapp", FS: migrations}

// BadPaySign is the refusal of a payment request whose signature or order
// does not check out.
const BadPaySign = "bad_pay_sign"

func init() { errs.Register(BadPaySign, http.StatusUnprocessableEntity) }

// Limits of bridge storage.
const (
	MaxStorageValue = 1 << 20  // a key's value
	MaxStorageApp   = 10 << 20 // an app's values, per user
	CodeTTL         = 5 * time.Minute
)

// Accounts is what the platform needs of the account component.
type Accounts interface {
	User(ctx context.Context, id string) (account.User, error)
	UserByUsername(ctx context.Context, username string) (account.User, error)
}

// Payments is what it needs of the merchant API: the openid a user has
// under an app, and the check of a payment request.
type Payments interface {
	OpenID(appid, userID string) string
	PaymentRequest(ctx context.Context, userID, appid, timeStamp, nonceStr, pkg, signType, paySign string) (any, error)
}

// Policies is what the platform asks the trust component: whether a
// policy withholds an app from a user for a scope (nil, or an error with
// code blocked_by_policy), and which policy, for the page that says why.
type Policies interface {
	Check(ctx context.Context, q trust.Question) error
	Blocking(ctx context.Context, q trust.Question) *trust.Policy
}

// Config wires the service.
type Config struct {
	DB       *sqldb.DB
	Accounts Accounts
	Payments Payments
	// Policies withholds apps by region (trust); nil: no policies.
	Policies Policies
	// UnionKey derives unionids (per user per developer).
	UnionKey []byte
	// TrialKey signs trial-host labels and launch tokens.
	TrialKey []byte
	Log      *slog.Logger
	Now      func() time.Time
	// PruneEvery is how often Run deletes expired login codes (an hour
	// when zero).
	PruneEvery time.Duration
}

// Service is the mini-program platform's rules.
type Service struct {
	db         *sqldb.DB
	accounts   Accounts
	payments   Payments
	policies   Policies
	unionKey   []byte
	trialKey   []byte
	log        *slog.Logger
	now        func() time.Time
	pruneEvery time.Duration

	packages *pkgCache
	inflated atomic.Int64 // packages read from the database (for tests)

	devMu   sync.RWMutex // guards devApps
	devApps map[string]devApp
}

// NewService makes the service.
func NewService(c Config) *Service {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.PruneEvery <= 0 {
		c.PruneEvery = time.Hour
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: c.DB, accounts: c.Accounts, payments: c.Payments, policies: c.Policies, unionKey: c.UnionKey, trialKey: c.TrialKey, log: c.Log, now: c.Now,
		pruneEvery: c.PruneEvery, packages: newPkgCache(CacheBytes, CacheEntries)}
}

// unionID is a user's id across one developer's apps.
func (s *Service) unionID(developerID, userID string) string {
	m := hmac.New(sha256.New, s.unionKey)
	m.Write([]byte(developerID + "\x00" + userID))
	return "u" + base64.RawURLEncoding.EncodeToString(m.Sum(nil))[:27]
}

// App is a registered mini-program. Window is the released manifest's
// window settings (title bar text and colours) when the app is opened.
type App struct {
	Window         map[string]any `json:"window,omitempty"`
	AppID          string         `json:"appid"`
	Name           string         `json:"name"`
	Description    string         `json:"description"`
	Category       string         `json:"category"`
	DeveloperID    string         `json:"developer_id"`
	RequestDomains []string       `json:"request_domains"`
	ReleasedCode   int64          `json:"released_version"`
	CreatedAt      time.Time      `json:"created_at"`
}

// Version is an uploaded package of an app.
type Version struct {
	AppID     string    `json:"appid"`
	Code      int64     `json:"code"`
	Name      string    `json:"name"`
	Status    string    `json:"status"` // uploaded | submitted | approved | rejected | released
	Reason    string    `json:"reason,omitempty"`
	SHA256    string    `json:"sha256"`
	Manifest  Manifest  `json:"manifest"`
	CreatedAt time.Time `json:"created_at"`
}

// Grant is what a user shared with one app.
type Grant struct {
	AppID     string    `json:"appid"`
	Name      string    `json:"name"`
	Scopes    []string  `json:"scopes"`
	GrantedAt time.Time `json:"granted_at"`
}

// Tester is a user a developer named to try an app's unreleased versions.
type Tester struct {
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	AddedAt     time.Time `json:"added_at"`
}

// Testing is an app a user was named a tester of (Me → Privacy).
type Testing struct {
	AppID   string    `json:"appid"`
	Name    string    `json:"name"`
	AddedAt time.Time `json:"added_at"`
}

// Trial is the version a trial label runs, as its tester sees it.
type Trial struct {
	Label  string `json:"label"`
	Code   int64  `json:"code"`
	Name   string `json:"name"`
	Status string `json:"status"` // uploaded | submitted | approved | rejected | released
}

// Launch is what opens a trial's pages for a while.
type Launch struct {
	Token     string    `json:"launch"`
	ExpiresAt time.Time `json:"expires_at"`
	Trial     Trial     `json:"trial"`
}

// Session is jscode2session's answer.
type Session struct {
	OpenID     string `json:"openid"`
	SessionKey string `json:"session_key"`
	UnionID    string `json:"unionid"`
}

// WeChat's errcodes for code2Session.
const (
	ErrInvalidCode   = 40029
	ErrCodeUsed      = 40163
	ErrInvalidSecret = 40125
	ErrInvalidAppID  = 40013
	ErrMissingParam  = 41002
)

// CodeError is code2Session's refusal, in WeChat's numbers.
type CodeError struct {
	Code    int    `json:"errcode"`
	Message string `json:"errmsg"`
}

func (e *CodeError) Error() string { return e.Message }
