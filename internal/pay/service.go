package pay

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/plaza-dev/plaza/internal/platform/idempotency"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Request identifies a money-moving request for idempotency: the caller,
// the Idempotency-Key, and the fingerprint of its parameters.
type Request struct {
	UserID string
	Key    string
	Hash   string
}

// moneyJob is the body of one money transaction. A refusal commits what
// the job wrote (a PIN attempt's record) and is the caller's answer; err
// rolls everything back. ctx is the batcher's: never cancelled, so a
// client that gives up cannot abort the transaction its job shares.
type moneyJob func(ctx context.Context, tx *sqldb.Tx) (refusal error, err error)

// systemKey is the writer shard of every money job that touches a system
// account (escrow, holds, rails, pending, review): those accounts are
// changed by one writer only, so they need no declared lock.
const systemKey = "pay:system"

// run runs a money job on the system writer.
func (s *Service) run(ctx context.Context, job moneyJob) error {
	return s.runLocked(ctx, systemKey, nil, job)
}

// runLocked runs a money job that changes only the accounts in locks (user
// and merchant accounts) on key's writer; its batch locks those accounts
// first, in id order, so that several writers never deadlock over them. A
// job touching a system account goes through run instead.
func (s *Service) runLocked(ctx context.Context, key string, locks []acct, job moneyJob) error {
	return s.runLockedAhead(ctx, key, locks, nil, job)
}

// runLockedAhead is runLocked for a job with a statement ahead (nil: none;
// see sqldb.Ahead), which its batch may send with those of other jobs.
func (s *Service) runLockedAhead(ctx context.Context, key string, locks []acct, ahead *sqldb.Ahead, job moneyJob) error {
	names := make([]string, len(locks))
	for i, a := range locks {
		names[i] = a.id()
	}
	for attempt := 0; ; attempt++ {
		var refusal error
		// Refusals come back as refusal, not as the job's error, so money
		// jobs rarely fail and may share transactions without savepoints.
		err := s.batch.DoLockedAhead(ctx, key, names, ahead, func(ctx context.Context, tx *sqldb.Tx) error {
			var err error
			refusal, err = job(ctx, tx)
			return err
		})
		if err != nil && sqldb.IsUniqueViolation(err) && attempt < 2 {
			// Another transaction (another node) wrote the same key first —
			// an Idempotency-Key, a transfer key, a claim — and committed:
			// the job, run again, now sees it and answers as a retry does
			// (the first answer, or the refusal), never a 500. The batcher
			// ran the failing job alone, so only this job runs again.
			continue
		}
		if err != nil {
			return err
		}
		return refusal
	}
}

// Wallet is a user's balances (CNY always listed) and whether a PIN is set.
func (s *Service) Wallet(ctx context.Context, userID string) ([]Money, bool, error) {
	rows, err := s.db.Query(ctx, selectUserBalances, userID)
	if err != nil {
		return nil, false, err
	}
	out, err := sqldb.ScanAll(rows, func(rows *sql.Rows) (Money, error) {
		var m Money
		err := rows.Scan(&m.Currency, &m.Amount)
		return m, err
	})
	if err != nil {
		return nil, false, err
	}
	hasCNY := false
	for _, m := range out {
		hasCNY = hasCNY || m.Currency == "CNY"
	}
	if !hasCNY {
		out = append([]Money{{0, "CNY"}}, out...)
	}
	var one int
	switch err := s.db.QueryRow(ctx, selectPINExists, userID).Scan(&one); {
	case errors.Is(err, sql.ErrNoRows):
		return out, false, nil
	case err != nil:
		return nil, false, err
	}
	return out, true, nil
}

// authorize opens every PIN-protected money job: it checks the PIN
// (recording the attempt) and looks up the request's stored answer. When
// it returns stop, the job ends there with refusal (a wrong PIN, a key
// reused with other parameters) or with the stored answer decoded into
// prior and replay set.
func (s *Service) authorize(ctx context.Context, tx *sqldb.Tx, r Request, pin, purpose string, prior any) (stop, replay bool, refusal, err error) {
	if refusal, err := s.checkPIN(ctx, tx, r.UserID, pin, purpose); refusal != nil || err != nil {
		return true, false, refusal, err
	}
	stored, found, err := idempotency.Lookup(ctx, tx, r.UserID, r.Key, r.Hash)
	if err != nil {
		return true, false, err, nil // idempotency_mismatch: a refusal
	}
	if found {
		return true, true, nil, json.Unmarshal(stored.Body, prior)
	}
	return false, false, nil, nil
}

// answer is a money request's result: on a replay, the stored
// transaction as the ledger shows it now.
func (s *Service) answer(ctx context.Context, userID string, t Transaction, replay bool, err error) (Transaction, bool, error) {
	if err != nil {
		return Transaction{}, false, err
	}
	if replay {
		held := t.Status == StatusHeld
		t, err = s.transaction(ctx, userID, t.ID)
		t.heldFirst = held
	}
	return t, replay, err
}

// save stores a money request's answer: 201, or 202 when it was held.
func (s *Service) save(ctx context.Context, tx *sqldb.Tx, r Request, t Transaction) error {
	body, err := json.Marshal(t)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if t.Status == StatusHeld {
		status = http.StatusAccepted
	}
	return idempotency.Save(ctx, tx, r.UserID, r.Key, r.Hash, status, body)
}

// afterBalance pushes a user's new balance to their sockets once tx
// commits.
func (s *Service) afterBalance(tx *sqldb.Tx, userID, currency string, balance int64) {
	if s.notify == nil {
		return
	}
	tx.AfterCommit(func() {
		b, _ := json.Marshal(map[string]any{"type": "wallet", "balance": Money{balance, currency}})
		s.notify.PublishToUsers([]string{userID}, b)
	})
}
