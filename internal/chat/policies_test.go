package chat_test

import (
	"context"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// A user blocked for messaging in their region cannot send, over HTTP or
// the socket (422 blocked_by_policy, nothing written), yet still reads the
// chat; the other member still sends, a block for another region changes
// nothing, and cancelling restores sending at once.
func TestSenderBlockedForMessaging(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		if _, err := n.Accounts.CreateAdmin(ctx, "trust_op", "correct horse", "CN"); err != nil {
			t.Fatal(err)
		}
		adm := nodetest.NewClient(n.URL())
		adm.Token = adm.Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": "trust_op", "password": "correct horse"}).Str("token")
		u := people(t, n, "ann", "ben")
		ann, ben := u[0], u[1]
		conv := direct(t, ann, "ben")
		if r := send(t, ann, conv, "c-0", "before"); r.Status != 201 {
			t.Fatalf("before: %d %s", r.Status, r.Body)
		}
		block := func(username string, regions ...string) string {
			user, err := n.Accounts.UserByUsername(ctx, username)
			if err != nil {
				t.Fatal(err)
			}
			r := adm.Do(t, "POST", "/api/v1/admin/policies", map[string]any{"kind": "block", "target_type": "user", "target_id": user.ID,
				"regions": regions, "scopes": []string{"messaging"}, "effective_at": time.Now().Add(-time.Second).UTC().Format(time.RFC3339Nano),
				"reason": "order 3"})
			if r.Status != 201 {
				t.Fatalf("policy: %d %s", r.Status, r.Body)
			}
			return r.Str("policy.id")
		}
		id := block("ann", "US") // ann and ben signed up in the US
		block("ben", "CN")

		before := rowCount(t, n, "messages")
		if r := send(t, ann, conv, "c-1", "blocked"); r.Status != 422 || r.Code() != "blocked_by_policy" {
			t.Fatalf("HTTP send: %d %s", r.Status, r.Body)
		}
		s := ann.Dial(t)
		s.Send(t, map[string]any{"type": "send", "conversation_id": conv, "client_id": "c-2", "kind": "text", "text": "blocked too"})
		if f := s.Next(t, wait, func(f nodetest.Frame) bool { return f["type"] == "error" }); f.Str("error.code") != "blocked_by_policy" || f.Str("client_id") != "c-2" {
			t.Fatalf("socket send: %v", f)
		}
		if got := rowCount(t, n, "messages"); got != before {
			t.Fatalf("refused sends wrote %d messages", got-before)
		}
		if r := send(t, ben, conv, "b-1", "ben is not blocked where he is"); r.Status != 201 {
			t.Fatalf("ben: %d %s", r.Status, r.Body)
		}
		if r := ann.Do(t, "GET", "/api/v1/conversations/"+conv+"/messages", nil); r.Status != 200 || len(r.Get("items").([]any)) != 2 {
			t.Fatalf("ann reading the chat: %d %s", r.Status, r.Body)
		}

		if r := adm.Do(t, "POST", "/api/v1/admin/policies/"+id+"/cancel", map[string]string{"reason": "lifted"}); r.Status != 200 {
			t.Fatalf("cancel: %d %s", r.Status, r.Body)
		}
		if r := send(t, ann, conv, "c-3", "after"); r.Status != 201 {
			t.Fatalf("after cancelling: %d %s", r.Status, r.Body)
		}
		s.Send(t, map[string]any{"type": "send", "conversation_id": conv, "client_id": "c-4", "kind": "text", "text": "and here"})
		if f := s.Next(t, wait, func(f nodetest.Frame) bool { return f["type"] == "ack" }); f.Str("client_id") != "c-4" {
			t.Fatalf("socket after cancelling: %v", f)
		}
	})
}
