package pay

// Transfers that wait for the payee to accept them, as WeChat's chat
// transfers do. Sent with accept_required, a transfer's money leaves the
// payer at once for the holding account (pending:transfer:CUR), in the
// same transaction as its pay_acceptances row, the idempotency answer, the
// chat message and the transfer_acceptance event; the payee's accept moves
// it on, their decline — or 24 hours without an answer (ReturnUnaccepted,
// on any node) — moves it back. Each decision is one conditional state
// change (pending → accepted | declined | expired) in the same transaction
// as the money it moves, so accept, decline and the expiry racing on any
// number of nodes decide once.
//
// A screening hold comes first: a matched accept_required transfer is held
// for review like any other, and its release opens the acceptance (from
// the review account) instead of paying the payee.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/idempotency"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/outbox"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Acceptance states (pay_acceptances.state).
const (
	AcceptPending  = "pending"
	AcceptAccepted = "accepted"
	AcceptDeclined = "declined"
	AcceptExpired  = "expired"
)

// Transaction statuses of a transfer that waits for its payee.
const (
	StatusPendingAcceptance = "pending_acceptance"
	StatusReturned          = "returned"
)

// KindTransferReturn gives a declined or unaccepted transfer back to its
// payer.
const KindTransferReturn = "transfer_return"

// DefaultAcceptTTL is how long a payee has to accept a transfer.
const DefaultAcceptTTL = 24 * time.Hour

// pendingTransferAcct holds transfers waiting for acceptance, one per
// currency (a "pending" account, as top-ups' are, owned by no rail).
func pendingTransferAcct(currency string) acct { return acct{"pending", "transfer", currency} }

// Acceptance is where a transfer that needs accepting stands: on
// Transaction, for its payer and its payee.
type Acceptance struct {
	State     string     `json:"state"` // pending | accepted | declined | expired
	ExpiresAt time.Time  `json:"expires_at"`
	DecidedAt *time.Time `json:"decided_at"`
}

// statusOfAcceptance is the transaction status of an acceptance state.
func statusOfAcceptance(state string) string {
	switch state {
	case AcceptPending:
		return StatusPendingAcceptance
	case AcceptAccepted:
		return "succeeded"
	}
	return StatusReturned
}

// TransferAcceptanceSubject carries a TransferAcceptanceEvent for every
// transfer that starts waiting for its payee and for its decision (accepted,
// declined, expired), written in the transaction that moves the money. An
// accepted one also carries a TransferCompleted (the money reached the
// payee).
const TransferAcceptanceSubject = "events.pay.transfer_acceptance"

// TransferAcceptanceEvent is the payload of TransferAcceptanceSubject.
type TransferAcceptanceEvent struct {
	TransactionID string    `json:"transaction_id"`
	State         string    `json:"state"`
	PayerID       string    `json:"payer_id"`
	PayeeID       string    `json:"payee_id"`
	Amount        int64     `json:"amount"`
	Currency      string    `json:"currency"`
	At            time.Time `json:"at"`
}

func init() {
	// Erasure waits for a transfer to or from the user to be decided.
	heldChecks = append(heldChecks, HeldCheck{selectPendingAcceptanceOfUser,
		"A transfer of %s to or from you waits to be accepted; wait until it is accepted or returned."})
}

// pendingTransfer is one transfer to open for acceptance.
type pendingTransfer struct {
	from             acct // the payer's wallet, or the review account
	txID             string
	payerID, payeeID string
	amount           int64
	currency, note   string
	reviewID         string
}

// openAcceptance moves p's money to the holding account and records it as
// waiting for its payee, in tx. txID "" makes the move itself the
// transaction both users know. Errors: insufficient_funds (nothing
// written).
func (s *Service) openAcceptance(ctx context.Context, tx *sqldb.Tx, p pendingTransfer) (moved, error) {
	id := ids.New("ta")
	now := s.now()
	m, err := move(ctx, tx, p.from, pendingTransferAcct(p.currency), p.amount, KindTransfer, id, p.note, "tah:"+id, now)
	if err != nil {
		return moved{}, err
	}
	if p.txID == "" {
		p.txID = m.ID
	}
	if _, err := tx.Exec(ctx, insertAcceptance, id, p.txID, p.payerID, p.payeeID, p.amount, p.currency, p.note, p.reviewID,
		sqldb.Micro(now), sqldb.Micro(now.Add(s.acceptTTL))); err != nil {
		return moved{}, err
	}
	if err := s.acceptanceChanged(ctx, tx, TransferAcceptanceEvent{TransactionID: p.txID, State: AcceptPending, PayerID: p.payerID,
		PayeeID: p.payeeID, Amount: p.amount, Currency: p.currency, At: now.UTC()}); err != nil {
		return moved{}, err
	}
	return m, nil
}

