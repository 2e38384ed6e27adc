package pay_test

import (
	"strings"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// acceptTransfer sends amount from c to username with accept_required.
func acceptTransfer(t *testing.T, c *nodetest.Client, username string, amount int64) *nodetest.Response {
	t.Helper()
	return pay(t, c, "/api/v1/wallet/transfers", map[string]any{"username": username, "amount": amount, "currency": "CNY",
		"note": "dinner", "pin": pin, "accept_required": true})
}

// A transfer sent with accept_required leaves the payer at once and
// reaches the payee only when they accept; both sides' sockets hear a
// `transaction` frame at each step and the chat has its transfer message;
// others' ids are 404, a second decision 409, a retry with the key
// replays; a decline returns the money; without the field a transfer
// completes at once, as before.
func TestAcceptRequiredTransferOverHTTP(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		alice := wallet(t, n, "alice_ta", 10_000)
		bob := wallet(t, n, "bob_ta", 0)
		eve := wallet(t, n, "eve_ta", 0)
		nodetest.Befriend(t, alice, bob, "bob_ta")
		as, bs := alice.Dial(t), bob.Dial(t)

		r := acceptTransfer(t, alice, "bob_ta", 1_200)
		if r.Status != 201 || r.Str("transaction.status") != "pending_acceptance" || r.Str("transaction.acceptance.state") != "pending" {
			t.Fatalf("send: %d %s", r.Status, r.Body)
		}
		id := r.Str("transaction.id")
		if a, b := balance(t, alice), balance(t, bob); a != 8_800 || b != 0 {
			t.Fatalf("pending: alice %d bob %d, want 8800 0", a, b)
		}
		ledgerOK(t, n)
		// The chat shows it as a transfer message in their direct chat.
		msg := bs.Next(t, 5*time.Second, func(f nodetest.Frame) bool { return f.Str("type") == "message" && f.Str("message.kind") == "transfer" })
		if msg.Str("message.transaction_id") != id {
			t.Fatalf("transfer message: %v", msg)
		}
		for _, s := range []*nodetest.Socket{as, bs} {
			s.Next(t, 5*time.Second, func(f nodetest.Frame) bool {
				return f.Str("type") == "transaction" && f.Str("transaction_id") == id && f.Str("status") == "pending_acceptance"
			})
		}
		// Both see it pending, from their side.
		got := bob.Do(t, "GET", "/api/v1/wallet/transactions/"+id, nil)
		if got.Status != 200 || got.Str("transaction.direction") != "in" || got.Str("transaction.status") != "pending_acceptance" ||
			got.Str("transaction.counterparty.username") != "alice_ta" || got.Str("transaction.note") != "dinner" {
			t.Fatalf("bob's view: %d %s", got.Status, got.Body)
		}
		got = alice.Do(t, "GET", "/api/v1/wallet/transactions/"+id, nil)
		if got.Str("transaction.direction") != "out" || got.Str("transaction.counterparty.username") != "bob_ta" {
			t.Fatalf("alice's view: %s", got.Body)
		}
		// Others: 404, and nothing changes. The payer cannot accept.
		for _, c := range []*nodetest.Client{eve, alice} {
			for _, verb := range []string{"accept", "decline"} {
				if r := pay(t, c, "/api/v1/wallet/transfers/"+id+"/"+verb, nil); r.Status != 404 || r.Code() != "not_found" {
					t.Fatalf("%s by a stranger: %d %s", verb, r.Status, r.Body)
				}
			}
		}
		if r := pay(t, bob, "/api/v1/wallet/transfers/tx_nope/accept", nil); r.Status != 404 {
			t.Fatalf("an unknown id: %d %s", r.Status, r.Body)
		}
		if r := bob.Do(t, "POST", "/api/v1/wallet/transfers/"+id+"/accept", map[string]any{"x": 1}); r.Code() != "invalid_argument" {
			t.Fatalf("an unknown field: %d %s", r.Status, r.Body)
		}
		if a, b := balance(t, alice), balance(t, bob); a != 8_800 || b != 0 {
			t.Fatalf("refused decisions moved money: alice %d bob %d", a, b)
		}

		// Bob accepts; a retry with the key replays, without one it is 409.
		acc := bob.Do(t, "POST", "/api/v1/wallet/transfers/"+id+"/accept", nil, "Idempotency-Key", "acc-1")
		if acc.Status != 200 || acc.Str("transaction.status") != "succeeded" || acc.Str("transaction.acceptance.state") != "accepted" {
			t.Fatalf("accept: %d %s", acc.Status, acc.Body)
		}
		if r := bob.Do(t, "POST", "/api/v1/wallet/transfers/"+id+"/accept", nil, "Idempotency-Key", "acc-1"); r.Status != 200 ||
			r.Str("transaction.status") != "succeeded" {
			t.Fatalf("replay: %d %s", r.Status, r.Body)
		}
		for _, verb := range []string{"accept", "decline"} {
			if r := pay(t, bob, "/api/v1/wallet/transfers/"+id+"/"+verb, nil); r.Status != 409 || r.Code() != "conflict" {
				t.Fatalf("%s after accepting: %d %s", verb, r.Status, r.Body)
			}
		}
		if a, b := balance(t, alice), balance(t, bob); a != 8_800 || b != 1_200 {
			t.Fatalf("accepted: alice %d bob %d, want 8800 1200", a, b)
		}
		for _, s := range []*nodetest.Socket{as, bs} {
			s.Next(t, 5*time.Second, func(f nodetest.Frame) bool {
				return f.Str("type") == "transaction" && f.Str("transaction_id") == id && f.Str("status") == "succeeded"
			})
		}
		ledgerOK(t, n)

		// A declined one returns to Alice at once and reads "returned".
		id2 := acceptTransfer(t, alice, "bob_ta", 500).Str("transaction.id")
		if r := pay(t, bob, "/api/v1/wallet/transfers/"+id2+"/decline", nil); r.Status != 200 || r.Str("transaction.status") != "returned" {
			t.Fatalf("decline: %d %s", r.Status, r.Body)
		}
		if r := pay(t, bob, "/api/v1/wallet/transfers/"+id2+"/accept", nil); r.Status != 409 {
			t.Fatalf("accept after decline: %d %s", r.Status, r.Body)
		}
		if a, b := balance(t, alice), balance(t, bob); a != 8_800 || b != 1_200 {
			t.Fatalf("declined: alice %d bob %d", a, b)
		}
		as.Next(t, 5*time.Second, func(f nodetest.Frame) bool {
			return f.Str("type") == "transaction" && f.Str("transaction_id") == id2 && f.Str("status") == "returned"
		})
		// History: Bob sees each transfer once (not the release to him);
		// Alice sees hers and the return.
		hist := bob.Do(t, "GET", "/api/v1/wallet/transactions", nil)
		if n := strings.Count(string(hist.Body), `"id":"`+id+`"`); n != 1 {
			t.Fatalf("bob's history has the accepted transfer %d times: %s", n, hist.Body)
		}
		hist = alice.Do(t, "GET", "/api/v1/wallet/transactions", nil)
		if !strings.Contains(string(hist.Body), `"kind":"transfer_return"`) {
			t.Fatalf("alice's history lacks the return: %s", hist.Body)
		}
		ledgerOK(t, n)

		// Without the field, as before: at once.
		if r := pay(t, alice, "/api/v1/wallet/transfers", map[string]any{"username": "bob_ta", "amount": 100, "currency": "CNY", "pin": pin}); r.Status != 201 ||
			r.Str("transaction.status") != "succeeded" {
			t.Fatalf("plain transfer: %d %s", r.Status, r.Body)
		}
		if b := balance(t, bob); b != 1_300 {
			t.Fatalf("plain transfer did not arrive: %d", b)
		}
		// A wrong PIN and too little money move nothing.
		if r := pay(t, alice, "/api/v1/wallet/transfers", map[string]any{"username": "bob_ta", "amount": 100, "currency": "CNY", "pin": "000000", "accept_required": true}); r.Code() != "wrong_pin" {
			t.Fatalf("wrong pin: %d %s", r.Status, r.Body)
		}
		if r := acceptTransfer(t, alice, "bob_ta", 1_000_000); r.Code() != "insufficient_funds" {
			t.Fatalf("too much: %d %s", r.Status, r.Body)
		}
		if a := balance(t, alice); a != 8_700 {
			t.Fatalf("refused sends moved money: %d", a)
		}
		// The same key with and without accept_required is another request.
		k := "same-key"
		body := map[string]any{"username": "bob_ta", "amount": 100, "currency": "CNY", "pin": pin}
		if r := alice.Do(t, "POST", "/api/v1/wallet/transfers", body, "Idempotency-Key", k); r.Status != 201 {
			t.Fatal(r.Status, string(r.Body))
		}
		body["accept_required"] = true
		if r := alice.Do(t, "POST", "/api/v1/wallet/transfers", body, "Idempotency-Key", k); r.Code() != "idempotency_mismatch" {
			t.Fatalf("key reused with accept_required: %d %s", r.Status, r.Body)
		}
		ledgerOK(t, n)
	})
}

