package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plaza-dev/plaza/examples/store"
	"github.com/plaza-dev/plaza/internal/demo"
	"github.com/plaza-dev/plaza/internal/live"
	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// The story, with Chromium's fake camera: the demo merchant's
// host goes live; two viewers in other browsers see video frames decoded
// and each other's comments; the host shows the Nova 12 phone; a viewer
// buys it with the PIN while the video keeps playing; the host sees the
// sale; the merchant's ledger account has the money and its backend the
// verified notification. The host's frames carry the time they were
// drawn (?stamp=1), so the viewers measure glass to glass.
func TestLiveRoomStory(t *testing.T) {
	alloc := bt.Allocator(t, chromedp.Flag("use-fake-device-for-media-stream", true), chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"))
	n := nodetest.Start(t, nodetest.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx := context.Background()
	if err := demo.Seed(ctx, demo.Services{Accounts: n.Accounts, Chat: n.Chat, Pay: n.Pay, Merchant: n.Merchant, MiniApps: n.MiniApps,
		Live: n.Live, DataDir: dir, URL: n.URL(), StoreBackend: "http://" + ln.Addr().String()}); err != nil {
		t.Fatal(err)
	}
	shop, err := store.Load(demo.StoreConfig(dir), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: shop.Handler()}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	dev, _ := n.Accounts.UserByUsername(ctx, "gadgetco")
	rooms, _, err := n.Live.Rooms(ctx, dev.ID, live.RoomFilter{State: live.StateScheduled})
	if err != nil || len(rooms) != 1 || rooms[0].Title != demo.LiveRoomTitle {
		t.Fatalf("the demo's upcoming room: %v %v", rooms, err)
	}
	room := rooms[0]
	before, err := n.Merchant.MerchantBalance(ctx, room.MchID, "CNY")
	if err != nil {
		t.Fatal(err)
	}

	signIn := func(b *bt.Browser, who string) {
		b.Run("signing in as "+who, chromedp.Navigate(n.URL()+"/login"), bt.Visible("#login-username"), bt.Type("#login-username", who),
			bt.Type("#login-password", demo.Password), bt.Click("#login-submit"), bt.Visible(`[data-tab="chats"].active`))
	}
	host := bt.New(t, alloc, "host", bt.Desktop)
	signIn(host, "gadgetco")
	host.Run("going live", chromedp.Navigate(n.URL()+"/live/"+room.ID+"/host?stamp=1"), bt.Visible(`[data-testid="host-golive"]:not([disabled])`),
		bt.Click(`[data-testid="host-golive"]`), bt.Visible(`[data-testid="host-end"]`))
	waitFor(t, "the room to be live", 20*time.Second, func() bool {
		r, err := n.Live.Room(ctx, dev.ID, room.ID)
		return err == nil && r.State == live.StateLive
	})

	alice := bt.New(t, alloc, "alice", bt.Phone)
	bob := bt.New(t, alloc, "bob", bt.Desktop)
	for _, v := range []struct {
		b   *bt.Browser
		who string
	}{{alice, "alice"}, {bob, "bob"}} {
		signIn(v.b, v.who)
		v.b.Run("opening the room", chromedp.Navigate(n.URL()+"/live/"+room.ID+"?stamp=1"), bt.Visible("#live-video"))
	}
	for _, b := range []*bt.Browser{alice, bob} {
		waitFor(t, b.Name+" to decode video frames", 30*time.Second, func() bool { return framesDecoded(b) > 10 })
	}
	alice.Screenshot("watching")

	// Each sees the other's comment.
	alice.Run("commenting", bt.Visible("#live-comment-input"), bt.Type("#live-comment-input", "Hello from Alice!"), bt.Click("#live-send"))
	waitContains(t, bob, `[data-testid="live-comments"]`, "Hello from Alice!")
	bob.Run("commenting", bt.Type("#live-comment-input", "Bob here, is it waterproof?"), bt.Click("#live-send"))
	waitContains(t, alice, `[data-testid="live-comments"]`, "Bob here, is it waterproof?")
	waitContains(t, host, `[data-testid="host-comments"]`, "Bob here")

	// The host shows the phone: every viewer's card says so.
	host.Run("showing the phone", bt.Click(`[data-testid="host-show-phone"]`))
	for _, b := range []*bt.Browser{alice, bob} {
		waitContains(t, b, `[data-testid="live-showing"]`, "Nova 12 phone")
	}
	alice.Screenshot("showing")
	bob.Screenshot("desktop")

	// Alice buys it with her PIN while the video keeps playing.
	playing := framesDecoded(alice)
	alice.Run("buying", bt.Click(`[data-testid="live-buy"]`))
	enterPIN(alice, demo.PIN)
	alice.Run("seeing it paid", bt.Visible(".toast-success"))
	alice.Screenshot("paid")
	waitFor(t, "alice's video to keep playing", 10*time.Second, func() bool { return framesDecoded(alice) > playing+15 })
	if u := currentURL(alice); !strings.Contains(u, "/live/"+room.ID) {
		t.Fatalf("buying left the room: %s", u)
	}

	// The host sees the sale; the money is the merchant's; the shop's
	// backend had the signed, encrypted notification.
	waitContains(t, host, `[data-testid="host-sales"]`, "Nova 12 phone")
	host.Screenshot("sale")
	waitFor(t, "the merchant's money", 10*time.Second, func() bool {
		b, err := n.Merchant.MerchantBalance(ctx, room.MchID, "CNY")
		return err == nil && b == before+199900
	})
	st, err := n.Live.Stats(ctx, dev.ID, room.ID)
	if err != nil || st.PaidOrders != 1 || st.Sales.Amount != 199900 {
		t.Fatalf("stats %+v %v", st, err)
	}
	waitFor(t, "the shop's verified notification", 20*time.Second, func() bool { return shop.PaidCount() == 1 })

	// Glass to glass: the viewers read the time stamped into the host's frames.
	var lat []float64
	for _, b := range []*bt.Browser{alice, bob} {
		lat = append(lat, glass(b)...)
	}
	if len(lat) < 10 {
		t.Fatalf("only %d stamped frames read", len(lat))
	}
	sort.Float64s(lat)
	q := func(p float64) float64 { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	t.Logf("glass to glass over %d frames: p50 %.0f ms, p95 %.0f ms, max %.0f ms", len(lat), q(0.5), q(0.95), lat[len(lat)-1])
	if out := os.Getenv("PLAZA_LIVE_GLASS"); out != "" {
		os.WriteFile(out, fmt.Appendf(nil, "frames=%d p50_ms=%.0f p95_ms=%.0f max_ms=%.0f\n", len(lat), q(0.5), q(0.95), lat[len(lat)-1]), 0o644)
	}
	if q(0.5) > 1000 {
		t.Errorf("glass to glass p50 %.0f ms: over the second the issue allows", q(0.5))
	}

	// The host ends the stream: the viewers see that it has ended.
	host.Run("ending", bt.Click(`[data-testid="host-end"]`))
	for _, b := range []*bt.Browser{alice, bob} {
		b.Run("seeing the end", bt.Visible("#live-ended"))
	}
	alice.Screenshot("ended")
}

func waitFor(t *testing.T, what string, d time.Duration, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); ; time.Sleep(100 * time.Millisecond) {
		if ok() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", d, what)
		}
	}
}

func evalJS[T any](b *bt.Browser, js string) (T, error) {
	ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
}

// framesDecoded is the viewer's video frames decoded so far (getStats).
func framesDecoded(b *bt.Browser) int {
	n, err := evalJS[int](b, `(async () => {
		const pc = window.__plazaLive && window.__plazaLive.pc; if (!pc) return -1;
		let n = 0; (await pc.getStats()).forEach(r => { if (r.type === 'inbound-rtp' && r.kind === 'video') n += r.framesDecoded || 0 });
		return n })()`)
	if err != nil {
		return -1
	}
	return n
}

func glass(b *bt.Browser) []float64 {
	v, err := evalJS[[]float64](b, `window.__plazaGlass || []`)
	if err != nil {
		return nil
	}
	return v
}

func currentURL(b *bt.Browser) string {
	u, _ := evalJS[string](b, `location.href`)
	return u
}
