package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

func TestBatcherGroupCommit(t *testing.T) {
	dbtest.Run(t, nil, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if _, err := db.Exec(ctx, `CREATE TABLE counters (k TEXT PRIMARY KEY, n BIGINT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, `CREATE TABLE items (id TEXT PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"a", "b", "c"} {
			db.Exec(ctx, `INSERT INTO counters (k, n) VALUES (?, 0)`, k)
		}
		b := mustBatcher(t, db, 3, 64)
		defer b.Close()
		var wg sync.WaitGroup
		var ok, failed, hooks atomic.Int64
		for g := range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 40 {
					key := []string{"a", "b", "c"}[(g+i)%3]
					fail := i%7 == 0
					err := b.Do(ctx, key, func(_ context.Context, tx *sqldb.Tx) error {
						if _, err := tx.Exec(ctx, `UPDATE counters SET n = n + 1 WHERE k = ?`, key); err != nil {
							return err
						}
						tx.AfterCommit(func() { hooks.Add(1) })
						if fail {
							// a duplicate key after a write: the savepoint must undo the write
							tx.Exec(ctx, `INSERT INTO items (id) VALUES ('dup')`)
							if _, err := tx.Exec(ctx, `INSERT INTO items (id) VALUES ('dup')`); err != nil {
								return err
							}
							return errors.New("unreachable")
						}
						_, err := tx.Exec(ctx, `INSERT INTO items (id) VALUES (?)`, fmt.Sprintf("%d-%d", g, i))
						return err
					})
					if fail != (err != nil) {
						t.Errorf("job %d-%d: fail=%v err=%v", g, i, fail, err)
					}
					if err == nil {
						ok.Add(1)
					} else {
						failed.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		var sum, items int64
		db.QueryRow(ctx, `SELECT SUM(n) FROM counters`).Scan(&sum)
		db.QueryRow(ctx, `SELECT COUNT(*) FROM items`).Scan(&items)
		if sum != ok.Load() || items != ok.Load() || hooks.Load() != ok.Load() {
			t.Fatalf("committed jobs %d, failed %d; counter sum %d, items %d, hooks %d", ok.Load(), failed.Load(), sum, items, hooks.Load())
		}
	})
}

func TestBatcherCloseFinishesQueuedJobs(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	db.Exec(ctx, `CREATE TABLE t (n INTEGER)`)
	b := mustBatcher(t, db, 1, 8)
	var wg sync.WaitGroup
	var done atomic.Int64
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := b.Do(ctx, "k", func(_ context.Context, tx *sqldb.Tx) error {
				_, err := tx.Exec(ctx, `INSERT INTO t VALUES (1)`)
				return err
			}); err == nil {
				done.Add(1)
			} else if !errors.Is(err, sqldb.ErrBatcherClosed) {
				t.Error(err)
			}
		}()
	}
	b.Close()
	wg.Wait()
	var n int64
	db.QueryRow(ctx, `SELECT COUNT(*) FROM t`).Scan(&n)
	if n != done.Load() {
		t.Fatalf("%d rows but %d jobs reported done", n, done.Load())
	}
	if err := b.Do(ctx, "k", func(context.Context, *sqldb.Tx) error { return nil }); !errors.Is(err, sqldb.ErrBatcherClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

// Checked jobs share a transaction without savepoints on PostgreSQL; one
// that fails in SQL must not take the others down with it, nor commit
// anything of its own.
func TestBatcherCheckedJobsFallBackAlone(t *testing.T) {
	dbtest.Run(t, nil, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		db.Exec(ctx, `CREATE TABLE items (id TEXT PRIMARY KEY)`)
		db.Exec(ctx, `INSERT INTO items (id) VALUES ('taken')`)
		b := mustBatcher(t, db, 1, 64)
		defer b.Close()
		var wg sync.WaitGroup
		var failed atomic.Int64
		for i := range 60 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := fmt.Sprintf("item-%d", i)
				if i%10 == 0 {
					id = "taken" // fails in SQL
				}
				refuseAfterWrite := i%10 == 5
				err := b.DoChecked(ctx, "k", func(_ context.Context, tx *sqldb.Tx) error {
					_, err := tx.Exec(ctx, `INSERT INTO items (id) VALUES (?)`, id)
					if err == nil && refuseAfterWrite {
						return errors.New("refused after writing") // its write must not commit
					}
					return err
				})
				if refuseAfterWrite {
					if err == nil {
						t.Errorf("%s: the refusal was lost", id)
					}
					failed.Add(1)
					return
				}
				if (err != nil) != (id == "taken") {
					t.Errorf("%s: %v", id, err)
				}
				if err != nil {
					failed.Add(1)
				}
			}()
		}
		wg.Wait()
		var n int64
		db.QueryRow(ctx, `SELECT COUNT(*) FROM items`).Scan(&n)
		if n != 1+48 || failed.Load() != 12 {
			t.Fatalf("%d rows and %d failures, want 49 and 12", n, failed.Load())
		}
	})
}

