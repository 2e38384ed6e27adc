package trust_test

import (
	"context"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/trust"
)

func TestCreateRefusesBadInputAndStoresNothing(t *testing.T) {
	t.Parallel()
	at := time.Date(2020, 9, 20, 4, 0, 0, 0, time.UTC)
	cases := []struct {
		name      string
		edit      func(p *trust.NewPolicy)
		code      string
		wantField string
	}{
		{"unknown_kind", func(p *trust.NewPolicy) { p.Kind = "allow" }, errs.InvalidArgument, "kind"},
		{"unknown_target_type", func(p *trust.NewPolicy) { p.TargetType = "country" }, errs.InvalidArgument, "target_type"},
		{"no_target_id", func(p *trust.NewPolicy) { p.TargetID = " " }, errs.InvalidArgument, "target_id"},
		{"no_regions", func(p *trust.NewPolicy) { p.Regions = nil }, errs.InvalidArgument, "regions"},
		{"unknown_region", func(p *trust.NewPolicy) { p.Regions = []string{"US", "XX"} }, errs.InvalidArgument, "regions"},
		{"alpha3_region", func(p *trust.NewPolicy) { p.Regions = []string{"USA"} }, errs.InvalidArgument, "regions"},
		{"star_with_others", func(p *trust.NewPolicy) { p.Regions = []string{"*", "US"} }, errs.InvalidArgument, "regions"},
		{"no_scopes", func(p *trust.NewPolicy) { p.Scopes = nil }, errs.InvalidArgument, "scopes"},
		{"unknown_scope", func(p *trust.NewPolicy) { p.Scopes = []trust.Scope{"refunds"} }, errs.InvalidArgument, "scopes"},
		{"no_effective_at", func(p *trust.NewPolicy) { p.EffectiveAt = time.Time{} }, errs.InvalidArgument, "effective_at"},
		{"expires_before_effective", func(p *trust.NewPolicy) { p.ExpiresAt = ptr(at.Add(-time.Hour)) }, errs.InvalidArgument, "expires_at"},
		{"expires_at_effective", func(p *trust.NewPolicy) { p.ExpiresAt = ptr(at) }, errs.InvalidArgument, "expires_at"},
		{"no_reason", func(p *trust.NewPolicy) { p.Reason = "" }, errs.InvalidArgument, "reason"},
		{"unknown_app", func(p *trust.NewPolicy) { p.TargetID = "wx_nope" }, errs.NotFound, ""},
		{"unknown_merchant", func(p *trust.NewPolicy) { p.TargetType, p.TargetID = trust.TargetMerchant, "wx_gadget" }, errs.NotFound, ""},
	}
	runBoth(t, func(t *testing.T, db *sqldb.DB) {
		s := newService(t, db, trust.Config{})
		ctx := context.Background()
		for _, c := range cases {
			in := gadgetBan(at)
			c.edit(&in)
			_, err := s.Create(ctx, "usr_admin", in)
			wantCode(t, err, c.code)
			if e, _ := err.(*errs.Error); c.wantField != "" && (e == nil || e.Field != c.wantField) {
				t.Errorf("%s: err = %#v, want field %s", c.name, err, c.wantField)
			}
		}
		items, _, err := s.List(ctx, trust.ListFilter{})
		if err != nil || len(items) != 0 {
			t.Fatalf("stored after refusals: %d policies, %v", len(items), err)
		}
		if recs, _, _ := s.Entries(ctx, -1, 10); len(recs) != 0 {
			t.Fatalf("audited after refusals: %v", recs)
		}
	})
}

func TestCreateCleansAndAudits(t *testing.T) {
	t.Parallel()
	runBoth(t, func(t *testing.T, db *sqldb.DB) {
		clk := newClock()
		s := newService(t, db, trust.Config{Now: clk.Now})
		ctx := context.Background()
		in := gadgetBan(clk.Now().Add(time.Hour))
		in.Regions = []string{"us", "US", "cn"}
		in.Scopes = append(in.Scopes, trust.ScopePayments)
		p, err := s.Create(ctx, "usr_admin", in)
		if err != nil {
			t.Fatal(err)
		}
		if p.State != trust.StateScheduled || p.TargetName != "Gadget Store" || len(p.Regions) != 2 || p.Regions[0] != "US" || len(p.Scopes) != 3 || p.CreatedBy != "usr_admin" {
			t.Fatalf("created %+v", p)
		}
		got, err := s.Get(ctx, p.ID)
		if err != nil || !got.EffectiveAt.Equal(p.EffectiveAt) || got.ExpiresAt != nil || got.LegalRef != "EO 13943" || got.State != trust.StateScheduled {
			t.Fatalf("get %+v, %v", got, err)
		}
		recs, _, err := s.Entries(ctx, -1, 10)
		if err != nil || len(recs) != 1 || recs[0].Action != "policy.created" || recs[0].Target != "policy:"+p.ID || recs[0].Actor != "usr_admin" {
			t.Fatalf("audit %+v, %v", recs, err)
		}
		_, err = s.Get(ctx, "pol_missing")
		wantCode(t, err, errs.NotFound)
	})
}

