package merchant_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

var (
	keyOnce     sync.Once
	merchantKey *rsa.PrivateKey
)

func mkey(t *testing.T) *rsa.PrivateKey {
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		merchantKey = k
	})
	return merchantKey
}

const apiV3Key = "0123456789abcdefghijklmnopqrstuv"

// shop is a merchant with credentials, a bound app, a notification
// endpoint, and a plazapay client.
type shop struct {
	client *plazapay.Client
	mchid  string
	owner  *nodetest.Client
	events chan map[string]any
	fail   atomic.Int32 // answer this many notifications with 500 first
	notify string
}

func newShop(t *testing.T, n *node.Node, owner string) *shop {
	t.Helper()
	return newShopNamed(t, n, owner, "Tea House")
}

// newShopNamed is newShop for a merchant of that name.
func newShopNamed(t *testing.T, n *node.Node, owner, name string) *shop {
	t.Helper()
	o := nodetest.Signup(t, n.URL(), owner)
	r := o.Do(t, "POST", "/api/v1/merchants", map[string]any{"name": name, "region": "CN"})
	if r.Status != 201 {
		t.Fatalf("merchant: %d %s", r.Status, r.Body)
	}
	mchid := r.Str("merchant.mchid")
	pubPEM, _ := plazapay.PublicKeyPEM(&mkey(t).PublicKey)
	if r := o.Do(t, "PUT", "/api/v1/merchants/"+mchid+"/credentials", map[string]any{"public_key_pem": string(pubPEM), "serial_no": "5157F09EFDC096DE", "apiv3_key": apiV3Key}); r.Status != 204 {
		t.Fatalf("credentials: %d %s", r.Status, r.Body)
	}
	if r := o.Do(t, "POST", "/api/v1/merchants/"+mchid+"/apps", map[string]any{"appid": "wx" + mchid}); r.Status != 201 {
		t.Fatalf("bind: %d %s", r.Status, r.Body)
	}
	pk := o.Do(t, "GET", "/api/v1/merchants/"+mchid+"/platform-key", nil)
	platform, err := plazapay.ParsePublicKeyPEM([]byte(pk.Str("public_key_pem")))
	if err != nil || !strings.HasPrefix(pk.Str("public_key_id"), "PUB_KEY_ID_") {
		t.Fatalf("platform key: %v %s", err, pk.Body)
	}
	s := &shop{mchid: mchid, owner: o, events: make(chan map[string]any, 100)}
	s.client, err = plazapay.NewClient(plazapay.Config{BaseURL: n.URL(), MchID: mchid, SerialNo: "5157F09EFDC096DE", PrivateKey: mkey(t),
		PlatformKey: platform, PlatformKeyID: pk.Str("public_key_id"), APIv3Key: apiV3Key})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.fail.Add(-1) >= 0 {
			http.Error(w, `{"code":"FAIL","message":"busy"}`, 500)
			return
		}
		env, plain, err := s.client.ParseNotification(r)
		if err != nil {
			t.Errorf("notification: %v", err)
			http.Error(w, `{"code":"FAIL"}`, 400)
			return
		}
		var m map[string]any
		json.Unmarshal(plain, &m)
		m["event_type"] = env.EventType
		s.events <- m
		w.WriteHeader(204)
	}))
	t.Cleanup(srv.Close)
	s.notify = srv.URL + "/notify"
	return s
}

