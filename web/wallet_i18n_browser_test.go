package web_test

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plaza-dev/plaza/examples/shop/shop"
	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// walletInChinese makes the browser's Plaza speak zh-CN (as Me → Settings →
// Language does: the choice is kept in localStorage) and reloads.
func walletInChinese(b *bt.Browser, base string) {
	b.Run("choosing Chinese",
		chromedp.Navigate(base+"/login"),
		bt.Visible("#login-username"),
		script(`localStorage.setItem('plaza.locale', 'zh-CN')`),
		chromedp.Reload(),
		bt.Visible("#login-username"),
	)
}

// A Chinese-speaking person's wallet: labels in Chinese, money formatted
// for zh-CN, a transfer typed with full-width digits (as a Chinese
// keyboard types them), a wrong PIN refused in Chinese — the catalogue's
// sentence for wrong_pin, not the server's English — then the right one,
// and a red packet sent from a chat with WeChat's words and greeting.
func TestWalletInChinese(t *testing.T) {
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})
	ann := nodetest.Signup(t, n.URL(), "ann")
	ben := nodetest.Signup(t, n.URL(), "ben")
	nodetest.Befriend(t, ann, ben, "ben")
	ann.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": "369258", "password": "correct horse"})
	if r := ann.Do(t, "POST", "/api/v1/wallet/topups", map[string]any{"amount": 123_450, "currency": "CNY"}, "Idempotency-Key", "top"); r.Status != 201 {
		t.Fatalf("top-up: %d %s", r.Status, r.Body)
	}
	conv := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "ben"}).Str("conversation.id")
	month := fmt.Sprintf("%d年%d月", time.Now().Year(), int(time.Now().Month()))

	b := bt.New(t, alloc, "ann", bt.Phone)
	walletInChinese(b, n.URL())
	login(b, n.URL(), "ann")
	b.Run("opening the wallet", bt.Click(`[data-tab="wallet"]`), bt.Visible("#wallet-card"), bt.Visible(`.tx-row[data-kind="topup"]`))
	bt.WaitText(b, ".title-bar-title", "钱包")
	bt.WaitText(b, "#wallet-balance", "¥1,234.50")
	bt.WaitText(b, ".wallet-card-top span", "零钱")
	for sel, want := range map[string]string{
		"#wallet-topup span":                    "充值",
		"#wallet-withdraw span":                 "提现",
		"#wallet-transfer span":                 "转账",
		"#wallet-receive span":                  "收款",
		".tx-month":                             month,
		`.tx-row[data-kind="topup"] .tx-title`:  "充值",
		`.tx-row[data-kind="topup"] .tx-amount`: "+¥1,234.50",
	} {
		bt.WaitText(b, sel, want)
	}
	if got := b.Text(`.tx-row[data-kind="topup"] .tx-sub`); !strings.Contains(got, "月") || !strings.Contains(got, "日") {
		t.Fatalf("the transaction's date reads %q, want a Chinese date", got)
	}
	b.Screenshot("wallet")

	// A transfer, the amount typed in full-width digits with the ideographic full stop.
	b.Run("transferring to Ben",
		bt.Click("#wallet-transfer"),
		bt.Visible("#transfer-username"),
		bt.Type("#transfer-username", "ben"),
		bt.Type("#amount-input", "１２。５"),
		bt.Type("#transfer-note", "午饭"),
	)
	// Leaving the field shows the amount as it is read.
	if got, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`document.getElementById('amount-input').value`)); err != nil || got != "12.5" {
		t.Fatalf("the amount field shows %q (%v), want 12.5", got, err)
	}
	bt.WaitText(b, "#transfer-sheet .sheet-title", "转账")
	bt.WaitText(b, `label[for="transfer-note"]`, "转账说明")
	b.Screenshot("transfer-sheet")
	b.Run("asking for the PIN", bt.Click("#money-submit"), bt.Visible("#pin-sheet"))
	bt.WaitText(b, "#pin-sheet .pin-title", "请输入支付密码")
	bt.WaitText(b, "#pin-sheet .pin-what", "转账给Ben")
	bt.WaitText(b, "#pin-sheet .pin-amount", "¥12.50")

	enterPIN(b, "000000")
	b.Run("being refused", bt.Visible("#pin-sheet .pin-error"))
	bt.WaitText(b, "#pin-sheet .pin-error", "支付密码不正确。")
	b.Screenshot("wrong-pin")
	if bal := ann.Do(t, "GET", "/api/v1/wallet", nil).Get("balances").([]any)[0].(map[string]any)["amount"].(float64); bal != 123_450 {
		t.Fatalf("a wrong PIN moved money: ann has %v", bal)
	}

	enterPIN(b, "369258")
	b.Run("the sheet closes", chromedp.WaitNotPresent(chromedp.CSS("#pin-sheet")))
	bt.WaitText(b, "#wallet-balance", "¥1,222.00")
	row := `.tx-row[data-kind="transfer"]`
	b.Run("the transfer in the statement", bt.Visible(row))
	bt.WaitText(b, row+" .tx-title", "转账给Ben")
	bt.WaitText(b, row+" .tx-amount", "−¥12.50")
	if got := b.Text(row + " .tx-sub"); !strings.Contains(got, "午饭") {
		t.Fatalf("the transfer's line reads %q, want its note", got)
	}
	b.Screenshot("after-transfer")
	b.Run("opening the transfer", bt.Click(row), bt.Visible("#transaction-details"))
	bt.WaitText(b, "#transaction-status", "已转账")
	bt.WaitText(b, "#transaction-amount", "¥12.50")
	bt.WaitText(b, ".tx-step-sent .tx-step-label", "转账时间")
	b.Screenshot("transfer-details")
	if got := ben.Do(t, "GET", "/api/v1/wallet", nil).Get("balances").([]any)[0].(map[string]any)["amount"].(float64); got != 1_250 {
		t.Fatalf("ben has %v, want 1250", got)
	}

	// A red packet from the chat: WeChat's words and greeting.
	b.Run("preparing a red packet",
		chromedp.Navigate(n.URL()+"/chats/"+conv),
		bt.Visible("#composer-more"), bt.Click("#composer-more"),
		bt.Visible("#send-red-packet"), bt.Click("#send-red-packet"),
		bt.Visible("#rp-total"),
		bt.Type("#rp-total", "８.８８"),
	)
	bt.WaitText(b, "#red-packet-sheet .sheet-title", "发红包")
	bt.WaitText(b, "#rp-submit", "塞钱进红包")
	bt.WaitText(b, "#red-packet-sheet .rp-big", "¥8.88")
	if got := b.Attrs("#rp-greeting", "placeholder"); len(got) != 1 || got[0] != "恭喜发财，大吉大利" {
		t.Fatalf("the greeting's placeholder is %q", got)
	}
	b.Screenshot("red-packet-sheet")
	b.Run("asking for the PIN", bt.Click("#rp-submit"), bt.Visible("#pin-sheet"))
	bt.WaitText(b, "#pin-sheet .pin-amount", "¥8.88")
	enterPIN(b, "369258")
	packet := `#conversation [data-kind="red_packet"] .red-packet`
	b.Run("seeing it in the chat", chromedp.WaitNotPresent(chromedp.CSS("#pin-sheet")), bt.Visible(packet))
	bt.WaitText(b, packet+" .bubble-text", "恭喜发财，大吉大利")
	bt.WaitText(b, packet+" .bubble-money-foot", "红包")
	b.Screenshot("red-packet-sent")

	// Ben, in Chinese too, opens it: the envelope, the 開 coin, the details.
	bb := bt.New(t, alloc, "ben", bt.Phone)
	walletInChinese(bb, n.URL())
	login(bb, n.URL(), "ben")
	bb.Run("tapping the red packet",
		chromedp.Navigate(n.URL()+"/chats/"+conv),
		bt.Visible(packet), bt.Click(packet),
		bt.Visible("#red-packet-open-button"),
	)
	bt.WaitText(bb, "#red-packet-open .rp-env-sender > span:last-child", "Ann发出的红包")
	bt.WaitText(bb, "#red-packet-open .rp-env-greeting", "恭喜发财，大吉大利")
	bt.WaitText(bb, "#red-packet-open-button", "開")
	bb.Screenshot("red-packet-envelope")
	bb.Run("opening it", bt.Click("#red-packet-open-button"), bt.Visible("#red-packet-amount"))
	bt.WaitText(bb, "#red-packet-amount", "¥8.88")
	bt.WaitText(bb, "#red-packet-details .rp-deposited", "已存入零钱 ›")
	bt.WaitText(bb, "#red-packet-summary", "已领取1/1个，共¥8.88/¥8.88")
	bb.Screenshot("red-packet-details")
	note := `#conversation [data-kind="red_packet_opened"] .bubble-text`
	b.Run("seeing who opened it", bt.Visible(note), bt.Visible(`#conversation .red-packet[data-state="opened"]`))
	bt.WaitText(b, note, "Ben领取了你的红包")
	bt.WaitText(b, `#conversation .red-packet[data-state="opened"] .bubble-money-sub`, "已领取")
	b.Screenshot("red-packet-opened")

	// Receive money: her code, worded as WeChat's 二维码收款.
	b.Run("opening Receive Money", chromedp.Navigate(n.URL()+"/wallet/receive"), bt.Visible("#receive-qr-image"))
	bt.WaitText(b, ".title-bar-title", "二维码收款")
	bt.WaitText(b, ".receive-card-hint", "无需加好友，扫二维码向我付钱")
	bt.WaitText(b, "#receive-set-amount", "设置金额")
	b.Screenshot("receive")
	if c, _ := n.Pay.CheckLedger(t.Context()); !c.Balanced {
		t.Fatalf("ledger: %+v", c)
	}
}

