// Package pay is Plaza Pay's core: a double-entry ledger, wallets with
// payment PINs, funding rails (top-up and withdrawal), person-to-person
// transfers and red packets.
//
// Every movement of money is one immutable ledger transfer from one account
// to another of the same currency, written in the same database transaction
// as the balances it changes; user wallets can never go negative (a CHECK
// constraint as well as the rule here), and the sum of all balances of a
// currency is zero at every commit, because money enters and leaves only
// through a rail's clearing account, which mirrors the world outside.
//
// Service methods return *errs.Error values with codes invalid_argument,
// not_found, forbidden, conflict, idempotency_mismatch, and the domain's
// insufficient_funds, wrong_pin, pin_locked, pin_not_set, rail_failed,
// rail_unavailable, red_packet_empty and red_packet_expired.
//
// Which file holds what:
//
//   - pay.go: the types, the Service and its Config, the interfaces pay
//     needs of others (Accounts, Conversations, Notifier, Rail, Policies), the error
//     codes.
//   - service.go: the money job (every movement runs in the batcher's shared
//     transaction), idempotency, PIN-protected requests, wallets.
//   - ledger.go: accounts and move, the one way money moves; the ledger
//     audit (CheckLedger).
//   - transfer.go, redpacket.go, topup.go, withdraw.go, merchant.go: the
//     rules of each kind of movement; pin.go: payment PINs and their
//     lockout; history.go: transactions as a user sees them; erasure.go:
//     money still held for a user who asks to be erased; policies.go: the
//     trust question asked before a payment.
//   - review.go: screening holds — the review account, the review
//     items (pay_reviews), release and reject.
//   - store.go: every SQL statement, as a named constant.
//   - money.go: currencies and amounts; rail.go: the sandbox rail.
//   - http.go: the routes (decode, call the service, encode).
//   - events.go: the bus subjects pay publishes and their payloads.
//   - run.go: the scheduled work (red-packet expiry, settling stale rail
//     calls).
//   - migrations/: the schema.
package pay

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/trust"
)

//go:embed migrations
var migrations embed.FS

// Migrations is the pay component's schema.
var Migrations = sqldb.Migrations{Component: "pay", FS: migrations}

// Domain error codes.
const (
	InsufficientFunds = "insufficient_funds"
	WrongPIN          = "wrong_pin"
	PINLocked         = "pin_locked"
	PINNotSet         = "pin_not_set"
	RailFailed        = "rail_failed"
	RedPacketEmpty    = "red_packet_empty"
	RedPacketExpired  = "red_packet_expired"
	BlockedByPolicy   = "blocked_by_policy"
	// RailUnavailable answers top-ups and withdrawals when no rail is
	// configured (plaza serve without --sandbox-rail): 503.
	RailUnavailable = "rail_unavailable"
)

func init() {
	errs.Register(InsufficientFunds, http.StatusUnprocessableEntity)
	errs.Register(WrongPIN, http.StatusUnprocessableEntity)
	errs.Register(PINLocked, http.StatusUnprocessableEntity)
	errs.Register(PINNotSet, http.StatusUnprocessableEntity)
	errs.Register(RailFailed, http.StatusBadGateway)
	errs.Register(RedPacketEmpty, http.StatusGone)
	errs.Register(RedPacketExpired, http.StatusGone)
	errs.Register(BlockedByPolicy, http.StatusUnprocessableEntity)
	errs.Register(RailUnavailable, http.StatusServiceUnavailable)
}

// Config wires the service.
type Config struct {
	DB            *sqldb.DB
	Accounts      Accounts
	Conversations Conversations
	Notifier      Notifier
	// Rail is the funding rail of top-ups and withdrawals; nil answers
	// them rail_unavailable.
	Rail Rail
	// PINKey is the HMAC key of payment PINs, kept outside the database.
	PINKey []byte
	Log    *slog.Logger
	Now    func() time.Time
	// RedPacketTTL is how long a red packet may be claimed (24 h).
	RedPacketTTL time.Duration
	// AcceptTTL is how long a payee has to accept a transfer (24 h).
	AcceptTTL time.Duration
	// JobEvery is how often Run refunds expired red packets (a minute).
	JobEvery time.Duration
	// Policies answers whether a payment may happen (trust); nil: no
	// policies.
	Policies Policies
	// Screener screens the parties of every movement against the watch
	// lists (trust); nil: nothing is screened.
	Screener Screener
	// Writers is the number of money writers on PostgreSQL
	// (DefaultWriters); SQLite has one.
	Writers int
}

// DefaultWriters is how many money writers run on PostgreSQL: one for
// every four cores, at least one. A batch sends its lock and its
// transfers' statements in one round trip (sqldb.Ahead), so one writer's
// batches keep a backend busy, and writers that share accounts wait for
// each other's row locks: on a 2-core machine, random pairs among 300
// users, one writer moved 3,586–3,896 transfers/s where 4 moved 3,699,
// 16 moved 2,799 and 32 moved 2,524 (issue 16, 2026-12-07). A larger
// machine, with room for more backends, may want more (--pay-writers).
func DefaultWriters() int { return max(1, runtime.GOMAXPROCS(0)/4) }

// Policies is the one question pay asks trust: may this user make or
// receive a payment? Check returns nil or blocked_by_policy (422).
type Policies interface {
	Check(ctx context.Context, q trust.Question) error
}

// Service is the pay component's rules.
type Service struct {
	db        *sqldb.DB
	batch     *sqldb.Batcher
	accounts  Accounts
	convs     Conversations
	notify    Notifier
	rail      Rail
	pinKey    []byte
	log       *slog.Logger
	now       func() time.Time
	rpTTL     time.Duration
	acceptTTL time.Duration
	jobEvery  time.Duration
	policies  Policies
	screener  Screener
}

