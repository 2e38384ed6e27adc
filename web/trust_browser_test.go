package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/trust"
)

// An administrator blocks an app for US users through the admin console's
// form (the server's field error shown next to the field first), sees it
// listed as active; a US user sees the notice in Discover and the page that
// says why when opening it; the administrator cancels the policy with a
// reason, and the audit screen lists both actions with the log verified.
func TestAdminConsolePoliciesAndAudit(t *testing.T) {
	ctx := context.Background()
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})
	dev := nodetest.Signup(t, n.URL(), "gadgetdev")
	devID := dev.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
	if _, err := n.Accounts.CreateAdmin(ctx, "operator", "correct horse", "CN"); err != nil {
		t.Fatal(err)
	}
	a, _, err := n.MiniApps.CreateApp(ctx, devID, "Gadget Store", "", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.MiniApps.Upload(ctx, devID, a.AppID, trialPackage(a.AppID, 1, "Gadgets")); err != nil {
		t.Fatal(err)
	}
	n.MiniApps.Submit(ctx, devID, a.AppID, 1)
	n.MiniApps.Review(ctx, a.AppID, 1, true, "")
	if _, err := n.MiniApps.Release(ctx, devID, a.AppID, 1); err != nil {
		t.Fatal(err)
	}
	nodetest.Signup(t, n.URL(), "usbuyer")

	op := bt.New(t, alloc, "operator", bt.Desktop)
	login(op, n.URL(), "operator")
	op.Run("opening the admin console from Me", bt.Click(`[data-tab="me"]`), bt.Visible("#me-admin"), bt.Click("#me-admin"),
		bt.Visible("#admin-policies"), bt.Visible("#policies-empty"))
	op.Run("filling the form without a reason",
		bt.Click("#policy-new"), bt.Visible("#policy-dialog"),
		bt.Type("#policy-target-id", a.AppID),
		bt.Type("#policy-region-search", "united st"),
		bt.Visible(`.region-option[data-code="US"]`),
		bt.Click(`.region-option[data-code="US"] input`),
		bt.Visible(`.chip-removable[data-code="US"]`),
		bt.Click("#policy-scope-payments"),
		bt.Click("#policy-now"),
		bt.Type("#policy-legal-ref", "Executive Order 13943"),
		bt.Click("#policy-submit"),
		bt.Visible(`.field-error[data-field="reason"]`))
	if got := op.Text(`.field-error[data-field="reason"]`); !strings.Contains(got, "reason is required") {
		t.Fatalf("reason error: %q", got)
	}
	op.Screenshot("form-error")
	op.Run("creating the policy", bt.Type("#policy-reason", "Ordered out of the United States"), bt.Click("#policy-submit"),
		bt.Visible(`.policy-row[data-state="active"][data-target="`+a.AppID+`"]`))
	row := `.policy-row[data-target="` + a.AppID + `"]`
	if got := op.Text(row); !strings.Contains(got, "Gadget Store") || !strings.Contains(got, "US") || !strings.Contains(got, "payments") {
		t.Fatalf("policy row: %q", got)
	}
	if op.Attrs("#policies-tab-active", "aria-selected")[0] != "true" {
		t.Fatal("the active tab is not selected after creating an active policy")
	}
	op.Screenshot("active")

	us := bt.New(t, alloc, "usbuyer", bt.Phone)
	login(us, n.URL(), "usbuyer")
	us.Run("seeing the notice in Discover", bt.Click(`[data-tab="discover"]`), bt.Visible(`#discover-notices [data-target="`+a.AppID+`"]`))
	if got := us.Text("#discover-notices"); got != "Gadget Store is no longer available in your region: Ordered out of the United States" {
		t.Fatalf("notice: %q", got)
	}
	us.Screenshot("notice")
	// Loaded afresh, /app/{appid} is the server's 403 page that says why.
	us.Run("opening the app", chromedp.Navigate(n.URL()+"/app/"+a.AppID), bt.Visible("#blocked-by-policy"))
	if got := us.Text("#blocked-by-policy"); !strings.Contains(got, "Ordered out of the United States") {
		t.Fatalf("blocked page: %q", got)
	}
	us.Screenshot("blocked")
	us.Run("going back", bt.Click("#miniapp-blocked-back"), bt.Visible("#miniapp-search"))
	us.Run("reading the app's details", chromedp.Navigate(n.URL()+"/discover/app/"+a.AppID),
		bt.Visible(`#app-info-notices [data-target="`+a.AppID+`"]`))
	if got := us.Text("#app-info-notices"); !strings.Contains(got, "Gadget Store is no longer available in your region") {
		t.Fatalf("details notice: %q", got)
	}
	us.Screenshot("details-notice")

	op.Run("cancelling it with a reason", bt.Click(row+" .policy-cancel"), bt.Visible("#policy-cancel-dialog"),
		bt.Type("#cancel-reason", "Suspended by the court"))
	op.Screenshot("cancel-dialog")
	op.Run("confirming", bt.Click("#cancel-confirm"), chromedp.WaitNotPresent(chromedp.CSS("#policy-cancel-dialog")), bt.Visible("#policies-empty"),
		bt.Click("#policies-tab-cancelled"), bt.Visible(`.policy-row[data-state="cancelled"][data-target="`+a.AppID+`"]`))
	if got := op.Text(row); !strings.Contains(got, "Suspended by the court") {
		t.Fatalf("cancelled row: %q", got)
	}
	op.Screenshot("cancelled")

	op.Run("reading the audit log", bt.Click("#admin-nav-audit"), bt.Visible(`#audit-verified[data-ok="true"]`),
		bt.Visible(`.audit-row[data-action="policy.cancelled"]`))
	actions := op.Attrs(".audit-row", "data-action")
	if len(actions) < 2 || actions[0] != "policy.cancelled" || actions[1] != "policy.created" {
		t.Fatalf("audit actions, newest first: %v", actions)
	}
	if got := op.Text("#audit-verified"); !strings.Contains(got, "Verified") {
		t.Fatalf("badge: %q", got)
	}
	if got := op.Text("#audit-checkpoint"); !strings.Contains(got, "\n") || strings.Contains(got, "Loading") {
		t.Fatalf("checkpoint: %q", got)
	}
	op.Screenshot("audit")
	op.Run("on a phone", chromedp.EmulateViewport(bt.Phone[0], bt.Phone[1]), bt.Visible(`#audit-verified[data-ok="true"]`))
	op.Screenshot("audit-phone")
	op.Run("policies on a phone", bt.Click("#admin-nav-policies"), bt.Visible("#policies-empty"), bt.Click("#policies-tab-cancelled"), bt.Visible(`.policy-row[data-target="`+a.AppID+`"]`))
	op.Screenshot("policies-phone")
}