// A shop's payment code opened by a Chinese-speaking buyer: the order in
// Chinese, a balance too small refused in Chinese with 充值 offered, then,
// topped up, 支付成功.
func TestPayPageInChinese(t *testing.T) {
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})
	client := newMerchantClient(t, n, "teahouse", "wxshop")
	srv := httptest.NewServer(nil)
	s := shop.New(shop.Config{Client: client, AppID: "wxshop", PublicURL: srv.URL})
	srv.Config.Handler = s.Handler()
	t.Cleanup(srv.Close)

	buyer := nodetest.Signup(t, n.URL(), "buyer")
	buyer.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": "147258", "password": "correct horse"})
	buyer.Do(t, "POST", "/api/v1/wallet/topups", map[string]any{"amount": 1_000, "currency": "CNY"}, "Idempotency-Key", "seed")

	shopB := bt.New(t, alloc, "shop", bt.Desktop)
	shopB.Run("buying tea", chromedp.Navigate(srv.URL), bt.Visible("#buy-oolong"), bt.Click("#buy-oolong"), bt.Visible("#code-url"))
	codeURL := shopB.Attrs("#code-url", "href")[0]

	b := bt.New(t, alloc, "buyer", bt.Phone)
	walletInChinese(b, n.URL())
	login(b, n.URL(), "buyer")
	b.Run("opening the code_url", chromedp.Navigate(codeURL), bt.Visible("#pay-confirm"))
	bt.WaitText(b, "#pay-amount", "¥38.00")
	bt.WaitText(b, ".title-bar-title", "Plaza 支付")
	bt.WaitText(b, "#pay-confirm", "付款")
	if got := b.Text(".pay-rows"); !strings.Contains(got, "收款方") || !strings.Contains(got, "订单号") || !strings.Contains(got, "付款方式") || !strings.Contains(got, "零钱") {
		t.Fatalf("the order reads %q", got)
	}
	if got := b.Text(".pay-actions .pay-note"); !strings.Contains(got, "前有效") {
		t.Fatalf("the expiry reads %q", got)
	}
	b.Screenshot("confirm")

	b.Run("paying with too little", bt.Click("#pay-confirm"))
	enterPIN(b, "147258")
	b.Run("being refused", bt.Visible(`#pay-error[data-code="insufficient_funds"]`), bt.Visible("#pay-topup"))
	bt.WaitText(b, "#pay-error .form-error", "零钱余额不足，无法完成此笔支付。")
	bt.WaitText(b, "#pay-topup", "充值")
	b.Screenshot("short")

	buyer.Do(t, "POST", "/api/v1/wallet/topups", map[string]any{"amount": 10_000, "currency": "CNY"}, "Idempotency-Key", "more")
	b.Run("paying again", bt.Click("#pay-confirm"))
	enterPIN(b, "147258")
	b.Run("seeing it paid", bt.Visible("#pay-success"))
	bt.WaitText(b, "#pay-success .pay-result-title", "支付成功")
	if got := b.Text("#pay-success-text"); !strings.HasPrefix(got, "已向") || !strings.Contains(got, "付款 ¥38.00") {
		t.Fatalf("the receipt reads %q", got)
	}
	bt.WaitText(b, "#pay-done", "完成")
	b.Screenshot("paid")
	shopB.Run("the shop sees it paid", bt.Visible(`#order-status[data-status="paid"]`))
}
