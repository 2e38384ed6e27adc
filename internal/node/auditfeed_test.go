package node_test

import (
	"context"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/trust"
)

// An erasure, published by account through the outbox, is recorded in
// the audit log once, by trust's durable consumer.
func TestErasureIsAudited(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		eve := nodetest.Signup(t, n.URL(), "eve")
		me := eve.Do(t, "GET", "/api/v1/me", nil)
		id := me.Str("user.id")
		if r := eve.Do(t, "DELETE", "/api/v1/me", map[string]string{"password": "correct horse"}); r.Status != 204 {
			t.Fatalf("erase: %d %s", r.Status, r.Body)
		}
		count := func() int {
			items, _, err := n.Trust.Entries(context.Background(), -1, 1000)
			if err != nil {
				t.Fatal(err)
			}
			k := 0
			for _, it := range items {
				if it.Action == "account.erased" && it.Target == "user:"+id {
					k++
				}
			}
			return k
		}
		nodetest.WaitFor(t, 10*time.Second, func() bool { return count() == 1 })
		// Delivered again (as at-least-once may), it is not logged twice.
		if _, err := n.Trust.AppendOnce(context.Background(), "account.user_erased:"+id, trust.Entry{Actor: id, Action: "account.erased", Target: "user:" + id}); err != nil {
			t.Fatal(err)
		}
		if k := count(); k != 1 {
			t.Fatalf("the erasure is logged %d times", k)
		}
		if ok, err := n.Trust.Verify(context.Background()); err != nil || !ok.OK {
			t.Fatalf("verify: %+v %v", ok, err)
		}
	})
}
