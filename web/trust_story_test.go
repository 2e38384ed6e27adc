package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plaza-dev/plaza/examples/shop/shop"
	"github.com/plaza-dev/plaza/examples/store"
	"github.com/plaza-dev/plaza/internal/demo"
	"github.com/plaza-dev/plaza/internal/node"
	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/ids"
)

// Issue 11's story, in real browsers, from the demo (bob is in the US,
// alice in China, admin the administrator):
//
//   - the administrator schedules, in the console's form (date-time picker,
//     region chooser), "block Gadget Store for US users, distribution +
//     hosting + payments, from now + 5 s";
//   - bob, on Discover, sees the notice before it takes effect, then (no
//     reload, no server restart) loses the app from Discover at
//     effective_at; his other tab, where Gadget Store is open, turns into
//     the page that says why; opening the app gets that page too;
//   - alice, in China, buys earbuds in Gadget Store with her PIN;
//   - a block of the merchant Leaf & Clay refuses bob's payment at its
//     shop with a clear message;
//   - the administrator cancels the Gadget Store policy with a reason, and
//     bob has the app back on the same page;
//   - the console's audit log lists every step and shows Verified.
//
// Once on one node (SQLite), once on two nodes sharing PostgreSQL and NATS
// with the administrator on node 1 and the users on node 2, where the
// policy must take effect within a second of effective_at.
func TestTrustStory(t *testing.T) {
	t.Run("one node", func(t *testing.T) {
		n := nodetest.Start(t, nodetest.Options{})
		playStory(t, n, n)
	})
	t.Run("two nodes", func(t *testing.T) {
		natsURL := os.Getenv("PLAZA_TEST_NATS")
		if natsURL == "" {
			dbtest.Require(t, "nats", "PLAZA_TEST_NATS is not set")
		}
		db := dbtest.PostgresURL(t)
		prefix := "story" + ids.Token(5)
		n1 := nodetest.Start(t, nodetest.Options{DBURL: db, NATS: natsURL, Prefix: prefix})
		n2 := nodetest.Start(t, nodetest.Options{DBURL: db, NATS: natsURL, Prefix: prefix})
		playStory(t, n1, n2)
	})
}

