// Package merchant is Plaza Pay's merchant domain: merchants and their
// credentials, the apps bound to them, orders (JSAPI, App, Native, H5),
// refunds, the notification outbox and its delivery, bills, and the
// payer's side of an order (prepay, confirm, payment requests). Its rules
// follow WeChat Pay API v3, whose wire format the adapter in
// internal/merchant/wxv3 speaks (signature checks, the nonce store,
// WeChat's error bodies, the /v3 routes); the wire primitives (signing
// strings, RSA, AEAD) live in pkg/plazapay, which merchants import too.
// Money moves through a Ledger (pay's), which this package declares and
// never imports.
//
// Which file holds what:
//
//	merchant.go   types, Config, the Ledger and other interfaces it needs, Service, error codes
//	merchants.go  merchants, credentials, app bindings
//	orders.go     placing, closing and reading orders; the v3 transaction view
//	refunds.go    refunds
//	payer.go      the payer's side: prepay and confirm
//	payrequest.go checking a mini-program's or app's payment request
//	policies.go   the trust question asked before an order or a payment
//	redirect.go   the H5 return address
//	closed.go     merchants of an erased owner
//	certs.go      the platform key, its certificate, signing answers
//	notify.go     encrypted notifications into the outbox, sending one, the log
//	delivery.go   the outbox's delivery: claims, retries, the worker pool
//	bills.go      trade and fund-flow bills, their download tokens
//	events.go     bus subjects and payloads (payment and refund succeeded)
//	store.go      every SQL statement, as named constants
//	http.go       the Plaza-side JSON routes (/api/v1/merchants…, /api/v1/pay/…)
//	run.go        scheduled work: delivering notifications, and Config.Jobs
//	migrations/   the schema (component "merchant")
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
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/outbound"
	"github.com/plaza-dev/plaza/internal/platform/sched"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/trust"
)

//go:embed migrations
var migrations embed.FS

// Migrations is the merchant API's schema.
var Migrations = sqldb.Migrations{Component: "merchant", FS: migrations}

// Accounts is what the merchant API needs of the account component.
type Accounts interface {
	User(ctx context.Context, id string) (account.User, error)
}

// Ledger is what the merchant API needs of the wallet's ledger (pay's
// Service, through the node's adapter): moving an order's money and
// reading a merchant's balance. within runs inside the ledger's
// transaction, so that the order's state, its notification and its event
// commit with the money or not at all.
type Ledger interface {
	// Charge moves m from the payer's wallet to the merchant's settlement
	// account after checking the PIN. Errors: the PIN's (wrong_pin, …),
	// insufficient_funds, invalid_argument, conflict (reference paid, or
	// held for review). mchName is screened with the payer: a match
	// answers Status "held" without running within (the order stays
	// unpaid until the review is released).
	Charge(ctx context.Context, payerID, pin, mchid, mchName string, m Money, reference, note string,
		within func(tx *sqldb.Tx, transferID string) error) (Payment, error)
	// RefundPayment moves m back from the merchant to the payer, once per
	// key. Errors: insufficient_funds (the merchant's balance is short).
	RefundPayment(ctx context.Context, mchid, payerID string, m Money, reference, key string,
		within func(tx *sqldb.Tx, transferID string) error) error
	// MerchantBalance is the merchant's settlement balance in currency.
	MerchantBalance(ctx context.Context, mchid, currency string) (int64, error)
	// Transaction is one of the user's ledger transactions. Errors:
	// not_found.
	Transaction(ctx context.Context, userID, id string) (Payment, error)
}

// Money is an amount in minor units of an ISO 4217 currency (the
// ledger's pay.Money).
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// MaxAmount is the largest amount the ledger moves at once (pay.MaxAmount).
const MaxAmount = 1_000_000_000

// Payment is a ledger transaction as its user sees it (the ledger's
// pay.Transaction, field for field): what Confirm answers.
type Payment struct {
	ID           string        `json:"id"`
	Kind         string        `json:"kind"`
	Amount       int64         `json:"amount"`
	Currency     string        `json:"currency"`
	Direction    string        `json:"direction"` // in | out
	Counterparty *Counterparty `json:"counterparty"`
	Note         string        `json:"note"`
	Status       string        `json:"status"`
	Reference    string        `json:"reference,omitempty"`
	CreatedAt    time.Time     `json:"created_at"`
}

// Counterparty is the other side of a Payment, when it is a person.
type Counterparty struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
}

// The wallet-side error codes of the payer's side (errs codes, shown as
// the contract's error body on /api/v1):
const (
	// OrderClosed is paying a closed or expired order (422).
	OrderClosed = "order_closed"
	// MerchantClosed is paying a merchant whose owner was erased (422).
	MerchantClosed = "merchant_closed"
	// BadPaySign is a payment request that does not check out (422).
	BadPaySign = "bad_pay_sign"
	// InsufficientFunds is the ledger's code for a balance too low
	// (pay.InsufficientFunds; registered by pay).
	InsufficientFunds = "insufficient_funds"
)

