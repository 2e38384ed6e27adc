package bench

import (
	"context"
	"fmt"
	"strings"

	"github.com/plaza-dev/plaza/internal/pay"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// ChaosChecks counts every broken promise; all zero (and the ledger
// balanced) when the cluster kept them.
type ChaosChecks struct {
	MessagesMissing   int `json:"messages_missing"`       // acknowledged, not stored (or at another seq)
	MessagesDoubled   int `json:"messages_doubled"`       // one client_id stored twice, or acknowledged with two seqs
	SeqGaps           int `json:"seq_gaps"`               // a conversation's seqs not 1, 2, 3, …
	SocketsUnsynced   int `json:"socket_messages_unseen"` // stored messages a client's socket and resyncs never brought
	SendsUnanswered   int `json:"sends_unanswered"`       // sent and never acknowledged, though retried until the end
	TransfersMissing  int `json:"transfers_missing"`
	TransfersDoubled  int `json:"transfers_doubled"`
	ClaimsWrong       int `json:"red_packet_claims_wrong"` // a packet's stored claims differ from those acknowledged
	OrdersMissing     int `json:"orders_missing"`          // acknowledged paid, not SUCCESS/REFUND or not in the payer's list
	OrdersDoubled     int `json:"orders_doubled"`
	RefundsMissing    int `json:"refunds_missing"`
	BalancesWrong     int `json:"balances_wrong"` // wallets not equal to seed ± every acknowledged movement
	NotifyMissing     int `json:"notifications_missing"`
	NotifyDoubled     int `json:"notifications_doubled"` // one payment or refund notified under two ids
	ProcessedTwice    int `json:"notifications_processed_twice"`
	NotifyBad         int `json:"notifications_unverified"`
	LedgerUnbalanced  int `json:"ledger_unbalanced"` // 1 when the ledger check failed
	LedgerDuplicates  int `json:"ledger_duplicate_keys"`
	ChattersNeverBack int `json:"clients_not_reconnected"` // clients that ended without a socket after a fault
}

func (r *ChaosResult) broke(cond bool, f string, a ...any) {
	if cond {
		r.Broken = append(r.Broken, fmt.Sprintf(f, a...))
	}
}

// check compares what the clients were acknowledged with what the nodes
// and the database hold.
func (l *chaosLoad) check(ctx context.Context, res *ChaosResult, cl *chaosCluster) {
	ck := &res.Invariants
	res.Retries = l.retries.Load()
	get := func(path, token string, out any) error {
		return l.retryCtx(ctx, func(n int) error { return l.apis[n].callOnce(ctx, "GET", path, token, nil, out) })
	}
	// Chat.
	byConv := map[string][]*chatter{}
	for _, c := range l.chatters {
		byConv[c.conv] = append(byConv[c.conv], c)
		res.Acked.Messages += len(c.acked)
		res.Acked.Reconnects += max(0, c.conns-1)
		res.Acked.Resynced += c.resyncs
		ck.SendsUnanswered += len(c.pending)
		ck.MessagesDoubled += c.doubled
		if c.conns == 0 {
			ck.ChattersNeverBack++
		}
	}
	for conv, cs := range byConv {
		stored := map[string]int64{}
		counts := map[string]int{}
		var last int64
		for {
			var page struct {
				Items []struct {
					Seq      int64  `json:"seq"`
					ClientID string `json:"client_id"`
				} `json:"items"`
			}
			if err := get(fmt.Sprintf("/api/v1/conversations/%s/messages?after_seq=%d&limit=200", conv, last), cs[0].u.Token, &page); err != nil {
				res.broke(true, "reading conversation %s: %v", conv, err)
				break
			}
			for _, it := range page.Items {
				if it.Seq != last+1 {
					ck.SeqGaps++
				}
				last = it.Seq
				if it.ClientID != "" {
					stored[it.ClientID] = it.Seq
					counts[it.ClientID]++
				}
			}
			if len(page.Items) < 200 {
				break
			}
		}
		for _, n := range counts {
			if n > 1 {
				ck.MessagesDoubled++
			}
		}
		for _, c := range cs {
			for id, seq := range c.acked {
				if stored[id] != seq {
					ck.MessagesMissing++
				}
			}
			for s := int64(1); s <= last; s++ {
				if !c.seen[s] {
					ck.SocketsUnsynced++
				}
			}
		}
	}

	// Transactions as each user's wallet lists them.
	txCount := map[string]map[string]int{} // username → transaction id → times listed
	balance := map[string]int64{}
	tokens := map[string]string{}
	for _, u := range append(append(append([]user{}, l.transferUsers...), l.groupUsers...), l.payers...) {
		tokens[u.Username] = u.Token
		seen := map[string]int{}
		for cursor := ""; ; {
			var page struct {
				Items []struct {
					ID string `json:"id"`
				} `json:"items"`
				Next string `json:"next_cursor"`
			}
			if err := get("/api/v1/wallet/transactions?limit=200&cursor="+cursor, u.Token, &page); err != nil {
				res.broke(true, "listing %s's transactions: %v", u.Username, err)
				break
			}
			for _, it := range page.Items {
				seen[it.ID]++
			}
			if cursor = page.Next; cursor == "" {
				break
			}
		}
		txCount[u.Username] = seen
		var w struct {
			Balances []struct {
				Amount   int64
				Currency string
			} `json:"balances"`
		}
		if err := get("/api/v1/wallet", u.Token, &w); err != nil {
			res.broke(true, "reading %s's wallet: %v", u.Username, err)
		}
		for _, b := range w.Balances {
			if b.Currency == "CNY" {
				balance[u.Username] = b.Amount
			}
		}
	}
	want := map[string]int64{}
	for name := range tokens {
		want[name] = l.seed
	}
	for _, t := range l.transfers {
		switch n := txCount[t.From][t.TxID]; {
		case n == 0:
			ck.TransfersMissing++
		case n > 1:
			ck.TransfersDoubled++
		}
		want[t.From] -= t.Amount
		want[t.To] += t.Amount
	}
	res.Acked.Transfers = len(l.transfers)
	for _, p := range l.packets {
		res.Acked.RedPackets++
		res.Acked.Claims += len(p.Claims)
		want[p.Sender] -= p.Total
		var rp struct {
			RedPacket pay.RedPacket `json:"red_packet"`
		}
		if err := get("/api/v1/red-packets/"+p.ID, tokens[p.Sender], &rp); err != nil {
			res.broke(true, "reading red packet %s: %v", p.ID, err)
			continue
		}
		stored := map[string]int64{}
		for _, c := range rp.RedPacket.Claims {
			stored[c.User.Username] = c.Amount
		}
		if len(stored) != len(p.Claims) || len(rp.RedPacket.Claims) != len(stored) {
			ck.ClaimsWrong++
		}
		for name, amount := range p.Claims {
			want[name] += amount
			if stored[name] != amount {
				ck.ClaimsWrong++
			}
		}
	}
	shops := map[string]chaosShop{}
	for _, s := range l.shops {
		shops[s.mchid] = s
	}
	for _, o := range l.orders {
		want[o.Payer] -= o.Amount
		switch n := txCount[o.Payer][o.TxID]; {
		case n == 0:
			ck.OrdersMissing++
		case n > 1:
			ck.OrdersDoubled++
		}
		var st string
		err := l.retryCtx(ctx, func(n int) error {
			tx, err := shops[o.MchID].clients[n].QueryByOutTradeNo(ctx, o.OutTradeNo)
			if err == nil {
				st = tx.TradeState
			}
			return err
		})
		if err != nil || (st != "SUCCESS" && st != "REFUND") {
			ck.OrdersMissing++
		}
	}
	res.Acked.Orders = len(l.orders)
	for _, r := range l.refunds {
		want[r.Payer] += r.Amount
		var st string
		var amount int64
		err := l.retryCtx(ctx, func(n int) error {
			rf, err := shops[r.MchID].clients[n].QueryRefund(ctx, r.OutRefundNo)
			if err == nil {
				st, amount = rf.Status, rf.Amount.Refund
			}
			return err
		})
		if err != nil || st != "SUCCESS" || amount != r.Amount {
			ck.RefundsMissing++
		}
	}
	res.Acked.Refunds = len(l.refunds)
	for name, w := range want {
		if balance[name] != w {
			ck.BalancesWrong++
			res.broke(true, "%s's wallet holds %d, the acknowledged movements make %d", name, balance[name], w)
		}
	}

	// Notifications: at least one delivery for each acknowledged payment
	// and refund, one id each, processed once.
	ck.NotifyMissing = len(l.unnotified())
	l.notes.mu.Lock()
	ids := map[string]int{}
	for _, n := range l.notes.byID {
		ids[n.Event+" "+n.Key]++
		res.Acked.Deliveries += n.Deliveries
		if n.Processed != 1 {
			ck.ProcessedTwice++
		}
	}
	res.Acked.Notifications = len(l.notes.byID)
	for _, n := range ids {
		if n > 1 {
			ck.NotifyDoubled++
		}
	}
	ck.NotifyBad = l.notes.bad
	l.notes.mu.Unlock()

	// The ledger, from the database itself.
	db, err := sqldb.Open(ctx, cl.pgURL, cl.nodes[0].data)
	if err == nil {
		var lc pay.LedgerCheck
		lc, err = pay.NewAuditor(db).CheckLedger(ctx)
		db.Close()
		res.Ledger = lc
		if !lc.Balanced || !lc.Replayed || !lc.Reconciled || lc.Negative > 0 {
			ck.LedgerUnbalanced = 1
		}
		ck.LedgerDuplicates = int(lc.DuplicateKeys)
	}
	if err != nil {
		res.broke(true, "ledger check: %v", err)
		ck.LedgerUnbalanced = 1
	}

	for name, n := range map[string]int{
		"acknowledged messages missing": ck.MessagesMissing, "messages doubled": ck.MessagesDoubled, "seq gaps": ck.SeqGaps,
		"messages no socket or resync brought": ck.SocketsUnsynced, "sends never acknowledged": ck.SendsUnanswered,
		"transfers missing": ck.TransfersMissing, "transfers doubled": ck.TransfersDoubled, "red packet claims wrong": ck.ClaimsWrong,
		"orders missing": ck.OrdersMissing, "orders doubled": ck.OrdersDoubled, "refunds missing": ck.RefundsMissing,
		"wallets wrong": ck.BalancesWrong, "notifications missing": ck.NotifyMissing, "notifications under two ids": ck.NotifyDoubled,
		"notifications processed twice": ck.ProcessedTwice, "notifications that did not verify": ck.NotifyBad,
		"ledger unbalanced": ck.LedgerUnbalanced, "ledger duplicate keys": ck.LedgerDuplicates, "clients never reconnected": ck.ChattersNeverBack,
	} {
		res.broke(n > 0, "%d %s", n, name)
	}
	for _, f := range res.Faults {
		res.broke(f.Error != "", "fault %q: %s", f.Fault, f.Error)
	}
	if len(l.notes.byID) > 0 && ck.NotifyMissing > 0 {
		missing := l.unnotified()
		res.broke(true, "unnotified: %s", strings.Join(missing[:min(5, len(missing))], ", "))
	}
	res.OK = len(res.Broken) == 0
}

// retryCtx is retry bounded by ctx instead of the load's end.
func (l *chaosLoad) retryCtx(ctx context.Context, f func(n int) error) error {
	saved := l.hard
	l.hard = ctx
	defer func() { l.hard = saved }()
	return l.retry(0, f)
}
