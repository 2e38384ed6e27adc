package sqldb_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// twoSteps is a schema in two versions, the second depending on the first.
var twoSteps = sqldb.Migrations{Component: "twosteps", FS: fstest.MapFS{
	"migrations/sqlite/00001_notes.sql":     {Data: []byte("-- +goose Up\nCREATE TABLE notes (id TEXT PRIMARY KEY);\n")},
	"migrations/sqlite/00002_body.sql":      {Data: []byte("-- +goose Up\nALTER TABLE notes ADD COLUMN body TEXT NOT NULL DEFAULT '';\n")},
	"migrations/postgres/00001_notes.sql":   {Data: []byte("-- +goose Up\nCREATE TABLE notes (id TEXT PRIMARY KEY);\n")},
	"migrations/postgres/00002_body.sql":    {Data: []byte("-- +goose Up\nALTER TABLE notes ADD COLUMN body TEXT NOT NULL DEFAULT '';\n")},
	"migrations/postgres/README_not_sql.md": {Data: []byte("ignored")},
}}

// migrated runs Migrate and counts the migrations it reports applying.
func migrated(t *testing.T, db *sqldb.DB, sets ...sqldb.Migrations) int {
	t.Helper()
	var logs bytes.Buffer
	if err := db.Migrate(context.Background(), slog.New(slog.NewJSONHandler(&logs, nil)), sets...); err != nil {
		t.Fatal(err)
	}
	return strings.Count(logs.String(), `"msg":"migrated"`)
}

func TestMigrate(t *testing.T) {
	dbtest.Run(t, nil, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		t.Run("first_run_applies_every_version", func(t *testing.T) {
			if n := migrated(t, db, twoSteps, schema); n != 3 {
				t.Fatalf("applied %d migrations, want 3", n)
			}
			if _, err := db.Exec(ctx, `INSERT INTO notes (id, body) VALUES (?, ?)`, "n1", "hello"); err != nil {
				t.Fatalf("schema not in place: %v", err)
			}
		})
		t.Run("second_run_applies_nothing", func(t *testing.T) {
			if n := migrated(t, db, twoSteps, schema); n != 0 {
				t.Fatalf("applied %d migrations again, want 0", n)
			}
			var body string
			if err := db.QueryRow(ctx, `SELECT body FROM notes WHERE id = ?`, "n1").Scan(&body); err != nil || body != "hello" {
				t.Fatalf("data after the second run: %q, %v", body, err)
			}
		})
		t.Run("each_component_has_its_own_version_table", func(t *testing.T) {
			var v int
			if err := db.QueryRow(ctx, `SELECT MAX(version_id) FROM goose_twosteps`).Scan(&v); err != nil || v != 2 {
				t.Fatalf("goose_twosteps version %d (%v), want 2", v, err)
			}
			if err := db.QueryRow(ctx, `SELECT MAX(version_id) FROM goose_sqldbtest`).Scan(&v); err != nil || v != 1 {
				t.Fatalf("goose_sqldbtest version %d (%v), want 1", v, err)
			}
		})
	})
}

var quietLog = slog.New(slog.DiscardHandler)

func TestMigrateWithoutTheDialectsFolderFails(t *testing.T) {
	dbtest.Run(t, nil, func(t *testing.T, db *sqldb.DB) {
		other := "migrations/postgres/00001_x.sql"
		if db.Dialect == sqldb.Postgres {
			other = "migrations/sqlite/00001_x.sql"
		}
		set := sqldb.Migrations{Component: "elsewhere", FS: fstest.MapFS{
			other: {Data: []byte("-- +goose Up\nCREATE TABLE x (id TEXT);\n")},
		}}
		if err := db.Migrate(context.Background(), quietLog, set); err == nil {
			t.Fatalf("migrating a set with no %s folder succeeded", db.Dialect)
		}
	})
}
