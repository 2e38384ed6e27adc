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
// red_packet_empty and red_packet_expired.
package pay

import (
	"context"
	"embed"
	"net/http"
	"time"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
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
}

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
}

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

// Conversations is what pay needs of chat, which shows red packets and
// transfers as messages; pay never imports chat.
type Conversations interface {
	// IsMember reports whether userID is in convID (not_found otherwise).
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
