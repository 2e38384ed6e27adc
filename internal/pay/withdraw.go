package pay

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Withdraw sends money to the user's rail account: it holds the amount
// first (a hold transfer keyed by the withdrawal's id, written before the
// withdrawal's row, so a refusal leaves neither), asks the rail with the
// withdrawal's id as reference, then settles that hold to the rail or
// returns it to the wallet. When the rail does not answer, the withdrawal
// stays pending and recovery (SettleStale) asks the rail what happened.
// Errors: as Transfer, rail_unavailable, and rail_failed. A payer whom
// screening matches has the amount held for review (Status "held"): the
// rail is asked once the review is released.
func (s *Service) Withdraw(ctx context.Context, r Request, amount int64, currency, pin string) (Transaction, bool, error) {
	cur, err := checkMoney("amount", amount, currency)
	if err != nil {
		return Transaction{}, false, err
	}
	if err := s.needRail(); err != nil {
		return Transaction{}, false, err
	}
	held, err := s.screenUser(ctx, r.UserID)
	if err != nil {
		return Transaction{}, false, err
	}
	wdID := ids.New("wd")
	var t Transaction
	var replay bool
	err = s.runLocked(ctx, systemKey, []acct{userAcct(r.UserID, cur)}, func(ctx context.Context, tx *sqldb.Tx) (error, error) {
		var stop bool
		var refusal, err error
		if stop, replay, refusal, err = s.authorize(ctx, tx, r, pin, "withdrawal", &t); stop {
			return refusal, err
		}
		now := s.now()
		if held != nil {
			// Screening matched: held for review, and the rail is asked
			// only once it is released.
			rvID, m, err := s.openHold(ctx, tx, hold{kind: ReviewWithdrawal, hit: held, from: userAcct(r.UserID, cur), payerID: r.UserID,
				amount: amount, currency: cur, reference: wdID, transferKind: KindWithdrawal,
				details: reviewDetails{WithdrawalID: wdID, Rail: s.rail.Name()}})
			if errs.Is(err, InsufficientFunds) {
				return err, nil
			}
			if err != nil {
				return nil, err
			}
			t = Transaction{ID: m.ID, Kind: KindWithdrawal, Amount: amount, Currency: cur, Direction: "out", Status: StatusHeld, Reference: rvID, CreatedAt: now.UTC()}
			s.afterBalance(tx, r.UserID, cur, m.DebitBalance)
			return nil, s.save(ctx, tx, r, t)
		}
		m, err := move(ctx, tx, userAcct(r.UserID, cur), acct{acctHold, s.rail.Name(), cur}, amount, KindWithdrawal, wdID, "", "wd:"+wdID, now)
		if errs.Is(err, InsufficientFunds) {
			return err, nil // nothing held, no withdrawal row; the PIN attempt is kept
		}
		if err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, insertWithdrawal, wdID, r.UserID, amount, cur, s.rail.Name(), sqldb.Micro(now), sqldb.Micro(now)); err != nil {
			return nil, err
		}
		t = Transaction{ID: m.ID, Kind: KindWithdrawal, Amount: amount, Currency: cur, Direction: "out", Status: "pending", Reference: wdID, CreatedAt: now.UTC()}
		s.afterBalance(tx, r.UserID, cur, m.DebitBalance)
		return nil, s.save(ctx, tx, r, t)
	})
	if err != nil {
		return Transaction{}, false, err
	}
	if replay || t.Status == StatusHeld {
		return s.answer(ctx, r.UserID, t, replay, nil)
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), railTimeout)
	ref, railErr := s.rail.Payout(rctx, r.UserID, Money{amount, cur}, wdID)
	cancel()
	if railErr != nil && !errors.Is(railErr, ErrRailDeclined) {
		// No answer: the payout may have happened. The money stays held;
		// recovery asks the rail and settles or returns it.
		t, err = s.transaction(ctx, r.UserID, t.ID)
		return t, false, err
	}
	if _, err := s.settle(context.WithoutCancel(ctx), wdID, railErr == nil, ref); err != nil {
		return Transaction{}, false, err
	}
	if railErr != nil {
		return Transaction{}, false, errs.Wrap(railErr, RailFailed, "The %s rail declined the withdrawal; the money is back in your wallet.", s.rail.Name())
	}
	t, err = s.transaction(ctx, r.UserID, t.ID)
	return t, false, err
}

