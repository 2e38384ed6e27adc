// Package miniapp is Plaza's mini-program platform: the registry, W3C
// MiniApp packages, review and release, the directory, and what the host
// calls for the bridge — one-time login codes, consents, the profile,
// per-user storage and payment requests — with WeChat's jscode2session for
// the apps' own backends.
//
// Service methods return *errs.Error values with codes invalid_argument,
// not_found, forbidden, conflict, payload_too_large and bad_pay_sign.
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

// Config wires the service.
type Config struct {
	DB       *sqldb.DB
	Accounts Accounts
	Payments Payments
	// UnionKey derives unionids (per user per developer).
	UnionKey []byte
	// TrialKey signs trial-host labels and launch tokens.
	TrialKey []byte
	Log      *slog.Logger
	Now      func() time.Time
}

// Service is the mini-program platform's rules.
type Service struct {
	db       *sqldb.DB
	accounts Accounts
	payments Payments
	unionKey []byte
	trialKey []byte
	log      *slog.Logger
	now      func() time.Time

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
	return &Service{db: c.DB, accounts: c.Accounts, payments: c.Payments, unionKey: c.UnionKey, trialKey: c.TrialKey, log: c.Log, now: c.Now,
		packages: newPkgCache(CacheBytes, CacheEntries)}
}

// unionID is a user's id across one developer's apps.
func (s *Service) unionID(developerID, userID string) string {
	m := hmac.New(sha256.New, s.unionKey)
	m.Write([]byte(developerID + "\x00" + userID))
	return "u" + base64.RawURLEncoding.EncodeToString(m.Sum(nil))[:27]
}
