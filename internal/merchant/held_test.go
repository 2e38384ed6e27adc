package merchant_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/merchant"
	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/trust"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// screenEve matches every party whose name has "eve" in it (the node's
// TestOptions.Screen stands in for trust's engine).
func screenEve(c *node.Config) {
	fastNotify(c)
	c.Test.Screen = func(_ context.Context, p trust.Party) (*trust.Match, error) {
		if strings.Contains(strings.ToLower(p.Name), "eve") {
			return &trust.Match{EntryID: "sdn-7", Name: "EVE", Score: 0.9, Program: "SDGT", List: "ofac", ListHash: "sha256:l"}, nil
		}
		return nil, nil
	}
}

func reviewAdmin(t *testing.T, n *node.Node) *nodetest.Client {
	t.Helper()
	if _, err := n.Accounts.CreateAdmin(context.Background(), "trust_op", "correct horse", "CN"); err != nil {
		t.Fatal(err)
	}
	adm := nodetest.NewClient(n.URL())
	adm.Token = adm.Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": "trust_op", "password": "correct horse"}).Str("token")
	return adm
}

func openReview(t *testing.T, adm *nodetest.Client, subjectType string) string {
	t.Helper()
	r := adm.Do(t, "GET", "/api/v1/admin/reviews?state=open", nil)
	for _, it := range r.Get("items").([]any) {
		m := it.(map[string]any)
		if m["subject_type"] == subjectType {
			return m["id"].(string)
		}
	}
	t.Fatalf("no open %s review: %s", subjectType, r.Body)
	return ""
}

// A merchant payment by a matched payer is held: 202, the order stays
// NOTPAY (a retry replays the 202), and nobody is notified. Released, the
// order is SUCCESS and the merchant notified once; rejected, the order is
// CLOSED and the payer has their money back.
func TestHeldMerchantPayment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	nodetest.Run(t, nodetest.Options{Tune: screenEve}, func(t *testing.T, n *node.Node) {
		adm := reviewAdmin(t, n)
		s := newShop(t, n, "teahouse")
		eve := buyer(t, n, "eve", 10_000)
		order := func(no string) string {
			codeURL, err := s.client.PrepayNative(ctx, plazapay.NativeRequest{AppID: "wx" + s.mchid, Description: "Tea",
				OutTradeNo: no, NotifyURL: s.notify, Amount: plazapay.Amount{Total: 1_500}})
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(codeURL)
			return u.Query().Get("pr")
		}
		balance := func() float64 {
			return eve.Do(t, "GET", "/api/v1/wallet", nil).Get("balances").([]any)[0].(map[string]any)["amount"].(float64)
		}
		ledger := func() {
			c, err := n.Pay.CheckLedger(ctx)
			if err != nil || !c.Balanced || !c.Reconciled {
				t.Fatalf("ledger: %+v %v", c, err)
			}
		}

		pr := order("HELD0001")
		first := eve.Do(t, "POST", "/api/v1/pay/confirm", map[string]any{"prepay_id": pr, "pin": "112233"})
		if first.Status != 202 || first.Str("transaction.status") != "held" {
			t.Fatalf("held payment: %d %s", first.Status, first.Body)
		}
		again := eve.Do(t, "POST", "/api/v1/pay/confirm", map[string]any{"prepay_id": pr, "pin": "112233"})
		if again.Status != 202 || again.Str("transaction.id") != first.Str("transaction.id") {
			t.Fatalf("retry of a held payment: %d %s", again.Status, again.Body)
		}
		if tx, err := s.client.QueryByOutTradeNo(ctx, "HELD0001"); err != nil || tx.TradeState != "NOTPAY" {
			t.Fatalf("a held order: %+v %v", tx, err)
		}
		if balance() != 8_500 {
			t.Fatalf("eve has %v while held", balance())
		}
		ledger()
		if r := adm.Do(t, "POST", "/api/v1/admin/reviews/"+openReview(t, adm, "user")+"/release", map[string]string{"note": "ok"}); r.Status != 200 {
			t.Fatalf("release: %d %s", r.Status, r.Body)
		}
		ev := s.next(t, "TRANSACTION.SUCCESS")
		if ev["out_trade_no"] != "HELD0001" || ev["trade_state"] != "SUCCESS" {
			t.Fatalf("notification: %v", ev)
		}
		nodetest.WaitFor(t, 10*time.Second, func() bool {
			tx, err := s.client.QueryByOutTradeNo(ctx, "HELD0001")
			return err == nil && tx.TradeState == "SUCCESS"
		})
		if b, _ := n.Merchant.MerchantBalance(ctx, s.mchid, "CNY"); b != 1_500 {
			t.Fatalf("merchant balance %d", b)
		}
		// The decision delivered again (at least once) pays and notifies nothing more.
		tx1, _ := s.client.QueryByOutTradeNo(ctx, "HELD0001")
		var payer string
		n.DB.QueryRow(ctx, `SELECT payer_user_id FROM orders WHERE transaction_id = ?`, tx1.TransactionID).Scan(&payer)
		var transfer string
		n.DB.QueryRow(ctx, `SELECT ledger_transfer FROM orders WHERE transaction_id = ?`, tx1.TransactionID).Scan(&transfer)
		if err := n.Merchant.ReviewDecided(ctx, merchant.ReviewDecision{ReviewID: "again", Kind: "payment", State: "released", PayerID: payer,
			MchID: s.mchid, Amount: 1_500, Currency: "CNY", Reference: tx1.TransactionID, TransferID: transfer}); err != nil {
			t.Fatal(err)
		}
		select {
		case m := <-s.events:
			t.Fatalf("a second notification: %v", m)
		case <-time.After(300 * time.Millisecond):
		}
		ledger()

		// Held, then closed by the shop, then released: the money goes
		// back to the payer, and the order stays closed.
		pr3 := order("HELD0003")
		if r := eve.Do(t, "POST", "/api/v1/pay/confirm", map[string]any{"prepay_id": pr3, "pin": "112233"}); r.Status != 202 {
			t.Fatalf("third held payment: %d %s", r.Status, r.Body)
		}
		if err := s.client.Close(ctx, "HELD0003"); err != nil {
			t.Fatal(err)
		}
		if r := adm.Do(t, "POST", "/api/v1/admin/reviews/"+openReview(t, adm, "user")+"/release", map[string]string{"note": "ok"}); r.Status != 200 {
			t.Fatalf("release: %d %s", r.Status, r.Body)
		}
		nodetest.WaitFor(t, 10*time.Second, func() bool { return balance() == 8_500 })
		if tx, _ := s.client.QueryByOutTradeNo(ctx, "HELD0003"); tx.TradeState != "CLOSED" {
			t.Fatalf("the closed order after release: %s", tx.TradeState)
		}
		if b, _ := n.Merchant.MerchantBalance(ctx, s.mchid, "CNY"); b != 1_500 {
			t.Fatalf("merchant balance %d after the refund of a closed order", b)
		}
		ledger()

		pr2 := order("HELD0002")
		if r := eve.Do(t, "POST", "/api/v1/pay/confirm", map[string]any{"prepay_id": pr2, "pin": "112233"}); r.Status != 202 {
			t.Fatalf("second held payment: %d %s", r.Status, r.Body)
		}
		if r := adm.Do(t, "POST", "/api/v1/admin/reviews/"+openReview(t, adm, "user")+"/reject", map[string]string{"note": "true match"}); r.Status != 200 {
			t.Fatalf("reject: %d %s", r.Status, r.Body)
		}
		nodetest.WaitFor(t, 10*time.Second, func() bool {
			tx, err := s.client.QueryByOutTradeNo(ctx, "HELD0002")
			return err == nil && tx.TradeState == "CLOSED"
		})
		if balance() != 8_500 {
			t.Fatalf("eve has %v after the rejection, want 8500", balance())
		}
		ledger()
	})
}

