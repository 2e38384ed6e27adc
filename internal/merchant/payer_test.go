package merchant_test

import (
	"context"
	"net/url"
	"sync"
	"testing"

	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// L2: two payers (and one payer twice) confirm one order at once through
// two nodes on one PostgreSQL: one payment is made; the payer's other
// request gets the same transaction, the other payer 409 conflict, and
// nobody a 500.
func TestTwoPayersOfOneOrderAtOnce(t *testing.T) {
	ctx := context.Background()
	db := dbtestPostgres(t)
	n1 := nodetest.Start(t, nodetest.Options{DBURL: db, Tune: fastNotify})
	n2 := nodetest.Start(t, nodetest.Options{DBURL: db, Tune: fastNotify})
	s := newShop(t, n1, "racers")
	ann := buyer(t, n1, "ann", 5_000)
	ben := buyer(t, n2, "ben", 5_000)
	for round := range 3 {
		no := "RACE000000" + string(rune('0'+round))
		code, err := s.client.PrepayNative(ctx, plazapay.NativeRequest{AppID: "wx" + s.mchid, Description: "Tea", OutTradeNo: no,
			NotifyURL: s.notify, Amount: plazapay.Amount{Total: 100}})
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(code)
		pr := u.Query().Get("pr")
		annOn2 := &nodetest.Client{Base: n2.URL(), Token: ann.Token, HTTP: ann.HTTP}
		benOn1 := &nodetest.Client{Base: n1.URL(), Token: ben.Token, HTTP: ben.HTTP}
		payers := []*nodetest.Client{ann, ben, annOn2, benOn1, ann, ben}
		answers := make([]*nodetest.Response, len(payers))
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, c := range payers {
			wg.Go(func() {
				<-start
				answers[i] = c.Do(t, "POST", "/api/v1/pay/confirm", map[string]any{"prepay_id": pr, "pin": "112233"})
			})
		}
		close(start)
		wg.Wait()
		paidBy := map[string]string{} // payer token → transaction id
		for i, r := range answers {
			switch {
			case r.Status == 200:
				if prev, ok := paidBy[payers[i].Token]; ok && prev != r.Str("transaction.id") {
					t.Fatalf("one payer, two transactions: %s %s", prev, r.Str("transaction.id"))
				}
				paidBy[payers[i].Token] = r.Str("transaction.id")
			case r.Status == 409 && r.Code() == "conflict":
			default:
				t.Fatalf("round %d payer %d: %d %s", round, i, r.Status, r.Body)
			}
		}
		if len(paidBy) != 1 {
			t.Fatalf("round %d: %d payers were answered 200, want 1", round, len(paidBy))
		}
		if tx, err := s.client.QueryByOutTradeNo(ctx, no); err != nil || tx.TradeState != "SUCCESS" {
			t.Fatalf("order: %+v %v", tx, err)
		}
	}
	if got := n1.Pay; got != nil {
		c, err := got.CheckLedger(ctx)
		if err != nil || !c.Balanced || !c.Reconciled {
			t.Fatalf("ledger: %+v %v", c, err)
		}
	}
	var annB, benB int64
	for _, b := range ann.Do(t, "GET", "/api/v1/wallet", nil).Get("balances").([]any) {
		annB = int64(b.(map[string]any)["amount"].(float64))
	}
	for _, b := range ben.Do(t, "GET", "/api/v1/wallet", nil).Get("balances").([]any) {
		benB = int64(b.(map[string]any)["amount"].(float64))
	}
	if annB+benB != 10_000-300 {
		t.Fatalf("ann %d + ben %d: want 9700 (three orders of 100 paid once each)", annB, benB)
	}
}
