package sqldb_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

const (
	writers    = 8
	increments = 50
)

// hammer runs writers goroutines that each call step increments times, each
// in its own Tx, and fails the test on the first error.
func hammer(t *testing.T, dbs []*sqldb.DB, step func(ctx context.Context, tx *sqldb.Tx) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errc := make(chan error, writers)
	for w := range writers {
		db := dbs[w%len(dbs)]
		wg.Go(func() {
			for range increments {
				if err := db.Tx(ctx, func(tx *sqldb.Tx) error { return step(ctx, tx) }); err != nil {
					errc <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatalf("a writer failed: %v", err)
	}
}

func counter(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), `SELECT n FROM counters WHERE id = 'c'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func newCounter(t *testing.T, db *sqldb.DB) {
	t.Helper()
	if _, err := db.Exec(context.Background(), `INSERT INTO counters (id, n) VALUES ('c', 0)`); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentTxLoseNoUpdate(t *testing.T) {
	run(t, func(t *testing.T, db *sqldb.DB) {
		newCounter(t, db)
		hammer(t, []*sqldb.DB{db}, func(ctx context.Context, tx *sqldb.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE counters SET n = n + 1 WHERE id = 'c'`)
			return err
		})
		if n := counter(t, db); n != writers*increments {
			t.Fatalf("counter = %d, want %d", n, writers*increments)
		}
	})
}

// readThenWrite reads the counter and writes back one more: safe only when
// the transaction excludes other writers from its read on. On PostgreSQL
// that takes FOR UPDATE; on SQLite it is what the single writer connection
// and BEGIN IMMEDIATE give every Tx.
func readThenWrite(ctx context.Context, tx *sqldb.Tx) error {
	q := `SELECT n FROM counters WHERE id = 'c'`
	if tx.Dialect() == sqldb.Postgres {
		q += ` FOR UPDATE`
	}
	var n int
	if err := tx.QueryRow(ctx, q).Scan(&n); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE counters SET n = ? WHERE id = 'c'`, n+1)
	return err
}

func TestConcurrentReadThenWriteTx(t *testing.T) {
	run(t, func(t *testing.T, db *sqldb.DB) {
		newCounter(t, db)
		hammer(t, []*sqldb.DB{db}, readThenWrite)
		if n := counter(t, db); n != writers*increments {
			t.Fatalf("counter = %d, want %d", n, writers*increments)
		}
	})
}

// Two handles on one SQLite file stand for two processes (a node and
// plaza admin): they do not share the Go-side writer, so only BEGIN
// IMMEDIATE and busy_timeout keep their read-then-write transactions from
// failing with SQLITE_BUSY or losing updates.
func TestSQLiteTwoHandlesReadThenWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	var dbs []*sqldb.DB
	for range 2 {
		db, err := sqldb.Open(context.Background(), path, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs = append(dbs, db)
	}
	if err := dbs[0].Migrate(context.Background(), quietLog, schema); err != nil {
		t.Fatal(err)
	}
	newCounter(t, dbs[0])
	hammer(t, dbs, readThenWrite)
	if n := counter(t, dbs[1]); n != writers*increments {
		t.Fatalf("counter = %d, want %d", n, writers*increments)
	}
}