// settle ends a pending withdrawal: its hold to the rail when paid, back
// to the wallet when not. It moves exactly what this withdrawal's hold
// transfer held, and nothing when there is none (a row left by an older
// version's refused withdrawal is marked failed). Settling twice, or on
// two nodes at once, does nothing the second time: the status change is
// conditional and in the same transaction as the money.
func (s *Service) settle(ctx context.Context, wdID string, paid bool, railRef string) (settled bool, err error) {
	err = s.run(ctx, func(ctx context.Context, tx *sqldb.Tx) (error, error) {
		settled = false
		status := "failed"
		if paid {
			status = "succeeded"
		}
		now := s.now()
		var userID, cur, rail string
		if err := tx.QueryRow(ctx, markWithdrawalSettled, status, railRef, sqldb.Micro(now), wdID).Scan(&userID, &cur, &rail); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return nil, nil // settled before
			}
			return nil, err
		}
		settled = true
		held, ok, err := s.ownHold(ctx, tx, "wd:"+wdID, markWithdrawalFailed, wdID)
		if err != nil || !ok {
			return nil, err
		}
		hold := acct{acctHold, rail, cur}
		if paid {
			_, err := move(ctx, tx, hold, acct{acctRail, rail, cur}, held, KindWithdrawalSettle, wdID, "", "wds:"+wdID, now)
			return nil, err
		}
		m, err := move(ctx, tx, hold, userAcct(userID, cur), held, KindWithdrawalReturn, wdID, "", "wdr:"+wdID, now)
		if err == nil {
			s.afterBalance(tx, userID, cur, m.CreditBalance)
		}
		return nil, err
	})
	return settled, err
}

// SettleStale is crash recovery: it asks the rail about every withdrawal
// and top-up left pending longer than age (a node stopped between the
// hold and the rail's answer) and settles each as the rail says — paid
// (succeeded), returned (failed, or unknown: the rail never got it), or
// left for later (pending). One item's error does not stop the others;
// they are returned joined. Any number of nodes may run it at once; each
// item is settled by one of them, and counted by that one.
func (s *Service) SettleStale(ctx context.Context, age time.Duration) (int, error) {
	if s.rail == nil {
		return 0, nil
	}
	cutoff := sqldb.Micro(s.now().Add(-age))
	var errList []error
	settled := 0
	for _, kind := range []struct {
		query  string
		settle func(ctx context.Context, id string, paid bool, ref string) (bool, error)
	}{
		{selectStaleWithdrawals, s.settle},
		{selectStaleTopUps, s.settleTopUp},
	} {
		stale, err := s.ids(ctx, kind.query, s.rail.Name(), cutoff)
		if err != nil {
			errList = append(errList, err)
			continue
		}
		for _, id := range stale {
			st, err := s.rail.Status(ctx, id)
			if err != nil {
				errList = append(errList, fmt.Errorf("rail status of %s: %w", id, err))
				continue
			}
			if st == RailStatusPending {
				continue
			}
			done, err := kind.settle(ctx, id, st == RailStatusSucceeded, "")
			if err != nil {
				errList = append(errList, fmt.Errorf("settling %s: %w", id, err))
				continue
			}
			if done {
				settled++
			}
		}
	}
	return settled, errors.Join(errList...)
}

// ids runs a query of ids.
func (s *Service) ids(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return sqldb.ScanAll(rows, func(rows *sql.Rows) (string, error) {
		var id string
		err := rows.Scan(&id)
		return id, err
	})
}
