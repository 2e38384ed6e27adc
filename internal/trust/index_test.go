package trust_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/trust"
)

func TestCheckFlipsAtEffectiveAtWithoutAWrite(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t, sets...)
	clk := newClock()
	s := newService(t, db, trust.Config{Now: clk.Now})
	ctx := context.Background()
	eff := clk.Now().Add(45 * 24 * time.Hour)
	in := gadgetBan(eff)
	in.ExpiresAt = ptr(eff.Add(time.Hour))
	if _, err := s.Create(ctx, "usr_admin", in); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		at   time.Time
		want bool
	}{
		{"before", eff.Add(-time.Microsecond), false},
		{"at_effective_at", eff, true},
		{"in_force", eff.Add(30 * time.Minute), true},
		{"at_expiry", eff.Add(time.Hour), false},
	} {
		clk.Set(c.at) // no write, no reload: only the clock moves
		err := s.Check(ctx, usQuestion(trust.ScopeDistribution))
		if blocked := err != nil; blocked != c.want {
			t.Errorf("%s: blocked=%v (%v), want %v", c.name, blocked, err, c.want)
		}
		if err != nil && !strings.Contains(err.Error(), "Gadget Store is not available in your region: Order of 18 September 2020") {
			t.Errorf("%s: refusal %q", c.name, err)
		}
		// The same, asked about an explicit instant.
		err = s.Check(ctx, trust.Question{UserID: "usr_alice", Region: "US", Target: trust.Target{Type: trust.TargetApp, ID: "wx_gadget"},
			Scope: trust.ScopePayments, At: c.at})
		if blocked := err != nil; blocked != c.want {
			t.Errorf("%s (At): blocked=%v, want %v", c.name, blocked, c.want)
		}
	}
}

func TestCheckTouchesOnlyWhatThePolicyNames(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t, sets...)
	clk := newClock()
	s := newService(t, db, trust.Config{Now: clk.Now})
	ctx := context.Background()
	now := clk.Now()
	create := func(tt trust.TargetType, id string, regions []string, scopes ...trust.Scope) {
		in := gadgetBan(now)
		in.TargetType, in.TargetID, in.Regions, in.Scopes = tt, id, regions, scopes
		if _, err := s.Create(ctx, "usr_admin", in); err != nil {
			t.Fatal(err)
		}
	}
	create(trust.TargetApp, "wx_gadget", []string{"US"}, trust.ScopeDistribution, trust.ScopeHosting, trust.ScopePayments)
	create(trust.TargetMerchant, "1900000001", []string{"US", "GB"}, trust.ScopePayments)
	create(trust.TargetDeveloper, "usr_dev", []string{"DE"}, trust.ScopeHosting)
	create(trust.TargetUser, "usr_bob", []string{"*"}, trust.ScopeMessaging)

	app := trust.Target{Type: trust.TargetApp, ID: "wx_gadget"}
	other := trust.Target{Type: trust.TargetApp, ID: "wx_other"}
	cases := []struct {
		name    string
		q       trust.Question
		blocked bool
	}{
		{"us_user_app_hosting", trust.Question{UserID: "u1", Region: "US", Target: app, Scope: trust.ScopeHosting}, true},
		{"cn_user_app_hosting", trust.Question{UserID: "u1", Region: "CN", Target: app, Scope: trust.ScopeHosting}, false},
		{"no_region_app_hosting", trust.Question{UserID: "u1", Target: app, Scope: trust.ScopeHosting}, false},
		{"us_user_app_messaging", trust.Question{UserID: "u1", Region: "US", Target: app, Scope: trust.ScopeMessaging}, false},
		{"us_user_other_app", trust.Question{UserID: "u1", Region: "US", Target: other, Scope: trust.ScopeHosting}, false},
		{"gb_pays_merchant", trust.Question{UserID: "u1", Region: "GB", Target: other, MerchantID: "1900000001", Scope: trust.ScopePayments}, true},
		{"gb_pays_merchant_as_target", trust.Question{UserID: "u1", Region: "GB", Target: trust.Target{Type: trust.TargetMerchant, ID: "1900000001"}, Scope: trust.ScopePayments}, true},
		{"cn_pays_merchant", trust.Question{UserID: "u1", Region: "CN", MerchantID: "1900000001", Scope: trust.ScopePayments}, false},
		{"gb_opens_merchant_app", trust.Question{UserID: "u1", Region: "GB", Target: other, MerchantID: "1900000001", Scope: trust.ScopeHosting}, false},
		{"de_opens_developer_app", trust.Question{UserID: "u1", Region: "DE", Target: other, DeveloperID: "usr_dev", Scope: trust.ScopeHosting}, true},
		{"de_finds_developer_app", trust.Question{UserID: "u1", Region: "DE", Target: other, DeveloperID: "usr_dev", Scope: trust.ScopeDistribution}, false},
		{"bob_sends", trust.Question{UserID: "usr_bob", Region: "CN", Scope: trust.ScopeMessaging}, true},
		{"alice_sends", trust.Question{UserID: "usr_alice", Region: "CN", Scope: trust.ScopeMessaging}, false},
	}
	for _, c := range cases {
		err := s.Check(ctx, c.q)
		if blocked := err != nil; blocked != c.blocked {
			t.Errorf("%s: blocked=%v (%v), want %v", c.name, blocked, err, c.blocked)
		}
		if err != nil {
			wantCode(t, err, trust.BlockedByPolicy)
		}
		if p := s.Blocking(ctx, c.q); (p != nil) != c.blocked {
			t.Errorf("%s: Blocking = %v", c.name, p)
		}
	}
}

