package node_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/trust"
)

// A policy created on node 1 reaches every socket on node 2 as a trust
// frame at once, and again ("flipped") when it takes effect; cancelling it
// is one more: the client's cue to ask for its notices, so open pages
// change without a reload. The frame names the policy only.
func TestTrustFramesReachEverySocket(t *testing.T) {
	natsURL := os.Getenv("PLAZA_TEST_NATS")
	if natsURL == "" {
		dbtest.Require(t, "nats", "PLAZA_TEST_NATS is not set")
	}
	db := dbtest.PostgresURL(t)
	prefix := "tf" + ids.Token(5)
	n1 := nodetest.Start(t, nodetest.Options{DBURL: db, NATS: natsURL, Prefix: prefix})
	n2 := nodetest.Start(t, nodetest.Options{DBURL: db, NATS: natsURL, Prefix: prefix})
	ctx := context.Background()
	admin, err := n1.Accounts.CreateAdmin(ctx, "frames_op", "sturdy-pass-1", "CN")
	if err != nil {
		t.Fatal(err)
	}
	// A user elsewhere hears it too: the frame says nothing of whom it concerns.
	sock := nodetest.Signup(t, n2.URL(), "listener").Dial(t)
	effective := time.Now().Add(1500 * time.Millisecond)
	p, err := n1.Trust.Create(ctx, admin.ID, trust.NewPolicy{Kind: "block", TargetType: trust.TargetUser, TargetID: admin.ID,
		Regions: []string{"US"}, Scopes: []trust.Scope{trust.ScopeMessaging}, EffectiveAt: effective, Reason: "test"})
	if err != nil {
		t.Fatal(err)
	}
	is := func(event, state string) func(nodetest.Frame) bool {
		return func(f nodetest.Frame) bool {
			return f["type"] == "trust" && f["event"] == event && f.Str("policy_id") == p.ID && f.Str("state") == state
		}
	}
	f := sock.Next(t, time.Second, is("changed", "created"))
	if len(f) != 4 {
		t.Errorf("the frame carries more than type, event, policy and state: %v", f)
	}
	sock.Next(t, 3*time.Second, is("flipped", "active"))
	if late := time.Since(effective); late > time.Second {
		t.Errorf("the flip frame came %v after effective_at", late)
	}
	if _, err := n1.Trust.Cancel(ctx, admin.ID, p.ID, "done"); err != nil {
		t.Fatal(err)
	}
	sock.Next(t, time.Second, is("changed", "cancelled"))
}
