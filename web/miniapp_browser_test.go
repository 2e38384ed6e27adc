package web_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plaza-dev/plaza/examples/store"
	"github.com/plaza-dev/plaza/internal/demo"
	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// From the demo: a user opens Discover, finds the store, grants the
// profile consent, adds two items to the cart, pays with the PIN and sees
// the order paid — and the store's backend saw a verified notification.
func TestStoreMiniProgramInBrowser(t *testing.T) {
	ctx := context.Background()
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := demo.Seed(ctx, demo.Services{Accounts: n.Accounts, Chat: n.Chat, Pay: n.Pay, Merchant: n.Merchant, MiniApps: n.MiniApps,
		DataDir: dir, URL: n.URL(), StoreBackend: "http://" + ln.Addr().String()}); err != nil {
		t.Fatal(err)
	}
	backend, err := store.Load(demo.StoreConfig(dir), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: backend.Handler()}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	appid := backend.AppID()

	b := bt.New(t, alloc, "alice", bt.Phone)
	b.Run("signing in", chromedp.Navigate(n.URL()+"/login"), bt.Visible("#login-username"), bt.Type("#login-username", "alice"),
		bt.Type("#login-password", demo.Password), bt.Click("#login-submit"), bt.Visible(`[data-tab="chats"].active`))
	launched := time.Now()
	b.Run("finding the store", bt.Click(`[data-tab="discover"]`), bt.Visible("#miniapp-search"), bt.Type("#miniapp-search", "gadget"),
		bt.Visible(`[data-appid="`+appid+`"]`), bt.Click(`[data-appid="`+appid+`"]`), bt.Visible("#miniapp-frame"))
	used := map[string]bool{}
	frame, id := b.Frame(appid+".apps.localhost", used)
	used[id] = true
	frame.Run("seeing the catalog", bt.Visible(`[data-product="buds"]`))
	t.Logf("launch, click to catalog: %v", time.Since(launched))
	// The bridge's round trip: frame → host → frame, 50 times.
	rctx, cancel := context.WithTimeout(frame.Ctx, 20*time.Second)
	rtt, err := chromedp.Run(rctx, chromedp.Evaluate[float64](`(async () => { const t0 = performance.now();
		for (let i = 0; i < 50; i++) { await plaza.getSystemInfo(); } return (performance.now() - t0) / 50; })()`, chromedp.EvalAwaitPromise))
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("bridge round trip: %.2f ms", rtt)
	// A script click: a mouse click on the sheet's button could land, as the
	// sheet closes, on the app below it.
	b.Run("granting the profile", bt.Visible("#consent-sheet"), bt.JSClick("#consent-allow"))
	b.Screenshot("store")
	frame.Run("opening the earbuds", bt.JSClick(`[data-product="buds"]`))
	frame, id = b.Frame(appid+".apps.localhost", used)
	used[id] = true
	api := nodetest.NewClient(n.URL())
	api.Token = api.Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": "alice", "password": demo.Password}).Str("token")
	cartHas := func(qty string) {
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(string(api.Do(t, "GET", "/api/v1/miniapps/"+appid+"/storage/cart", nil).Body), `"qty":`+qty) {
			if time.Now().After(deadline) {
				t.Fatalf("the cart never held %s", qty)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	frame.Run("adding two to the cart", bt.Visible("#add"), bt.JSClick("#add"))
	cartHas("1") // in bridge storage, on the server
	frame.Run("adding again", bt.JSClick("#add"))
	cartHas("2")
	frame.Run("going to the cart", bt.JSClick("#to-cart"))
	frame, id = b.Frame(appid+".apps.localhost", used)
	used[id] = true
	frame.Run("paying", bt.Visible(`[data-line="buds"]`), bt.JSClick("#checkout"))
	b.Run("confirming", bt.Visible("#pay-confirm"), bt.JSClick("#pay-confirm"))
	enterPIN(b, demo.PIN)
	frame, _ = b.Frame(appid+".apps.localhost", used)
	frame.Run("seeing the order paid", bt.Visible(`[data-status="paid"]`))
	b.Screenshot("paid")

	// The backend marked it paid from a verified notification.
	var paid bool
	for _, o := range backendOrders(t, backend) {
		paid = paid || o["status"] == "paid" && o["verified_notification"] == true && o["total"].(float64) == 2*39900
	}
	if !paid {
		t.Fatal("the backend has no order paid from a verified notification")
	}
}

func backendOrders(t *testing.T, s *store.Server) []map[string]any {
	var out []map[string]any
	b, _ := json.Marshal(s.AllOrders())
	json.Unmarshal(b, &out)
	return out
}
