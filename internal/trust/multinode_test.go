package trust_test

import (
	"context"
	"encoding/json"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/bus"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/outbox"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/trust"
)

// node is what a Plaza node runs of trust: the Service, its Run, and the
// outbox relay that carries its events to the bus.
type node struct {
	trust *trust.Service
	bus   *bus.Bus
}

// twoNodes starts two Services on one PostgreSQL database and one NATS
// (PLAZA_TEST_NATS) under a shared prefix, each with its own connections,
// as two Plaza nodes would be. The backstop reload is an hour, so what
// the test sees came over the bus.
func twoNodes(t *testing.T) [2]node {
	t.Helper()
	natsURL := os.Getenv("PLAZA_TEST_NATS")
	if natsURL == "" {
		dbtest.Require(t, "nats", "PLAZA_TEST_NATS is not set")
	}
	url := dbtest.PostgresURL(t)
	prefix := "t" + ids.Token(10)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	key := testKey(t)
	var nodes [2]node
	for i := range nodes {
		db, err := sqldb.Open(ctx, url, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.Migrate(ctx, quiet, sets...); err != nil {
			t.Fatal(err)
		}
		b, err := bus.Open(ctx, bus.Config{URL: natsURL, Prefix: prefix, Name: "trust-test", Log: quiet})
		if err != nil {
			dbtest.Require(t, "nats", "NATS at PLAZA_TEST_NATS is unreachable: "+err.Error())
		}
		t.Cleanup(b.Close)
		if i == 0 {
			if err := b.EnsureEventStream(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = b.DeleteEventStream(context.Background()) })
		}
		s := newService(t, db, trust.Config{Bus: b, ReloadEvery: time.Hour, AuditKey: key, AuditOrigin: "plaza.test/audit"})
		relay := &outbox.Relay{DB: db, Bus: b, Log: quiet}
		wg.Go(func() { _ = relay.Run(ctx) })
		wg.Go(func() { _ = s.Run(ctx) })
		nodes[i] = node{trust: s, bus: b}
	}
	return nodes
}

func TestPolicyOnOneNodeIsEnforcedByTheOther(t *testing.T) {
	t.Parallel()
	nodes := twoNodes(t)
	ctx := context.Background()
	one, two := nodes[0].trust, nodes[1].trust
	// Let both Runs subscribe: a probe policy created on one must reach two.
	probe := gadgetBan(time.Now().Add(-time.Minute))
	probe.TargetID, probe.Scopes = "wx_gadget", []trust.Scope{trust.ScopeMessaging}
	p0, err := one.Create(ctx, "usr_admin", probe)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, func() bool { return two.Check(ctx, usQuestion(trust.ScopeMessaging)) != nil })
	if _, err := one.Cancel(ctx, "usr_admin", p0.ID, "probe"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Second, func() bool { return two.Check(ctx, usQuestion(trust.ScopeMessaging)) == nil })

	// Created on node one, in force at once: node two refuses within 1 s.
	start := time.Now()
	p, err := one.Create(ctx, "usr_admin", gadgetBan(time.Now().Add(-time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Second, func() bool { return two.Check(ctx, usQuestion(trust.ScopeHosting)) != nil })
	t.Logf("created on one, enforced on two after %v", time.Since(start))
	cn := usQuestion(trust.ScopeHosting)
	cn.Region = "CN"
	if err := two.Check(ctx, cn); err != nil {
		t.Fatalf("a CN user is blocked: %v", err)
	}

	// Cancelled on node two: node one lets users back in within 1 s.
	if _, err := two.Cancel(ctx, "usr_admin", p.ID, "court order"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Second, func() bool { return one.Check(ctx, usQuestion(trust.ScopeHosting)) == nil })

	// Scheduled on one for 1.5 s from now: two flips at effective_at by
	// itself, and announces the flip.
	flips := make(chan trust.PolicyFlipped, 4)
	sub, err := nodes[1].bus.Subscribe(trust.PolicyFlippedSubject, func(m *bus.Message) {
		var f trust.PolicyFlipped
		if json.Unmarshal(m.Data, &f) == nil {
			flips <- f
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	eff := time.Now().Add(1500 * time.Millisecond)
	sched, err := one.Create(ctx, "usr_admin", gadgetBan(eff))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Second, func() bool { return len(two.Notices(ctx, "usr_alice", "US")) == 1 })
	if err := two.Check(ctx, usQuestion(trust.ScopeDistribution)); err != nil && time.Now().Before(eff) {
		t.Fatalf("blocked before effective_at: %v", err)
	}
	waitFor(t, time.Until(eff)+time.Second, func() bool { return two.Check(ctx, usQuestion(trust.ScopeDistribution)) != nil })
	if time.Now().Before(eff) {
		t.Fatal("blocked before effective_at")
	}
	select {
	case f := <-flips:
		if f.PolicyID != sched.ID || f.State != trust.StateActive {
			t.Fatalf("flip %+v", f)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no policy_flipped notification")
	}
}