func (s *shop) next(t *testing.T, event string) map[string]any {
	t.Helper()
	for {
		select {
		case m := <-s.events:
			if m["event_type"] == event {
				return m
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no %s notification", event)
		}
	}
}

func buyer(t *testing.T, n *node.Node, name string, money int64) *nodetest.Client {
	c := nodetest.Signup(t, n.URL(), name)
	c.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": "112233", "password": "correct horse"})
	c.Do(t, "POST", "/api/v1/wallet/topups", map[string]any{"amount": money, "currency": "CNY"}, "Idempotency-Key", "seed")
	return c
}

func fastNotify(c *node.Config) {
	c.Test.NotifyEvery = 20 * time.Millisecond
	c.Test.NotifyRetry = []time.Duration{50 * time.Millisecond, 50 * time.Millisecond, 50 * time.Millisecond}
}

func TestNativeOrderPaidNotifiedRefunded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	nodetest.Run(t, nodetest.Options{Tune: fastNotify}, func(t *testing.T, n *node.Node) {
		s := newShop(t, n, "teahouse")
		ann := buyer(t, n, "ann", 10_000)
		codeURL, err := s.client.PrepayNative(ctx, plazapay.NativeRequest{AppID: "wx" + s.mchid, Description: "Oolong 250g",
			OutTradeNo: "T20261125001", NotifyURL: s.notify, Attach: "table=7", Amount: plazapay.Amount{Total: 3_800}})
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(codeURL)
		pr := u.Query().Get("pr")
		if u.Path != "/pay" || pr == "" {
			t.Fatalf("code_url %s", codeURL)
		}
		p := ann.Do(t, "GET", "/api/v1/pay/prepay/"+pr, nil)
		if p.Str("merchant.name") != "Tea House" || p.Get("amount.amount").(float64) != 3_800 || p.Str("trade_state") != "NOTPAY" {
			t.Fatalf("prepay: %s", p.Body)
		}
		if r := ann.Do(t, "POST", "/api/v1/pay/confirm", map[string]any{"prepay_id": pr, "pin": "000000"}); r.Code() != "wrong_pin" {
			t.Fatalf("wrong PIN: %d %s", r.Status, r.Body)
		}
		first := ann.Do(t, "POST", "/api/v1/pay/confirm", map[string]any{"prepay_id": pr, "pin": "112233"})
		if first.Status != 200 {
			t.Fatalf("confirm: %d %s", first.Status, first.Body)
		}
		// A retry gets the first result and pays nothing more.
		if r := ann.Do(t, "POST", "/api/v1/pay/confirm", map[string]any{"prepay_id": pr, "pin": "112233"}); r.Status != 200 || r.Str("transaction.id") != first.Str("transaction.id") {
			t.Fatalf("retrying the confirmation: %d %s", r.Status, r.Body)
		}
		tx, err := s.client.QueryByOutTradeNo(ctx, "T20261125001")
		if err != nil || tx.TradeState != "SUCCESS" || tx.TransactionID == "" || tx.Attach != "table=7" || tx.Amount.PayerTotal != 3_800 {
			t.Fatalf("query: %+v %v", tx, err)
		}
		ev := s.next(t, "TRANSACTION.SUCCESS")
		if ev["trade_state"] != "SUCCESS" || ev["out_trade_no"] != "T20261125001" || ev["transaction_id"] != tx.TransactionID {
			t.Fatalf("notification: %v", ev)
		}
		byID, err := s.client.QueryByID(ctx, tx.TransactionID)
		if err != nil || byID.OutTradeNo != "T20261125001" {
			t.Fatalf("query by id: %+v %v", byID, err)
		}
		// Refunds: partial, a retry, the rest, then one too many.
		rf, err := s.client.Refund(ctx, plazapay.RefundRequest{OutTradeNo: "T20261125001", OutRefundNo: "R1",
			Amount: plazapay.RefundRequestAmount{Refund: 1_000, Total: 3_800}})
		if err != nil || rf.Status != "SUCCESS" || rf.Amount.Refund != 1_000 {
			t.Fatalf("refund: %+v %v", rf, err)
		}
		again, err := s.client.Refund(ctx, plazapay.RefundRequest{OutTradeNo: "T20261125001", OutRefundNo: "R1",
			Amount: plazapay.RefundRequestAmount{Refund: 1_000, Total: 3_800}})
		if err != nil || again.RefundID != rf.RefundID {
			t.Fatalf("refund retry: %+v %v", again, err)
		}
		if _, err := s.client.Refund(ctx, plazapay.RefundRequest{TransactionID: tx.TransactionID, OutRefundNo: "R2",
			Amount: plazapay.RefundRequestAmount{Refund: 2_801, Total: 3_800}}); !plazapay.IsAPIError(err, "INVALID_REQUEST") {
			t.Fatalf("over-refund: %v", err)
		}
		if _, err := s.client.Refund(ctx, plazapay.RefundRequest{TransactionID: tx.TransactionID, OutRefundNo: "R2",
			Amount: plazapay.RefundRequestAmount{Refund: 2_800, Total: 3_800}}); err != nil {
			t.Fatalf("the rest: %v", err)
		}
		if ev := s.next(t, "REFUND.SUCCESS"); ev["refund_status"] != "SUCCESS" || ev["out_refund_no"] == nil {
			t.Fatalf("refund notification: %v", ev)
		}
		q, err := s.client.QueryRefund(ctx, "R2")
		if err != nil || q.Status != "SUCCESS" {
			t.Fatalf("refund query: %+v %v", q, err)
		}
		if tx, _ := s.client.QueryByOutTradeNo(ctx, "T20261125001"); tx.TradeState != "REFUND" {
			t.Fatalf("after refunds: %s", tx.TradeState)
		}
		w := ann.Do(t, "GET", "/api/v1/wallet", nil)
		if b := w.Get("balances").([]any)[0].(map[string]any)["amount"].(float64); b != 10_000 {
			t.Fatalf("ann has %v after a full refund", b)
		}
		if c, _ := n.Pay.CheckLedger(ctx); !c.Balanced {
			t.Fatalf("ledger: %+v", c)
		}
	})
}