func TestNoticesBeforeAndAfterEffect(t *testing.T) {
	t.Parallel()
	runBoth(t, func(t *testing.T, db *sqldb.DB) {
		clk := newClock()
		s := newService(t, db, trust.Config{Now: clk.Now})
		ctx := context.Background()
		eff := time.Date(2020, 9, 15, 0, 0, 0, 0, time.UTC)
		p, err := s.Create(ctx, "usr_admin", gadgetBan(eff))
		if err != nil {
			t.Fatal(err)
		}
		bob := gadgetBan(eff)
		bob.TargetType, bob.TargetID, bob.Regions, bob.Scopes = trust.TargetUser, "usr_bob", []string{"*"}, []trust.Scope{trust.ScopeMessaging}
		if _, err := s.Create(ctx, "usr_admin", bob); err != nil {
			t.Fatal(err)
		}
		n := s.Notices(ctx, "usr_alice", "US")
		if len(n) != 1 || n[0].PolicyID != p.ID || n[0].TargetName != "Gadget Store" || n[0].State != trust.StateScheduled ||
			n[0].Message != "Gadget Store will not be available in your region from 15 September 2020 00:00 UTC (distribution, hosting, payments): Order of 18 September 2020" {
			t.Fatalf("notices before effect: %+v", n)
		}
		if n := s.Notices(ctx, "usr_carol", "CN"); len(n) != 0 {
			t.Fatalf("a CN user is warned: %+v", n)
		}
		if n := s.Notices(ctx, "usr_bob", "CN"); len(n) != 1 || n[0].TargetType != trust.TargetUser {
			t.Fatalf("bob's notices: %+v", n)
		}
		clk.Set(eff.Add(time.Hour))
		if n := s.Notices(ctx, "usr_alice", "US"); len(n) != 1 || n[0].State != trust.StateActive || !strings.Contains(n[0].Message, "has not been available") {
			t.Fatalf("notices after effect: %+v", n)
		}
		if _, err := s.Cancel(ctx, "usr_admin", p.ID, "stayed"); err != nil {
			t.Fatal(err)
		}
		if n := s.Notices(ctx, "usr_alice", "US"); len(n) != 0 {
			t.Fatalf("notices after cancellation: %+v", n)
		}
	})
}

// BenchmarkCheck asks about one app with 10,000 policies in force (over
// 2,500 apps, 2,500 merchants, 2,500 developers and 2,500 users).
func BenchmarkCheck(b *testing.B) {
	db := dbtest.SQLite(b, sets...)
	clk := newClock()
	s := newService(b, db, trust.Config{Now: clk.Now, Targets: anyTarget{}})
	ctx := context.Background()
	types := []trust.TargetType{trust.TargetApp, trust.TargetMerchant, trust.TargetDeveloper, trust.TargetUser}
	for i := range 10000 {
		in := gadgetBan(clk.Now().Add(-time.Hour))
		in.TargetType, in.TargetID = types[i%4], fmt.Sprintf("t%d", i/4)
		in.Regions = []string{[]string{"US", "CN", "DE", "GB"}[i%4]}
		if _, err := s.Create(ctx, "usr_admin", in); err != nil {
			b.Fatal(err)
		}
	}
	// Each of the four targets asked about has a policy, for another
	// region: the app's are for US users, the merchants' for CN, the
	// developers' for DE, the users' for GB.
	allowed := trust.Question{UserID: "t7", Region: "FR", Target: trust.Target{Type: trust.TargetApp, ID: "t9"},
		DeveloperID: "t11", MerchantID: "t12", Scope: trust.ScopePayments}
	blocked := allowed
	blocked.Region = "US"
	if s.Check(ctx, allowed) != nil || s.Check(ctx, blocked) == nil {
		b.Fatal("benchmark questions do not answer as meant")
	}
	b.Run("allowed", func(b *testing.B) {
		for b.Loop() {
			if s.Check(ctx, allowed) != nil {
				b.Fatal("blocked")
			}
		}
	})
	b.Run("blocked", func(b *testing.B) {
		for b.Loop() {
			if s.Check(ctx, blocked) == nil {
				b.Fatal("allowed")
			}
		}
	})
	b.Run("allowed_parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_ = s.Check(ctx, allowed)
			}
		})
	})
}

type anyTarget struct{}

func (anyTarget) Exists(ctx context.Context, t trust.TargetType, id string) (string, bool, error) {
	return "", true, nil
}

// Without the bus (a missed event), the backstop reload brings a node's
// index up to date.
func TestReloadCatchesAMissedChange(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t, sets...)
	one, two := newService(t, db, trust.Config{}), newService(t, db, trust.Config{})
	ctx := context.Background()
	p, err := one.Create(ctx, "usr_admin", gadgetBan(time.Now().Add(-time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	if err := two.Check(ctx, usQuestion(trust.ScopeHosting)); err != nil {
		t.Fatal("two heard of the policy without a bus or a reload")
	}
	if err := two.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	wantCode(t, two.Check(ctx, usQuestion(trust.ScopeHosting)), trust.BlockedByPolicy)
	if _, err := one.Cancel(ctx, "usr_admin", p.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := two.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if err := two.Check(ctx, usQuestion(trust.ScopeHosting)); err != nil {
		t.Fatalf("still blocked after the cancellation reloaded: %v", err)
	}
}
