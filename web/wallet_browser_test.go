package web_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// yuan reads "¥12.34" as 1234 minor units.
func yuan(t *testing.T, s string) int64 {
	t.Helper()
	s = strings.TrimSpace(strings.NewReplacer("¥", "", ",", "", "+", "").Replace(s))
	whole, frac, _ := strings.Cut(s, ".")
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt((frac + "00")[:2], 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("not an amount: %q", s)
	}
	return w*100 + f
}

func enterPIN(b *bt.Browser, pin string) {
	acts := []chromedp.Action[chromedp.Void]{bt.Visible("#pin-sheet")}
	for _, d := range pin {
		acts = append(acts, bt.Click(fmt.Sprintf(`#pin-sheet [data-key="%c"]`, d)))
	}
	b.Run("entering the PIN", acts...)
}

// Top up in the Wallet tab, send a lucky red packet to a group of three,
// each of the three opens it, and the shares add up to the total.
func TestRedPacketInBrowser(t *testing.T) {
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})
	ann := nodetest.Signup(t, n.URL(), "ann")
	ben := nodetest.Signup(t, n.URL(), "ben")
	cat := nodetest.Signup(t, n.URL(), "cat")
	nodetest.Befriend(t, ann, ben, "ben")
	nodetest.Befriend(t, ann, cat, "cat")
	ann.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": "369258", "password": "correct horse"})
	g := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "group", "title": "Trio", "usernames": []string{"ben", "cat"}})
	gid := g.Str("conversation.id")

	annB := bt.New(t, alloc, "ann", bt.Phone)
	login(annB, n.URL(), "ann")
	annB.Run("topping up",
		bt.Click(`[data-tab="wallet"]`),
		bt.Visible("#wallet-topup"),
		bt.Click("#wallet-topup"),
		bt.Visible("#amount-input"),
		bt.Type("#amount-input", "100"),
		bt.Click("#money-submit"),
	)
	bt.WaitText(annB, "#wallet-balance", "¥100.00")
	annB.Screenshot("wallet")

	row := fmt.Sprintf(`[data-conversation-id="%s"]`, gid)
	annB.Run("sending a red packet",
		bt.Click(`[data-tab="chats"]`),
		bt.Visible(row), bt.Click(row),
		bt.Visible("#composer-more"), bt.Click("#composer-more"),
		bt.Visible("#send-red-packet"), bt.Click("#send-red-packet"),
		bt.Visible("#rp-total"),
		bt.Click("#rp-split-lucky"),
		bt.Type("#rp-count", "3"),
		bt.Type("#rp-total", "30"),
		bt.Click("#rp-submit"),
	)
	enterPIN(annB, "369258")
	annB.Run("seeing it in the chat", bt.Visible(`#conversation [data-kind="red_packet"] .red-packet`))
	annB.Screenshot("red-packet-sent")

	var total int64
	open := func(b *bt.Browser) {
		b.Run("opening the red packet",
			bt.Visible(`#conversation [data-kind="red_packet"] .red-packet`),
			bt.Click(`#conversation [data-kind="red_packet"] .red-packet`),
			bt.Visible("#red-packet-open-button"),
			bt.Click("#red-packet-open-button"),
			bt.Visible("#red-packet-amount"),
		)
		amount := yuan(t, b.Text("#red-packet-amount"))
		if amount < 1 {
			t.Fatalf("%s got %d", b.Name, amount)
		}
		total += amount
		b.Screenshot("opened")
	}
	open(annB)
	for _, who := range []string{"ben", "cat"} {
		b := bt.New(t, alloc, who, bt.Phone)
		login(b, n.URL(), who)
		b.Run("opening the group", bt.Visible(row), bt.Click(row))
		open(b)
	}
	if total != 3000 {
		t.Fatalf("the three shares add up to %d, want 3000", total)
	}
	if c, _ := n.Pay.CheckLedger(t.Context()); !c.Balanced {
		t.Fatalf("ledger: %+v", c)
	}
}