// raw sends a hand-signed request, to break the signature in one way.
func raw(t *testing.T, n *node.Node, s *shop, method, uri, body string, mutate func(a *plazapay.Authorization, body *string)) (int, string) {
	t.Helper()
	a := plazapay.Authorization{MchID: s.mchid, NonceStr: plazapay.NewNonce(), Timestamp: strconv.FormatInt(time.Now().Unix(), 10), SerialNo: "5157F09EFDC096DE"}
	sig, _ := plazapay.Sign(mkey(t), plazapay.RequestMessage(method, uri, a.Timestamp, a.NonceStr, []byte(body)))
	a.Signature = sig
	sent := body
	if mutate != nil {
		mutate(&a, &sent)
	}
	req, _ := http.NewRequest(method, n.URL()+uri, strings.NewReader(sent))
	req.Header.Set("Authorization", a.String())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct{ Code string }
	json.NewDecoder(resp.Body).Decode(&e)
	return resp.StatusCode, e.Code
}

func TestMerchantAPIRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	nodetest.Run(t, nodetest.Options{Tune: fastNotify}, func(t *testing.T, n *node.Node) {
		s := newShop(t, n, "shopone")
		other := newShop(t, n, "shoptwo")
		order := `{"appid":"wx` + s.mchid + `","mchid":"` + s.mchid + `","description":"Tea","out_trade_no":"SIG0000001","notify_url":"http://127.0.0.1:1/n","amount":{"total":100}}` + "\n"
		cases := []struct {
			name   string
			mutate func(a *plazapay.Authorization, body *string)
			status int
			code   string
		}{
			{"tampered_body", func(a *plazapay.Authorization, b *string) { *b = strings.Replace(*b, "100", "1", 1) }, 401, "SIGN_ERROR"},
			{"no_trailing_newline", func(a *plazapay.Authorization, b *string) { *b = strings.TrimSuffix(*b, "\n") }, 401, "SIGN_ERROR"},
			{"stale_timestamp", func(a *plazapay.Authorization, b *string) {
				a.Timestamp = strconv.FormatInt(time.Now().Add(-6*time.Minute).Unix(), 10)
			}, 401, "SIGN_ERROR"},
			{"wrong_serial", func(a *plazapay.Authorization, b *string) { a.SerialNo = "ABCDEF" }, 401, "SIGN_ERROR"},
			{"unknown_merchant", func(a *plazapay.Authorization, b *string) { a.MchID = "1999999999" }, 401, "SIGN_ERROR"},
			{"garbage_signature", func(a *plazapay.Authorization, b *string) { a.Signature = "bm90IGEgc2lnbmF0dXJl" }, 401, "SIGN_ERROR"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				status, code := raw(t, n, s, "POST", "/v3/pay/transactions/native", order, tc.mutate)
				if status != tc.status || code != tc.code {
					t.Fatalf("got %d %s, want %d %s", status, code, tc.status, tc.code)
				}
			})
		}
		t.Run("replayed_nonce", func(t *testing.T) {
			nonce := plazapay.NewNonce()
			fix := func(a *plazapay.Authorization, b *string) {
				a.NonceStr = nonce
				a.Signature, _ = plazapay.Sign(mkey(t), plazapay.RequestMessage("POST", "/v3/pay/transactions/native", a.Timestamp, nonce, []byte(*b)))
			}
			if status, code := raw(t, n, s, "POST", "/v3/pay/transactions/native", order, fix); status != 200 {
				t.Fatalf("first: %d %s", status, code)
			}
			if status, code := raw(t, n, s, "POST", "/v3/pay/transactions/native", order, fix); status != 401 || code != "SIGN_ERROR" {
				t.Fatalf("replay: %d %s", status, code)
			}
		})
		t.Run("serial_in_lower_case_is_the_same_serial", func(t *testing.T) {
			lower := strings.Replace(order, "SIG0000001", "SIG0000003", 1)
			fix := func(a *plazapay.Authorization, b *string) { a.SerialNo = strings.ToLower(a.SerialNo) }
			if status, code := raw(t, n, s, "POST", "/v3/pay/transactions/native", lower, fix); status != 200 {
				t.Fatalf("lower-case serial: %d %s, want 200", status, code)
			}
		})
		t.Run("same_out_trade_no_other_amount", func(t *testing.T) {
			_, err := s.client.PrepayNative(ctx, plazapay.NativeRequest{AppID: "wx" + s.mchid, Description: "Tea", OutTradeNo: "SIG0000001",
				NotifyURL: "http://127.0.0.1:1/n", Amount: plazapay.Amount{Total: 999}})
			if !plazapay.IsAPIError(err, "OUT_TRADE_NO_USED") {
				t.Fatalf("%v", err)
			}
		})
		t.Run("another_merchants_order", func(t *testing.T) {
			if _, err := other.client.QueryByOutTradeNo(ctx, "SIG0000001"); !plazapay.IsAPIError(err, "ORDER_NOT_EXIST") {
				t.Fatalf("%v", err)
			}
		})
		t.Run("app_not_bound", func(t *testing.T) {
			_, err := s.client.PrepayNative(ctx, plazapay.NativeRequest{AppID: "wx" + other.mchid, Description: "Tea", OutTradeNo: "SIG0000002",
				NotifyURL: "http://127.0.0.1:1/n", Amount: plazapay.Amount{Total: 100}})
			if !plazapay.IsAPIError(err, "APPID_MCHID_NOT_MATCH") {
				t.Fatalf("%v", err)
			}
		})
		t.Run("bad_fields", func(t *testing.T) {
			for _, req := range []plazapay.NativeRequest{
				{AppID: "wx" + s.mchid, Description: "Tea", OutTradeNo: "x", NotifyURL: "http://a/n", Amount: plazapay.Amount{Total: 1}},
				{AppID: "wx" + s.mchid, Description: "Tea", OutTradeNo: "BAD0000001", NotifyURL: "http://a/n", Amount: plazapay.Amount{Total: -5}},
				{AppID: "wx" + s.mchid, Description: "Tea", OutTradeNo: "BAD0000002", NotifyURL: "http://a/n", TimeExpire: "20260101120000", Amount: plazapay.Amount{Total: 5}},
				{AppID: "wx" + s.mchid, Description: "Tea", OutTradeNo: "BAD0000003", NotifyURL: "http://a/n", Amount: plazapay.Amount{Total: 5, Currency: "XYZ"}},
			} {
				if _, err := s.client.PrepayNative(ctx, req); !plazapay.IsAPIError(err, "PARAM_ERROR") {
					t.Fatalf("%+v: %v", req, err)
				}
			}
		})
		t.Run("closed_order_cannot_be_paid", func(t *testing.T) {
			code, err := s.client.PrepayNative(ctx, plazapay.NativeRequest{AppID: "wx" + s.mchid, Description: "Tea", OutTradeNo: "CLOSE00001",
				NotifyURL: "http://127.0.0.1:1/n", Amount: plazapay.Amount{Total: 100}})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.client.Close(ctx, "CLOSE00001"); err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(code)
			bob := buyer(t, n, "bob", 1_000)
			if r := bob.Do(t, "POST", "/api/v1/pay/confirm", map[string]any{"prepay_id": u.Query().Get("pr"), "pin": "112233"}); r.Code() != "order_closed" {
				t.Fatalf("paying a closed order: %d %s", r.Status, r.Body)
			}
			if tx, _ := s.client.QueryByOutTradeNo(ctx, "CLOSE00001"); tx.TradeState != "CLOSED" {
				t.Fatalf("state %s", tx.TradeState)
			}
		})
		t.Run("refund_of_unpaid", func(t *testing.T) {
			if _, err := s.client.Refund(ctx, plazapay.RefundRequest{OutTradeNo: "SIG0000001", OutRefundNo: "RX", Amount: plazapay.RefundRequestAmount{Refund: 1, Total: 100}}); !plazapay.IsAPIError(err, "INVALID_REQUEST") {
				t.Fatalf("%v", err)
			}
		})
		if c, _ := n.Pay.CheckLedger(ctx); !c.Balanced {
			t.Fatalf("ledger: %+v", c)
		}
	})
}