// NewService makes the pay service; Close stops its batcher. Its error is
// a statement that failed to prepare.
func NewService(c Config) (*Service, error) {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.AcceptTTL == 0 {
		c.AcceptTTL = DefaultAcceptTTL
	}
	if c.RedPacketTTL == 0 {
		c.RedPacketTTL = 24 * time.Hour
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.JobEvery <= 0 {
		c.JobEvery = time.Minute
	}
	if err := c.DB.Prepare(context.Background(), preparedStatements...); err != nil {
		return nil, fmt.Errorf("pay: %w", err)
	}
	// Several writers on PostgreSQL (one on SQLite): a batch holds its
	// accounts' row locks until it commits, so each batch first locks every
	// account its jobs declared, in id order (lockAccounts), and accounts
	// that jobs do not declare (the system accounts) are changed only on
	// the system writer.
	if c.Writers <= 0 {
		c.Writers = DefaultWriters()
	}
	batch, err := c.DB.NewLockingBatcher(c.Writers, 256, lockAccounts)
	if err != nil {
		return nil, fmt.Errorf("pay: %w", err)
	}
	return &Service{db: c.DB, batch: batch, accounts: c.Accounts, convs: c.Conversations,
		notify: c.Notifier, rail: c.Rail, pinKey: c.PINKey, log: c.Log, now: c.Now, rpTTL: c.RedPacketTTL, acceptTTL: c.AcceptTTL, jobEvery: c.JobEvery, policies: c.Policies, screener: c.Screener}, nil
}

// Close finishes queued money jobs.
func (s *Service) Close() { s.batch.Close() }

// Money is an amount in minor units of an ISO 4217 currency.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// Counterparty is the other side of a transaction, when it is a person.
type Counterparty struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
}

// Transaction is a ledger transfer as one user sees it.
type Transaction struct {
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
	// Acceptance is where a transfer sent with accept_required stands
	// (accept.go); nil for every other transaction.
	Acceptance *Acceptance `json:"acceptance,omitempty"`
	// heldFirst: the request's first answer was held (202), which a
	// retry answers again whatever the review decided since.
	heldFirst bool
}

// Held reports whether t is a request's answer that was held for review
// (202 Accepted), also on a retry after the review was decided.
func (t Transaction) Held() bool { return t.heldFirst || t.Status == StatusHeld }

// Transfer kinds.
const (
	KindTopUp            = "topup"
	KindWithdrawal       = "withdrawal"
	KindWithdrawalSettle = "withdrawal_settle"
	KindWithdrawalReturn = "withdrawal_return"
	KindTransfer         = "transfer"
	KindRedPacketSend    = "red_packet_send"
	KindRedPacketClaim   = "red_packet_claim"
	KindRedPacketRefund  = "red_packet_refund"
)

// Accounts is what pay needs of the account component.
type Accounts interface {
	UserByUsername(ctx context.Context, username string) (account.User, error)
	UsersByIDs(ctx context.Context, ids []string) (map[string]account.User, error)
	VerifyPassword(ctx context.Context, userID, password string) error
	AreContacts(ctx context.Context, a, b string) (bool, error)
}

// redPacketSeer is what chat also answers (chatForPay): whether a member
// sees a red packet's message (a later joiner does not, and may not open
// it). A Conversations without it lets every member open every packet.
type redPacketSeer interface {
	SeesRedPacket(ctx context.Context, convID, userID, rpID string) (bool, error)
}

// Conversations is what pay needs of chat, which shows red packets and
// transfers as messages; pay never imports chat.
type Conversations interface {
	// MemberCount is the number of members of convID when userID is one
	// of them (not_found otherwise).
	MemberCount(ctx context.Context, convID, userID string) (int, error)
	// DirectID finds or makes the direct conversation of two contacts
	// ("" when they are not contacts).
	DirectID(ctx context.Context, a, b string) (string, error)
	// Post appends a message inside tx, delivered after commit.
	Post(ctx context.Context, tx *sqldb.Tx, convID, senderID, kind, text, refID, clientID string) (any, error)
}

// Notifier pushes frames to users' sockets.
type Notifier interface {
	PublishToUsers(users []string, frameJSON []byte)
}

// Rail moves money between Plaza and the world outside: a bank, a card
// network. TopUp pulls money in, Payout sends it out; each answers with the
// rail's own reference, or an error when the rail refused (ErrRailDeclined)
// or did not answer (any other error: the outcome is unknown).
//
// Plaza gives every call its own reference (the top-up's or the
// withdrawal's id) and calls again with the same reference when it retries,
// so a rail must treat a reference it has seen as the same request: answer
// its first outcome and move no money again. Status tells what became of a
// reference, for recovery after a crash.
type Rail interface {
	Name() string
	TopUp(ctx context.Context, userID string, m Money, reference string) (string, error)
	Payout(ctx context.Context, userID string, m Money, reference string) (string, error)
	// Status is what the rail knows of a reference: RailUnknown when it
	// never received it.
	Status(ctx context.Context, reference string) (RailStatus, error)
}

// RailStatus is a rail's answer about one reference.
type RailStatus string

// Rail statuses.
const (
	RailStatusUnknown   RailStatus = "unknown"   // never received: nothing moved
	RailStatusPending   RailStatus = "pending"   // received, not decided yet
	RailStatusSucceeded RailStatus = "succeeded" // the money moved
	RailStatusFailed    RailStatus = "failed"    // refused: nothing moved
)

// ErrRailDeclined is a rail's refusal.
var ErrRailDeclined = errors.New("the rail declined")