// acceptanceChanged records e in the outbox and, once tx commits, tells
// both sides' sockets that the transaction changed (a `transaction` frame:
// the chat cards and the details page read it again).
func (s *Service) acceptanceChanged(ctx context.Context, tx *sqldb.Tx, e TransferAcceptanceEvent) error {
	if err := outbox.Add(ctx, tx, TransferAcceptanceSubject, e); err != nil {
		return err
	}
	s.transactionFrame(tx, []string{e.PayerID, e.PayeeID}, e.TransactionID, statusOfAcceptance(e.State))
	return nil
}

// transactionFrame tells users' sockets, once tx commits, that one of
// their transactions changed: {"type":"transaction","transaction_id",
// "status"} (the client reads it again).
func (s *Service) transactionFrame(tx *sqldb.Tx, users []string, txID, status string) {
	if s.notify == nil {
		return
	}
	b, _ := json.Marshal(map[string]any{"type": "transaction", "transaction_id": txID, "status": status})
	tx.AfterCommit(func() { s.notify.PublishToUsers(users, b) })
}

// TransferToAccept is Transfer with accept_required: the money leaves the
// payer at once and reaches the payee when they accept (Status
// "pending_acceptance"). Errors: as Transfer.
func (s *Service) TransferToAccept(ctx context.Context, r Request, username string, amount int64, currency, note, pin string) (Transaction, bool, error) {
	return s.transfer(ctx, r, username, amount, currency, note, pin, true)
}

// Accept pays a transfer waiting for the caller (its payee) into their
// wallet. r.Key, when given, makes it idempotent: a retry answers the
// first result. Errors: not_found (no such transfer waiting for the
// caller: another user's, or one that never needed accepting), conflict
// (decided already: accepted, declined, or returned after 24 hours),
// blocked_by_policy (a trust policy now blocks the payment; it stays
// pending), idempotency_mismatch.
func (s *Service) Accept(ctx context.Context, r Request, txID string) (Transaction, bool, error) {
	return s.decideTransfer(ctx, r, txID, AcceptAccepted)
}

// Decline returns a transfer waiting for the caller to its payer at once.
// Errors: as Accept (but blocked_by_policy).
func (s *Service) Decline(ctx context.Context, r Request, txID string) (Transaction, bool, error) {
	return s.decideTransfer(ctx, r, txID, AcceptDeclined)
}

func (s *Service) decideTransfer(ctx context.Context, r Request, txID, state string) (Transaction, bool, error) {
	if state == AcceptAccepted && s.policies != nil {
		var payer string
		if err := s.db.QueryRow(ctx, selectAcceptancePayer, txID, r.UserID).Scan(&payer); err == nil {
			if err := s.unlessAnswered(ctx, r, s.allowPayment(ctx, payer, r.UserID)); err != nil {
				return Transaction{}, false, err
			}
		}
	}
	var replay bool
	err := s.run(ctx, func(ctx context.Context, tx *sqldb.Tx) (error, error) {
		replay = false
		if r.Key != "" {
			var prior Transaction
			stored, found, err := idempotency.Lookup(ctx, tx, r.UserID, r.Key, r.Hash)
			if err != nil {
				return err, nil // idempotency_mismatch
			}
			if found {
				replay = true
				return nil, json.Unmarshal(stored.Body, &prior)
			}
		}
		now := s.now()
		var id, payer, cur, note string
		var amount int64
		err := tx.QueryRow(ctx, decideAcceptance, state, sqldb.Micro(now), txID, r.UserID, sqldb.Micro(now)).Scan(&id, &payer, &amount, &cur, &note)
		if errors.Is(err, sql.ErrNoRows) {
			return s.whyUndecided(ctx, tx, r.UserID, txID, now)
		}
		if err != nil {
			return nil, err
		}
		if err := s.settleAcceptance(ctx, tx, txID, id, state, payer, r.UserID, amount, cur, note, now); err != nil {
			return nil, err
		}
		crashPoint("accept:moved")
		if r.Key == "" {
			return nil, nil
		}
		body, _ := json.Marshal(Transaction{ID: txID, Kind: KindTransfer, Amount: amount, Currency: cur, Direction: "in",
			Note: note, Status: statusOfAcceptance(state), CreatedAt: now.UTC()})
		return nil, idempotency.Save(ctx, tx, r.UserID, r.Key, r.Hash, 200, body)
	})
	if err != nil {
		return Transaction{}, false, err
	}
	t, err := s.transaction(ctx, r.UserID, txID)
	return t, replay, err
}

