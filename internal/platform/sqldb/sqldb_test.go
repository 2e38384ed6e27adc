package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// schema is a small test schema: a counter row and a table with a unique
// column beside its primary key.
var schema = sqldb.Migrations{Component: "sqldbtest", FS: fstest.MapFS{
	"migrations/sqlite/00001_schema.sql": {Data: []byte(`-- +goose Up
CREATE TABLE counters (id TEXT PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE items (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE);
-- +goose Down
DROP TABLE items;
DROP TABLE counters;
`)},
	"migrations/postgres/00001_schema.sql": {Data: []byte(`-- +goose Up
CREATE TABLE counters (id TEXT PRIMARY KEY, n BIGINT NOT NULL);
CREATE TABLE items (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE);
-- +goose Down
DROP TABLE items;
DROP TABLE counters;
`)},
}}

func run(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	dbtest.Run(t, []sqldb.Migrations{schema}, fn)
}

func countItems(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM items`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func insertItem(ctx context.Context, q sqldb.Querier, id, name string) error {
	_, err := q.Exec(ctx, `INSERT INTO items (id, name) VALUES (?, ?)`, id, name)
	return err
}

func TestRebind(t *testing.T) {
	run(t, func(t *testing.T, db *sqldb.DB) {
		const q = `SELECT id FROM items WHERE id = ? AND name = ? OR name = ?`
		want := q
		if db.Dialect == sqldb.Postgres {
			want = `SELECT id FROM items WHERE id = $1 AND name = $2 OR name = $3`
		}
		for range 2 { // the second call comes from the cache
			if got := db.Rebind(q); got != want {
				t.Fatalf("Rebind = %q, want %q", got, want)
			}
		}
		if got := db.Rebind(`SELECT 1`); got != `SELECT 1` {
			t.Fatalf("Rebind without placeholders = %q", got)
		}

		ctx := context.Background()
		if err := insertItem(ctx, db, "itm_1", "lamp"); err != nil {
			t.Fatal(err)
		}
		var id string
		if err := db.QueryRow(ctx, q, "itm_1", "lamp", "nothing").Scan(&id); err != nil || id != "itm_1" {
			t.Fatalf("query with three placeholders: %q, %v", id, err)
		}
	})
}

func TestTx(t *testing.T) {
	run(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()

		t.Run("commits_when_fn_returns_nil", func(t *testing.T) {
			err := db.Tx(ctx, func(tx *sqldb.Tx) error {
				if tx.Dialect() != db.Dialect {
					t.Errorf("tx.Dialect() = %s, want %s", tx.Dialect(), db.Dialect)
				}
				return insertItem(ctx, tx, "itm_commit", "committed")
			})
			if err != nil {
				t.Fatal(err)
			}
			if n := countItems(t, db); n != 1 {
				t.Fatalf("%d items after commit, want 1", n)
			}
		})

		t.Run("rolls_back_and_returns_fn_error", func(t *testing.T) {
			refused := errors.New("refused")
			err := db.Tx(ctx, func(tx *sqldb.Tx) error {
				if err := insertItem(ctx, tx, "itm_rollback", "rolled back"); err != nil {
					return err
				}
				return refused
			})
			if !errors.Is(err, refused) {
				t.Fatalf("Tx = %v, want fn's error", err)
			}
			if n := countItems(t, db); n != 1 {
				t.Fatalf("%d items after rollback, want 1", n)
			}
		})

		t.Run("rolls_back_on_panic_and_repanics", func(t *testing.T) {
			func() {
				defer func() {
					if p := recover(); p != "kaboom" {
						t.Fatalf("recovered %v, want the fn's panic kaboom", p)
					}
				}()
				_ = db.Tx(ctx, func(tx *sqldb.Tx) error {
					if err := insertItem(ctx, tx, "itm_panic", "panicked"); err != nil {
						return err
					}
					panic("kaboom")
				})
				t.Fatal("Tx returned instead of re-panicking")
			}()
			if n := countItems(t, db); n != 1 {
				t.Fatalf("%d items after panic, want 1", n)
			}
			// The rollback gave the connection back: on SQLite the one
			// writer connection would otherwise be held forever.
			ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			if err := db.Tx(ctx, func(tx *sqldb.Tx) error { return insertItem(ctx, tx, "itm_after", "after") }); err != nil {
				t.Fatalf("Tx after a panicked one: %v", err)
			}
		})
	})
}

func TestAfterCommit(t *testing.T) {
	run(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()

		t.Run("runs_after_commit_and_sees_the_write", func(t *testing.T) {
			seen := -1 // items visible outside the tx when the hook ran
			err := db.Tx(ctx, func(tx *sqldb.Tx) error {
				tx.AfterCommit(func() { seen = countItems(t, db) })
				if err := insertItem(ctx, tx, "itm_hook", "hooked"); err != nil {
					return err
				}
				if seen != -1 {
					t.Error("AfterCommit ran inside the transaction")
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if seen != 1 {
				t.Fatalf("hook saw %d items, want 1 (it must run after commit)", seen)
			}
		})

		t.Run("runs_in_order", func(t *testing.T) {
			var order []int
			_ = db.Tx(ctx, func(tx *sqldb.Tx) error {
				for i := range 3 {
					tx.AfterCommit(func() { order = append(order, i) })
				}
				return nil
			})
			if fmt.Sprint(order) != "[0 1 2]" {
				t.Fatalf("hooks ran as %v, want [0 1 2]", order)
			}
		})

		t.Run("never_runs_on_rollback", func(t *testing.T) {
			ran := false
			_ = db.Tx(ctx, func(tx *sqldb.Tx) error {
				tx.AfterCommit(func() { ran = true })
				return errors.New("refused")
			})
			func() {
				defer func() { _ = recover() }()
				_ = db.Tx(ctx, func(tx *sqldb.Tx) error {
					tx.AfterCommit(func() { ran = true })
					panic("kaboom")
				})
			}()
			if ran {
				t.Fatal("AfterCommit ran for a rolled-back transaction")
			}
		})
	})
}

func TestIsUniqueViolation(t *testing.T) {
	run(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := insertItem(ctx, db, "itm_1", "lamp"); err != nil {
			t.Fatal(err)
		}
		notNull := func() error {
			_, err := db.Exec(ctx, `INSERT INTO items (id, name) VALUES (?, NULL)`, "itm_null")
			return err
		}
		syntax := func() error { _, err := db.Exec(ctx, `INSERT INTO nowhere VALUES (1)`); return err }
		noRows := func() error {
			var id string
			return db.QueryRow(ctx, `SELECT id FROM items WHERE id = ?`, "itm_none").Scan(&id)
		}
		tests := []struct {
			name string
			err  error
			want bool
		}{
			{"duplicate_primary_key", insertItem(ctx, db, "itm_1", "other"), true},
			{"duplicate_unique_column", insertItem(ctx, db, "itm_2", "lamp"), true},
			{"wrapped_duplicate", fmt.Errorf("store: %w", insertItem(ctx, db, "itm_1", "x")), true},
			{"not_null_violation", notNull(), false},
			{"missing_table", syntax(), false},
			{"no_rows", noRows(), false},
			{"plain_error", errors.New("duplicate key"), false},
			{"nil", nil, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if tt.err == nil && tt.name != "nil" {
					t.Fatal("the statement did not fail")
				}
				if got := sqldb.IsUniqueViolation(tt.err); got != tt.want {
					t.Fatalf("IsUniqueViolation(%v) = %v, want %v", tt.err, got, tt.want)
				}
			})
		}
	})
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	t.Run("empty_url_makes_plaza_db_in_data_dir", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		db, err := sqldb.Open(ctx, "", dir)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if db.Dialect != sqldb.SQLite {
			t.Fatalf("dialect %s, want sqlite", db.Dialect)
		}
		var file string
		if err := db.QueryRow(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&file); err != nil {
			t.Fatal(err)
		}
		if file != filepath.Join(dir, "plaza.db") {
			t.Fatalf("database file %q, want %q", file, filepath.Join(dir, "plaza.db"))
		}
	})
	t.Run("sqlite_pragmas_are_set", func(t *testing.T) {
		db, err := sqldb.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "p.db"), "")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "synchronous": "2", "busy_timeout": "10000"} {
			var got string
			if err := db.Writer().QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil || got != want {
				t.Errorf("PRAGMA %s = %q (%v), want %q", pragma, got, err, want)
			}
		}
		rows, err := db.Query(ctx, `CREATE TABLE t (x)`)
		if err == nil {
			rows.Close()
			t.Error("a write through the read pool succeeded; it must be query_only")
		}
	})
	t.Run("postgres_error_hides_the_password", func(t *testing.T) {
		_, err := sqldb.Open(ctx, "postgres://plaza:hunter2@127.0.0.1:1/plaza?sslmode=disable&connect_timeout=2", "")
		if err == nil {
			t.Fatal("connected to port 1")
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("error shows the password: %v", err)
		}
	})
}

func TestMicro(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 891011000, time.FixedZone("X", 3600))
	if got := sqldb.FromMicro(sqldb.Micro(at)); !got.Equal(at) || got.Location() != time.UTC {
		t.Fatalf("FromMicro(Micro(%v)) = %v, want the same instant in UTC", at, got)
	}
}

// A PostgreSQL URL's pool_max_conns caps the node's connections (several
// nodes under one server's max_connections) and is not sent to the
// server, which would refuse it; a bad value is refused at open.
func TestPoolMaxConns(t *testing.T) {
	url := dbtest.PostgresURL(t)
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	ctx := context.Background()
	db, err := sqldb.Open(ctx, url+sep+"pool_max_conns=3", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := db.Writer().Stats().MaxOpenConnections; got != 3 {
		t.Fatalf("max open connections %d, want 3", got)
	}
	var one int
	if err := db.QueryRow(ctx, `SELECT 1`).Scan(&one); err != nil || one != 1 {
		t.Fatalf("query: %v", err)
	}
	if strings.Contains(sqldb.ServerURL(url+sep+"pool_max_conns=3"), "pool_max_conns") {
		t.Fatal("ServerURL kept pool_max_conns")
	}
	for _, bad := range []string{"0", "x", "1001"} {
		if db, err := sqldb.Open(ctx, url+sep+"pool_max_conns="+bad, ""); err == nil {
			db.Close()
			t.Fatalf("pool_max_conns=%s was accepted", bad)
		}
	}
}
