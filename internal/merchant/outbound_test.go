package merchant_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// privateRefused is a node with the production default: notify_urls may
// not reach loopback or private addresses.
func privateRefused(c *node.Config) {
	fastNotify(c)
	c.AllowPrivateOutbound = false
}

// pay places a Native order for s with notifyURL and has buyer pay it.
func pay(t *testing.T, s *shop, buyer *nodetest.Client, no, notifyURL string, total int64) {
	t.Helper()
	code, err := s.client.PrepayNative(context.Background(), plazapay.NativeRequest{AppID: "wx" + s.mchid, Description: "Tea",
		OutTradeNo: no, NotifyURL: notifyURL, Amount: plazapay.Amount{Total: total}})
	if err != nil {
		t.Fatalf("order %s: %v", no, err)
	}
	u, _ := url.Parse(code)
	if r := buyer.Do(t, "POST", "/api/v1/pay/confirm", map[string]any{"prepay_id": u.Query().Get("pr"), "pin": "112233"}); r.Status != 200 {
		t.Fatalf("confirm %s: %d %s", no, r.Status, r.Body)
	}
}

// wantParamError asserts WeChat's 400 PARAM_ERROR body about notify_url.
func wantParamError(t *testing.T, what string, err error) {
	t.Helper()
	ae, ok := err.(*plazapay.APIError)
	if !ok {
		t.Fatalf("%s: %v, want 400 PARAM_ERROR", what, err)
	}
	var detail struct{ Field, Location string }
	json.Unmarshal(ae.Detail, &detail)
	if ae.StatusCode != 400 || ae.Code != "PARAM_ERROR" || ae.Message == "" || detail.Field != "/notify_url" || detail.Location != "body" {
		t.Fatalf("%s: %d %s", what, ae.StatusCode, ae.Body)
	}
}

// logEntry waits until the newest notification of s matches ok.
func logEntry(t *testing.T, s *shop, within time.Duration, ok func(map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		log := s.owner.Do(t, "GET", "/api/v1/merchants/"+s.mchid+"/notifications", nil)
		if items, _ := log.Get("items").([]any); len(items) > 0 {
			if item := items[0].(map[string]any); ok(item) {
				return item
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("notification log: %s", log.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func attempted(item map[string]any) bool { return item["attempts"].(float64) >= 1 }

// M3: notify_urls of orders and refunds are absolute http(s) URLs; without
// --allow-private-outbound a literal non-public address is refused at once.
func TestNotifyURLsRefusedAtCreation(t *testing.T) {
	ctx := context.Background()
	n := nodetest.Start(t, nodetest.Options{Tune: privateRefused})
	s := newShop(t, n, "ssrfshop")
	bad := []string{
		s.notify, // http://127.0.0.1:PORT/notify
		"http://127.0.0.1:22/",
		"http://0.0.0.0:8080/n",
		"http://[::]/n",
		"http://[::1]:8080/n",
		"http://[::ffff:127.0.0.1]/n",
		"http://169.254.169.254/latest/meta-data/",
		"http://[fe80::1%25eth0]/n",
		"http://10.0.0.1/n",
		"http://192.168.1.1/n",
		"http://100.64.0.1/n",
		"file:///etc/passwd",
		"gopher://shop.example.com:70/_GET",
		"javascript:alert(1)",
		"ftp://shop.example.com/n",
		"http:///n",
		"http://user:pass@shop.example.com/n",
		"http://127.1/n",
		"https://shop.example.com/" + strings.Repeat("n", 240),
	}
	for i, u := range bad {
		_, err := s.client.PrepayNative(ctx, plazapay.NativeRequest{AppID: "wx" + s.mchid, Description: "Tea",
			OutTradeNo: "SSRF" + strconv.Itoa(100000+i), NotifyURL: u, Amount: plazapay.Amount{Total: 100}})
		wantParamError(t, "order notify_url "+u, err)
	}
	// A host name is accepted here and checked when dialled.
	ann := buyer(t, n, "ann", 10_000)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(strings.TrimSuffix(s.notify, "/notify"), "http://"))
	pay(t, s, ann, "SSRFOK0001", "http://localhost:"+port+"/notify", 500)
	for i, u := range bad {
		_, err := s.client.Refund(ctx, plazapay.RefundRequest{OutTradeNo: "SSRFOK0001", OutRefundNo: "RS" + strconv.Itoa(i),
			NotifyURL: u, Amount: plazapay.RefundRequestAmount{Refund: 10, Total: 500}})
		wantParamError(t, "refund notify_url "+u, err)
	}
	if tx, _ := s.client.QueryByOutTradeNo(ctx, "SSRFOK0001"); tx.TradeState != "SUCCESS" {
		t.Fatalf("a refused refund changed the order: %s", tx.TradeState)
	}
	if _, err := s.client.Refund(ctx, plazapay.RefundRequest{OutTradeNo: "SSRFOK0001", OutRefundNo: "RSOK",
		NotifyURL: "https://shop.example.com/refunds", Amount: plazapay.RefundRequestAmount{Refund: 10, Total: 500}}); err != nil {
		t.Fatalf("a public refund notify_url: %v", err)
	}
}

// M3: a host name that resolves to loopback is refused when dialled, and
// the merchant's log says only that.
func TestNotificationToLoopbackNameRefusedWhenDialled(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{Tune: privateRefused})
	s := newShop(t, n, "rebindshop")
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1); w.WriteHeader(204) }))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	pay(t, s, buyer(t, n, "ann", 1_000), "REBIND0001", "http://localhost:"+port+"/notify", 100)
	item := logEntry(t, s, 5*time.Second, attempted)
	if item["last_error"] != "refused: address not allowed" || item["last_status"].(float64) != 0 {
		t.Fatalf("log entry: %v", item)
	}
	if hits.Load() != 0 {
		t.Fatalf("the loopback server got %d notifications", hits.Load())
	}
}

