package pay

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Erasing an account (account.Service.Erase) must not strand money: it
// asks HeldFor first and refuses while anything is held. The ledger's
// rows stay after an erasure (financial records must be kept), under the
// user's id, which the erasure has made a pseudonym.

// HeldCheck finds one kind of money Plaza holds for a user outside their
// wallet: Query takes the user id and yields (amount, currency) of one
// open item, or no row; Sentence formats the amount.
type HeldCheck struct {
	Query    string
	Sentence string
}

// heldChecks are the open items that hold a user's money in a pooled
// in-flight account (hold, pending, escrow). A new kind of hold adds its
// check here (or appends to it from its own file's init), so that
// erasure waits for it.
var heldChecks = []HeldCheck{
	{selectPendingWithdrawal, "A withdrawal of %s is still in progress; wait until it completes."},
	{selectPendingTopUp, "A top-up of %s is still in progress; wait until it completes (then withdraw it)."},
	{selectOpenRedPacket, "A red packet you sent still holds %s; wait until it is claimed or returned to you (then withdraw it)."},
	{selectOpenReviewOfUser, "A payment of %s to or from you is held for review; wait until it is decided."},
}

// HeldFor describes, as a sentence, money Plaza still holds for a user —
// a non-zero balance of any account of theirs (the wallet first: "Withdraw
// your balance of ¥12.30 first."), a withdrawal or top-up in flight, an
// open red packet whose rest returns to them, any other open item of
// heldChecks — or "" when there is none.
func (s *Service) HeldFor(ctx context.Context, userID string) (string, error) {
	var kind, currency string
	var amount int64
	err := s.db.QueryRow(ctx, selectOwnedNonZero, userID).Scan(&kind, &amount, &currency)
	switch {
	case err == nil && kind == acctUser && amount > 0:
		return fmt.Sprintf("Withdraw your balance of %s first.", Format(amount, currency)), nil
	case err == nil:
		return fmt.Sprintf("Plaza holds %s for you (%s) that is not yet settled; wait until it is.", Format(amount, currency), kind), nil
	case !errors.Is(err, sql.ErrNoRows):
		return "", err
	}
	for _, c := range heldChecks {
		err := s.db.QueryRow(ctx, c.Query, userID).Scan(&amount, &currency)
		if err == nil {
			return fmt.Sprintf(c.Sentence, Format(amount, currency)), nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
	}
	return "", nil
}
