package pay

import (
	"context"
	"strings"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

const transferView = `SELECT t.id, t.kind, t.debit_account, t.credit_account, t.amount, t.currency, t.reference, t.note,
		t.created_at, COALESCE(w.status, ''), COALESCE(rp.sender_id, '')
	FROM ledger_transfers t
	LEFT JOIN withdrawals w ON w.id = t.reference AND t.kind = 'withdrawal'
	LEFT JOIN red_packets rp ON rp.id = t.reference AND t.kind = 'red_packet_claim'`

// userAccounts are the ids of a user's wallets in every currency.
func userAccounts(userID string) []any {
	out := make([]any, 0, len(currencies))
	for _, c := range []string{"CNY", "EUR", "HKD", "USD"} {
		out = append(out, userAcct(userID, c).id())
	}
	return out
}

func inList(n int) string { return "(?" + strings.Repeat(",?", n-1) + ")" }

// History is a user's transactions, newest first, limit at a time before
// cursor (a transaction id; "" to start).
func (s *Service) History(ctx context.Context, userID, cursor string, limit int) ([]Transaction, string, error) {
	if cursor == "" {
		cursor = "~"
	}
	accts := userAccounts(userID)
	q := transferView + ` WHERE (t.debit_account IN ` + inList(len(accts)) + ` OR t.credit_account IN ` + inList(len(accts)) +
		`) AND t.id < ? ORDER BY t.id DESC LIMIT ?`
	args := append(append(append([]any{}, accts...), accts...), cursor, limit+1)
	out, err := s.views(ctx, userID, q, args...)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID
	}
	return out, next, nil
}

// Transaction is one of the user's transactions. Errors: not_found.
func (s *Service) Transaction(ctx context.Context, userID, id string) (Transaction, error) {
	return s.transaction(ctx, userID, id)
}

// transaction is one of the user's transactions. Errors: not_found.
func (s *Service) transaction(ctx context.Context, userID, id string) (Transaction, error) {
	accts := userAccounts(userID)
	q := transferView + ` WHERE t.id = ? AND (t.debit_account IN ` + inList(len(accts)) + ` OR t.credit_account IN ` + inList(len(accts)) + `)`
	out, err := s.views(ctx, userID, q, append(append([]any{id}, accts...), accts...)...)
	if err != nil {
		return Transaction{}, err
	}
	if len(out) == 0 {
		return Transaction{}, errs.E(errs.NotFound, "No such transaction.")
	}
	return out[0], nil
}

func (s *Service) views(ctx context.Context, userID, q string, args ...any) ([]Transaction, error) {
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Transaction
	others := map[int]string{}
	var ids []string
	for rows.Next() {
		var t Transaction
		var debit, credit, wdStatus, rpSender string
		var created int64
		if err := rows.Scan(&t.ID, &t.Kind, &debit, &credit, &t.Amount, &t.Currency, &t.Reference, &t.Note, &created, &wdStatus, &rpSender); err != nil {
			return nil, err
		}
		t.CreatedAt = sqldb.FromMicro(created)
		t.Direction, t.Status = "in", "succeeded"
		mine := "user:" + userID + ":"
		other := debit
		if strings.HasPrefix(debit, mine) {
			t.Direction, other = "out", credit
		}
		if wdStatus != "" {
			t.Status = wdStatus
		}
		if strings.HasPrefix(other, "user:") {
			others[len(out)] = strings.Split(other, ":")[1]
		} else if rpSender != "" {
			others[len(out)] = rpSender
		}
		if id, ok := others[len(out)]; ok {
			ids = append(ids, id)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) > 0 {
		users, err := s.accounts.UsersByIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		for i, id := range others {
			if u, ok := users[id]; ok {
				out[i].Counterparty = &Counterparty{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName}
			}
		}
	}
	return out, nil
}