func TestStatesAsOfInstants(t *testing.T) {
	t.Parallel()
	eff := time.Date(2020, 9, 20, 0, 0, 0, 0, time.UTC)
	exp := eff.Add(48 * time.Hour)
	cancelled := eff.Add(24 * time.Hour)
	p := trust.Policy{EffectiveAt: eff, ExpiresAt: &exp}
	c := trust.Policy{EffectiveAt: eff, ExpiresAt: &exp, CancelledAt: &cancelled}
	cases := []struct {
		name string
		p    trust.Policy
		at   time.Time
		want trust.State
	}{
		{"before_effect", p, eff.Add(-time.Microsecond), trust.StateScheduled},
		{"at_effect", p, eff, trust.StateActive},
		{"in_force", p, eff.Add(time.Hour), trust.StateActive},
		{"at_expiry", p, exp, trust.StateExpired},
		{"after_expiry", p, exp.Add(time.Hour), trust.StateExpired},
		{"no_expiry_years_later", trust.Policy{EffectiveAt: eff}, eff.AddDate(10, 0, 0), trust.StateActive},
		{"before_cancellation", c, eff.Add(time.Hour), trust.StateActive},
		{"at_cancellation", c, cancelled, trust.StateCancelled},
		{"cancelled_after_expiry", c, exp.Add(time.Hour), trust.StateCancelled},
	}
	for _, tc := range cases {
		if got := tc.p.StateAt(tc.at); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestCancelBeforeAndAfterEffect(t *testing.T) {
	t.Parallel()
	runBoth(t, func(t *testing.T, db *sqldb.DB) {
		clk := newClock()
		s := newService(t, db, trust.Config{Now: clk.Now})
		ctx := context.Background()
		start := clk.Now()

		// A court suspends the order the day before it takes effect.
		early, err := s.Create(ctx, "usr_admin", gadgetBan(start.Add(24*time.Hour)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Cancel(ctx, "usr_admin", early.ID, "Enjoined, N.D. Cal. 3:20-cv-05910"); err != nil {
			t.Fatal(err)
		}
		clk.Set(start.Add(25 * time.Hour))
		if err := s.Check(ctx, usQuestion(trust.ScopeHosting)); err != nil {
			t.Fatalf("a policy cancelled before effect still blocks: %v", err)
		}

		// And one already in force is lifted at once.
		late, err := s.Create(ctx, "usr_admin", gadgetBan(start))
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.Check(ctx, usQuestion(trust.ScopeHosting)), trust.BlockedByPolicy)
		p, err := s.Cancel(ctx, "usr_admin", late.ID, "")
		if err != nil || p.State != trust.StateCancelled || p.CancelledAt == nil {
			t.Fatalf("cancel: %+v, %v", p, err)
		}
		if err := s.Check(ctx, usQuestion(trust.ScopeHosting)); err != nil {
			t.Fatalf("a cancelled policy still blocks: %v", err)
		}
		_, err = s.Cancel(ctx, "usr_admin", late.ID, "again")
		wantCode(t, err, errs.Conflict)
		_, err = s.Cancel(ctx, "usr_admin", "pol_missing", "")
		wantCode(t, err, errs.NotFound)

		// Never deleted: both records stay, cancelled.
		items, _, err := s.List(ctx, trust.ListFilter{State: trust.StateCancelled})
		if err != nil || len(items) != 2 || items[0].ID != late.ID || items[1].CancelReason != "Enjoined, N.D. Cal. 3:20-cv-05910" {
			t.Fatalf("cancelled list %+v, %v", items, err)
		}
		recs, _, _ := s.Entries(ctx, -1, 10)
		if len(recs) != 4 || recs[1].Action != "policy.cancelled" || recs[3].Action != "policy.cancelled" {
			t.Fatalf("audit %+v", recs)
		}
	})
}

func TestListByStateAndTarget(t *testing.T) {
	t.Parallel()
	runBoth(t, func(t *testing.T, db *sqldb.DB) {
		clk := newClock()
		s := newService(t, db, trust.Config{Now: clk.Now})
		ctx := context.Background()
		now := clk.Now()
		mk := func(in trust.NewPolicy) string {
			p, err := s.Create(ctx, "usr_admin", in)
			if err != nil {
				t.Fatal(err)
			}
			return p.ID
		}
		scheduled := mk(gadgetBan(now.Add(time.Hour)))
		active := mk(gadgetBan(now.Add(-time.Hour)))
		exp := gadgetBan(now.Add(-2 * time.Hour))
		exp.ExpiresAt = ptr(now.Add(-time.Hour))
		expired := mk(exp)
		m := gadgetBan(now)
		m.TargetType, m.TargetID = trust.TargetMerchant, "1900000001"
		merchant := mk(m)
		for _, c := range []struct {
			f    trust.ListFilter
			want []string
		}{
			{trust.ListFilter{}, []string{merchant, expired, active, scheduled}},
			{trust.ListFilter{State: trust.StateScheduled}, []string{scheduled}},
			{trust.ListFilter{State: trust.StateActive}, []string{merchant, active}},
			{trust.ListFilter{State: trust.StateExpired}, []string{expired}},
			{trust.ListFilter{TargetID: "1900000001"}, []string{merchant}},
			{trust.ListFilter{State: trust.StateActive, TargetID: "wx_gadget"}, []string{active}},
		} {
			var got []string
			f := c.f
			f.Limit = 1
			for {
				items, next, err := s.List(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range items {
					got = append(got, p.ID)
				}
				if next == "" {
					break
				}
				f.Cursor = next
			}
			if len(got) != len(c.want) {
				t.Fatalf("%+v: %v, want %v", c.f, got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("%+v: %v, want %v", c.f, got, c.want)
				}
			}
		}
		_, _, err := s.List(ctx, trust.ListFilter{State: "stayed"})
		wantCode(t, err, errs.InvalidArgument)
	})
}
