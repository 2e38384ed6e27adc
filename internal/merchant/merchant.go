// Package merchant is Plaza Pay's merchant API, wire-compatible with WeChat Pay
// API v3: merchants and their credentials, signed requests and responses,
// JSAPI, App, Native and H5 orders, refunds, encrypted notifications delivered
// from an outbox, bills, and the payer's side of an order (prepay, confirm).
// The wire primitives (signing strings, RSA, AEAD) live in pkg/plazapay,
// which merchants import too, so that both ends share one definition.
package merchant

import (
	"context"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"embed"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/pay"
	"github.com/plaza-dev/plaza/internal/platform/outbound"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrations is the merchant API's schema.
var Migrations = sqldb.Migrations{Component: "merchant", FS: migrations}

// Accounts is what the merchant API needs of the account component.
type Accounts interface {
	User(ctx context.Context, id string) (account.User, error)
}

// Config wires the service.
type Config struct {
	DB       *sqldb.DB
	Pay      *pay.Service
	Accounts Accounts
	// PlatformKey signs every response and notification.
	PlatformKey *rsa.PrivateKey
	// BillKey signs bill-download tokens.
	BillKey []byte
	// OpenIDKey derives each user's openid under an app.
	OpenIDKey []byte
	Log       *slog.Logger
	Now       func() time.Time
	// HTTP delivers notifications (default: an outbound client, with the
	// merchant's 5 s timeout and no private addresses).
	HTTP *http.Client
	// AllowPrivateOutbound lets notify_urls name loopback and private
	// addresses (--allow-private-outbound).
	AllowPrivateOutbound bool
	// NotifyWorkers and NotifyPerMerchant bound the notifications this
	// node delivers at once, in all (32) and per merchant (2).
	NotifyWorkers, NotifyPerMerchant int
	// Retry is the delay before each retry of a notification.
	Retry []time.Duration
	// NotifyEvery is how often Run polls the notification outbox (1 s).
	NotifyEvery time.Duration
	// Apps tells who develops a mini-program, for BindApp; nil refuses
	// every mini-program appid.
	Apps AppOwners
}

// Service is the merchant API's rules.
type Service struct {
	db       *sqldb.DB
	pay      *pay.Service
	accounts Accounts
	key      *rsa.PrivateKey
	keyID    string
	openID   []byte
	billKey  []byte
	log      *slog.Logger
	now      func() time.Time
	http     *http.Client
	retry    []time.Duration
	// allowPrivate and deliveries: see notify.go and delivery.go.
	allowPrivate bool
	deliveries   *deliveryPool
	apps         AppOwners
	// batch group-commits the small writes of every signed request (its
	// nonce, a new order), so that they share fsyncs.
	batch *sqldb.Batcher
	// verified caches merchants with credentials for a few seconds, so
	// that a signed request costs no lookup and no key parse; a change of
	// credentials reaches every node within that time.
	cacheMu     sync.Mutex // guards verified
	verified    map[string]cachedMerchant
	cert        platformCert
	notifyEvery time.Duration
}

type cachedMerchant struct {
	m       Merchant
	expires time.Time
}

const merchantCacheTTL = 5 * time.Second

// verifiedMerchant is a merchant with credentials, from the cache when
// fresh.
func (s *Service) verifiedMerchant(ctx context.Context, mchid string) (Merchant, error) {
	s.cacheMu.Lock()
	c, ok := s.verified[mchid]
	s.cacheMu.Unlock()
	if ok && time.Now().Before(c.expires) {
		return c.m, nil
	}
	m, err := s.Merchant(ctx, mchid)
	if err != nil || !m.HasCredentials {
		return m, err
	}
	s.cacheMu.Lock()
	if len(s.verified) > 10_000 {
		s.verified = map[string]cachedMerchant{}
	}
	s.verified[mchid] = cachedMerchant{m, time.Now().Add(merchantCacheTTL)}
	s.cacheMu.Unlock()
	return m, nil
}

func (s *Service) forget(mchid string) {
	s.cacheMu.Lock()
	delete(s.verified, mchid)
	s.cacheMu.Unlock()
}

// WeChatRetry is WeChat's notification schedule: about 24 hours in all.
var WeChatRetry = []time.Duration{
	15 * time.Second, 15 * time.Second, 30 * time.Second, 3 * time.Minute, 10 * time.Minute, 20 * time.Minute,
	30 * time.Minute, 30 * time.Minute, 30 * time.Minute, 60 * time.Minute, 3 * time.Hour, 3 * time.Hour,
	3 * time.Hour, 6 * time.Hour, 6 * time.Hour,
}

// NewService makes the merchant API service. Its error is a missing or
// unusable platform key, or a statement that failed to prepare.
func NewService(c Config) (*Service, error) {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.HTTP == nil {
		c.HTTP = outbound.NewClient(outbound.Options{AllowPrivate: c.AllowPrivateOutbound})
	}
	if c.Retry == nil {
		c.Retry = WeChatRetry
	}
	if c.NotifyEvery <= 0 {
		c.NotifyEvery = time.Second
	}
	if c.PlatformKey == nil {
		return nil, errors.New("wxv3: no platform key")
	}
	cert, err := makePlatformCert(c.PlatformKey)
	if err != nil {
		return nil, fmt.Errorf("wxv3: making the platform certificate: %w", err)
	}
	batch, err := c.DB.NewBatcher(4, 256)
	if err != nil {
		return nil, fmt.Errorf("wxv3: %w", err)
	}
	return &Service{cert: cert, db: c.DB, pay: c.Pay, accounts: c.Accounts, key: c.PlatformKey, keyID: KeyID(&c.PlatformKey.PublicKey),
		openID: c.OpenIDKey, billKey: c.BillKey, log: c.Log, now: c.Now, http: c.HTTP, retry: c.Retry, apps: c.Apps, batch: batch,
		verified: map[string]cachedMerchant{}, allowPrivate: c.AllowPrivateOutbound,
		deliveries: newDeliveryPool(c.NotifyWorkers, c.NotifyPerMerchant), notifyEvery: c.NotifyEvery}, nil
}

// Close waits for the deliveries in flight and finishes queued writes.
func (s *Service) Close() {
	s.deliveries.close()
	s.batch.Close()
}

// exec runs one write statement through group commit.
func (s *Service) exec(ctx context.Context, key, query string, args ...any) error {
	return s.batch.DoChecked(ctx, key, func(ctx context.Context, tx *sqldb.Tx) error {
		_, err := tx.Exec(ctx, query, args...)
		return err
	})
}

// KeyID is the PUB_KEY_ID_… of a platform public key: twenty digits taken
// from the hash of its DER form, stable for the key.
func KeyID(pub *rsa.PublicKey) string {
	der, _ := x509.MarshalPKIXPublicKey(pub)
	sum := sha256.Sum256(der)
	return fmt.Sprintf("PUB_KEY_ID_%020d", binary.BigEndian.Uint64(sum[:8]))
}

// PlatformKeyID is the id Plaza puts in Wechatpay-Serial.
func (s *Service) PlatformKeyID() string { return s.keyID }

// OpenID is a user's id under an app: stable for that pair, useless in
// any other app, and not reversible to the user.
func (s *Service) OpenID(appid, userID string) string {
	m := hmac.New(sha256.New, s.openID)
	m.Write([]byte(appid))
	m.Write([]byte{0})
	m.Write([]byte(userID))
	return "o" + base64.RawURLEncoding.EncodeToString(m.Sum(nil))[:27]
}