func mustBatcher(t *testing.T, db *sqldb.DB, shards, maxBatch int) *sqldb.Batcher {
	t.Helper()
	b, err := db.NewBatcher(shards, maxBatch)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// With ShedAfter, a job that would wait longer than that behind its
// shard's queue, at the shard's recent pace, is refused at once
// (ErrOverloaded, never run) though the queue has room; a short queue (a
// burst) is always taken; the queued jobs all run; without ShedAfter the
// same queue takes the job.
func TestBatcherShedsByExpectedWait(t *testing.T) {
	dbtest.Run(t, nil, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		b := mustBatcher(t, db, 1, 8) // room for 32
		defer b.Close()
		b.ShedAfter(50 * time.Millisecond)
		// The shard's pace: 20 ms a job.
		if err := b.DoChecked(ctx, "k", func(context.Context, *sqldb.Tx) error { time.Sleep(20 * time.Millisecond); return nil }); err != nil {
			t.Fatal(err)
		}
		in, release := make(chan struct{}), make(chan struct{})
		held := b.StartCheckedOrShed(ctx, "k", func(context.Context, *sqldb.Tx) error { close(in); <-release; return nil })
		<-in
		var ran atomic.Int32
		job := func(context.Context, *sqldb.Tx) error { ran.Add(1); return nil }
		var waits []func() error
		// 15 queued at 20 ms each is 300 ms, but under the burst floor (16): taken.
		for i := range 16 {
			w := b.StartCheckedOrShed(ctx, "k", job)
			waits = append(waits, w)
			if q, _ := b.Queued("k"); q != i+1 {
				t.Fatalf("job %d was not queued (queue %d)", i, q)
			}
		}
		began := time.Now()
		refused := b.StartCheckedOrShed(ctx, "k", job)
		if err := refused(); !errors.Is(err, sqldb.ErrOverloaded) {
			t.Fatalf("a job 320 ms behind the queue: %v, want ErrOverloaded", err)
		}
		if d := time.Since(began); d > time.Second {
			t.Fatalf("the refusal took %v", d)
		}
		b.ShedAfter(0)
		waits = append(waits, b.StartCheckedOrShed(ctx, "k", job)) // only a full queue sheds now
		close(release)
		if err := held(); err != nil {
			t.Fatal(err)
		}
		for i, w := range waits {
			if err := w(); err != nil {
				t.Fatalf("queued job %d: %v", i, err)
			}
		}
		if got := ran.Load(); got != 17 {
			t.Fatalf("%d jobs ran, want 17 (the refused one never)", got)
		}
	})
}

// TestBatcherStatementsAhead checks DoLockedAhead: each job gets its own
// statement's outcome (a row, no row, or its error, which fails that job
// alone), a job dropped before it began never runs its statement, and on
// PostgreSQL a batch's statements ahead have all run before its first job
// does (one round trip), where on SQLite each runs when its job asks.
// holdWriter has b's writer run a job that waits until release is
// closed, and returns once it has started: jobs queued meanwhile make one
// batch.
func holdWriter(ctx context.Context, b *sqldb.Batcher) (release chan struct{}) {
	started, release := make(chan struct{}), make(chan struct{})
	go b.Do(ctx, "k", func(context.Context, *sqldb.Tx) error { close(started); <-release; return nil })
	<-started
	return release
}