// playStory plays the story with the administrator on adminNode and the
// users on userNode (the same node, or two).
func playStory(t *testing.T, adminNode, userNode *node.Node) {
	ctx := context.Background()
	alloc := bt.Allocator(t)
	dir := t.TempDir()
	storeLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Seed(ctx, demo.Services{Accounts: adminNode.Accounts, Chat: adminNode.Chat, Pay: adminNode.Pay, Merchant: adminNode.Merchant,
		MiniApps: adminNode.MiniApps, DataDir: dir, URL: adminNode.URL(), StoreBackend: "http://" + storeLn.Addr().String()}); err != nil {
		t.Fatal(err)
	}
	backend, err := store.Load(demo.StoreConfig(dir), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	serve(t, storeLn, backend.Handler())
	appid := backend.AppID()
	shopURL, mchid := startDemoShop(t, dir)
	users := userNode.URL()

	// The US user's API view on the node he uses, to time the server.
	bobAPI := nodetest.NewClient(users)
	bobAPI.Token = bobAPI.Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": "bob", "password": demo.Password}).Str("token")
	if r := bobAPI.Do(t, "GET", "/api/v1/miniapps/"+appid, nil); r.Status != http.StatusOK {
		t.Fatalf("before the policy bob gets %d for Gadget Store", r.Status)
	}

	// Bob has Discover open on his phone, and Gadget Store open in another tab.
	bob := bt.New(t, alloc, "bob", bt.Phone)
	demoLogin(bob, users, "bob")
	bob.Run("opening Discover", bt.Click(`[data-tab="discover"]`), bt.Visible(`.miniapp-directory [data-appid="`+appid+`"]`))
	markPage(bob)
	bobApp := bt.New(t, alloc, "bob-app", bt.Phone)
	demoLogin(bobApp, users, "bob")
	bobApp.Run("opening Gadget Store", bt.Click(`[data-tab="discover"]`), bt.Visible(`.miniapp-directory [data-appid="`+appid+`"]`),
		bt.Click(`.miniapp-directory [data-appid="`+appid+`"]`), bt.Visible("#miniapp-frame"))
	bobFrame, _ := bobApp.Frame(appid+".apps.localhost", nil)
	bobFrame.Run("seeing the catalog", bt.Visible(`[data-product="buds"]`))
	bobApp.Run("declining the profile for now", bt.Visible("#consent-sheet"), bt.JSClick("#consent-deny"))
	bobApp.Screenshot("app-open")

	// The administrator schedules the block in the console.
	admin := bt.New(t, alloc, "admin", bt.Desktop)
	admin.Run("signing in", chromedp.Navigate(adminNode.URL()+"/login"), bt.Visible("#login-username"), bt.Type("#login-username", "admin"),
		bt.Type("#login-password", demo.AdminPassword), bt.Click("#login-submit"), bt.Visible(`[data-tab="chats"].active`))
	admin.Run("opening the console", bt.Click(`[data-tab="me"]`), bt.Visible("#me-admin"), bt.Click("#me-admin"), bt.Visible("#admin-policies"))
	admin.Run("filling in the block",
		bt.Click("#policy-new"), bt.Visible("#policy-dialog"),
		bt.Type("#policy-target-id", appid),
		bt.Type("#policy-region-search", "united st"),
		bt.Click(`.region-option[data-code="US"] input`), bt.Visible(`.chip-removable[data-code="US"]`),
		bt.Click("#policy-scope-payments"),
		bt.Type("#policy-reason", "Ordered out of the United States"),
		bt.Type("#policy-legal-ref", "Executive Order 13943"))
	admin.Screenshot("new-policy")
	// The picker, to the second: what choosing a date and time in it does;
	// then straight to the button (the 5 s are the story's lead).
	effective := time.Now().Add(5 * time.Second).Truncate(time.Second)
	admin.Run("choosing now + 5 s", pickDateTime("#policy-effective-at", effective), bt.Visible("#policy-effective-hint"))
	hint := admin.Text("#policy-effective-hint")
	admin.Run("creating it", bt.Click("#policy-submit"), bt.Visible(`.policy-row[data-target="`+appid+`"]`))
	if !strings.HasPrefix(hint, "Takes effect in ") || !strings.HasSuffix(hint, " s") {
		t.Errorf("the hint under the date said %q", hint)
	}
	if time.Now().After(effective) {
		t.Fatalf("creating the policy took past its effective_at (%v late): the machine is too slow for a 5 s lead", time.Since(effective))
	}
	if got := admin.Attrs(`.policy-row[data-target="`+appid+`"]`, "data-state"); len(got) != 1 || got[0] != "scheduled" {
		t.Fatalf("the new policy is listed as %v, want scheduled", got)
	}
	admin.Screenshot("scheduled")

	// Bob sees the notice before it takes effect, on the page he has open.
	notice := `#discover-notices [data-target="` + appid + `"]`
	bob.Run("seeing the notice", bt.Visible(notice))
	if time.Now().After(effective) {
		t.Fatalf("the notice came %v after the policy took effect", time.Since(effective))
	}
	if got := bob.Text(notice); !strings.Contains(got, "Gadget Store will not be available in your region from") ||
		!strings.Contains(got, "Ordered out of the United States") {
		t.Fatalf("notice before: %q", got)
	}
	if bob.Count(`.miniapp-directory [data-appid="`+appid+`"]`) != "1" {
		t.Fatal("Gadget Store left Discover before its policy took effect")
	}
	bob.Screenshot("notice-scheduled")

	// The server (bob's node) withholds it within a second of effective_at.
	nodetest.WaitFor(t, effective.Sub(time.Now())+3*time.Second, func() bool {
		return bobAPI.Do(t, "GET", "/api/v1/miniapps/"+appid, nil).Status == http.StatusNotFound
	})
	late := time.Since(effective)
	t.Logf("bob's node withholds Gadget Store %v after effective_at", late.Round(time.Millisecond))
	if late > time.Second {
		t.Errorf("the node withheld the app %v after effective_at, want within 1 s", late)
	}
	if r := bobAPI.Do(t, "POST", "/api/v1/miniapps/"+appid+"/code", nil); r.Status != http.StatusForbidden || r.Code() != "blocked_by_policy" {
		t.Errorf("a login code for the blocked app: %d %s", r.Status, r.Body)
	}

	// Bob's Discover drops it without a reload.
	waitCount(t, bob, `.miniapp-directory [data-appid="`+appid+`"]`, "0")
	t.Logf("bob's Discover drops Gadget Store %v after effective_at", time.Since(effective).Round(time.Millisecond))
	if got := bob.Attrs(notice, "data-active"); len(got) != 1 || got[0] != "true" {
		t.Fatalf("the notice is not marked in effect: %v", got)
	}
	if got := bob.Text(notice); !strings.Contains(got, "Gadget Store is no longer available in your region: Ordered out of the United States") {
		t.Fatalf("notice after: %q", got)
	}
	checkNoReload(t, bob)
	bob.Screenshot("app-gone")

	// The open app turns into the page that says why.
	bobApp.Run("seeing the app replaced", bt.Visible(`#miniapp-blocked[data-live="true"]`))
	if bobApp.Count("#miniapp-frame") != "0" {
		t.Fatal("the blocked app's frame is still there")
	}
	page := bobApp.Text("#miniapp-blocked")
	for _, want := range []string{"Gadget Store is not available in your region", "Ordered out of the United States", "United States", "Since", "Back to Discover"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the in-app blocked page lacks %q: %q", want, page)
		}
	}
	bobApp.Screenshot("app-blocked-live")

	// Opening it afresh: the server's page that says why.
	bob.Run("opening the app", chromedp.Navigate(users+"/app/"+appid), bt.Visible("#blocked-by-policy"))
	if got := bob.Text("#blocked-by-policy"); !strings.Contains(got, "Ordered out of the United States") {
		t.Fatalf("blocked page: %q", got)
	}
	bob.Screenshot("app-blocked")
	bob.Run("going back to Discover", bt.Click("#miniapp-blocked-back"), bt.Visible("#miniapp-search"), bt.Visible(notice))
	if bob.Count(`.miniapp-directory [data-appid="`+appid+`"]`) != "0" {
		t.Fatal("Gadget Store is in bob's Discover while blocked")
	}
	markPage(bob)

	// Alice, in China, buys from it meanwhile.
	alice := bt.New(t, alloc, "alice", bt.Phone)
	demoLogin(alice, users, "alice")
	alice.Run("finding the store", bt.Click(`[data-tab="discover"]`), bt.Visible(`.miniapp-directory [data-appid="`+appid+`"]`))
	if alice.Count("#discover-notices") != "0" {
		t.Fatal("alice, in China, is warned of a US policy")
	}
	buyEarbuds(t, alice, users, appid)
	alice.Screenshot("paid")

	// A merchant block refuses bob's payment at the tea shop.
	admin.Run("blocking Leaf & Clay's US payments",
		bt.Click("#policy-new"), bt.Visible("#policy-dialog"),
		bt.Set("#policy-target-type", "merchant"),
		script(`document.getElementById('policy-target-type').dispatchEvent(new Event('change', {bubbles: true}))`),
		bt.Type("#policy-target-id", mchid),
		bt.Type("#policy-region-search", "US"),
		bt.Click(`.region-option[data-code="US"] input`), bt.Visible(`.chip-removable[data-code="US"]`),
		bt.Click("#policy-scope-distribution"), bt.Click("#policy-scope-hosting"), bt.Click("#policy-scope-payments"),
		bt.Type("#policy-reason", "Sanctioned merchant"),
		bt.Click("#policy-now"),
		bt.Click("#policy-submit"), bt.Visible(`.policy-row[data-state="active"][data-target="`+mchid+`"]`))
	admin.Screenshot("merchant-block")
	codeURL := shopOrder(t, alloc, shopURL)
	bob.Run("opening the shop's payment code", chromedp.Navigate(onNode(t, codeURL, users)), bt.Visible("#pay-confirm"), bt.Click("#pay-confirm"))
	enterPIN(bob, demo.PIN)
	bob.Run("being refused", bt.Visible(`#pay-error[data-code="blocked_by_policy"]`))
	if got := bob.Text("#pay-error"); !strings.Contains(got, "Leaf & Clay is not available in your region: Sanctioned merchant") {
		t.Fatalf("the refusal reads %q", got)
	}
	bob.Screenshot("payment-refused")

	// The administrator lifts the Gadget Store block; bob has it back.
	bob.Run("back on Discover", chromedp.Navigate(users+"/discover"), bt.Visible("#miniapp-search"), bt.Visible(notice))
	markPage(bob)
	// Frames of the app open before the cancel (any browser's): the app back is a new one.
	before := frameIDs(t, bobApp, appid+".apps.localhost")
	admin.Run("finding the app's policy", bt.Click("#policies-tab-active"), bt.Visible(`.policy-row[data-target="`+appid+`"]`))
	row := `.policy-row[data-target="` + appid + `"]`
	admin.Run("cancelling it", bt.Click(row+" .policy-cancel"), bt.Visible("#policy-cancel-dialog"), bt.Type("#cancel-reason", "Suspended by the court"))
	admin.Screenshot("cancel")
	admin.Run("confirming", bt.Click("#cancel-confirm"), chromedp.WaitNotPresent(chromedp.CSS("#policy-cancel-dialog")), bt.Click("#policies-tab-cancelled"),
		bt.Visible(`.policy-row[data-state="cancelled"][data-target="`+appid+`"]`))
	bob.Run("having the app back", bt.Visible(`.miniapp-directory [data-appid="`+appid+`"]`))
	waitCount(t, bob, notice, "0")
	checkNoReload(t, bob)
	bob.Screenshot("app-back")
	bobApp.Run("the open tab runs the app again", bt.Visible("#miniapp-frame"))
	bobFrame, _ = bobApp.Frame(appid+".apps.localhost", before)
	bobFrame.Run("seeing the catalog again", bt.Visible(`[data-product="buds"]`))
	bobApp.Screenshot("app-back")

	// The audit log lists every step and verifies.
	admin.Run("reading the audit log", bt.Click("#admin-nav-audit"), bt.Visible(`#audit-verified[data-ok="true"]`),
		bt.Visible(`.audit-row[data-action="policy.cancelled"]`))
	var policyActs []string
	for _, a := range admin.Attrs(".audit-row", "data-action") {
		if strings.HasPrefix(a, "policy.") {
			policyActs = append(policyActs, a)
		}
	}
	if want := []string{"policy.cancelled", "policy.created", "policy.created"}; fmt.Sprint(policyActs) != fmt.Sprint(want) {
		t.Fatalf("policy actions in the audit log, newest first: %v, want %v", policyActs, want)
	}
	audit := admin.Text("#audit-table")
	for _, want := range []string{"Suspended by the court", "Sanctioned merchant", "Ordered out of the United States"} {
		if !strings.Contains(audit, want) {
			t.Errorf("the audit log does not show %q", want)
		}
	}
	admin.Screenshot("audit")
}

