package pay

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/idempotency"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Account kind of money a rail is bringing in (top-ups in flight).
const acctPending = "pending"

// Top-up transfer kinds: the pending transfer into the rail's pending
// account, and its return when the rail refused. The credit to the wallet
// is KindTopUp.
const (
	KindTopUpPending = "topup_pending"
	KindTopUpReturn  = "topup_return"
)

func (s *Service) needRail() error {
	if s.rail == nil {
		return errs.E(RailUnavailable, "Top-ups and withdrawals are off: this Plaza has no payment rail configured.")
	}
	return nil
}

// TopUp adds money from the rail. It records the top-up and a pending
// transfer (rail → the rail's pending account) first, asks the rail with
// the top-up's id as reference, then credits the wallet or returns the
// pending money. A retry with the same Idempotency-Key while the first is
// unsettled asks the rail about the same reference again (never a second
// charge); once settled it replays the answer. Errors: invalid_argument,
// rail_failed, rail_unavailable, idempotency_mismatch.
func (s *Service) TopUp(ctx context.Context, r Request, amount int64, currency string) (Transaction, bool, error) {
	cur, err := checkMoney("amount", amount, currency)
	if err != nil {
		return Transaction{}, false, err
	}
	if err := s.needRail(); err != nil {
		return Transaction{}, false, err
	}
	var t Transaction
	var replay bool
	id := ids.New("top")
	err = s.run(ctx, func(ctx context.Context, tx *sqldb.Tx) (error, error) {
		stored, found, err := idempotency.Lookup(ctx, tx, r.UserID, r.Key, r.Hash)
		if err != nil || found {
			replay = found
			if found {
				json.Unmarshal(stored.Body, &t)
			}
			return err, nil
		}
		// An attempt with this key: unsettled (another node's, or one a
		// crash interrupted) is resumed, with its reference; succeeded
		// (its stored answer pruned since) is replayed.
		var prior, hash, status, transfer string
		err = tx.QueryRow(ctx, selectTopUpOfKey, r.UserID, r.Key).Scan(&prior, &hash, &status, &transfer)
		if err == nil {
			if hash != r.Hash {
				return errs.E(errs.IdempotencyMismatch, "This Idempotency-Key was already used for a different request; use a new key for new parameters."), nil
			}
			id, replay, t.ID = prior, status == "succeeded", transfer
			return nil, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		now := s.now()
		if _, err := tx.Exec(ctx, insertTopUp, id, r.UserID, amount, cur, s.rail.Name(), r.Key, r.Hash, sqldb.Micro(now), sqldb.Micro(now)); err != nil {
			return nil, err
		}
		_, err = move(ctx, tx, acct{acctRail, s.rail.Name(), cur}, acct{acctPending, s.rail.Name(), cur}, amount, KindTopUpPending, id, "", "tpp:"+id, now)
		return nil, err
	})
	if err != nil {
		return Transaction{}, false, err
	}
	if replay {
		t, err = s.transaction(ctx, r.UserID, t.ID)
		return t, true, err
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), railTimeout)
	railRef, railErr := s.rail.TopUp(rctx, r.UserID, Money{amount, cur}, id)
	cancel()
	if railErr != nil && !errors.Is(railErr, ErrRailDeclined) {
		// No answer: the rail may have taken the money. The top-up stays
		// pending; a retry with this key, or recovery, asks again.
		return Transaction{}, false, errs.Wrap(railErr, RailFailed,
			"The %s rail did not answer. Retry with the same Idempotency-Key: you are charged at most once.", s.rail.Name())
	}
	settled, err := s.settleTopUp(context.WithoutCancel(ctx), id, railErr == nil, railRef)
	if err != nil {
		return Transaction{}, false, err
	}
	return s.topUpAnswer(ctx, r.UserID, id, !settled)
}

// topUpAnswer is a settled top-up's answer: its credit, or rail_failed.
func (s *Service) topUpAnswer(ctx context.Context, userID, id string, replay bool) (Transaction, bool, error) {
	var owner, status, transfer string
	if err := s.db.QueryRow(ctx, selectTopUp, id).Scan(&owner, &status, &transfer); err != nil {
		return Transaction{}, false, err
	}
	switch status {
	case "succeeded":
		t, err := s.transaction(ctx, userID, transfer)
		return t, replay, err
	case "failed":
		return Transaction{}, false, errs.E(RailFailed, "The %s rail declined the top-up; nothing was charged. Try again.", s.rail.Name())
	}
	return Transaction{}, false, errs.E(RailFailed, "The top-up is still in progress; retry with the same Idempotency-Key.")
}

// settleTopUp ends a pending top-up: the pending money to the wallet when
// the rail took it (and the request's answer stored under its key), back
// to the rail when not. It moves exactly the pending transfer's amount,
// and only if that transfer exists. settled is false when it was settled
// before (by a retry, or another node's recovery).
func (s *Service) settleTopUp(ctx context.Context, id string, paid bool, railRef string) (settled bool, err error) {
	err = s.run(ctx, func(ctx context.Context, tx *sqldb.Tx) (error, error) {
		settled = false
		status := "failed"
		if paid {
			status = "succeeded"
		}
		now := s.now()
		var userID, cur, rail, key, hash string
		var amount int64
		if err := tx.QueryRow(ctx, markTopUpSettled, status, railRef, sqldb.Micro(now), id).Scan(&userID, &amount, &cur, &rail, &key, &hash); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return nil, nil
			}
			return nil, err
		}
		settled = true
		held, ok, err := s.ownHold(ctx, tx, "tpp:"+id, markTopUpFailed, id)
		if err != nil || !ok {
			return nil, err
		}
		pending := acct{acctPending, rail, cur}
		if !paid {
			_, err := move(ctx, tx, pending, acct{acctRail, rail, cur}, held, KindTopUpReturn, id, "", "tpr:"+id, now)
			return nil, err
		}
		m, err := move(ctx, tx, pending, userAcct(userID, cur), held, KindTopUp, id, "", "tp:"+id, now)
		if err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, setTopUpCredit, m.ID, id); err != nil {
			return nil, err
		}
		s.afterBalance(tx, userID, cur, m.CreditBalance)
		t := Transaction{ID: m.ID, Kind: KindTopUp, Amount: held, Currency: cur, Direction: "in", Status: "succeeded", Reference: id, CreatedAt: now.UTC()}
		return nil, s.save(ctx, tx, Request{UserID: userID, Key: key, Hash: hash}, t)
	})
	return settled, err
}

// ownHold is the amount of an item's own hold or pending transfer (by its
// transfer key). An item in flight without one was never funded: it is
// marked failed with markFailed and nothing moves (ok false), so recovery
// can never pay out money that belongs to another item.
func (s *Service) ownHold(ctx context.Context, tx *sqldb.Tx, key, markFailed, id string) (held int64, ok bool, err error) {
	err = tx.QueryRow(ctx, selectTransferAmount, key).Scan(&held)
	if err == nil {
		return held, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, err
	}
	s.log.Error("an item in flight without its own hold: marked failed, nothing moved", "item", id, "hold", key)
	_, err = tx.Exec(ctx, markFailed, id)
	return 0, false, err
}