// M3: the notification log tells the merchant nothing about the network
// behind Plaza: no address, port or error text.
func TestNotificationLogShowsOnlyOutcomes(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{Tune: fastNotify})
	s := newShop(t, n, "scanshop")
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := closed.Addr().String()
	closed.Close()
	_, port, _ := net.SplitHostPort(addr)
	pay(t, s, buyer(t, n, "ann", 1_000), "SCAN000001", "http://"+addr+"/n", 100)
	item := logEntry(t, s, 5*time.Second, attempted)
	e, _ := item["last_error"].(string)
	if e != "connection failed" || strings.Contains(e, port) || strings.Contains(e, "127.0.0.1") || strings.Contains(e, "dial") {
		t.Fatalf("last_error %q", e)
	}
}

// M3: a redirect is the merchant's answer, not an instruction: its target
// sees nothing and the attempt failed.
func TestNotificationRedirectNotFollowed(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{Tune: fastNotify})
	s := newShop(t, n, "redirshop")
	var targetHits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { targetHits.Add(1); w.WriteHeader(204) }))
	t.Cleanup(target.Close)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/admin", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirect.Close)
	pay(t, s, buyer(t, n, "ann", 1_000), "REDIR00001", redirect.URL+"/n", 100)
	item := logEntry(t, s, 5*time.Second, attempted)
	if item["status"] == "delivered" || item["last_status"].(float64) != 307 || item["last_error"] != "HTTP 307 (redirects are not followed)" {
		t.Fatalf("log entry: %v", item)
	}
	if targetHits.Load() != 0 {
		t.Fatalf("the redirect's target got %d requests", targetHits.Load())
	}
}

// M4: a merchant whose server hangs does not hold up another merchant's
// notifications, and never has more than two deliveries in flight.
func TestHangingMerchantDoesNotStallOthers(t *testing.T) {
	for _, pg := range []bool{false, true} {
		t.Run(map[bool]string{false: "sqlite", true: "postgres"}[pg], func(t *testing.T) {
			n := nodetest.Start(t, nodetest.Options{Postgres: pg, Tune: fastNotify})
			slow, quick := newShop(t, n, "slowshop"), newShop(t, n, "quickshop")
			var inFlight, most atomic.Int32
			release := make(chan struct{})
			hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				k := inFlight.Add(1)
				defer inFlight.Add(-1)
				for m := most.Load(); k > m && !most.CompareAndSwap(m, k); m = most.Load() {
				}
				select { // until Plaza gives up, or the test ends
				case <-r.Context().Done():
				case <-release:
				}
			}))
			t.Cleanup(hang.Close)
			t.Cleanup(func() { close(release) })
			ann := buyer(t, n, "ann", 100_000)
			for i := range 20 {
				pay(t, slow, ann, "HANG"+strconv.Itoa(100000+i), hang.URL+"/n", 1)
			}
			// The slow merchant's deliveries are under way.
			deadline := time.Now().Add(5 * time.Second)
			for inFlight.Load() < 2 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			paid := time.Now()
			pay(t, quick, ann, "QUICK00001", quick.notify, 100)
			select {
			case ev := <-quick.events:
				if ev["out_trade_no"] != "QUICK00001" {
					t.Fatalf("notification %v", ev)
				}
				t.Logf("the other merchant's notification arrived %v after payment", time.Since(paid).Round(time.Millisecond))
			case <-time.After(3 * time.Second):
				t.Fatalf("the other merchant's notification did not arrive within 3 s (the slow one has %d in flight)", inFlight.Load())
			}
			if m := most.Load(); m > 2 {
				t.Fatalf("the slow merchant had %d deliveries in flight at once, want at most 2", m)
			}
		})
	}
}