// The console's mini-program review queue, against the real
// GET /api/v1/admin/miniapp-reviews (the t11-server branch): two versions
// wait, the nav and the tab count them; the administrator approves one,
// tries to reject the other without a reason (refused in the dialog), then
// with one; the history tabs show who decided, when and why, and the
// developer's versions changed state on the server.
func TestAdminConsoleMiniAppReviews(t *testing.T) {
	ctx := context.Background()
	n := nodetest.Start(t, nodetest.Options{})
	if _, err := n.Accounts.CreateAdmin(ctx, "reviewer", "correct horse", "CN"); err != nil {
		t.Fatal(err)
	}
	adminAPI := nodetest.NewClient(n.URL())
	adminAPI.Token = adminAPI.Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": "reviewer", "password": "correct horse"}).Str("token")
	if r := adminAPI.Do(t, "GET", "/api/v1/admin/miniapp-reviews?state=pending", nil); r.Status == http.StatusNotFound {
		t.Fatal("GET /api/v1/admin/miniapp-reviews answers 404")
	}
	alloc := bt.Allocator(t)
	dev := nodetest.Signup(t, n.URL(), "gadgetdev")
	devID := dev.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
	submit := func(name string) string {
		a, _, err := n.MiniApps.CreateApp(ctx, devID, name, name+" for everyone", "Shopping", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.MiniApps.Upload(ctx, devID, a.AppID, trialPackage(a.AppID, 1, name)); err != nil {
			t.Fatal(err)
		}
		if _, err := n.MiniApps.Submit(ctx, devID, a.AppID, 1); err != nil {
			t.Fatal(err)
		}
		return a.AppID
	}
	good, bad := submit("Gadget Store"), submit("Coupon Wall")

	op := bt.New(t, alloc, "reviewer", bt.Desktop)
	login(op, n.URL(), "reviewer")
	op.Run("opening the console", chromedp.Navigate(n.URL()+"/admin"), bt.Visible("#admin-nav-app-reviews"), bt.Visible("#reviews-badge"))
	if got := op.Text("#reviews-badge"); got != "2" {
		t.Fatalf("the nav badge says %q, want 2", got)
	}
	op.Run("opening the queue", bt.Click("#admin-nav-app-reviews"), bt.Visible(`.review-row[data-appid="`+good+`"]`),
		bt.Visible(`.review-row[data-appid="`+bad+`"]`))
	if got := op.Text("#reviews-tab-count"); got != "2" {
		t.Fatalf("the pending tab counts %q", got)
	}
	row := func(appid string) string { return `.review-row[data-appid="` + appid + `"]` }
	if got := op.Text(row(good)); !strings.Contains(got, "Gadget Store") || !strings.Contains(got, "Gadgetdev") || !strings.Contains(got, "B") {
		t.Fatalf("a pending row reads %q", got)
	}
	op.Screenshot("pending")

	op.Run("approving Gadget Store", bt.Click(row(good)+" .review-approve"), chromedp.WaitNotPresent(chromedp.CSS(row(good))))
	op.Run("rejecting Coupon Wall without a reason", bt.Click(row(bad)+" .review-reject"), bt.Visible("#review-reject-dialog"),
		bt.Click("#review-reject-confirm"), bt.Visible(`#review-reject-dialog .field-error[data-field="reason"]`))
	op.Screenshot("reject-dialog")
	op.Run("with a reason", bt.Type("#review-reason", "Asks for card numbers outside Plaza Pay"), bt.Click("#review-reject-confirm"),
		chromedp.WaitNotPresent(chromedp.CSS("#review-reject-dialog")), bt.Visible("#reviews-empty"), chromedp.WaitNotPresent(chromedp.CSS("#reviews-badge")))

	op.Run("the approved history", bt.Click("#reviews-tab-approved"), bt.Visible(row(good)+`[data-state="approved"]`))
	if got := op.Text(row(good) + " .review-by"); !strings.Contains(got, "reviewer") {
		t.Errorf("approved by %q, want the reviewer", got)
	}
	op.Screenshot("approved")
	op.Run("the rejected history", bt.Click("#reviews-tab-rejected"), bt.Visible(row(bad)+`[data-state="rejected"]`))
	if got := op.Text(row(bad) + " .review-reason"); got != "Asks for card numbers outside Plaza Pay" {
		t.Fatalf("rejected because %q", got)
	}
	op.Screenshot("rejected")
	op.Run("on a phone", chromedp.EmulateViewport(bt.Phone[0], bt.Phone[1]), bt.Visible(row(bad)))
	op.Screenshot("rejected-phone")

	// The server agrees: the approved version may be released, the rejected one may not.
	if r := dev.Do(t, "POST", "/api/v1/miniapps/"+good+"/versions/1/release", nil); r.Status != http.StatusOK {
		t.Errorf("releasing the approved version: %d %s", r.Status, r.Body)
	}
	if r := dev.Do(t, "POST", "/api/v1/miniapps/"+bad+"/versions/1/release", nil); r.Status == http.StatusOK {
		t.Error("the rejected version was released")
	}
}

// An app already open when a hosting block lands is replaced by the page
// that says why at its first refused bridge call, even when the client
// never hears of the policy otherwise (its notices are unreachable here):
// plaza.login() is answered 403 blocked_by_policy and the frame goes.
func TestOpenAppReplacedWhenABridgeCallIsRefused(t *testing.T) {
	ctx := context.Background()
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})
	dev := nodetest.Signup(t, n.URL(), "gadgetdev")
	devID := dev.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
	admin, err := n.Accounts.CreateAdmin(ctx, "operator", "correct horse", "CN")
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := n.MiniApps.CreateApp(ctx, devID, "Gadget Store", "", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.MiniApps.Upload(ctx, devID, a.AppID, trialPackage(a.AppID, 1, "Gadgets")); err != nil {
		t.Fatal(err)
	}
	n.MiniApps.Submit(ctx, devID, a.AppID, 1)
	n.MiniApps.Review(ctx, a.AppID, 1, true, "")
	if _, err := n.MiniApps.Release(ctx, devID, a.AppID, 1); err != nil {
		t.Fatal(err)
	}
	nodetest.Signup(t, n.URL(), "usbuyer")

	us := bt.New(t, alloc, "usbuyer", bt.Phone)
	login(us, n.URL(), "usbuyer")
	nctx, cancel := context.WithTimeout(us.Ctx, 10*time.Second)
	_, err = chromedp.Call(nctx, network.Enable, network.EnableParams{})
	if err == nil {
		_, err = chromedp.Call(nctx, network.SetBlockedURLs, network.SetBlockedURLsParams{
			URLPatterns: []*network.BlockPattern{{URLPattern: n.URL() + "/api/v1/notices", Block: true}}})
	}
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	us.Run("opening the app", bt.Click(`[data-tab="discover"]`), bt.Visible(`.miniapp-directory [data-appid="`+a.AppID+`"]`),
		bt.Click(`.miniapp-directory [data-appid="`+a.AppID+`"]`), bt.Visible("#miniapp-frame"))
	frame, _ := us.Frame(a.AppID+".apps.localhost", nil)
	// The page calls plaza.login() as it loads: that call must be answered
	// before the block lands, or it is the refused call (a race on a slow run).
	frame.Run("seeing its page signed in", bt.Visible("#words"), bt.Visible(`#results[data-login]`))
	if got := frame.Attrs("#results", "data-login"); len(got) != 1 || got[0] != "ok" {
		t.Fatalf("plaza.login() before the block: %v", got)
	}

	if _, err := n.Trust.Create(ctx, admin.ID, trust.NewPolicy{Kind: "block", TargetType: trust.TargetApp, TargetID: a.AppID,
		Regions: []string{"US"}, Scopes: []trust.Scope{trust.ScopeHosting}, EffectiveAt: time.Now(), Reason: "Ordered out of the United States"}); err != nil {
		t.Fatal(err)
	}
	// The socket's trust frame asks for notices within 1.75 s, which are
	// blocked here: after that long the app still runs, as nothing refused it yet.
	time.Sleep(2 * time.Second)
	if us.Count("#miniapp-frame") != "1" {
		t.Fatal("the app went before any call was refused (were the notices reachable?)")
	}
	frame.Run("calling the bridge", script(`plaza.login().catch(() => {})`))
	us.Run("seeing the app replaced", bt.Visible(`#miniapp-blocked[data-live="true"]`))
	if got := us.Text("#miniapp-blocked"); !strings.Contains(got, "Gadget Store is not available in your region") ||
		!strings.Contains(got, "Ordered out of the United States") || !strings.Contains(got, "United States") {
		t.Fatalf("the page reads %q", got)
	}
	if us.Count("#miniapp-frame") != "0" {
		t.Fatal("the frame is still there")
	}
	if p := us.Attrs("#miniapp-blocked", "data-policy"); len(p) != 1 || p[0] != "" {
		t.Fatalf("the page quotes a notice (%v): it was not the refused call that replaced the app", p)
	}
	us.Screenshot("replaced")
	us.Run("going back", bt.Click("#miniapp-blocked-back"), bt.Visible("#miniapp-search"))
}
