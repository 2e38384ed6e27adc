package merchant_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// policyAdmin is an administrator's client.
func policyAdmin(t *testing.T, n *node.Node) *nodetest.Client {
	t.Helper()
	if _, err := n.Accounts.CreateAdmin(context.Background(), "trust_op", "correct horse", "CN"); err != nil {
		t.Fatal(err)
	}
	c := nodetest.NewClient(n.URL())
	c.Token = c.Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": "trust_op", "password": "correct horse"}).Str("token")
	return c
}

// block creates a payments block on target in regions, in effect now.
func block(t *testing.T, adm *nodetest.Client, targetType, targetID string, regions ...string) string {
	t.Helper()
	r := adm.Do(t, "POST", "/api/v1/admin/policies", map[string]any{"kind": "block", "target_type": targetType, "target_id": targetID,
		"regions": regions, "scopes": []string{"payments"}, "effective_at": time.Now().Add(-time.Second).UTC().Format(time.RFC3339Nano),
		"reason": "court order 7"})
	if r.Status != 201 || r.Str("policy.state") != "active" {
		t.Fatalf("policy: %d %s", r.Status, r.Body)
	}
	return r.Str("policy.id")
}

// A merchant blocked for US payments: a US payer's confirmation is refused
// with nothing moved and no PIN attempt counted, a CN payer's goes
// through, a refund of an earlier order still works; a block for every
// region refuses new /v3 orders with WeChat's 403 NO_AUTH; cancelling
// restores payments at once.
func TestMerchantBlockedForPayments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	nodetest.Run(t, nodetest.Options{Tune: fastNotify}, func(t *testing.T, n *node.Node) {
		s := newShop(t, n, "teahouse")
		adm := policyAdmin(t, n)
		ann := buyer(t, n, "ann", 10_000) // US
		chen := nodetest.NewClient(n.URL())
		r := chen.Do(t, "POST", "/api/v1/auth/signup", map[string]string{"username": "chen", "password": "correct horse", "display_name": "Chen", "region": "CN"})
		chen.Token = r.Str("token")
		chen.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": "112233", "password": "correct horse"})
		chen.Do(t, "POST", "/api/v1/wallet/topups", map[string]any{"amount": 10_000, "currency": "CNY"}, "Idempotency-Key", "seed")

		order := func(no string) (string, error) {
			codeURL, err := s.client.PrepayNative(ctx, plazapay.NativeRequest{AppID: "wx" + s.mchid, Description: "Oolong",
				OutTradeNo: no, NotifyURL: s.notify, Amount: plazapay.Amount{Total: 1_000}})
			if err != nil {
				return "", err
			}
			u, _ := url.Parse(codeURL)
			return u.Query().Get("pr"), nil
		}
		confirm := func(c *nodetest.Client, pr, pin string) *nodetest.Response {
			return c.Do(t, "POST", "/api/v1/pay/confirm", map[string]any{"prepay_id": pr, "pin": pin})
		}
		wallet := func(c *nodetest.Client) float64 {
			return c.Do(t, "GET", "/api/v1/wallet", nil).Get("balances").([]any)[0].(map[string]any)["amount"].(float64)
		}
		count := func(table string) (k int) {
			if err := n.DB.QueryRow(ctx, `SELECT COUNT(*) FROM `+table).Scan(&k); err != nil {
				t.Fatal(err)
			}
			return k
		}
		paid, err := order("T-before")
		if err != nil {
			t.Fatal(err)
		}
		if r := confirm(ann, paid, "112233"); r.Status != 200 {
			t.Fatalf("before the policy: %d %s", r.Status, r.Body)
		}

		id := block(t, adm, "merchant", s.mchid, "US")
		pr, err := order("T-during") // a regional block lets the order be placed: it has no payer yet
		if err != nil {
			t.Fatalf("a US-only block refused a new order: %v", err)
		}
		transfers, attempts, before := count("ledger_transfers"), count("pin_attempts"), wallet(ann)
		for _, pin := range []string{"112233", "000000"} {
			if r := confirm(ann, pr, pin); r.Status != 422 || r.Code() != "blocked_by_policy" {
				t.Fatalf("a US payer (pin %s): %d %s", pin, r.Status, r.Body)
			}
		}
		if got := wallet(ann); got != before || count("ledger_transfers") != transfers || count("pin_attempts") != attempts {
			t.Fatalf("a refusal changed state: balance %v→%v, transfers %d→%d, PIN attempts %d→%d", before, got,
				transfers, count("ledger_transfers"), attempts, count("pin_attempts"))
		}
		if tx, err := s.client.QueryByOutTradeNo(ctx, "T-during"); err != nil || tx.TradeState != "NOTPAY" {
			t.Fatalf("the refused order: %+v %v", tx, err)
		}
		if r := confirm(chen, pr, "112233"); r.Status != 200 || wallet(chen) != 9_000 {
			t.Fatalf("a CN payer: %d %s", r.Status, r.Body)
		}
		if rf, err := s.client.Refund(ctx, plazapay.RefundRequest{OutTradeNo: "T-before", OutRefundNo: "R-before",
			Amount: plazapay.RefundRequestAmount{Refund: 1_000, Total: 1_000}}); err != nil || rf.Status != "SUCCESS" || wallet(ann) != 10_000 {
			t.Fatalf("a refund under the block: %+v %v, ann has %v", rf, err, wallet(ann))
		}

		everywhere := block(t, adm, "merchant", s.mchid, "*")
		if _, err := order("T-everywhere"); !plazapay.IsAPIError(err, "NO_AUTH") {
			t.Fatalf("a new order under a block for every region: %v, want NO_AUTH", err)
		}
		for _, p := range []string{id, everywhere} {
			if r := adm.Do(t, "POST", "/api/v1/admin/policies/"+p+"/cancel", map[string]string{"reason": "suspended by the court"}); r.Status != 200 {
				t.Fatalf("cancel: %d %s", r.Status, r.Body)
			}
		}
		pr, err = order("T-after")
		if err != nil {
			t.Fatalf("an order after cancelling: %v", err)
		}
		if r := confirm(ann, pr, "112233"); r.Status != 200 || wallet(ann) != 9_000 {
			t.Fatalf("a US payer after cancelling: %d %s", r.Status, r.Body)
		}
		if c, _ := n.Pay.CheckLedger(ctx); !c.Balanced {
			t.Fatalf("ledger: %+v", c)
		}
	})
}
