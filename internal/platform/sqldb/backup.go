package sqldb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// BackupTo writes a consistent copy of a SQLite database to path while it
// stays in use (VACUUM INTO: a read transaction, so a running node's writes
// go on). The copy is written beside path and renamed into place, so that
// path is either the whole backup or absent; an existing path is refused.
// On PostgreSQL it refuses: use pg_dump.
func (db *DB) BackupTo(ctx context.Context, path string) error {
	if db.Dialect != SQLite {
		return errors.New("online backup is for SQLite; back PostgreSQL up with pg_dump")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s exists: choose a new file", path)
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".partial")
	os.Remove(tmp)
	if _, err := db.write.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}