// A merchant whose name matches is created suspended: it takes no orders
// until its review is released.
func TestMerchantScreenedWhenCreated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	nodetest.Run(t, nodetest.Options{Tune: screenEve}, func(t *testing.T, n *node.Node) {
		adm := reviewAdmin(t, n)
		s := newShopNamed(t, n, "owner", "Eve Trading")
		order := plazapay.NativeRequest{AppID: "wx" + s.mchid, Description: "Tea", OutTradeNo: "SUSP0001", NotifyURL: s.notify,
			Amount: plazapay.Amount{Total: 100}}
		if _, err := s.client.PrepayNative(ctx, order); !plazapay.IsAPIError(err, "NO_AUTH") {
			t.Fatalf("an order of a suspended merchant: %v", err)
		}
		id := openReview(t, adm, "merchant")
		if r := adm.Do(t, "POST", "/api/v1/admin/reviews/"+id+"/release", map[string]string{"note": "a bakery"}); r.Status != 200 {
			t.Fatalf("release: %d %s", r.Status, r.Body)
		}
		if _, err := s.client.PrepayNative(ctx, order); err != nil {
			t.Fatalf("an order once released: %v", err)
		}
		// Rejected, a merchant stays suspended.
		s2 := newShopNamed(t, n, "owner2", "Steve's Shop")
		if r := adm.Do(t, "POST", "/api/v1/admin/reviews/"+openReview(t, adm, "merchant")+"/reject", map[string]string{"note": "match"}); r.Status != 200 {
			t.Fatalf("reject: %d %s", r.Status, r.Body)
		}
		order.AppID = "wx" + s2.mchid
		if _, err := s2.client.PrepayNative(ctx, order); !plazapay.IsAPIError(err, "NO_AUTH") {
			t.Fatalf("an order of a rejected merchant: %v", err)
		}
	})
}
