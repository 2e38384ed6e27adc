package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
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
	op.Run("confirming", bt.Click("#cancel-confirm"), bt.Visible("#policies-empty"),
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
