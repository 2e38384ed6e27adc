package trust_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/trust"
)

// A question that names a user but no region is asked in the user's own
// region, looked up once and then kept.
func TestCheckLooksUpTheUsersRegion(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t, sets...)
	clk := newClock()
	var lookups atomic.Int32
	home := map[string]string{"usr_us": "US", "usr_cn": "CN"}
	s := newService(t, db, trust.Config{Now: clk.Now, Regions: func(_ context.Context, id string) (string, error) {
		lookups.Add(1)
		return home[id], nil
	}})
	ctx := context.Background()
	if _, err := s.Create(ctx, "usr_admin", gadgetBan(clk.Now())); err != nil {
		t.Fatal(err)
	}
	ask := func(user string) error {
		return s.Check(ctx, trust.Question{UserID: user, Target: trust.Target{Type: trust.TargetApp, ID: "wx_gadget"}, Scope: trust.ScopeHosting})
	}
	for range 3 {
		wantCode(t, ask("usr_us"), trust.BlockedByPolicy)
		if err := ask("usr_cn"); err != nil {
			t.Fatalf("a CN user was refused: %v", err)
		}
	}
	if n := lookups.Load(); n != 2 {
		t.Fatalf("%d region lookups for two users, want 2 (kept a minute)", n)
	}
}
