package pay

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

const (
	insertWithdrawal = `INSERT INTO withdrawals (id, user_id, amount, currency, status, rail, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)`
	settleWithdrawal = `UPDATE withdrawals SET status = ?, rail_ref = ?, updated_at = ? WHERE id = ? AND status = 'pending'
		RETURNING user_id, amount, currency, rail`
	stalePending = `SELECT id FROM withdrawals WHERE status = 'pending' AND created_at < ? ORDER BY created_at LIMIT 100`
)

// Withdraw sends money to the user's rail account: it holds the amount
// first, asks the rail, then settles the hold to the rail or returns it to
// the wallet. Errors: as Transfer, and rail_failed (the money is back).
func (s *Service) Withdraw(ctx context.Context, r Request, amount int64, currency, pin string) (Transaction, bool, error) {
	cur, err := checkMoney("amount", amount, currency)
	if err != nil {
		return Transaction{}, false, err
	}
	wdID := ids.New("wd")
	var t Transaction
	var replay bool
	err = s.run(ctx, func(tx *sqldb.Tx) (error, error) {
		var stop bool
		var refusal, err error
		if stop, replay, refusal, err = s.authorize(ctx, tx, r, pin, "withdrawal", &t); stop {
			return refusal, err
		}
		now := s.now()
		if _, err := tx.Exec(ctx, insertWithdrawal, wdID, r.UserID, amount, cur, s.rail.Name(), sqldb.Micro(now), sqldb.Micro(now)); err != nil {
			return nil, err
		}
		m, err := move(ctx, tx, userAcct(r.UserID, cur), acct{acctHold, s.rail.Name(), cur}, amount, KindWithdrawal, wdID, "", "wd:"+wdID, now)
		if errs.Is(err, InsufficientFunds) {
			return err, nil
		}
		if err != nil {
			return nil, err
		}
		t = Transaction{ID: m.ID, Kind: KindWithdrawal, Amount: amount, Currency: cur, Direction: "out", Status: "pending", Reference: wdID, CreatedAt: now.UTC()}
		s.afterBalance(tx, r.UserID, cur, m.DebitBalance)
		return nil, s.save(ctx, tx, r, t)
	})
	if err != nil {
		return Transaction{}, false, err
	}
	if replay {
		t, err = s.transaction(ctx, r.UserID, t.ID)
		return t, true, err
	}
	ref, railErr := s.rail.Payout(ctx, r.UserID, Money{amount, cur}, wdID)
	if err := s.settle(context.WithoutCancel(ctx), wdID, railErr == nil, ref); err != nil {
		return Transaction{}, false, err
	}
	if railErr != nil {
		return Transaction{}, false, errs.Wrap(railErr, RailFailed, "The %s rail declined the withdrawal; the money is back in your wallet.", s.rail.Name())
	}
	t, err = s.transaction(ctx, r.UserID, t.ID)
	return t, false, err
}

// settle ends a pending withdrawal: to the rail when paid, back to the
// wallet when not. Settling twice does nothing.
func (s *Service) settle(ctx context.Context, wdID string, paid bool, railRef string) error {
	return s.run(ctx, func(tx *sqldb.Tx) (error, error) {
		status := "failed"
		if paid {
			status = "succeeded"
		}
		var userID, cur, rail string
		var amount int64
		if err := tx.QueryRow(ctx, settleWithdrawal, status, railRef, sqldb.Micro(s.now()), wdID).Scan(&userID, &amount, &cur, &rail); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return nil, nil // settled before
			}
			return nil, err
		}
		hold := acct{acctHold, rail, cur}
		if paid {
			_, err := move(ctx, tx, hold, acct{acctRail, rail, cur}, amount, KindWithdrawalSettle, wdID, "", "wds:"+wdID, s.now())
			return nil, err
		}
		m, err := move(ctx, tx, hold, userAcct(userID, cur), amount, KindWithdrawalReturn, wdID, "", "wdr:"+wdID, s.now())
		if err == nil {
			s.afterBalance(tx, userID, cur, m.CreditBalance)
		}
		return nil, err
	})
}

// SettleStale returns the money of withdrawals left pending longer than
// age (a node stopped between the hold and the rail's answer).
func (s *Service) SettleStale(ctx context.Context, age time.Duration) (int, error) {
	rows, err := s.db.Query(ctx, stalePending, sqldb.Micro(s.now().Add(-age)))
	if err != nil {
		return 0, err
	}
	var stale []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		stale = append(stale, id)
	}
	rows.Close()
	for _, id := range stale {
		if err := s.settle(ctx, id, false, ""); err != nil {
			return 0, err
		}
	}
	return len(stale), nil
}