// demoLogin signs a demo user in.
func demoLogin(b *bt.Browser, base, username string) {
	b.Run("signing in", chromedp.Navigate(base+"/login"), bt.Visible("#login-username"), bt.Type("#login-username", username),
		bt.Type("#login-password", demo.Password), bt.Click("#login-submit"), bt.Visible(`[data-tab="chats"].active`))
}

// pickDateTime sets a datetime-local input as choosing in its picker does:
// the value (local time, to the second), then input and change events.
func pickDateTime(sel string, at time.Time) chromedp.Action[chromedp.Void] {
	v := at.Local().Format("2006-01-02T15:04:05")
	js := fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.value = %q;
		el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true})); return el.value; })()`, sel, v)
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		got, err := chromedp.Evaluate[string](js)(ctx, tg)
		// A datetime-local input leaves out ":00" seconds from its value.
		if err == nil && got != v && got+":00" != v {
			err = fmt.Errorf("the picker holds %q, want %q", got, v)
		}
		return chromedp.Void{}, err
	}
}

// script runs JavaScript as a step, ignoring its value.
func script(js string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[any](js)(ctx, tg)
		return chromedp.Void{}, err
	}
}

// frameIDs are the targets of the frames now open on host, in any browser context.
func frameIDs(t *testing.T, b *bt.Browser, host string) map[string]bool {
	t.Helper()
	ts, err := chromedp.Targets(b.Ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, ti := range ts {
		if ti.Type == "iframe" && strings.Contains(ti.URL, host) {
			out[string(ti.TargetID)] = true
		}
	}
	return out
}

// markPage leaves a mark in the page's window that a reload would wipe.
func markPage(b *bt.Browser) {
	b.Run("marking the page", script(`window.__storyMark = true`))
}

func checkNoReload(t *testing.T, b *bt.Browser) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 5*time.Second)
	defer cancel()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__storyMark === true`))
	if err != nil || !ok {
		t.Fatalf("%s: the page was reloaded (%v)", b.Name, err)
	}
}

