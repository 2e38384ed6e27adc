// Package dbtest runs a store test on every dialect Plaza supports.
//
//	dbtest.Run(t, migrations, func(t *testing.T, db *sqldb.DB) { … })
//
// runs the body once on a fresh SQLite file and once on a fresh PostgreSQL
// database (created for the test and dropped after it) when
// PLAZA_TEST_POSTGRES holds an administrative URL of a server. Without it the
// PostgreSQL run is skipped — unless PLAZA_TEST_REQUIRE names "postgres", as
// CI's does, in which case it fails.
package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Run runs fn on each dialect as a subtest named after it.
func Run(t *testing.T, sets []sqldb.Migrations, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		fn(t, SQLite(t, sets...))
	})
	t.Run("postgres", func(t *testing.T) {
		fn(t, Postgres(t, sets...))
	})
}

// SQLite opens a migrated database in a fresh file under t.TempDir (a copy
// of the schema's template, template.go).
func SQLite(t testing.TB, sets ...sqldb.Migrations) *sqldb.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plaza.db")
	if len(sets) > 0 {
		MigratedSQLitePath(t, path, sets...)
	}
	db, err := sqldb.Open(context.Background(), path, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Postgres creates a fresh database, migrated (a copy of the schema's
// template), and drops it when the test ends; it skips (or fails, if
// required) when no server is configured.
func Postgres(t testing.TB, sets ...sqldb.Migrations) *sqldb.DB {
	t.Helper()
	var u string
	if len(sets) > 0 {
		u = MigratedPostgresURL(t, sets...)
	} else {
		u = PostgresURL(t)
	}
	db, err := sqldb.Open(context.Background(), u, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestPoolConns is how many connections each test database's URL lets a
// node open (pool_max_conns).
const TestPoolConns = 20

// PostgresURL creates a fresh, empty database and returns its URL; the
// database is dropped when the test ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	admin := adminURL(t)
	if admin == "" {
		return ""
	}
	u, err := createDatabase(t, admin, "")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// adminURL is PLAZA_TEST_POSTGRES once the server answers; without one
// the test skips (or fails, if required) and adminURL returns "".
func adminURL(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("PLAZA_TEST_POSTGRES")
	if admin == "" {
		Require(t, "postgres", "PLAZA_TEST_POSTGRES is not set")
		return ""
	}
	adminDB, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer adminDB.Close()
	if err := adminDB.PingContext(context.Background()); err != nil {
		Require(t, "postgres", "PostgreSQL at PLAZA_TEST_POSTGRES is unreachable: "+err.Error())
		return ""
	}
	return admin
}

// createDatabase creates a database for the test (a copy of template
// unless that is ""), dropped when the test ends, and returns its URL.
func createDatabase(t testing.TB, admin, template string) (string, error) {
	t.Helper()
	adminDB, err := sql.Open("pgx", admin)
	if err != nil {
		return "", err
	}
	defer adminDB.Close()
	name := "plaza_test_" + strings.ReplaceAll(ids.Token(10), "-", "")
	stmt := "CREATE DATABASE " + name
	if template != "" {
		stmt += " TEMPLATE " + template
	}
	if _, err := adminDB.ExecContext(context.Background(), stmt); err != nil {
		return "", fmt.Errorf("dbtest: %s: %w", stmt, err)
	}
	t.Cleanup(func() {
		d, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer d.Close()
		if _, err := d.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("dropping %s: %v", name, err)
		}
	})
	pu, err := url.Parse(admin)
	if err != nil {
		return "", err
	}
	pu.Path = "/" + name
	// Each test's pool is small unless PLAZA_TEST_POSTGRES names one: a
	// suite runs dozens of PostgreSQL tests (and nodes) at once under one
	// server's max_connections (100 by default), and a node's default of
	// 32 let a busy run meet "too many clients" as internal errors.
	if q := pu.Query(); !q.Has("pool_max_conns") {
		q.Set("pool_max_conns", strconv.Itoa(TestPoolConns))
		pu.RawQuery = q.Encode()
	}
	return pu.String(), nil
}

// Require skips the test with why, or fails it when PLAZA_TEST_REQUIRE
// (a comma-separated list such as "postgres,nats,chromium") names backend.
func Require(t testing.TB, backend, why string) {
	t.Helper()
	if Required(backend) {
		t.Fatalf("%s is required (PLAZA_TEST_REQUIRE=%s) but %s", backend, os.Getenv("PLAZA_TEST_REQUIRE"), why)
	}
	t.Skip(why)
}

// Required reports whether PLAZA_TEST_REQUIRE names backend.
func Required(backend string) bool {
	for _, b := range strings.Split(os.Getenv("PLAZA_TEST_REQUIRE"), ",") {
		if strings.TrimSpace(b) == backend {
			return true
		}
	}
	return false
}

var quiet = slog.New(slog.DiscardHandler)