// Opening a red packet posts "Bob opened Alice's Red Packet" in the
// conversation, from the opener, with the packet's id.
func TestRedPacketOpenedNote(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		alice := wallet(t, n, "alice_rpo", 10_000)
		bob := wallet(t, n, "bob_rpo", 0)
		nodetest.Befriend(t, alice, bob, "bob_rpo")
		conv := alice.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "bob_rpo"}).Str("conversation.id")
		r := pay(t, alice, "/api/v1/conversations/"+conv+"/red-packets", map[string]any{"total": 800, "count": 1, "currency": "CNY", "greeting": "Hi", "pin": pin})
		if r.Status != 201 {
			t.Fatalf("send: %d %s", r.Status, r.Body)
		}
		rp := r.Str("red_packet.id")
		as := alice.Dial(t)
		if c := pay(t, bob, "/api/v1/red-packets/"+rp+"/claim", nil); c.Status != 200 {
			t.Fatalf("claim: %d %s", c.Status, c.Body)
		}
		f := as.Next(t, 5*time.Second, func(f nodetest.Frame) bool {
			return f.Str("type") == "message" && f.Str("message.kind") == "red_packet_opened"
		})
		if f.Str("message.text") != "Bob_rpo opened Alice_rpo's Red Packet" || f.Str("message.red_packet_id") != rp || f.Str("message.sender.username") != "bob_rpo" {
			t.Fatalf("note: %v", f)
		}
		// In history too, once; a second claim is refused and posts nothing.
		if c := pay(t, bob, "/api/v1/red-packets/"+rp+"/claim", nil); c.Status == 200 {
			t.Fatalf("claimed twice")
		}
		msgs := alice.Do(t, "GET", "/api/v1/conversations/"+conv+"/messages?after_seq=0", nil)
		if k := strings.Count(string(msgs.Body), `"kind":"red_packet_opened"`); k != 1 {
			t.Fatalf("%d opened notes: %s", k, msgs.Body)
		}
		if st := alice.Do(t, "GET", "/api/v1/red-packets/"+rp, nil).Str("red_packet.status"); st != "empty" {
			t.Fatalf("status %s", st)
		}
	})
}
