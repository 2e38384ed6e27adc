package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/plaza-dev/plaza/internal/node"
	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/trust"
)

// A transfer to a party screening matched is held: the payee sees it held
// in their chat and wallet; an administrator finds it in the console's
// Reviews tab (the party beside its match), releases it with a note, and
// finds it under Released with who decided.
func TestAdminReleasesAHeldTransfer(t *testing.T) {
	ctx := context.Background()
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{Tune: func(c *node.Config) {
		c.Test.Screen = func(_ context.Context, p trust.Party) (*trust.Match, error) {
			if strings.Contains(strings.ToLower(p.Name), "eve") {
				return &trust.Match{EntryID: "sdn-36", Name: "EVE, Example", Score: 0.91, Program: "SDGT", List: "ofac", ListHash: "sha256:0123456789abcdef"}, nil
			}
			return nil, nil
		}
	}})
	if _, err := n.Accounts.CreateAdmin(ctx, "operator", "correct horse", "CN"); err != nil {
		t.Fatal(err)
	}
	ann := nodetest.Signup(t, n.URL(), "ann")
	eve := nodetest.Signup(t, n.URL(), "eve")
	nodetest.Befriend(t, ann, eve, "eve")
	ann.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": "369258", "password": "correct horse"})
	ann.Do(t, "POST", "/api/v1/wallet/topups", map[string]any{"amount": 10_000, "currency": "CNY"}, "Idempotency-Key", "seed")
	r := ann.Do(t, "POST", "/api/v1/wallet/transfers", map[string]any{"username": "eve", "amount": 1_234, "currency": "CNY", "note": "rent", "pin": "369258"},
		"Idempotency-Key", "t1")
	if r.Status != 202 {
		t.Fatalf("held transfer: %d %s", r.Status, r.Body)
	}

	conv := eve.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "ann"}).Str("conversation.id")
	eb := bt.New(t, alloc, "eve", bt.Phone)
	login(eb, n.URL(), "eve")
	row := `[data-conversation-id="` + conv + `"]`
	eb.Run("seeing the transfer held in chat", bt.Visible(row), bt.Click(row), bt.Visible(`.transfer-bubble[data-status="held"]`))
	if got := eb.Text(`.transfer-bubble[data-status="held"]`); !strings.Contains(got, "Held for review") {
		t.Fatalf("transfer bubble: %q", got)
	}
	eb.Screenshot("chat-held")
	eb.Run("back to the chats", chromedp.Navigate(n.URL()+"/"), bt.Visible(`[data-tab="wallet"]`))
	eb.Run("seeing the held transfer in the wallet", bt.Click(`[data-tab="wallet"]`), bt.Visible(".tx-row.tx-held"))
	if got := eb.Text(".tx-row.tx-held"); !strings.Contains(got, "Held for review") || !strings.Contains(got, "12.34") {
		t.Fatalf("wallet row: %q", got)
	}
	eb.Screenshot("wallet-held")

	op := bt.New(t, alloc, "operator", bt.Desktop)
	login(op, n.URL(), "operator")
	op.Run("opening the Reviews tab", bt.Click(`[data-tab="me"]`), bt.Visible("#me-admin"), bt.Click("#me-admin"),
		bt.Visible("#admin-nav-reviews"), bt.Click("#admin-nav-reviews"), bt.Visible(`.review-card[data-state="open"]`))
	card := strings.ToLower(op.Text(`.review-card[data-state="open"]`))
	for _, want := range []string{"transfer", "12.34", "eve", "us", "eve, example", "91%", "sdgt", "sdn-36", "ann"} {
		if !strings.Contains(card, want) {
			t.Fatalf("review card lacks %q: %q", want, card)
		}
	}
	if got := op.Text(`.review-card[data-state="open"] .review-party`); !strings.Contains(got, "US") {
		t.Fatalf("the party's region: %q", got)
	}
	op.Screenshot("open")
	op.Run("releasing it with a note", bt.Type(".review-note", "A different Eve"), bt.Click(".review-release"), bt.Visible("#reviews-empty"))
	op.Run("finding it under Released", bt.Click("#reviews-tab-released"), bt.Visible(`.review-card[data-state="released"]`))
	if got := op.Text(`.review-card[data-state="released"] .review-decision`); !strings.Contains(got, "A different Eve") {
		t.Fatalf("decision: %q", got)
	}
	op.Screenshot("released")

	eb.Run("seeing it paid", chromedp.Reload(), bt.Visible(`[data-tab="wallet"]`), bt.Click(`[data-tab="wallet"]`), bt.Visible("#wallet-balance"))
	bt.WaitText(eb, "#wallet-balance", "¥12.34")
}
