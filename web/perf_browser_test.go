package web_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// slow4G is Chromium DevTools' "Slow 4G" preset (SDK.NetworkManager.
// Slow4GConditions, the one renamed from "Fast 3G" in 2024): 150 ms target
// RTT emulated as 562.5 ms request latency, 1.6 Mbps × 0.9 = 180 000 B/s
// down, 750 kbps × 0.9 = 84 375 B/s up.
var slow4G = &network.Conditions{Latency: 562.5, DownloadThroughput: 180000, UploadThroughput: 84375}

// firstPaintBudget is the issue's: the first screen paints within 1.5 s
// on slow 4G.
const firstPaintBudget = 1500.0

func emulate(t *testing.T, b *bt.Browser, c *network.Conditions, offline bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: !offline}); err != nil {
		t.Fatal(err)
	}
	// Measure what a first visit costs: no service worker answering.
	if _, err := chromedp.Call(ctx, network.SetBypassServiceWorker, network.SetBypassServiceWorkerParams{Bypass: !offline}); err != nil {
		t.Fatal(err)
	}
	conds := []*network.Conditions{}
	if c != nil {
		conds = append(conds, c)
	}
	p := network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: conds}
	if offline {
		yes := true
		p.EmulateOfflineServiceWorker = &yes
	}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, p); err != nil {
		t.Fatal(err)
	}
}

// paintTimes loads url and returns its first contentful paint and when sel
// became visible (ms since navigation start).
func paintTimes(t *testing.T, b *bt.Browser, url, sel string) (fcp, screen float64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 60*time.Second)
	defer cancel()
	js := fmt.Sprintf(`document.querySelector(%q) ? performance.now() : 0`, sel)
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("%s: loading %s: %v", b.Name, url, err)
	}
	screen, err := chromedp.Run(ctx, chromedp.Poll[float64](js, chromedp.WithPollingInterval(10*time.Millisecond), chromedp.WithPollingTimeout(50*time.Second)))
	if err != nil {
		b.Screenshot("failed-perf")
		t.Fatalf("%s: waiting for %s on %s: %v", b.Name, sel, url, err)
	}
	fcp, err = chromedp.Run(ctx, chromedp.Evaluate[float64](`(performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint') || { startTime: -1 }).startTime`))
	if err != nil || fcp < 0 {
		t.Fatalf("%s: no first-contentful-paint entry on %s (%v)", b.Name, url, err)
	}
	return fcp, screen
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}

// The first screen on Chromium's slow-4G profile, cache disabled, first
// visit: /login signed out and /chats signed in, three fresh browser
// contexts each; the median first contentful paint must be within 1.5 s.
// Then the offline open: the installed service worker serves the shell and
// the chats saved on the device show with "Offline — showing saved messages".
func TestFirstPaintOnSlow4G(t *testing.T) {
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})
	ann := nodetest.Signup(t, n.URL(), "ann")
	ben := nodetest.Signup(t, n.URL(), "ben")
	nodetest.Befriend(t, ann, ben, "ben")
	conv := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "ben"}).Str("conversation.id")
	ben.Do(t, "POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"client_id": "p1", "kind": "text", "text": "Are we still on for Friday?"})
	row := fmt.Sprintf(`.chat-list [data-conversation-id="%s"]`, conv)

	host, _ := os.Hostname()
	machine := fmt.Sprintf("%s, %d CPUs, %s/%s", host, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	t.Logf("slow 4G: latency %.1f ms, down %.0f B/s, up %.0f B/s, cache disabled; %s", slow4G.Latency, slow4G.DownloadThroughput, slow4G.UploadThroughput, machine)

	var failed []string
	for _, page := range []struct {
		name, path, sel string
		signedIn        bool
	}{
		{"login", "/login", "#login-username", false},
		{"chats", "/chats", row, true},
	} {
		var fcps, screens []float64
		for i := 0; i < 3; i++ {
			b := bt.New(t, alloc, fmt.Sprintf("%s-%d", page.name, i), bt.Phone)
			if page.signedIn {
				login(b, n.URL(), "ann")
			}
			emulate(t, b, slow4G, false)
			fcp, screen := paintTimes(t, b, n.URL()+page.path, page.sel)
			fcps, screens = append(fcps, fcp), append(screens, screen)
			if i == 0 {
				b.Screenshot(page.name)
			}
		}
		fcp := median(fcps)
		t.Logf("slow-4G first contentful paint: %.0f ms (%s; runs %v); %s shown at %.0f ms (median; runs %v)",
			fcp, page.path, rounded(fcps), page.sel, median(screens), rounded(screens))
		if fcp > firstPaintBudget {
			failed = append(failed, fmt.Sprintf("%s: %.0f ms", page.path, fcp))
		}
	}
	if len(failed) > 0 {
		t.Errorf("slow-4G first contentful paint over %.0f ms (median of 3): %s", firstPaintBudget, strings.Join(failed, ", "))
	}

	// Offline: open /chats again with no network at all.
	b := bt.New(t, alloc, "offline", bt.Phone)
	login(b, n.URL(), "ann")
	b.Run("installing the service worker and saving the chats",
		bt.Visible(row),
		chromedp.Poll[chromedp.Void](`navigator.serviceWorker.controller !== null && localStorage.getItem('plaza.saved.last') !== null`, chromedp.WithPollingTimeout(15*time.Second)))
	emulate(t, b, &network.Conditions{Offline: true, Latency: 0, DownloadThroughput: -1, UploadThroughput: -1}, true)
	fcp, screen := paintTimes(t, b, n.URL()+"/chats", row)
	b.Run("seeing the offline banner", bt.Visible("#offline-banner"))
	if got := b.Text(row); !strings.Contains(got, "Are we still on for Friday?") {
		t.Fatalf("the saved chat row shows %q", got)
	}
	b.Screenshot("offline")
	t.Logf("offline open of /chats (service worker + saved chats): first contentful paint %.0f ms, chat list at %.0f ms", fcp, screen)

	// Back online: the app syncs, the banner goes.
	emulate(t, b, nil, true)
	b.Run("syncing when back online", chromedp.WaitNotPresent(chromedp.CSS("#offline-banner")))
}

func rounded(v []float64) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x + 0.5)
	}
	return out
}
