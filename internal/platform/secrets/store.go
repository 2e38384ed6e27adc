package secrets

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// The table's statements (name is "<purpose>_key", or "layout").
const (
	selectSecret = `SELECT value FROM server_secrets WHERE name = ?`
	insertSecret = `INSERT INTO server_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`
	upsertSecret = `INSERT INTO server_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`
)

// store is where keys are kept.
type store interface {
	// shared is true when every node of the installation reads the store.
	shared() bool
	// get returns a key's stored text; ok is false when there is none.
	get(ctx context.Context, p Purpose) (value string, ok bool, err error)
	// ensure stores value unless a key is already there, and returns the
	// stored one.
	ensure(ctx context.Context, p Purpose, value string) (string, error)
	// replace stores value in place of any key there.
	replace(ctx context.Context, p Purpose, value string) error
}

func newStore(c Config) store {
	if c.DB.Dialect == sqldb.Postgres {
		return tableStore{c.DB}
	}
	return fileStore{filepath.Join(c.DataDir, "keys")}
}

// tableStore keeps keys in server_secrets (PostgreSQL: every node shares
// them).
type tableStore struct{ db *sqldb.DB }

func (tableStore) shared() bool { return true }

func rowName(p Purpose) string {
	if p == layout {
		return string(p)
	}
	return string(p) + "_key"
}

func (s tableStore) get(ctx context.Context, p Purpose) (string, bool, error) {
	var v string
	err := s.db.QueryRow(ctx, selectSecret, rowName(p)).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return v, err == nil, err
}

func (s tableStore) ensure(ctx context.Context, p Purpose, value string) (string, error) {
	if _, err := s.db.Exec(ctx, insertSecret, rowName(p), value); err != nil {
		return "", err
	}
	v, ok, err := s.get(ctx, p)
	if err == nil && !ok {
		err = fmt.Errorf("%s vanished after it was stored", rowName(p))
	}
	return v, err
}

func (s tableStore) replace(ctx context.Context, p Purpose, value string) error {
	_, err := s.db.Exec(ctx, upsertSecret, rowName(p), value)
	return err
}

// fileStore keeps keys as files in the data folder's keys/ (SQLite: one
// node), readable by the node's user only: pin.key, platform.pem,
// openid.key, unionid.key, trial.key, bill.key and the layout mark.
type fileStore struct{ dir string }

func (fileStore) shared() bool { return false }

func (s fileStore) path(p Purpose) string {
	switch p {
	case Platform:
		return filepath.Join(s.dir, "platform.pem")
	case layout:
		return filepath.Join(s.dir, "layout")
	}
	return filepath.Join(s.dir, string(p)+".key")
}

func (s fileStore) get(_ context.Context, p Purpose) (string, bool, error) {
	b, err := os.ReadFile(s.path(p))
	if errors.Is(err, os.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return strings.TrimSpace(string(b)), true, nil
}

// ensure writes the key to a temporary file and links it into place, so a
// key file is never seen half-written and an existing one is never
// overwritten (where the file system has no hard links, it creates the
// file exclusively instead).
func (s fileStore) ensure(ctx context.Context, p Purpose, value string) (string, error) {
	tmp, err := s.writeTemp(value)
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, s.path(p)); err != nil && !errors.Is(err, os.ErrExist) {
		if err := createExclusive(s.path(p), value); err != nil && !errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("writing %s: %w", s.path(p), err)
		}
	}
	v, ok, err := s.get(ctx, p)
	if err == nil && !ok {
		err = fmt.Errorf("%s vanished after it was written", s.path(p))
	}
	return v, err
}

func (s fileStore) replace(_ context.Context, p Purpose, value string) error {
	tmp, err := s.writeTemp(value)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, s.path(p)); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

func (s fileStore) writeTemp(value string) (string, error) {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(s.dir, ".new-*")
	if err != nil {
		return "", err
	}
	_, err = f.WriteString(value)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

func createExclusive(path, value string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteString(value)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
