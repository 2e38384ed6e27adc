package merchant_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// Parallel refunds of one order on two nodes: the same out_refund_no
// with different amounts, and distinct ones adding up to more than was
// paid. Every answer is the contract's (a refund, INVALID_REQUEST or
// NOT_ENOUGH), never a 5xx, and no more than the total is refunded.
func TestParallelRefundsOnTwoNodes(t *testing.T) {
	ctx := context.Background()
	db := dbtestPostgres(t)
	n1 := nodetest.Start(t, nodetest.Options{DBURL: db, Tune: fastNotify})
	n2 := nodetest.Start(t, nodetest.Options{DBURL: db, Tune: fastNotify})
	s := newShop(t, n1, "refundrace")
	ann := buyer(t, n1, "annrefund", 5_000)
	pay(t, s, ann, "RACE000001", s.notify, 1000)
	clients := []*plazapay.Client{s.client, func() *plazapay.Client { c := *s.client; c.BaseURL = n2.URL(); return &c }()}
	var mu sync.Mutex
	var refunded int64
	var wg sync.WaitGroup
	for i := range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			no, amt := fmt.Sprintf("RSAME%d", i%2), int64(1+i)
			if i%3 == 0 {
				no, amt = fmt.Sprintf("RDIFF%d", i), 300
			}
			r, err := clients[i%2].Refund(ctx, plazapay.RefundRequest{OutTradeNo: "RACE000001", OutRefundNo: no,
				Amount: plazapay.RefundRequestAmount{Refund: amt, Total: 1000}})
			var ae *plazapay.APIError
			switch {
			case err == nil:
				if r.Amount.Refund != amt {
					return // the twin's answer, counted once below
				}
			case errors.As(err, &ae) && ae.StatusCode < 500:
				return
			default:
				t.Errorf("refund %s %d: %v", no, amt, err)
				return
			}
			mu.Lock()
			refunded += amt
			mu.Unlock()
		}()
	}
	wg.Wait()
	if refunded > 1000 {
		t.Fatalf("refunded %d of an order of 1000", refunded)
	}
	for _, n := range []*node.Node{n1, n2} {
		if c, _ := n.Pay.CheckLedger(ctx); !c.Balanced {
			t.Fatalf("ledger: %+v", c)
		}
	}
}

// Closing an order while its payer pays it: the merchant is never told
// 204 (closed) about an order that ends up paid.
func TestCloseRacingPaymentNeverClosesAPaidOrder(t *testing.T) {
	ctx := context.Background()
	n := nodetest.Start(t, nodetest.Options{Tune: fastNotify})
	s := newShop(t, n, "closerace")
	bob := buyer(t, n, "bobclose", 100_000)
	for i := range 30 {
		no := fmt.Sprintf("CLOSE%05d", i)
		code, err := s.client.PrepayNative(ctx, plazapay.NativeRequest{AppID: "wx" + s.mchid, Description: "Tea",
			OutTradeNo: no, NotifyURL: s.notify, Amount: plazapay.Amount{Total: 10}})
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(code)
		var wg sync.WaitGroup
		var closeErr error
		wg.Add(2)
		go func() {
			defer wg.Done()
			bob.Do(t, "POST", "/api/v1/pay/confirm", map[string]any{"prepay_id": u.Query().Get("pr"), "pin": "112233"})
		}()
		go func() { defer wg.Done(); closeErr = s.client.Close(ctx, no) }()
		wg.Wait()
		tx, err := s.client.QueryByOutTradeNo(ctx, no)
		if err != nil {
			t.Fatal(err)
		}
		if closeErr == nil && tx.TradeState != "CLOSED" {
			t.Fatalf("order %s: close answered 204 but the order is %s", no, tx.TradeState)
		}
	}
}

// One out_trade_no placed in parallel on two nodes, with the same body and
// with others: one order, the same prepay for the twins, OUT_TRADE_NO_USED
// for the others, never a 5xx.
func TestParallelOrdersOneOutTradeNoOnTwoNodes(t *testing.T) {
	ctx := context.Background()
	db := dbtestPostgres(t)
	n1 := nodetest.Start(t, nodetest.Options{DBURL: db, Tune: fastNotify})
	n2 := nodetest.Start(t, nodetest.Options{DBURL: db, Tune: fastNotify})
	s := newShop(t, n1, "orderrace")
	clients := []*plazapay.Client{s.client, func() *plazapay.Client { c := *s.client; c.BaseURL = n2.URL(); return &c }()}
	var mu sync.Mutex
	codes := map[string]bool{}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			total := int64(100)
			if i%4 == 0 {
				total += int64(i)
			}
			code, err := clients[i%2].PrepayNative(ctx, plazapay.NativeRequest{AppID: "wx" + s.mchid, Description: "Tea",
				OutTradeNo: "SAMEORDER1", NotifyURL: s.notify, Amount: plazapay.Amount{Total: total}})
			var ae *plazapay.APIError
			switch {
			case err == nil:
				mu.Lock()
				codes[code[strings.Index(code, "pr="):]] = true
				mu.Unlock()
			case errors.As(err, &ae) && ae.Code == "OUT_TRADE_NO_USED":
			default:
				t.Errorf("order (total %d): %v", total, err)
			}
		}()
	}
	wg.Wait()
	if len(codes) != 1 {
		t.Fatalf("%d different orders for one out_trade_no: %v", len(codes), codes)
	}
}

// One signed request replayed in parallel on two nodes is served once;
// every replay is 401 SIGN_ERROR.
func TestParallelReplayOnTwoNodesServedOnce(t *testing.T) {
	db := dbtestPostgres(t)
	n1 := nodetest.Start(t, nodetest.Options{DBURL: db, Tune: fastNotify})
	n2 := nodetest.Start(t, nodetest.Options{DBURL: db, Tune: fastNotify})
	s := newShop(t, n1, "replayrace")
	uri := "/v3/pay/transactions/out-trade-no/NOSUCH0001?mchid=" + s.mchid
	a := plazapay.Authorization{MchID: s.mchid, NonceStr: plazapay.NewNonce(), Timestamp: strconv.FormatInt(time.Now().Unix(), 10), SerialNo: "5157F09EFDC096DE"}
	a.Signature, _ = plazapay.Sign(mkey(t), plazapay.RequestMessage("GET", uri, a.Timestamp, a.NonceStr, nil))
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			base := []*node.Node{n1, n2}[i%2].URL()
			req, _ := http.NewRequest("GET", base+uri, nil)
			req.Header.Set("Authorization", a.String())
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			var e struct{ Code string }
			json.NewDecoder(resp.Body).Decode(&e)
			resp.Body.Close()
			mu.Lock()
			statuses[resp.StatusCode]++
			mu.Unlock()
			if resp.StatusCode == 401 && e.Code != "SIGN_ERROR" {
				t.Errorf("401 %s", e.Code)
			}
		}()
	}
	wg.Wait()
	if statuses[404] != 1 || statuses[401] != 15 {
		t.Fatalf("statuses %v: want one 404 (served) and 15 401", statuses)
	}
}
