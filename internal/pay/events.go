package pay

import (
	"context"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/outbox"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// TransferCompletedSubject carries a TransferCompleted for every movement
// of money from one person to another that has committed: a transfer, a
// red packet's share claimed. It is written to the outbox in the same
// transaction as the movement, so an event is published if and only if
// the money moved (at least once: consumers must be idempotent, keyed by
// TransferID). A refused request (a wrong PIN, too little money) and a
// retry answered from its first result publish nothing.
const TransferCompletedSubject = "events.pay.transfer_completed"

// TransferCompleted is the payload of TransferCompletedSubject.
type TransferCompleted struct {
	// TransferID is the ledger transfer's id (a transaction's id).
	TransferID string `json:"transfer_id"`
	// FromUserID is the payer: for a red packet's share, its sender.
	FromUserID string `json:"from_user_id"`
	ToUserID   string `json:"to_user_id"`
	Amount     int64  `json:"amount"`
	Currency   string `json:"currency"`
	// Kind is the transfer's kind: KindTransfer or KindRedPacketClaim.
	Kind string `json:"kind"`
	// Reference is what the movement belongs to (the red packet's id), or
	// empty.
	Reference string    `json:"reference,omitempty"`
	At        time.Time `json:"at"`
}

// transferCompleted records e in the outbox, in the job's transaction (and
// so inside its savepoint, or its bare batch): a job that fails, or a
// batch rolled back and run again without it, leaves no event. Call it
// only once the money has moved and nothing after it can refuse, since a
// refusal commits what its job wrote.
func transferCompleted(ctx context.Context, tx *sqldb.Tx, e TransferCompleted) error {
	return outbox.Add(ctx, tx, TransferCompletedSubject, e)
}

// PINLockedSubject carries a PINLockedEvent when wrong PINs lock a user's
// payments (MaxPINFailures in a row). It is written to the outbox in the
// transaction that counts the failure which locks, so it exists exactly
// when the lock does; the audit log records it.
const PINLockedSubject = "events.pay.pin_locked"

// PINLockedEvent is a payment PIN locked until LockedUntil. Purpose is what the
// last wrong PIN was for (payment, transfer, pin_change, …). It carries
// no PIN.
type PINLockedEvent struct {
	UserID      string    `json:"user_id"`
	Purpose     string    `json:"purpose"`
	Failures    int       `json:"failures"`
	LockedUntil time.Time `json:"locked_until"`
	At          time.Time `json:"at"`
}
