package sqldb_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

func openSQLiteFile(t *testing.T) (*sqldb.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "w.db")
	db, err := sqldb.Open(context.Background(), "sqlite://"+path, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(context.Background(), `CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return db, path
}

// fillPages commits about pages 4 KiB pages of new rows in one transaction.
func fillPages(t *testing.T, db *sqldb.DB, pages int) {
	t.Helper()
	blob := []byte(strings.Repeat("x", 3900))
	err := db.Tx(context.Background(), func(tx *sqldb.Tx) error {
		for range pages {
			if _, err := tx.Exec(context.Background(), `INSERT INTO blobs (b) VALUES (?)`, blob); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// The writer's commits no longer copy the WAL into the database file at
// SQLite's default 1,000 pages: the checkpointer does it beside them, and
// the writer keeps only a far larger safety net.
func TestSQLiteCheckpointsBesideTheWriter(t *testing.T) {
	ctx := context.Background()
	t.Run("the_writer_does_not_checkpoint_at_1000_pages", func(t *testing.T) {
		db, path := openSQLiteFile(t)
		var auto int
		if err := db.Writer().QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&auto); err != nil || auto != sqldb.WALSafetyPages {
			t.Fatalf("the writer's wal_autocheckpoint = %d (%v), want %d", auto, err, sqldb.WALSafetyPages)
		}
		sqldb.StopCheckpointer(db)
		before := fileSize(t, path)
		fillPages(t, db, 2500) // ~10 MB
		if after := fileSize(t, path); after-before > 1<<20 {
			t.Fatalf("the database file grew from %d to %d bytes in the writer's commit: it checkpointed", before, after)
		}
	})
	t.Run("the_checkpointer_copies_what_was_committed", func(t *testing.T) {
		db, path := openSQLiteFile(t)
		fillPages(t, db, 2500)
		deadline := time.Now().Add(10 * time.Second)
		for fileSize(t, path) < 9<<20 {
			if time.Now().After(deadline) {
				t.Fatalf("after 10 s the database file holds %d bytes of ~10 MB committed (%d passes)", fileSize(t, path), sqldb.CheckpointRuns(db))
			}
			time.Sleep(20 * time.Millisecond)
		}
		// Everything is copied: the WAL starts over, so a small commit
		// afterwards leaves a small log, not one that grows forever.
		deadline = time.Now().Add(10 * time.Second)
		for {
			fillPages(t, db, 1)
			var busy, frames, copied int
			if err := db.Writer().QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied); err != nil {
				t.Fatal(err)
			}
			if frames < 100 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the WAL still holds %d frames after every commit was copied: it never starts over", frames)
			}
			time.Sleep(50 * time.Millisecond)
		}
		// No commit, no pass: an idle node does not checkpoint.
		time.Sleep(2 * sqldb.CheckpointEvery)
		idle := sqldb.CheckpointRuns(db)
		time.Sleep(4 * sqldb.CheckpointEvery)
		if n := sqldb.CheckpointRuns(db); n != idle {
			t.Fatalf("the checkpointer ran %d times with no commit", n-idle)
		}
	})
}

// A write statement not listed to Prepare is prepared once it has run
// twice, and is not parsed again; statements built at run time cannot
// grow what is kept without bound.
func TestSQLiteWriteStatementsPreparedOnceSeen(t *testing.T) {
	ctx := context.Background()
	db, _ := openSQLiteFile(t)
	const q = `INSERT INTO blobs (b) VALUES (?)`
	exec := func(q string) {
		t.Helper()
		if err := db.Tx(ctx, func(tx *sqldb.Tx) error {
			_, err := tx.Exec(ctx, q, []byte("x"))
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	exec(q)
	if sqldb.PreparedWrite(db, q) {
		t.Fatal("prepared after one run")
	}
	exec(q)
	if !sqldb.PreparedWrite(db, q) {
		t.Fatal("not prepared after two runs")
	}
	exec(q) // runs prepared
	var n int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM blobs`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("%d rows (%v), want 3", n, err)
	}
	// 1,000 texts run once each: counted, never prepared, up to a bound.
	for i := range 1000 {
		exec(fmt.Sprintf(`INSERT OR REPLACE INTO blobs (id, b) VALUES (%d, ?)`, 5000+i))
	}
	if _, counted := sqldb.PreparedWrites(db); counted > 512 {
		t.Fatalf("%d statements run once are counted: unbounded", counted)
	}
	// 1,000 texts run twice each: prepared up to a bound.
	for i := range 2000 {
		exec(fmt.Sprintf(`INSERT OR REPLACE INTO blobs (id, b) VALUES (%d, ?)`, 1000+i%1000))
	}
	if prepared, _ := sqldb.PreparedWrites(db); prepared > 256 {
		t.Fatalf("%d statements prepared: unbounded", prepared)
	}
}