// whyUndecided answers a decision that changed nothing: not_found when the
// transfer is not one waiting for userID, conflict when it was decided; one
// past its time is returned to its payer here and now (the answer is
// conflict: it can no longer be accepted).
func (s *Service) whyUndecided(ctx context.Context, tx *sqldb.Tx, userID, txID string, now time.Time) (error, error) {
	var state, payee string
	var expires int64
	err := tx.QueryRow(ctx, selectAcceptanceOf, txID).Scan(&state, &payee, &expires)
	if errors.Is(err, sql.ErrNoRows) || err == nil && payee != userID {
		return errs.E(errs.NotFound, "No transfer %q waits for you.", txID), nil
	}
	if err != nil {
		return nil, err
	}
	if state == AcceptPending {
		if _, err := s.expireOne(ctx, tx, txID, now); err != nil {
			return nil, err
		}
		state = AcceptExpired
	}
	switch state {
	case AcceptAccepted:
		return errs.E(errs.Conflict, "You accepted this transfer already."), nil
	case AcceptDeclined:
		return errs.E(errs.Conflict, "This transfer was returned to its sender."), nil
	}
	return errs.E(errs.Conflict, "This transfer was not accepted within 24 hours and went back to its sender."), nil
}

// settleAcceptance moves a decided transfer's money on to the payee
// (accepted) or back to the payer, in tx, with its events.
func (s *Service) settleAcceptance(ctx context.Context, tx *sqldb.Tx, txID, id, state, payer, payee string, amount int64, cur, note string, now time.Time) error {
	from := pendingTransferAcct(cur)
	if state == AcceptAccepted {
		m, err := move(ctx, tx, from, userAcct(payee, cur), amount, KindTransfer, id, note, "tar:"+id, now)
		if err != nil {
			return err
		}
		s.afterBalance(tx, payee, cur, m.CreditBalance)
		// The transaction both sides know, as consumers know it.
		if err := transferCompleted(ctx, tx, TransferCompleted{TransferID: txID, FromUserID: payer, ToUserID: payee,
			Amount: amount, Currency: cur, Kind: KindTransfer, At: now.UTC()}); err != nil {
			return err
		}
	} else {
		m, err := move(ctx, tx, from, userAcct(payer, cur), amount, KindTransferReturn, id, note, "tax:"+id, now)
		if err != nil {
			return err
		}
		s.afterBalance(tx, payer, cur, m.CreditBalance)
	}
	return s.acceptanceChanged(ctx, tx, TransferAcceptanceEvent{TransactionID: txID, State: state, PayerID: payer, PayeeID: payee,
		Amount: amount, Currency: cur, At: now.UTC()})
}

// expireOne returns one transfer past its time to its payer, in tx, once:
// false when it was decided meanwhile.
func (s *Service) expireOne(ctx context.Context, tx *sqldb.Tx, txID string, now time.Time) (bool, error) {
	var id, payer, payee, cur, note string
	var amount int64
	err := tx.QueryRow(ctx, expireAcceptance, sqldb.Micro(now), txID, sqldb.Micro(now)).Scan(&id, &payer, &payee, &amount, &cur, &note)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, s.settleAcceptance(ctx, tx, txID, id, AcceptExpired, payer, payee, amount, cur, note, now)
}

// ReturnUnaccepted returns transfers not accepted in time to their payers.
// The state is in the database, so every node may run it at once (and
// race the payees' accepts): each transfer is decided once.
func (s *Service) ReturnUnaccepted(ctx context.Context) (int, error) {
	rows, err := s.db.Query(ctx, selectDueAcceptances, sqldb.Micro(s.now()))
	if err != nil {
		return 0, err
	}
	due, err := sqldb.ScanAll(rows, func(rows *sql.Rows) (string, error) {
		var id string
		return id, rows.Scan(&id)
	})
	if err != nil {
		return 0, err
	}
	returned := 0
	for _, txID := range due {
		var done bool
		err := s.run(ctx, func(ctx context.Context, tx *sqldb.Tx) (error, error) {
			var err error
			done, err = s.expireOne(ctx, tx, txID, s.now())
			if err == nil {
				crashPoint("expire:moved")
			}
			return nil, err
		})
		if err != nil {
			return returned, err
		}
		if done {
			returned++
		}
	}
	return returned, nil
}

// acceptanceView sets a transaction's direction, status and acceptance as
// userID sees a transfer to accept (state set) or its return (state ""),
// and answers the account of the other side.
func acceptanceView(t *Transaction, userID, state, payer, payee string, expires, decided int64, other string) string {
	if state == "" { // the return to the payer
		if payer == userID {
			return "user:" + payee + ":"
		}
		return other
	}
	t.Status = statusOfAcceptance(state)
	t.Acceptance = &Acceptance{State: state, ExpiresAt: sqldb.FromMicro(expires)}
	if decided != 0 {
		at := sqldb.FromMicro(decided)
		t.Acceptance.DecidedAt = &at
	}
	switch userID {
	case payer:
		t.Direction = "out"
		return "user:" + payee + ":"
	case payee:
		t.Direction = "in"
		return "user:" + payer + ":"
	}
	return other
}
