package sqldb_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// One client that gives up while its job runs inside a full batch must not
// poison the batch: the others commit, its own job runs to the end (it had
// started: the money is never half-moved) and it learns that it committed;
// a client that gave up before its job started is dropped with ctx.Err().
// Run with Do (savepoints) and DoChecked (bare on PostgreSQL).
func TestBatcherCancelInsideBatch(t *testing.T) {
	for _, checked := range []bool{false, true} {
		name := "Do"
		if checked {
			name = "DoChecked"
		}
		t.Run(name, func(t *testing.T) {
			dbtest.Run(t, nil, func(t *testing.T, db *sqldb.DB) {
				testCancelInsideBatch(t, db, checked)
			})
		})
	}
}

func testCancelInsideBatch(t *testing.T, db *sqldb.DB, checked bool) {
	bg := context.Background()
	for _, q := range []string{
		`CREATE TABLE accts (id TEXT PRIMARY KEY, bal BIGINT NOT NULL)`,
		`CREATE TABLE moves (id TEXT PRIMARY KEY, amount BIGINT NOT NULL)`,
		`INSERT INTO accts (id, bal) VALUES ('a', 100000), ('b', 0)`,
	} {
		if _, err := db.Exec(bg, q); err != nil {
			t.Fatal(err)
		}
	}
	const n = 40
	b := mustBatcher(t, db, 1, 64)
	defer b.Close()
	do := b.Do
	if checked {
		do = b.DoChecked
	}
	// move is a money job: both legs and the record, all with the
	// request's own context, as money jobs did before the batcher owned
	// cancellation.
	move := func(reqCtx context.Context, tx *sqldb.Tx, id string, amount int64) error {
		if _, err := tx.Exec(reqCtx, `UPDATE accts SET bal = bal - ? WHERE id = 'a'`, amount); err != nil {
			return err
		}
		if _, err := tx.Exec(reqCtx, `UPDATE accts SET bal = bal + ? WHERE id = 'b'`, amount); err != nil {
			return err
		}
		_, err := tx.Exec(reqCtx, `INSERT INTO moves (id, amount) VALUES (?, ?)`, id, amount)
		return err
	}

	// A gate job holds the writer while the batch under test queues up.
	gate, gateIn := make(chan struct{}), make(chan struct{})
	gateDone := make(chan error, 1)
	go func() {
		gateDone <- do(bg, "k", func(ctx context.Context, tx *sqldb.Tx) error {
			close(gateIn)
			<-gate
			return move(ctx, tx, "gate", 1)
		})
	}()
	<-gateIn

	victimCtx, cancelVictim := context.WithCancel(bg)
	droppedCtx, cancelDropped := context.WithCancel(bg)
	victimIn, victimGo := make(chan struct{}), make(chan struct{})
	var jobCtxErr error
	errsOut := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := "m" + string(rune('A'+i))
			switch i {
			case n / 2: // the victim: gives up while its job runs
				errsOut[i] = do(victimCtx, "k", func(ctx context.Context, tx *sqldb.Tx) error {
					close(victimIn)
					<-victimGo
					jobCtxErr = ctx.Err()
					return move(victimCtx, tx, id, 1000)
				})
			case n / 4: // gives up before its job starts
				errsOut[i] = do(droppedCtx, "k", func(ctx context.Context, tx *sqldb.Tx) error {
					return move(droppedCtx, tx, id, 7)
				})
			default:
				errsOut[i] = do(bg, "k", func(ctx context.Context, tx *sqldb.Tx) error {
					return move(ctx, tx, id, 10)
				})
			}
		}()
	}
	// Every job of the batch is queued behind the gate: they run as one batch.
	deadline := time.Now().Add(10 * time.Second)
	for sqldb.QueueLen(b) < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d jobs queued", sqldb.QueueLen(b), n)
		}
		time.Sleep(time.Millisecond)
	}
	cancelDropped()
	close(gate)
	if err := <-gateDone; err != nil {
		t.Fatal(err)
	}
	select {
	case <-victimIn:
	case <-time.After(10 * time.Second):
		t.Fatal("the victim's job never started")
	}
	cancelVictim() // while its job is running inside the batch
	close(victimGo)
	wg.Wait()

	if jobCtxErr != nil {
		t.Errorf("the job's context was cancelled: %v", jobCtxErr)
	}
	var want int64 = 1 // the gate
	for i, err := range errsOut {
		switch i {
		case n / 4:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("dropped job: %v, want context.Canceled", err)
			}
		case n / 2:
			if err != nil {
				t.Errorf("victim: %v, want nil (its job had started and committed)", err)
			}
			want += 1000
		default:
			if err != nil {
				t.Errorf("job %d: %v", i, err)
			}
			want += 10
		}
	}
	var a, bb, moved, rows int64
	if err := db.QueryRow(bg, `SELECT bal FROM accts WHERE id = 'a'`).Scan(&a); err != nil {
		t.Fatal(err)
	}
	db.QueryRow(bg, `SELECT bal FROM accts WHERE id = 'b'`).Scan(&bb)
	db.QueryRow(bg, `SELECT COALESCE(SUM(amount), 0), COUNT(*) FROM moves`).Scan(&moved, &rows)
	if a+bb != 100000 || bb != want || moved != want || rows != n {
		t.Fatalf("a=%d b=%d moved=%d rows=%d; want a+b=100000, b=moved=%d, rows=%d", a, bb, moved, rows, want, n)
	}
}

