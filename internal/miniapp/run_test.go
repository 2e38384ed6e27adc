package miniapp

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// waitFor polls cond until it holds, failing after d (nodetest.WaitFor
// cannot be imported here: node imports this package).
func waitFor(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for wait := time.Millisecond; !cond(); wait = min(2*wait, 50*time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", d)
		}
		time.Sleep(wait)
	}
}

// Run prunes the login codes that expired, and only those, until its
// context ends.
func TestRunPrunesExpiredCodes(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, []sqldb.Migrations{Migrations}, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		var mu sync.Mutex
		now := time.Unix(1_800_000_000, 0)
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		s := NewService(Config{DB: db, Now: clock, PruneEvery: 10 * time.Millisecond})
		for code, expires := range map[string]time.Time{"old": now.Add(-time.Second), "fresh": now.Add(CodeTTL)} {
			if _, err := db.Exec(ctx, `INSERT INTO miniapp_codes (code, appid, user_id, expires_at) VALUES (?, 'mpapp', 'u1', ?)`, code, sqldb.Micro(expires)); err != nil {
				t.Fatal(err)
			}
		}
		left := func() map[string]bool {
			rows, err := db.Query(ctx, `SELECT code FROM miniapp_codes`)
			if err != nil {
				t.Fatal(err)
			}
			codes, err := sqldb.ScanAll(rows, func(r *sql.Rows) (string, error) {
				var c string
				return c, r.Scan(&c)
			})
			if err != nil {
				t.Fatal(err)
			}
			m := map[string]bool{}
			for _, c := range codes {
				m[c] = true
			}
			return m
		}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- s.Run(runCtx) }()
		waitFor(t, 5*time.Second, func() bool { return !left()["old"] })
		if !left()["fresh"] {
			t.Fatal("a code that had not expired was pruned")
		}
		mu.Lock()
		now = now.Add(CodeTTL + time.Second)
		mu.Unlock()
		waitFor(t, 5*time.Second, func() bool { return len(left()) == 0 })
		stop()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not stop with its context")
		}
	})
}