// A merchant endpoint that fails is retried until it answers 2xx, and
// the log shows every attempt.
func TestNotificationsAreRetried(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	nodetest.Run(t, nodetest.Options{Tune: fastNotify}, func(t *testing.T, n *node.Node) {
		s := newShop(t, n, "retryshop")
		s.fail.Store(2)
		code, err := s.client.PrepayNative(ctx, plazapay.NativeRequest{AppID: "wx" + s.mchid, Description: "Tea", OutTradeNo: "RETRY00001",
			NotifyURL: s.notify, Amount: plazapay.Amount{Total: 500}})
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(code)
		bob := buyer(t, n, "bob", 1_000)
		if r := bob.Do(t, "POST", "/api/v1/pay/confirm", map[string]any{"prepay_id": u.Query().Get("pr"), "pin": "112233"}); r.Status != 200 {
			t.Fatalf("confirm: %d %s", r.Status, r.Body)
		}
		s.next(t, "TRANSACTION.SUCCESS")
		var log *nodetest.Response
		t.Cleanup(func() {
			if t.Failed() && log != nil {
				t.Logf("log: %s", log.Body)
			}
		})
		nodetest.WaitFor(t, 5*time.Second, func() bool {
			log = s.owner.Do(t, "GET", "/api/v1/merchants/"+s.mchid+"/notifications", nil)
			item := log.Get("items").([]any)[0].(map[string]any)
			return item["status"] == "delivered" && item["attempts"].(float64) == 3 && item["last_status"].(float64) == 204
		})
	})
}

