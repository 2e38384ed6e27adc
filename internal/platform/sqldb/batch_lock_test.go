package sqldb_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Several writers moving amounts between a handful of rows in every
// direction: with the rows declared (DoLocked), every batch takes its
// locks in one order first, so no batch ever deadlocks with another —
// every job runs exactly once (a deadlock would abort a batch and run its
// jobs again) — and the sum is kept.
func TestLockingBatcherWritersNeverDeadlock(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, nil, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if _, err := db.Exec(ctx, `CREATE TABLE wallets (id TEXT PRIMARY KEY, n BIGINT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		const rows = 6
		for i := range rows {
			if _, err := db.Exec(ctx, `INSERT INTO wallets (id, n) VALUES (?, 1000)`, fmt.Sprintf("w%d", i)); err != nil {
				t.Fatal(err)
			}
		}
		var locked atomic.Int64
		lock := func(names []string) (string, []any) {
			locked.Add(1)
			return `SELECT id FROM wallets WHERE id = ANY(?) ORDER BY id FOR UPDATE`, []any{names}
		}
		b, err := db.NewLockingBatcher(4, 16, lock)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		var wg sync.WaitGroup
		var runs, jobs atomic.Int64
		for g := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(g), 7))
				for range 40 {
					from, to := r.IntN(rows), r.IntN(rows)
					if from == to {
						to = (to + 1) % rows
					}
					a, c := fmt.Sprintf("w%d", from), fmt.Sprintf("w%d", to)
					// Keys spread the jobs over the writers; the debit is
					// written first, in whatever order the pair comes.
					// Half the goroutines send the debit ahead: their batches
					// take the locks first in the pipeline of those statements.
					var ahead *sqldb.Ahead
					var left int64
					if g%2 == 0 {
						ahead = &sqldb.Ahead{Query: `UPDATE wallets SET n = n - 1 WHERE id = ? RETURNING n`, Args: []any{a}, Dest: []any{&left}}
					}
					err := b.DoLockedAhead(ctx, fmt.Sprintf("g%d", g), []string{a, c}, ahead, func(ctx context.Context, tx *sqldb.Tx) error {
						runs.Add(1)
						if ahead != nil {
							if err := tx.Ahead(ctx); err != nil {
								return err
							}
						} else if _, err := tx.Exec(ctx, `UPDATE wallets SET n = n - 1 WHERE id = ?`, a); err != nil {
							return err
						}
						if db.Dialect == sqldb.Postgres {
							// Widen the window in which another batch could
							// take the second row first.
							if _, err := tx.Exec(ctx, `SELECT pg_sleep(0.002)`); err != nil {
								return err
							}
						}
						_, err := tx.Exec(ctx, `UPDATE wallets SET n = n + 1 WHERE id = ?`, c)
						return err
					})
					if err != nil {
						t.Errorf("job: %v", err)
					}
					jobs.Add(1)
				}
			}()
		}
		wg.Wait()
		var sum int64
		if err := db.QueryRow(ctx, `SELECT SUM(n) FROM wallets`).Scan(&sum); err != nil {
			t.Fatal(err)
		}
		if sum != rows*1000 {
			t.Fatalf("the wallets hold %d, want %d", sum, rows*1000)
		}
		if runs.Load() != jobs.Load() {
			t.Fatalf("%d jobs ran %d times: a batch was aborted (deadlock) and run again", jobs.Load(), runs.Load())
		}
		if db.Dialect == sqldb.Postgres && locked.Load() == 0 {
			t.Fatal("the locker was never called on PostgreSQL")
		}
		if db.Dialect == sqldb.SQLite && locked.Load() != 0 {
			t.Fatal("the locker was called on SQLite, which has one writer")
		}
	})
}

// A batch whose jobs send statements ahead takes its locks first, in the
// same pipeline: while another transaction holds a declared row, none of
// the batch's statements has run (the row they change is still free), and
// the jobs wait until the row is released.
func TestLockingBatcherLocksBeforeItsStatementsAhead(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, nil, func(t *testing.T, db *sqldb.DB) {
		if db.Dialect != sqldb.Postgres {
			t.Skip("SQLite has one writer and no row locks")
		}
		ctx := context.Background()
		if _, err := db.Exec(ctx, `CREATE TABLE wallets (id TEXT PRIMARY KEY, n BIGINT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, `INSERT INTO wallets (id, n) VALUES ('x', 0), ('y', 0)`); err != nil {
			t.Fatal(err)
		}
		b, err := db.NewLockingBatcher(1, 16, func(names []string) (string, []any) {
			return `SELECT id FROM wallets WHERE id = ANY(?) ORDER BY id FOR UPDATE`, []any{names}
		})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		holder, err := db.Writer().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer holder.Rollback()
		if _, err := holder.ExecContext(ctx, `SELECT id FROM wallets WHERE id = 'x' FOR UPDATE`); err != nil {
			t.Fatal(err)
		}
		// A gate job holds the writer until both jobs are queued, so that
		// they share one batch and its pipeline.
		gate, opened := make(chan struct{}), make(chan struct{})
		go b.Do(ctx, "k", func(ctx context.Context, tx *sqldb.Tx) error { close(opened); <-gate; return nil })
		<-opened
		done := make(chan error, 2)
		for range 2 {
			go func() {
				var n int64
				ahead := &sqldb.Ahead{Query: `UPDATE wallets SET n = n + 1 WHERE id = 'y' RETURNING n`, Dest: []any{&n}}
				done <- b.DoLockedAhead(ctx, "k", []string{"x"}, ahead, func(ctx context.Context, tx *sqldb.Tx) error {
					return tx.Ahead(ctx)
				})
			}()
		}
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
			if n, _ := b.Queued("k"); n == 2 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the two jobs were not queued")
			}
		}
		close(gate)
		// Wait until the batch waits for x's lock.
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			var waiting int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
				t.Fatal(err)
			}
			if waiting > 0 {
				break
			}
			select {
			case err := <-done:
				t.Fatalf("a job finished (%v) while another transaction held its declared row", err)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatal("the batch never waited for the declared row's lock")
			}
		}
		var free string
		if err := holder.QueryRowContext(ctx, `SELECT id FROM wallets WHERE id = 'y' FOR UPDATE NOWAIT`).Scan(&free); err != nil {
			t.Fatalf("y is locked while the batch waits for x: its statements ran before its locks (%v)", err)
		}
		if err := holder.Rollback(); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := <-done; err != nil {
				t.Fatalf("job: %v", err)
			}
		}
		var n int64
		if err := db.QueryRow(ctx, `SELECT n FROM wallets WHERE id = 'y'`).Scan(&n); err != nil || n != 2 {
			t.Fatalf("y = %d (%v), want 2", n, err)
		}
	})
}
