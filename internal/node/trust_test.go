package node_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/trust"
)

// The wiring: targets are the node's apps, merchants and accounts;
// regions are account's list; every Service of a node signs with one key.
func TestTrustWiring(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	ctx := context.Background()
	if err := n.DB.Migrate(ctx, slog.New(slog.DiscardHandler), trust.Migrations); err != nil {
		t.Fatal(err)
	}
	s, err := node.NewTrust(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := n.Accounts.CreateAdmin(ctx, "trust_op", "sturdy-pass-1", "CN")
	if err != nil {
		t.Fatal(err)
	}
	in := trust.NewPolicy{Kind: "block", TargetType: trust.TargetUser, TargetID: admin.ID, Regions: []string{"US"},
		Scopes: []trust.Scope{trust.ScopeMessaging}, EffectiveAt: time.Now(), Reason: "test"}
	p, err := s.Create(ctx, admin.ID, in)
	if err != nil || p.TargetName != admin.DisplayName {
		t.Fatalf("policy on a user: %+v, %v", p, err)
	}
	for _, c := range []struct {
		typ trust.TargetType
		id  string
	}{{trust.TargetApp, "wx_nope"}, {trust.TargetMerchant, "1999999999"}, {trust.TargetDeveloper, "usr_nope"}} {
		in.TargetType, in.TargetID = c.typ, c.id
		if _, err := s.Create(ctx, admin.ID, in); !errs.Is(err, errs.NotFound) {
			t.Errorf("%s %s: %v, want not_found", c.typ, c.id, err)
		}
	}
	in.TargetType, in.TargetID, in.Regions = trust.TargetUser, admin.ID, []string{"XZ"}
	if _, err := s.Create(ctx, admin.ID, in); !errs.Is(err, errs.InvalidArgument) {
		t.Errorf("an unknown region: %v", err)
	}
	other, err := node.NewTrust(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	k1, err1 := s.VerifierKey()
	k2, err2 := other.VerifierKey()
	if err1 != nil || err2 != nil || k1 != k2 {
		t.Fatalf("two keys: %q %q (%v %v)", k1, k2, err1, err2)
	}
}