func other(t *testing.T, n *node.Node) *shop { return newShop(t, n, "othershop") }

// A JSAPI order names its payer by openid under the app: only that user
// sees and pays it.
func TestJSAPIOrderIsForItsPayer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		s := newShop(t, n, "jsapishop")
		ann := buyer(t, n, "ann", 5_000)
		ben := buyer(t, n, "ben", 5_000)
		annID := ann.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
		openid := n.Merchant.OpenID("wx"+s.mchid, annID)
		if other := n.Merchant.OpenID("wxother", annID); other == openid {
			t.Fatal("openids are the same in two apps")
		}
		prepay, err := s.client.PrepayJSAPI(ctx, plazapay.JSAPIRequest{AppID: "wx" + s.mchid, Description: "Tea", OutTradeNo: "JSAPI00001",
			NotifyURL: s.notify, Amount: plazapay.Amount{Total: 700}, Payer: plazapay.Payer{OpenID: openid}})
		if err != nil {
			t.Fatal(err)
		}
		if r := ben.Do(t, "GET", "/api/v1/pay/prepay/"+prepay, nil); r.Status != 404 {
			t.Fatalf("ben saw ann's order: %d", r.Status)
		}
		if r := ben.Do(t, "POST", "/api/v1/pay/confirm", map[string]any{"prepay_id": prepay, "pin": "112233"}); r.Status != 404 {
			t.Fatalf("ben paid ann's order: %d %s", r.Status, r.Body)
		}
		if r := ann.Do(t, "POST", "/api/v1/pay/confirm", map[string]any{"prepay_id": prepay, "pin": "112233"}); r.Status != 200 {
			t.Fatalf("ann: %d %s", r.Status, r.Body)
		}
		tx, err := s.client.QueryByOutTradeNo(ctx, "JSAPI00001")
		if err != nil || tx.TradeState != "SUCCESS" || tx.Payer == nil || tx.Payer.OpenID != openid || tx.TradeType != "JSAPI" {
			t.Fatalf("%+v %v", tx, err)
		}
		if _, err := s.client.PrepayJSAPI(ctx, plazapay.JSAPIRequest{AppID: "wx" + s.mchid, Description: "Tea", OutTradeNo: "JSAPI00002",
			NotifyURL: s.notify, Amount: plazapay.Amount{Total: 700}}); !plazapay.IsAPIError(err, "PARAM_ERROR") {
			t.Fatalf("a JSAPI order without payer: %v", err)
		}
	})
}

