package sqldb_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

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
		lock := func(ctx context.Context, tx *sqldb.Tx, names []string) error {
			locked.Add(1)
			for _, n := range names { // sorted by the batcher
				if _, err := tx.Exec(ctx, `SELECT id FROM wallets WHERE id = ? FOR UPDATE`, n); err != nil {
					return err
				}
			}
			return nil
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
					err := b.DoLocked(ctx, fmt.Sprintf("g%d", g), []string{a, c}, func(ctx context.Context, tx *sqldb.Tx) error {
						runs.Add(1)
						if _, err := tx.Exec(ctx, `UPDATE wallets SET n = n - 1 WHERE id = ?`, a); err != nil {
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
