package pay

import (
	"context"
	"database/sql"
	"strings"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// walletCurrencies are the currencies of the wallets whose transfers
// History lists (one placeholder each in the IN lists of store.go).
var walletCurrencies = []string{"CNY", "EUR", "HKD", "USD"}

// userAccounts are the ids of a user's wallets in every currency.
func userAccounts(userID string) []any {
	out := make([]any, 0, len(walletCurrencies))
	for _, c := range walletCurrencies {
		out = append(out, userAcct(userID, c).id())
	}
	return out
}

// History is a user's transactions, newest first, limit at a time before
// cursor (a transaction id; "" to start).
func (s *Service) History(ctx context.Context, userID, cursor string, limit int) ([]Transaction, string, error) {
	if cursor == "" {
		cursor = "~"
	}
	accts := userAccounts(userID)
	args := append(append(append([]any{}, accts...), accts...), cursor, userID, userID, cursor, limit+1)
	out, err := s.views(ctx, userID, selectHistoryPage, args...)
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
	out, err := s.views(ctx, userID, selectUserTransaction, append([]any{id}, mine(userID)...)...)
	if err != nil {
		return Transaction{}, err
	}
	if len(out) == 0 {
		return Transaction{}, errs.E(errs.NotFound, "No such transaction.")
	}
	return out[0], nil
}

// mine is the arguments of selectUserTransaction's wallets and payee.
func mine(userID string) []any {
	accts := userAccounts(userID)
	return append(append(append([]any{}, accts...), accts...), userID, userID)
}

func (s *Service) views(ctx context.Context, userID, q string, args ...any) ([]Transaction, error) {
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	var out []Transaction
	others := map[int]string{}
	var ids []string
	err = sqldb.Each(rows, func(rows *sql.Rows) error {
		var t Transaction
		var debit, credit, wdStatus, rpSender, key, rvState, rvPayer, rvPayee, paState, paPayer, paPayee string
		var created, paExpires, paDecided int64
		if err := rows.Scan(&t.ID, &t.Kind, &debit, &credit, &t.Amount, &t.Currency, &t.Reference, &t.Note, &created, &wdStatus, &rpSender,
			&key, &rvState, &rvPayer, &rvPayee, &paState, &paPayer, &paPayee, &paExpires, &paDecided); err != nil {
			return err
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
		if rvState != "" {
			// A held movement's hold (the payer's transaction, and the
			// payee's), or its return to the payer.
			if strings.HasPrefix(key, "rvh:") {
				t.Status = map[string]string{ReviewOpen: StatusHeld, ReviewReleased: "succeeded", ReviewRejected: "rejected"}[rvState]
			}
			switch {
			case rvPayer == userID && rvPayee != "":
				other = "user:" + rvPayee + ":"
			case rvPayee == userID:
				t.Direction, other = "in", "user:"+rvPayer+":"
			}
		}
		if paPayer != "" {
			// A transfer that waits (or waited) for its payee, or its
			// return to the payer: the other side is the other person.
			other = acceptanceView(&t, userID, paState, paPayer, paPayee, paExpires, paDecided, other)
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
		return nil
	})
	if err != nil {
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