// waitCount waits (bounded) until sel matches want elements.
func waitCount(t *testing.T, b *bt.Browser, sel, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for b.Count(sel) != want {
		if time.Now().After(deadline) {
			b.Screenshot("failed-count")
			t.Fatalf("%s: %s matches %s elements, want %s", b.Name, sel, b.Count(sel), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// buyEarbuds plays the store's purchase: consent, earbuds, cart, PIN, paid.
func buyEarbuds(t *testing.T, b *bt.Browser, base, appid string) {
	t.Helper()
	api := nodetest.NewClient(base)
	api.Token = api.Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": b.Name, "password": demo.Password}).Str("token")
	b.Run("opening the store", bt.Click(`.miniapp-directory [data-appid="`+appid+`"]`), bt.Visible("#miniapp-frame"))
	used := map[string]bool{}
	frame, id := b.Frame(appid+".apps.localhost", used)
	used[id] = true
	frame.Run("seeing the catalog", bt.Visible(`[data-product="buds"]`))
	b.Run("granting the profile", bt.Visible("#consent-sheet"), bt.JSClick("#consent-allow"))
	frame.Run("opening the earbuds", bt.JSClick(`[data-product="buds"]`))
	frame, id = b.Frame(appid+".apps.localhost", used)
	used[id] = true
	frame.Run("adding to the cart", bt.Visible("#add"), bt.JSClick("#add"))
	// The cart is saved through the bridge (on the server) before the page changes.
	nodetest.WaitFor(t, 10*time.Second, func() bool {
		return strings.Contains(string(api.Do(t, "GET", "/api/v1/miniapps/"+appid+"/storage/cart", nil).Body), `"qty":1`)
	})
	frame.Run("going to the cart", bt.JSClick("#to-cart"))
	frame, id = b.Frame(appid+".apps.localhost", used)
	used[id] = true
	frame.Run("checking out", bt.Visible(`[data-line="buds"]`), bt.JSClick("#checkout"))
	b.Run("confirming", bt.Visible("#pay-confirm"), bt.JSClick("#pay-confirm"))
	enterPIN(b, demo.PIN)
	frame, _ = b.Frame(appid+".apps.localhost", used)
	frame.Run("seeing the order paid", bt.Visible(`[data-status="paid"]`))
}

// startDemoShop runs the demo's tea shop (Leaf & Clay) on a loopback port
// and answers its URL and mchid.
func startDemoShop(t *testing.T, dir string) (string, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	path := demo.ShopConfig(dir)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cfg["addr"], cfg["public_url"] = ln.Addr().String(), base
	raw, _ = json.Marshal(cfg)
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	s, _, err := shop.Load(path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	serve(t, ln, s.Handler())
	return base, fmt.Sprint(cfg["mchid"])
}

// shopOrder buys tea at the shop in a desktop browser and answers the
// payment code's URL.
func shopOrder(t *testing.T, alloc context.Context, shopURL string) string {
	t.Helper()
	b := bt.New(t, alloc, "shop", bt.Desktop)
	b.Run("buying tea", chromedp.Navigate(shopURL), bt.Visible("#buy-oolong"), bt.Click("#buy-oolong"), bt.Visible("#code-url"))
	return b.Attrs("#code-url", "href")[0]
}

// onNode points a Plaza URL at another node (same path and query).
func onNode(t *testing.T, raw, base string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := url.Parse(base)
	u.Scheme, u.Host = b.Scheme, b.Host
	return u.String()
}

func serve(t *testing.T, ln net.Listener, h http.Handler) {
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
}