// A unique violation in a shared batch goes to its own caller only (the
// contract's answer is the caller's to make, e.g. by running its job again),
// and the others commit; the same when the insert is a Later statement,
// sent (on PostgreSQL) only at the commit, in checked batches (bare) and
// plain ones (a savepoint a job). A job that fails after queueing a Later
// statement leaves nothing behind.
func TestBatcherUniqueViolationIsolated(t *testing.T) {
	dbtest.Run(t, nil, func(t *testing.T, db *sqldb.DB) {
		for _, mode := range []string{"exec", "later", "later-savepoints"} {
			t.Run(mode, func(t *testing.T) { testUniqueViolationIsolated(t, db, mode) })
		}
	})
}

func testUniqueViolationIsolated(t *testing.T, db *sqldb.DB, mode string) {
	bg := context.Background()
	db.Exec(bg, `DROP TABLE IF EXISTS items`)
	db.Exec(bg, `CREATE TABLE items (id TEXT PRIMARY KEY)`)
	db.Exec(bg, `INSERT INTO items (id) VALUES ('taken')`)
	b := mustBatcher(t, db, 1, 64)
	defer b.Close()
	do := b.DoChecked
	if mode == "later-savepoints" {
		do = b.Do
	}
	gate, gateIn := make(chan struct{}), make(chan struct{})
	go do(bg, "k", func(context.Context, *sqldb.Tx) error { close(gateIn); <-gate; return nil })
	<-gateIn
	const n = 20
	refused := errors.New("refused after queueing")
	errsOut := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := "item-" + string(rune('A'+i))
			if i == n/2 {
				id = "taken"
			}
			errsOut[i] = do(bg, "k", func(ctx context.Context, tx *sqldb.Tx) error {
				var err error
				if mode == "exec" {
					_, err = tx.Exec(ctx, `INSERT INTO items (id) VALUES (?)`, id)
				} else {
					err = tx.Later(ctx, `INSERT INTO items (id) VALUES (?)`, id)
				}
				if err == nil && i == n/3 {
					err = refused
				}
				return err
			})
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for sqldb.QueueLen(b) < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d jobs queued", sqldb.QueueLen(b), n)
		}
		time.Sleep(time.Millisecond)
	}
	close(gate)
	wg.Wait()
	for i, err := range errsOut {
		switch {
		case i == n/2:
			if !sqldb.IsUniqueViolation(err) {
				t.Errorf("the duplicate: %v, want a unique violation", err)
			}
		case i == n/3:
			if !errors.Is(err, refused) {
				t.Errorf("the refused job: %v", err)
			}
		case err != nil:
			t.Errorf("job %d: %v", i, err)
		}
	}
	var rows, gone int64
	db.QueryRow(bg, `SELECT COUNT(*) FROM items`).Scan(&rows)
	db.QueryRow(bg, `SELECT COUNT(*) FROM items WHERE id = ?`, "item-"+string(rune('A'+n/3))).Scan(&gone)
	if rows != n-1 || gone != 0 {
		t.Fatalf("%d rows (want %d), the refused job's row %d times", rows, n-1, gone)
	}
}