// Two nodes on one PostgreSQL: a merchant set up through one is served
// by the other, signatures verify against the shared platform key, and a
// payment made through one node is seen and notified by either.
func TestMerchantAPIAcrossTwoNodes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtestPostgres(t)
	n1 := nodetest.Start(t, nodetest.Options{DBURL: db, Tune: fastNotify})
	n2 := nodetest.Start(t, nodetest.Options{DBURL: db, Tune: fastNotify})
	if n1.Merchant.PlatformKeyID() != n2.Merchant.PlatformKeyID() {
		t.Fatal("the nodes sign with different platform keys")
	}
	s := newShop(t, n1, "twonodes")
	on2 := *s.client
	on2.BaseURL = n2.URL()
	code, err := on2.PrepayNative(ctx, plazapay.NativeRequest{AppID: "wx" + s.mchid, Description: "Tea", OutTradeNo: "TWO0000001",
		NotifyURL: s.notify, Amount: plazapay.Amount{Total: 900}})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(code)
	ann := buyer(t, n1, "ann", 5_000)
	if r := ann.Do(t, "POST", "/api/v1/pay/confirm", map[string]any{"prepay_id": u.Query().Get("pr"), "pin": "112233"}); r.Status != 200 {
		t.Fatalf("confirm on node 1: %d %s", r.Status, r.Body)
	}
	if tx, err := on2.QueryByOutTradeNo(ctx, "TWO0000001"); err != nil || tx.TradeState != "SUCCESS" {
		t.Fatalf("node 2: %+v %v", tx, err)
	}
	s.next(t, "TRANSACTION.SUCCESS")
}

func dbtestPostgres(t *testing.T) string { return dbtest.PostgresURL(t) }
