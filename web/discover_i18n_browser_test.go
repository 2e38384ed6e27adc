package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/trust"
)

// discoverInChinese switches a signed-in browser to zh-CN the way Settings does
// (the saved choice), reloads, and waits for the app to be back.
func discoverInChinese(t *testing.T, b *bt.Browser) {
	t.Helper()
	b.Run("switching to Chinese", script(`localStorage.setItem('plaza.locale', 'zh-CN')`), chromedp.Reload(),
		bt.Visible(`[data-tab="chats"].active`))
	if got := b.Attrs("html", "lang"); len(got) != 1 || got[0] != "zh-CN" {
		b.Screenshot("not-chinese")
		t.Fatalf("the page's language is %v, want zh-CN", got)
	}
}

// In Chinese: Discover, a mini program's bridge prompt, and the admin
// console's policies (a region by its Chinese name, a date as zh-CN writes
// it) — with no English left where these screens have their own words.
func TestDiscoverAndAdminInChinese(t *testing.T) {
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
	// Withheld in New Zealand since 1 December 2026 (the US user below still has it).
	if _, err := n.Trust.Create(ctx, admin.ID, trust.NewPolicy{Kind: "block", TargetType: trust.TargetApp, TargetID: a.AppID,
		Regions: []string{"NZ"}, Scopes: []trust.Scope{trust.ScopeDistribution}, EffectiveAt: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC),
		Reason: "Ordered out of New Zealand"}); err != nil {
		t.Fatal(err)
	}
	nodetest.Signup(t, n.URL(), "zhuser")

	u := bt.New(t, alloc, "zhuser", bt.Phone)
	login(u, n.URL(), "zhuser")
	discoverInChinese(t, u)
	u.Run("opening Discover", bt.Click(`[data-tab="discover"]`), bt.Visible("#miniapp-search"),
		bt.Visible(`.miniapp-directory [data-appid="`+a.AppID+`"]`))
	page := u.Text("section.page:has(#miniapp-search)")
	for _, want := range []string{"发现", "扫一扫", "全部", "购物", "小程序"} {
		if !strings.Contains(page, want) {
			t.Errorf("Discover lacks %q: %q", want, page)
		}
	}
	for _, english := range []string{"Discover", "Scan", "Mini Programs", "Shopping", "All"} {
		if strings.Contains(page, english) {
			t.Errorf("Discover still says %q in Chinese: %q", english, page)
		}
	}
	if got := u.Attrs("#miniapp-search", "placeholder"); len(got) != 1 || got[0] != "搜索小程序" {
		t.Errorf("search placeholder: %v", got)
	}
	u.Screenshot("discover")
	u.Run("searching for nothing", bt.Type("#miniapp-search", "不存在"), bt.Visible("#miniapp-none"))
	bt.WaitText(u, "#miniapp-none", "没有找到与“不存在”相关的小程序。")
	u.Run("clearing the search", script(`(() => { const el = document.getElementById('miniapp-search'); el.value = ''; el.dispatchEvent(new Event('input', {bubbles: true})); })()`),
		bt.Visible(`.miniapp-directory [data-appid="`+a.AppID+`"]`))

	u.Run("opening the mini program", bt.Click(`.miniapp-directory [data-appid="`+a.AppID+`"]`), bt.Visible("#miniapp-frame"))
	frame, _ := u.Frame(a.AppID+".apps.localhost", nil)
	frame.Run("seeing its page", bt.Visible("#words"))
	if got := u.Attrs("#miniapp-close", "aria-label"); len(got) != 1 || got[0] != "关闭小程序" {
		t.Errorf("capsule close label: %v", got)
	}
	frame.Run("asking for the profile", script(`window.asked = plaza.getUserProfile({desc: '用于显示你的头像'}).then(
		function (r) { return 'ok'; }, function (e) { return e.errMsg; })`))
	u.Run("seeing the prompt", bt.Visible("#consent-sheet .consent-title"))
	sheet := u.Text("#consent-sheet")
	for _, want := range []string{"Gadget Store", "申请获取你的昵称、头像", "用于显示你的头像", "Plaza 个人信息", "允许", "拒绝"} {
		if !strings.Contains(sheet, want) {
			t.Errorf("the consent prompt lacks %q: %q", want, sheet)
		}
	}
	if strings.Contains(sheet, "wants your") || strings.Contains(sheet, "Allow") || strings.Contains(sheet, "Deny") {
		t.Errorf("the consent prompt is partly English: %q", sheet)
	}
	u.Screenshot("consent")
	u.Run("denying", bt.JSClick("#consent-deny"), chromedp.WaitNotPresent(chromedp.CSS("#consent-sheet")))
	rctx, cancel := context.WithTimeout(frame.Ctx, 10*time.Second)
	answer, err := chromedp.Run(rctx, chromedp.Evaluate[string](`window.asked`, chromedp.EvalAwaitPromise))
	cancel()
	if err != nil || answer != "getUserProfile:fail auth deny" {
		t.Errorf("the app heard %q (%v), want the SDK's English errMsg unchanged", answer, err)
	}
	u.Run("opening the menu", bt.Click("#miniapp-more"), bt.Visible("#miniapp-restart"))
	if got := u.Text("#miniapp-restart"); got != "重新进入小程序" {
		t.Errorf("restart: %q", got)
	}
	u.Screenshot("menu")

	op := bt.New(t, alloc, "operator", bt.Desktop)
	login(op, n.URL(), "operator")
	discoverInChinese(t, op)
	row := `.policy-row[data-target="` + a.AppID + `"]`
	op.Run("opening the policies", chromedp.Navigate(n.URL()+"/admin/policies"), bt.Visible(row))
	head := op.Text("#admin-policies .admin-screen-head")
	if !strings.Contains(head, "策略") || !strings.Contains(head, "新建策略") {
		t.Errorf("policies heading: %q", head)
	}
	if got := op.Text("#policies-tab-active"); got != "生效中" {
		t.Errorf("active tab: %q", got)
	}
	if got := op.Text("#policies-table thead"); !strings.Contains(got, "生效日期") || !strings.Contains(got, "地区") {
		t.Errorf("table header: %q", got)
	}
	r := op.Text(row)
	for _, want := range []string{"Gadget Store", "新西兰", "NZ", "2026年12月1日", "分发", "生效中", "Ordered out of New Zealand", "撤销"} {
		if !strings.Contains(r, want) {
			t.Errorf("the policy row lacks %q: %q", want, r)
		}
	}
	if strings.Contains(r, "New Zealand ") || strings.Contains(r, "Dec") || strings.Contains(r, "distribution") {
		t.Errorf("the policy row is partly English: %q", r)
	}
	if got := op.Text(".admin-nav"); !strings.Contains(got, "审计日志") || !strings.Contains(got, "小程序审核") {
		t.Errorf("console nav: %q", got)
	}
	op.Screenshot("policies")
	op.Run("starting a new policy", bt.Click("#policy-new"), bt.Visible("#policy-dialog"), bt.Type("#policy-region-search", "新西"),
		bt.Visible(`.region-option[data-code="NZ"]`))
	if got := op.Text(`.region-option[data-code="NZ"]`); !strings.Contains(got, "新西兰") {
		t.Errorf("region option: %q", got)
	}
	if got := op.Text("#policy-effective-hint"); !strings.HasSuffix(got, "生效") {
		t.Errorf("effective hint: %q", got)
	}
	op.Screenshot("new-policy")
}
