package dbtest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Migrating a schema costs more than most tests that use it: on SQLite
// under the race detector about 0.9 s of CPU (the driver is Go, and
// instrumented), on PostgreSQL half a second of DDL. So each schema is
// migrated once into a template — a SQLite file, a PostgreSQL template
// database — named by a hash of its migration files, and each test gets a
// copy. A changed migration changes the hash, and so the template.

// schemaKey names sets by their components, in order, and every byte of
// their migration files.
func schemaKey(sets []sqldb.Migrations) (string, error) {
	h := sha256.New()
	for _, m := range sets {
		fmt.Fprintf(h, "component %q\n", m.Component)
		err := fs.WalkDir(m.FS, ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			f, err := m.FS.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			fmt.Fprintf(h, "file %q\n", path)
			_, err = io.Copy(h, f)
			return err
		})
		if err != nil {
			return "", fmt.Errorf("dbtest: hashing %s's migrations: %w", m.Component, err)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

var (
	templatesMu sync.Mutex
	templates   = map[string]*templateOnce{} // by dialect and key
)

type templateOnce struct {
	once sync.Once
	name string // a file's path, or a database's name
	err  error
}

func templateFor(kind, key string, make func() (string, error)) (string, error) {
	templatesMu.Lock()
	o := templates[kind+key]
	if o == nil {
		o = &templateOnce{}
		templates[kind+key] = o
	}
	templatesMu.Unlock()
	o.once.Do(func() { o.name, o.err = make() })
	return o.name, o.err
}

// forget drops a template from this process's memory (another process
// removed it), so that the next test makes it again.
func forget(kind, key string) {
	templatesMu.Lock()
	delete(templates, kind+key)
	templatesMu.Unlock()
}

// MigratedSQLitePath writes a migrated SQLite database at path (which
// must not exist yet): a copy of the schema's template file.
func MigratedSQLitePath(t testing.TB, path string, sets ...sqldb.Migrations) {
	t.Helper()
	key, err := schemaKey(sets)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := templateFor("sqlite", key, func() (string, error) { return sqliteTemplate(key, sets) })
	if err != nil {
		t.Fatal(err)
	}
	if err := copyFile(tmpl, path); err != nil {
		t.Fatalf("dbtest: copying the schema's template: %v", err)
	}
}

// sqliteTemplate makes (once per machine and schema; processes share it)
// the migrated file: written beside its final name and renamed into place,
// so a process never sees another's half-made one.
func sqliteTemplate(key string, sets []sqldb.Migrations) (string, error) {
	final := filepath.Join(os.TempDir(), "plaza-dbtest-"+key+".db")
	if _, err := os.Stat(final); err == nil {
		return final, nil
	}
	dir, err := os.MkdirTemp("", "plaza-dbtest-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "plaza.db")
	db, err := sqldb.Open(context.Background(), path, "")
	if err != nil {
		return "", err
	}
	err = db.Migrate(context.Background(), quiet, sets...)
	// Closing the last connection checkpoints the WAL into the file.
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	for _, side := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(path + side); err == nil {
			return "", fmt.Errorf("dbtest: %s still has its %s file after closing", path, side)
		}
	}
	return final, os.Rename(path, final)
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// MigratedPostgresURL is PostgresURL with sets already applied: the fresh
// database is a copy of the schema's template database.
func MigratedPostgresURL(t testing.TB, sets ...sqldb.Migrations) string {
	t.Helper()
	admin := adminURL(t)
	if admin == "" {
		return ""
	}
	key, err := schemaKey(sets)
	if err != nil {
		t.Fatal(err)
	}
	for try := 0; ; try++ {
		tmpl, err := templateFor("postgres", key, func() (string, error) { return postgresTemplate(admin, key, sets) })
		if err != nil {
			t.Fatal(err)
		}
		u, err := createDatabase(t, admin, tmpl)
		if err == nil {
			return u
		}
		// Someone may have dropped the template (a reset of the test
		// server) since this process made it: make it again, once.
		if try > 0 || !strings.Contains(err.Error(), "does not exist") {
			t.Fatal(err)
		}
		forget("postgres", key)
	}
}

// postgresTemplate makes the schema's template database unless it is
// there; an advisory lock keeps test processes from making it twice.
// (Packages migrate different sets, so several templates live side by
// side; a machine keeps one per schema it has tested, each a few MB.)
func postgresTemplate(admin, key string, sets []sqldb.Migrations) (string, error) {
	ctx := context.Background()
	name := "plaza_tmpl_" + key
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return "", err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	lock := int64(binary.BigEndian.Uint64([]byte("plazatpl")))
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", lock); err != nil {
		return "", err
	}
	defer conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", lock)
	var ready sql.NullBool
	err = conn.QueryRowContext(ctx, "SELECT datistemplate FROM pg_database WHERE datname = $1", name).Scan(&ready)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	if ready.Valid && ready.Bool {
		return name, nil
	}
	if ready.Valid { // half made by a process that died: make it again
		if _, err := conn.ExecContext(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			return "", err
		}
	}
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	mdb, err := sqldb.Open(ctx, u.String(), "")
	if err != nil {
		return "", err
	}
	err = mdb.Migrate(ctx, quiet, sets...)
	mdb.Close()
	if err != nil {
		return "", err
	}
	// No connections from now on: a database being copied must have none.
	if _, err := conn.ExecContext(ctx, "ALTER DATABASE "+name+" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"); err != nil {
		return "", err
	}
	return name, nil
}
