package store_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/examples/store"
	"github.com/plaza-dev/plaza/internal/demo"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// The store's whole path without a browser: the demo publishes the store,
// a user logs in to it (code → jscode2session), checks out, the host checks
// the payment request, the user confirms with the PIN, and the backend
// marks the order paid from a verified notification.
func TestCheckoutPaidByVerifiedNotification(t *testing.T) {
	ctx := context.Background()
	n := nodetest.Start(t, nodetest.Options{})
	dir := t.TempDir()
	if err := demo.Seed(ctx, demo.Services{Accounts: n.Accounts, Chat: n.Chat, Pay: n.Pay, Merchant: n.Merchant, MiniApps: n.MiniApps,
		DataDir: dir, URL: n.URL()}); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.Load(demo.StoreConfig(dir), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	s.SetAddr(ln.Addr().String())
	srv := &http.Server{Handler: s.Handler()}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	backend := "http://" + s.Addr()

	alice := nodetest.NewClient(n.URL())
	alice.Token = alice.Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": "alice", "password": demo.Password}).Str("token")
	appid := s.AppID()
	code := alice.Do(t, "POST", "/api/v1/miniapps/"+appid+"/code", nil).Str("code")
	call := func(path, token string, body any) map[string]any {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", backend+path, strings.NewReader(string(b)))
		if body == nil {
			req, _ = http.NewRequest("GET", backend+path, nil)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return out
	}
	login := call("/api/login", "", map[string]string{"code": code})
	token, _ := login["token"].(string)
	if token == "" {
		t.Fatalf("login: %v", login)
	}
	co := call("/api/checkout", token, map[string]any{"items": []map[string]any{{"id": "buds", "qty": 2}, {"id": "charger", "qty": 1}}})
	payment, _ := co["payment"].(map[string]any)
	if payment == nil {
		t.Fatalf("checkout: %v", co)
	}
	pr := alice.Do(t, "POST", "/api/v1/miniapps/"+appid+"/payment-request", payment)
	if pr.Status != 200 || pr.Get("amount.amount").(float64) != 2*39900+14900 {
		t.Fatalf("payment request: %d %s", pr.Status, pr.Body)
	}
	if r := alice.Do(t, "POST", "/api/v1/pay/confirm", map[string]any{"prepay_id": pr.Str("prepay_id"), "pin": demo.PIN}); r.Status != 200 {
		t.Fatalf("confirm: %d %s", r.Status, r.Body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		orders := call("/api/orders", token, nil)["orders"].([]any)
		o := orders[0].(map[string]any)
		if o["status"] == "paid" && o["verified_notification"] == true {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the order was never marked paid: %v", o)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