func init() {
	errs.Register(OrderClosed, 422)
	errs.Register(MerchantClosed, 422)
}

// Error is a refusal of the merchant API in WeChat's terms: the HTTP
// status WeChat answers it with, its code (PARAM_ERROR, ORDER_NOT_EXIST,
// OUT_TRADE_NO_USED, ORDER_PAID, ORDER_CLOSED, APPID_MCHID_NOT_MATCH,
// NOT_ENOUGH, NO_AUTH, INVALID_REQUEST, RESOURCE_NOT_EXISTS,
// STATEMENT_CREATING, NO_STATEMENT_EXIST, SIGN_ERROR, SYSTEM_ERROR), a
// message, and for PARAM_ERROR the field (a JSON pointer such as
// "/amount/total"). The wire adapter (wxv3) writes it as WeChat's body.
// The methods that serve /v3 return it; other errors are errs codes
// (shown as INVALID_REQUEST) or internal (SYSTEM_ERROR).
type Error struct {
	Status  int
	Code    string
	Message string
	// Field is set for PARAM_ERROR refusals of one field.
	Field string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Refusal is an Error with a formatted message.
func Refusal(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// ParamError is WeChat's 400 PARAM_ERROR for one field.
func ParamError(field, issue string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "PARAM_ERROR", Message: fmt.Sprintf(issue, args...), Field: field}
}

var (
	errOrderNotExist = Refusal(404, "ORDER_NOT_EXIST", "No such order.")
	errResource      = Refusal(404, "RESOURCE_NOT_EXISTS", "No such order or refund.")
)

// asError is err as an *Error, if it is one.
func asError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Config wires the service.
type Config struct {
	DB       *sqldb.DB
	Ledger   Ledger
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
	// Jobs is more scheduled work that Run does beside delivery: the wire
	// adapter's nonce pruning (wxv3.PruneNoncesJob).
	Jobs []sched.Job
	// Policies answers whether a payment may happen (trust); nil: no
	// policies.
	Policies Policies
	// Screening screens new merchants' names and tells which merchants it
	// suspended; nil: none.
	Screening Screening
}

// Policies is the one question merchant asks trust: may this payer (or,
// at order creation, anyone) pay this merchant or app? Check returns nil
// or a blocked_by_policy *errs.Error.
type Policies interface {
	Check(ctx context.Context, q trust.Question) error
}

// Service is the merchant API's rules.
type Service struct {
	db       *sqldb.DB
	ledger   Ledger
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
	jobs        []sched.Job
	policies    Policies
	screening   Screening
}

type cachedMerchant struct {
	m       Merchant
	expires time.Time
}

const merchantCacheTTL = 5 * time.Second

// SigningMerchant is merchant mchid for checking a signed request: from
// a cache of a few seconds when fresh (credentials changed on another
// node reach this one within that time). Errors: not_found.
func (s *Service) SigningMerchant(ctx context.Context, mchid string) (Merchant, error) {
	return s.verifiedMerchant(ctx, mchid)
}

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
		return nil, errors.New("merchant: no platform key")
	}
	cert, err := makePlatformCert(c.PlatformKey)
	if err != nil {
		return nil, fmt.Errorf("merchant: making the platform certificate: %w", err)
	}
	batch, err := c.DB.NewBatcher(4, 256)
	if err != nil {
		return nil, fmt.Errorf("merchant: %w", err)
	}
	return &Service{cert: cert, db: c.DB, ledger: c.Ledger, accounts: c.Accounts, key: c.PlatformKey, keyID: KeyID(&c.PlatformKey.PublicKey),
		openID: c.OpenIDKey, billKey: c.BillKey, log: c.Log, now: c.Now, http: c.HTTP, retry: c.Retry, apps: c.Apps, policies: c.Policies, screening: c.Screening, batch: batch,
		verified: map[string]cachedMerchant{}, allowPrivate: c.AllowPrivateOutbound,
		deliveries: newDeliveryPool(c.NotifyWorkers, c.NotifyPerMerchant), notifyEvery: c.NotifyEvery, jobs: c.Jobs}, nil
}

// Close waits for the deliveries in flight and finishes queued writes.
func (s *Service) Close() {
	s.deliveries.close()
	s.batch.Close()
}

// Now is the service's clock (Config.Now).
func (s *Service) Now() time.Time { return s.now() }

// GroupCommit runs fn in the group commit that every signed request's
// small writes share (a new order here, the request's nonce in wxv3), so
// that they share fsyncs; key keeps one merchant's writes in one shard.
// fn's error (a unique violation, say) is its caller's alone.
func (s *Service) GroupCommit(ctx context.Context, key string, fn func(ctx context.Context, tx *sqldb.Tx) error) error {
	return s.batch.DoChecked(ctx, key, fn)
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
