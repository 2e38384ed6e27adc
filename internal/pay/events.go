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

// ReviewOpenedSubject carries a ReviewEvent for every movement held for
// review (and every merchant whose name matched), written in the same
// transaction as the hold: the audit log records it.
const ReviewOpenedSubject = "events.pay.review_opened"

// ReviewDecidedSubject carries a ReviewEvent for every decision, written
// in the deciding transaction (exactly once per review): the audit log
// records it, and merchant completes or closes a held order's payment
// (Kind ReviewPayment) and lifts or keeps a merchant's suspension (Kind
// ReviewMerchant). Consumers must be idempotent, keyed by ReviewID.
const ReviewDecidedSubject = "events.pay.review_decided"

// ReviewEvent is the payload of ReviewOpenedSubject and
// ReviewDecidedSubject.
type ReviewEvent struct {
	ReviewID string `json:"review_id"`
	// Kind is the movement held: ReviewTransfer, ReviewPayment, ….
	Kind string `json:"kind"`
	// State is open, released or rejected.
	State       string `json:"state"`
	SubjectType string `json:"subject_type"`
	SubjectID   string `json:"subject_id"`
	PayerID     string `json:"payer_id,omitempty"`
	PayeeID     string `json:"payee_id,omitempty"`
	MchID       string `json:"mchid,omitempty"`
	Amount      int64  `json:"amount"`
	Currency    string `json:"currency,omitempty"`
	// Reference is what the movement belongs to: a merchant payment's
	// order (its transaction_id), a red packet, a withdrawal, a merchant.
	Reference string `json:"reference,omitempty"`
	// TransferID is the ledger transfer that moved the money: the hold
	// when opened, the release or the return when decided.
	TransferID string `json:"transfer_id,omitempty"`
	// HoldTransferID is the hold's transfer (decisions only): the payer's
	// transaction.
	HoldTransferID string    `json:"hold_transfer_id,omitempty"`
	EntryID        string    `json:"entry_id"`
	EntryName      string    `json:"entry_name"`
	Score          float64   `json:"score"`
	Program        string    `json:"program,omitempty"`
	ListHash       string    `json:"list_hash,omitempty"`
	DecidedBy      string    `json:"decided_by,omitempty"`
	Note           string    `json:"note,omitempty"`
	At             time.Time `json:"at"`
}

func reviewEvent(ctx context.Context, tx *sqldb.Tx, subject string, e ReviewEvent) error {
	return outbox.Add(ctx, tx, subject, e)
}