func TestBatcherStatementsAhead(t *testing.T) {
	dbtest.Run(t, nil, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if _, err := db.Exec(ctx, `CREATE TABLE ahead_items (id TEXT PRIMARY KEY, n BIGINT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, `INSERT INTO ahead_items (id, n) VALUES ('taken', -1)`); err != nil {
			t.Fatal(err)
		}
		b := mustBatcher(t, db, 1, 64)
		defer b.Close()
		release := holdWriter(ctx, b) // the jobs below queue into one batch
		const jobs = 10
		const dup, dropped = 3, 7
		type outcome struct {
			err, ahead error
			n, seen    int64
		}
		out := make([]outcome, jobs)
		dropCtx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for i := range jobs {
			id := fmt.Sprintf("j%d", i)
			query := `INSERT INTO ahead_items (id, n) VALUES (?, ?) RETURNING n`
			args := []any{id, int64(i)}
			switch {
			case i%5 == 1: // finds no row, writes nothing
				query = `INSERT INTO ahead_items (id, n) SELECT ?, ? WHERE 1 = 0 RETURNING n`
			case i == dup:
				args[0] = "taken"
			}
			jctx := ctx
			if i == dropped {
				jctx = dropCtx
			}
			o := &out[i]
			a := &sqldb.Ahead{Query: query, Args: args, Dest: []any{&o.n}}
			wg.Add(1)
			go func() {
				defer wg.Done()
				o.err = b.DoLockedAhead(jctx, "k", nil, a, func(ctx context.Context, tx *sqldb.Tx) error {
					o.ahead = tx.Ahead(ctx)
					if o.ahead != nil && !errors.Is(o.ahead, sql.ErrNoRows) {
						return o.ahead
					}
					return tx.QueryRow(ctx, `SELECT COUNT(*) FROM ahead_items`).Scan(&o.seen)
				})
			}()
			for n, _ := b.Queued("k"); n < i+1; n, _ = b.Queued("k") {
				time.Sleep(time.Millisecond)
			}
		}
		cancel()
		close(release)
		wg.Wait()
		for i, o := range out {
			switch {
			case i == dropped:
				if !errors.Is(o.err, context.Canceled) {
					t.Errorf("job %d, dropped before it began: err %v, want context.Canceled", i, o.err)
				}
			case i == dup:
				if !sqldb.IsUniqueViolation(o.err) {
					t.Errorf("job %d: err %v, want its own unique violation", i, o.err)
				}
			case i%5 == 1:
				if o.err != nil || !errors.Is(o.ahead, sql.ErrNoRows) {
					t.Errorf("job %d: err %v, ahead %v; want nil and sql.ErrNoRows", i, o.err, o.ahead)
				}
			default:
				if o.err != nil || o.ahead != nil || o.n != int64(i) {
					t.Errorf("job %d: err %v, ahead %v, n %d; want its own row (n %d)", i, o.err, o.ahead, o.n, i)
				}
			}
		}
		// Job 0 ran in a batch with jobs 1 and 2 (job 3's failure split the
		// first): on PostgreSQL it sees the rows of 0 and 2 beside 'taken'.
		want := int64(2)
		if db.Dialect == sqldb.Postgres {
			want = 3
		}
		if out[0].seen != want {
			t.Errorf("job 0 saw %d rows, want %d (%s)", out[0].seen, want, db.Dialect)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM ahead_items`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1+6 { // 'taken' and jobs 0, 2, 4, 5, 8, 9
			t.Errorf("%d rows committed, want 7", n)
		}
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM ahead_items WHERE id = ?`, fmt.Sprintf("j%d", dropped)).Scan(&n); err != nil || n != 0 {
			t.Errorf("the dropped job's statement ran: %d rows (%v)", n, err)
		}
	})
}

// Ahead.Before fills a statement's arguments just before it is sent, in
// the order the jobs were queued, on both databases: what it takes (an
// id, a time) follows the batch's order.
func TestBatcherAheadBefore(t *testing.T) {
	dbtest.Run(t, nil, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if _, err := db.Exec(ctx, `CREATE TABLE before_items (id TEXT PRIMARY KEY, n BIGINT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		b := mustBatcher(t, db, 1, 64)
		defer b.Close()
		release := holdWriter(ctx, b)
		const jobs = 6
		var mu sync.Mutex
		var order []int // jobs in the order Before was called
		taken := 0      // the "clock" Before reads
		got := make([]int64, jobs)
		errsOut := make([]error, jobs)
		seen := make([]int64, jobs) // rows each job saw after its statement
		var wg sync.WaitGroup
		for i := range jobs {
			a := &sqldb.Ahead{Query: `INSERT INTO before_items (id, n) VALUES (?, ?) RETURNING n`, Dest: []any{&got[i]}}
			a.Before = func() {
				mu.Lock()
				defer mu.Unlock()
				order = append(order, i)
				taken++
				a.Args = []any{fmt.Sprintf("b%d", i), int64(taken)}
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				errsOut[i] = b.DoLockedAhead(ctx, "k", nil, a, func(ctx context.Context, tx *sqldb.Tx) error {
					if err := tx.Ahead(ctx); err != nil {
						return err
					}
					return tx.QueryRow(ctx, `SELECT COUNT(*) FROM before_items`).Scan(&seen[i])
				})
			}()
			for n, _ := b.Queued("k"); n < i+1; n, _ = b.Queued("k") {
				time.Sleep(time.Millisecond)
			}
		}
		close(release)
		wg.Wait()
		for i := range jobs {
			if errsOut[i] != nil {
				t.Fatalf("job %d: %v", i, errsOut[i])
			}
			if got[i] != int64(i+1) {
				t.Fatalf("job %d's statement ran with its Before's %d'th value, want %d (order %v)", i, got[i], i+1, order)
			}
		}
		if fmt.Sprint(order) != fmt.Sprint([]int{0, 1, 2, 3, 4, 5}) {
			t.Fatalf("Before called in order %v", order)
		}
		// On PostgreSQL the statements went in one pipeline (not one by
		// one after a failed one): the first job sees them all.
		if db.Dialect == sqldb.Postgres && seen[0] != jobs {
			t.Fatalf("the first job saw %d rows, want all %d pipelined", seen[0], jobs)
		}
	})
}
