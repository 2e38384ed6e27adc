package pay

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Erasing an account (account.Service.Erase) must not strand money: it
// asks HeldFor first and refuses while anything is held.

// HeldFor describes, as a sentence, money Plaza still holds for a user —
// a non-zero wallet balance, a withdrawal or top-up in flight, an open red packet
// whose rest returns to them — or "" when there is none.
func (s *Service) HeldFor(ctx context.Context, userID string) (string, error) {
	balances, _, err := s.Wallet(ctx, userID)
	if err != nil {
		return "", err
	}
	for _, m := range balances {
		if m.Amount != 0 {
			return fmt.Sprintf("Your wallet holds %s; withdraw it first.", Format(m.Amount, m.Currency)), nil
		}
	}
	for _, c := range []struct{ query, sentence string }{
		{selectPendingWithdrawal, "A withdrawal of %s is still in progress; wait until it completes."},
		{selectPendingTopUp, "A top-up of %s is still in progress; wait until it completes (then withdraw it)."},
		{selectOpenRedPacket, "A red packet you sent still holds %s; wait until it is claimed or returned to you (then withdraw it)."},
		{selectOpenReviewOfUser, "A payment of %s is held for review; wait until it is decided."},
	} {
		var amount int64
		var currency string
		args := []any{userID}
		if c.query == selectOpenReviewOfUser {
			args = append(args, userID)
		}
		err := s.db.QueryRow(ctx, c.query, args...).Scan(&amount, &currency)
		if err == nil {
			return fmt.Sprintf(c.sentence, Format(amount, currency)), nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
	}
	return "", nil
}
