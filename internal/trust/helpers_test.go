package trust_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/outbox"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/trust"
)

var quiet = slog.New(slog.DiscardHandler)

// sets is the schema a trust store test needs.
var sets = []sqldb.Migrations{outbox.Migrations, trust.Migrations}

// clock is an injectable clock that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2020, 9, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// targets is a fake Targets: the ids it knows, with their names.
type targets map[string]string

func (m targets) Exists(ctx context.Context, t trust.TargetType, id string) (string, bool, error) {
	name, ok := m[string(t)+":"+id]
	return name, ok, nil
}

var knownTargets = targets{"app:wx_gadget": "Gadget Store", "merchant:1900000001": "Gadget Shop", "user:usr_bob": "Bob", "developer:usr_dev": "Dev"}

// regions accepts a few ISO codes, as account's list would.
func regions(code string) bool {
	switch code {
	case "US", "CN", "DE", "GB":
		return true
	}
	return false
}

func testKey(t testing.TB) ed25519.PrivateKey {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// newService opens a Service on db with the fake targets and regions.
func newService(t testing.TB, db *sqldb.DB, c trust.Config) *trust.Service {
	t.Helper()
	c.DB = db
	if c.Log == nil {
		c.Log = quiet
	}
	if c.Targets == nil {
		c.Targets = knownTargets
	}
	if c.ValidRegion == nil {
		c.ValidRegion = regions
	}
	if c.AuditKey == nil {
		c.AuditKey = testKey(t)
		c.AuditOrigin = "plaza.test/audit"
	}
	s, err := trust.NewService(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func runBoth(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	dbtest.Run(t, sets, fn)
}

// waitFor polls cond until it holds or d passes.
func waitFor(t testing.TB, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", d)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := errs.CodeOf(err); err == nil || got != code {
		t.Fatalf("err = %v, want code %s", err, code)
	}
}

func ptr[T any](v T) *T { return &v }

// gadgetBan is the story's policy: Gadget Store blocked for US users.
func gadgetBan(at time.Time) trust.NewPolicy {
	return trust.NewPolicy{Kind: "block", TargetType: trust.TargetApp, TargetID: "wx_gadget", Regions: []string{"US"},
		Scopes: []trust.Scope{trust.ScopeDistribution, trust.ScopeHosting, trust.ScopePayments}, EffectiveAt: at,
		Reason: "Order of 18 September 2020", LegalRef: "EO 13943"}
}

func usQuestion(scope trust.Scope) trust.Question {
	return trust.Question{UserID: "usr_alice", Region: "US", Target: trust.Target{Type: trust.TargetApp, ID: "wx_gadget"}, Scope: scope}
}
