package miniapp_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/miniapp"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/outbox"
	"github.com/plaza-dev/plaza/internal/trust"
)

type anyTarget struct{}

func (anyTarget) Exists(ctx context.Context, t trust.TargetType, id string) (string, bool, error) {
	return "", true, nil
}

// BenchmarkDirectoryPolicies is the cost trust adds to a directory request
// (a page of 50 apps, SQLite) with 10,000 policies in force: one per app
// listed, for another region than the caller's (so each is read and
// passed over), and 9,950 over other apps, developers, merchants and
// users. "none" is the same request without Policies.
func BenchmarkDirectoryPolicies(b *testing.B) {
	ctx := context.Background()
	db := dbtest.SQLite(b, outbox.Migrations, miniapp.Migrations, trust.Migrations)
	policies, err := trust.NewService(ctx, trust.Config{DB: db, Targets: anyTarget{},
		Regions: func(ctx context.Context, userID string) (string, error) { return "FR", nil }})
	if err != nil {
		b.Fatal(err)
	}
	plain := miniapp.NewService(miniapp.Config{DB: db})
	guarded := miniapp.NewService(miniapp.Config{DB: db, Policies: policies})
	var apps []string
	for i := range 50 {
		a, _, err := plain.CreateApp(ctx, fmt.Sprintf("dev%d", i%5), fmt.Sprintf("App %02d", i), "", "", nil)
		if err != nil {
			b.Fatal(err)
		}
		apps = append(apps, a.AppID)
	}
	if _, err := db.Exec(ctx, `UPDATE miniapps SET released_code = 1`); err != nil {
		b.Fatal(err)
	}
	ban := func(t trust.TargetType, id, region string) {
		_, err := policies.Create(ctx, "usr_admin", trust.NewPolicy{Kind: trust.KindBlock, TargetType: t, TargetID: id, Regions: []string{region},
			Scopes: []trust.Scope{trust.ScopeDistribution, trust.ScopeHosting}, EffectiveAt: time.Now().Add(-time.Hour), Reason: "benchmark"})
		if err != nil {
			b.Fatal(err)
		}
	}
	for _, id := range apps {
		ban(trust.TargetApp, id, "US")
	}
	types := []trust.TargetType{trust.TargetApp, trust.TargetDeveloper, trust.TargetMerchant, trust.TargetUser}
	for i := range 10000 - len(apps) {
		ban(types[i%4], fmt.Sprintf("t%d", i), []string{"US", "CN", "DE", "GB"}[i%4])
	}
	for name, s := range map[string]*miniapp.Service{"none": plain, "10000_policies": guarded} {
		list, err := s.Directory(ctx, "usr_fr", "", "", 50)
		if err != nil || len(list) != 50 {
			b.Fatalf("%s: %d apps, %v", name, len(list), err)
		}
	}
	q := func(id, region string) trust.Question {
		return trust.Question{UserID: "usr_fr", Region: region, Target: trust.Target{Type: trust.TargetApp, ID: id}, DeveloperID: "dev0", Scope: trust.ScopeDistribution}
	}
	if policies.Check(ctx, q(apps[0], "US")) == nil || policies.Check(ctx, q(apps[0], "")) != nil {
		b.Fatal("the listed apps' policies do not answer as meant")
	}
	b.Run("none", func(b *testing.B) {
		for b.Loop() {
			if _, err := plain.Directory(ctx, "usr_fr", "", "", 50); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("10000_policies", func(b *testing.B) {
		for b.Loop() {
			if _, err := guarded.Directory(ctx, "usr_fr", "", "", 50); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The checks alone that one directory page adds (50 questions).
	b.Run("checks_of_a_page", func(b *testing.B) {
		for b.Loop() {
			for _, id := range apps {
				if policies.Check(ctx, q(id, "")) != nil {
					b.Fatal("blocked")
				}
			}
		}
	})
}
