package pay_test

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	paysvc "github.com/plaza-dev/plaza/internal/pay"
	"github.com/plaza-dev/plaza/internal/platform/bus"
)

// Every completed transfer between people — a transfer, a red packet's
// share claimed — is published once on events.pay.transfer_completed,
// with who paid whom, how much and when; a refused transfer (a wrong PIN,
// too little money) and a retry answered from its first result publish
// nothing.
func TestTransferCompletedEvents(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		var mu sync.Mutex
		var got []paysvc.TransferCompleted
		sub, err := n.Bus.Subscribe(paysvc.TransferCompletedSubject, func(m *bus.Message) {
			var e paysvc.TransferCompleted
			if err := json.Unmarshal(m.Data, &e); err != nil {
				t.Errorf("event %s: %v", m.Data, err)
			}
			mu.Lock()
			got = append(got, e)
			mu.Unlock()
		})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Unsubscribe()
		events := func() []paysvc.TransferCompleted {
			mu.Lock()
			defer mu.Unlock()
			return append([]paysvc.TransferCompleted(nil), got...)
		}
		ann := wallet(t, n, "ann", 10_000)
		ben := wallet(t, n, "ben", 0)
		nodetest.Befriend(t, ann, ben, "ben")
		annID, benID := ann.Do(t, "GET", "/api/v1/me", nil).Str("user.id"), ben.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
		before := time.Now().Add(-time.Second)

		transfer := map[string]any{"username": "ben", "amount": 1_234, "currency": "CNY", "note": "dinner", "pin": pin}
		first := ann.Do(t, "POST", "/api/v1/wallet/transfers", transfer, "Idempotency-Key", "dinner")
		again := ann.Do(t, "POST", "/api/v1/wallet/transfers", transfer, "Idempotency-Key", "dinner")
		if first.Status != 201 || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("transfer: %d %s / retry %d %s", first.Status, first.Body, again.Status, again.Body)
		}
		if r := pay(t, ann, "/api/v1/wallet/transfers", map[string]any{"username": "ben", "amount": 10, "currency": "CNY", "pin": "000000"}); r.Code() != "wrong_pin" {
			t.Fatalf("wrong PIN: %d %s", r.Status, r.Body)
		}
		if r := pay(t, ann, "/api/v1/wallet/transfers", map[string]any{"username": "ben", "amount": 1_000_000, "currency": "CNY", "pin": pin}); r.Code() != "insufficient_funds" {
			t.Fatalf("too much: %d %s", r.Status, r.Body)
		}
		d := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "ben"})
		rp := pay(t, ann, "/api/v1/conversations/"+d.Str("conversation.id")+"/red-packets", map[string]any{"total": 300, "count": 1, "currency": "CNY", "pin": pin})
		if rp.Status != 201 {
			t.Fatalf("red packet: %d %s", rp.Status, rp.Body)
		}
		if r := ben.Do(t, "POST", "/api/v1/red-packets/"+rp.Str("red_packet.id")+"/claim", nil); r.Status != 200 {
			t.Fatalf("claim: %d %s", r.Status, r.Body)
		}
		claimID := ben.Do(t, "GET", "/api/v1/wallet/transactions?limit=1", nil).Get("items").([]any)[0].(map[string]any)["id"].(string)
		// The last one: events leave one node's outbox in order, so once
		// it is heard, any event of the refusals would have been too.
		last := pay(t, ann, "/api/v1/wallet/transfers", map[string]any{"username": "ben", "amount": 1, "currency": "CNY", "pin": pin})
		if last.Status != 201 {
			t.Fatalf("last transfer: %d %s", last.Status, last.Body)
		}
		lastID := last.Str("transaction.id")
		nodetest.WaitFor(t, 10*time.Second, func() bool {
			for _, e := range events() {
				if e.TransferID == lastID {
					return true
				}
			}
			return false
		})

		want := map[string]paysvc.TransferCompleted{
			first.Str("transaction.id"): {FromUserID: annID, ToUserID: benID, Amount: 1_234, Currency: "CNY", Kind: paysvc.KindTransfer},
			claimID:                     {FromUserID: annID, ToUserID: benID, Amount: 300, Currency: "CNY", Kind: paysvc.KindRedPacketClaim, Reference: rp.Str("red_packet.id")},
			lastID:                      {FromUserID: annID, ToUserID: benID, Amount: 1, Currency: "CNY", Kind: paysvc.KindTransfer},
		}
		seen := map[string]int{}
		for _, e := range events() {
			seen[e.TransferID]++
			w, ok := want[e.TransferID]
			if !ok {
				t.Errorf("an event for no completed transfer: %+v", e)
				continue
			}
			if e.At.Before(before) || e.At.After(time.Now()) {
				t.Errorf("event at %v", e.At)
			}
			w.TransferID, w.At = e.TransferID, e.At
			if e != w {
				t.Errorf("event %+v, want %+v", e, w)
			}
		}
		for id := range want {
			if seen[id] != 1 {
				t.Errorf("transfer %s published %d times, want once", id, seen[id])
			}
		}
	})
}
