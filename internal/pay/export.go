package pay

import (
	"context"
	"database/sql"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/export"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// exportPage is how many rows the exporter reads at a time.
const exportPage = 200

// sentRedPacket is a red packet the user sent (pay/red_packets_sent).
type sentRedPacket struct {
	ID             string    `json:"id"`
	ConversationID string    `json:"conversation_id"`
	Currency       string    `json:"currency"`
	Total          int64     `json:"total"`
	Count          int       `json:"count"`
	Split          string    `json:"split"`
	Greeting       string    `json:"greeting"`
	Remaining      int64     `json:"remaining"`
	RemainingCount int       `json:"remaining_count"`
	Status         string    `json:"status"`
	ExpiresAt      time.Time `json:"expires_at"`
	CreatedAt      time.Time `json:"created_at"`
}

// ownClaim is a share the user took of someone's red packet
// (pay/red_packet_claims).
type ownClaim struct {
	RedPacketID   string    `json:"red_packet_id"`
	Amount        int64     `json:"amount"`
	TransactionID string    `json:"transaction_id"`
	CreatedAt     time.Time `json:"created_at"`
}

// Export writes what pay holds for userID (export.Exporter): pay/wallet
// (balances), pay/transactions (every transaction of their wallets, as
// GET /wallet/transactions shows them), pay/red_packets_sent and
// pay/red_packet_claims. Only the user's own wallets' rows: never another
// user's balance or movements beyond the counterparty's public name.
func (s *Service) Export(ctx context.Context, userID string, w *export.Writer) error {
	balances, _, err := s.Wallet(ctx, userID)
	if err != nil {
		return err
	}
	if balances == nil {
		balances = []Money{}
	}
	if err := w.Object("pay/wallet", map[string]any{"balances": balances}); err != nil {
		return err
	}
	a, err := w.Array("pay/transactions")
	if err != nil {
		return err
	}
	for cursor := ""; ; {
		page, next, err := s.History(ctx, userID, cursor, exportPage)
		if err != nil {
			return err
		}
		for _, t := range page {
			if err := a.Add(t); err != nil {
				return err
			}
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	if a, err = w.Array("pay/red_packets_sent"); err != nil {
		return err
	}
	for after := ""; ; {
		rows, err := s.db.Query(ctx, selectSentRedPacketsPage, userID, after, exportPage)
		if err != nil {
			return err
		}
		page, err := sqldb.ScanAll(rows, func(rows *sql.Rows) (sentRedPacket, error) {
			var p sentRedPacket
			var expires, created int64
			err := rows.Scan(&p.ID, &p.ConversationID, &p.Currency, &p.Total, &p.Count, &p.Split, &p.Greeting, &p.Remaining,
				&p.RemainingCount, &p.Status, &expires, &created)
			p.ExpiresAt, p.CreatedAt = sqldb.FromMicro(expires), sqldb.FromMicro(created)
			return p, err
		})
		if err != nil {
			return err
		}
		for _, p := range page {
			if err := a.Add(p); err != nil {
				return err
			}
			after = p.ID
		}
		if len(page) < exportPage {
			break
		}
	}
	if a, err = w.Array("pay/red_packet_claims"); err != nil {
		return err
	}
	for after := ""; ; {
		rows, err := s.db.Query(ctx, selectOwnClaimsPage, userID, after, exportPage)
		if err != nil {
			return err
		}
		page, err := sqldb.ScanAll(rows, func(rows *sql.Rows) (ownClaim, error) {
			var c ownClaim
			var created int64
			err := rows.Scan(&c.RedPacketID, &c.Amount, &c.TransactionID, &created)
			c.CreatedAt = sqldb.FromMicro(created)
			return c, err
		})
		if err != nil {
			return err
		}
		for _, c := range page {
			if err := a.Add(c); err != nil {
				return err
			}
			after = c.RedPacketID
		}
		if len(page) < exportPage {
			return a.Close()
		}
	}
}
