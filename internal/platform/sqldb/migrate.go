package sqldb

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Migrations is one component's schema: goose SQL files in the folder
// "migrations/shared" of FS (the component's embedded "migrations" folder)
// when one SQL serves both dialects, or in "migrations/sqlite" and
// "migrations/postgres" where the SQL must differ. (SQLite takes
// PostgreSQL's type names — BIGINT, BYTEA — as they are.)
type Migrations struct {
	Component string // names the goose version table: goose_<component>
	FS        fs.FS
}

// Migrate applies every pending migration of each set, in order. On
// PostgreSQL an advisory lock lets several nodes start at once safely.
func (db *DB) Migrate(ctx context.Context, log *slog.Logger, sets ...Migrations) error {
	for _, m := range sets {
		dir := "migrations/" + string(db.Dialect)
		if _, err := fs.Stat(m.FS, dir); err != nil {
			dir = "migrations/shared"
		}
		sub, err := fs.Sub(m.FS, dir)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", m.Component, err)
		}
		opts := []goose.ProviderOption{goose.WithTableName("goose_" + m.Component), goose.WithDisableGlobalRegistry(true)}
		dialect := goose.DialectSQLite3
		if db.Dialect == Postgres {
			dialect = goose.DialectPostgres
			locker, err := lock.NewPostgresSessionLocker()
			if err != nil {
				return err
			}
			opts = append(opts, goose.WithSessionLocker(locker))
		}
		p, err := goose.NewProvider(dialect, db.write, sub, opts...)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", m.Component, err)
		}
		results, err := p.Up(ctx)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", m.Component, err)
		}
		for _, r := range results {
			log.Info("migrated", "component", m.Component, "version", r.Source.Version, "took", r.Duration)
		}
	}
	return nil
}
