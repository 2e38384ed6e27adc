package web_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// Transfers as WeChat does them, on a phone and on a desktop, with two
// people: Alice sends ¥12.00 from the chat, both see a pending card
// ("Awaiting Bob’s acceptance" / "Tap to accept"), Bob accepts it on the
// details page, and both cards turn "Accepted" live, without a reload; a
// second one Bob returns reads "Returned" on both sides; a red packet Bob
// opens shows Alice "Bob opened your Red Packet" and her card "Opened".
func TestTransfersInBrowser(t *testing.T) {
	alloc := bt.Allocator(t)
	for _, vp := range []struct {
		name string
		size [2]int64
	}{{"phone", bt.Phone}, {"desktop", [2]int64{1440, 900}}} {
		t.Run(vp.name, func(t *testing.T) {
			n := nodetest.Start(t, nodetest.Options{})
			alice := nodetest.Signup(t, n.URL(), "alice")
			bob := nodetest.Signup(t, n.URL(), "bob")
			nodetest.Befriend(t, alice, bob, "bob")
			alice.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": "369258", "password": "correct horse"})
			if r := alice.Do(t, "POST", "/api/v1/wallet/topups", map[string]any{"amount": 10_000, "currency": "CNY"}, "Idempotency-Key", "top"); r.Status != 201 {
				t.Fatalf("top-up: %d %s", r.Status, r.Body)
			}
			conv := alice.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "bob"}).Str("conversation.id")
			row := fmt.Sprintf(`[data-conversation-id="%s"]`, conv)

			aliceB := bt.New(t, alloc, "alice", vp.size)
			bobB := bt.New(t, alloc, "bob", vp.size)
			login(aliceB, n.URL(), "alice")
			login(bobB, n.URL(), "bob")
			for _, b := range []*bt.Browser{aliceB, bobB} {
				b.Run("opening the chat", bt.Visible(row), bt.Click(row), bt.Visible("#composer-more"))
			}

			send := func(amount, note string) {
				aliceB.Run("sending a transfer from the chat",
					bt.Click("#composer-more"),
					bt.Visible("#send-transfer"), bt.Click("#send-transfer"),
					bt.Visible("#amount-input"),
					bt.Type("#amount-input", amount),
					bt.Type("#transfer-note", note),
					bt.Click("#money-submit"),
				)
				enterPIN(aliceB, "369258")
			}
			pending := `#conversation .transfer-card[data-status="pending_acceptance"]`
			send("12", "Dinner")
			aliceB.Run("seeing it wait for Bob", bt.Visible(pending))
			bt.WaitText(aliceB, pending+" .transfer-note", "Awaiting Bob’s acceptance")
			bobB.Run("seeing a transfer to accept", bt.Visible(pending))
			bt.WaitText(bobB, pending+" .transfer-note", "Tap to accept")
			bt.WaitText(bobB, pending+" .transfer-card-title", "Transfer to you")
			bt.WaitText(bobB, pending+" .transfer-amount", "¥12.00")
			aliceB.Screenshot("pending-payer")
			bobB.Screenshot("pending-payee")

			bobB.Run("opening the details", bt.Click(pending), bt.Visible("#transfer-accept"))
			bt.WaitText(bobB, "#transaction-amount", "¥12.00")
			bt.WaitText(bobB, "#transaction-note", "Dinner")
			bobB.Screenshot("details-to-accept")
			bobB.Run("accepting", bt.Click("#transfer-accept"), bt.Visible(`#transaction-details[data-status="succeeded"]`))
			bt.WaitText(bobB, "#transaction-status", "Accepted")
			bobB.Screenshot("details-accepted")

			accepted := `#conversation .transfer-card[data-status="succeeded"]`
			// Alice did nothing: her card changed by itself.
			aliceB.Run("seeing it accepted live", bt.Visible(accepted))
			bt.WaitText(aliceB, accepted+" .transfer-note", "Accepted")
			aliceB.Screenshot("accepted-payer")
			bobB.Run("back in the chat", bt.Click(".transaction-page .back-button"), bt.Visible(accepted))
			bt.WaitText(bobB, accepted+" .transfer-note", "Accepted")

			// The payer's details say when it comes back.
			send("5", "Taxi")
			aliceB.Run("opening her pending transfer", bt.Visible(pending), bt.Click(pending), bt.Visible("#transfer-return-hint"))
			bt.WaitText(aliceB, "#transaction-status", "Awaiting Bob’s acceptance")
			aliceB.Screenshot("details-payer-pending")
			bobB.Run("returning the second", bt.Visible(pending), bt.Click(pending), bt.Visible("#transfer-decline"),
				bt.Click("#transfer-decline"), bt.Visible(`#transaction-details[data-status="returned"]`))
			// Alice's open details page changes live too.
			aliceB.Run("seeing it returned on her details page", bt.Visible(`#transaction-details[data-status="returned"]`))
			bt.WaitText(aliceB, "#transaction-status", "Bob returned it")
			aliceB.Screenshot("details-payer-returned")
			aliceB.Run("back in the chat", bt.Click(".transaction-page .back-button"))
			returned := `#conversation .transfer-card[data-status="returned"]`
			aliceB.Run("the card reads returned", bt.Visible(returned))
			bt.WaitText(aliceB, returned+" .transfer-note", "Returned")
			bobB.Run("back in the chat", bt.Click(".transaction-page .back-button"), bt.Visible(returned))
			bt.WaitText(bobB, returned+" .transfer-note", "Returned")
			aliceB.Screenshot("returned-payer")
			bobB.Screenshot("returned-payee")
			if a := alice.Do(t, "GET", "/api/v1/wallet", nil).Get("balances").([]any)[0].(map[string]any)["amount"].(float64); a != 8_800 {
				t.Fatalf("alice has %v, want 8800", a)
			}

			// A red packet Bob opens.
			if r := alice.Do(t, "POST", "/api/v1/conversations/"+conv+"/red-packets", map[string]any{"total": 888, "count": 1, "currency": "CNY",
				"greeting": "Happy new year", "pin": "369258"}, "Idempotency-Key", "rp"); r.Status != 201 {
				t.Fatalf("red packet: %d %s", r.Status, r.Body)
			}
			packet := `#conversation [data-kind="red_packet"] .red-packet`
			bobB.Run("opening the red packet",
				bt.Visible(packet), bt.Click(packet),
				bt.Visible("#red-packet-open-button"), bt.Click("#red-packet-open-button"),
				bt.Visible("#red-packet-amount"),
			)
			note := `#conversation [data-kind="red_packet_opened"] .bubble-text`
			aliceB.Run("seeing who opened it", bt.Visible(note), bt.Visible(`#conversation .red-packet[data-state="opened"]`))
			bt.WaitText(aliceB, note, "Bob opened your Red Packet")
			aliceB.Screenshot("red-packet-opened")
			bobB.Run("closing the packet", chromedp.Navigate(n.URL()+"/chats/"+conv), bt.Visible(note))
			bt.WaitText(bobB, note, "You opened Alice’s Red Packet")
			bobB.Screenshot("red-packet-opened")
			if c, _ := n.Pay.CheckLedger(t.Context()); !c.Balanced || !c.Reconciled {
				t.Fatalf("ledger: %+v", c)
			}
		})
	}
}
