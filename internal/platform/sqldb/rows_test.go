package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

func scanInt(r *sql.Rows) (int64, error) {
	var n int64
	err := r.Scan(&n)
	return n, err
}

// A query that fails on its third row: rows.Next returns false there, and
// only rows.Err() tells the failure from the end of the result.
func failingQuery(db *sqldb.DB) string {
	if db.Dialect == sqldb.Postgres {
		return `SELECT CASE WHEN x < 3 THEN x ELSE 1 / (x - x) END FROM generate_series(1, 5) AS x`
	}
	return `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5)
		SELECT CASE WHEN x < 3 THEN x ELSE abs(-9223372036854775807 - 1) END FROM c`
}

func TestScanAllAndEach(t *testing.T) {
	dbtest.Run(t, nil, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		rows, err := db.Query(ctx, `SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3`)
		if err != nil {
			t.Fatal(err)
		}
		got, err := sqldb.ScanAll(rows, scanInt)
		if err != nil || len(got) != 3 || got[0]+got[1]+got[2] != 6 {
			t.Fatalf("ScanAll: %v, %v", got, err)
		}

		// An error in the middle of the result is returned, not lost.
		rows, err = db.Query(ctx, failingQuery(db))
		if err != nil {
			t.Fatal(err)
		}
		got, err = sqldb.ScanAll(rows, scanInt)
		if err == nil {
			t.Fatalf("ScanAll of a failing query: %v and no error", got)
		}
		rows, err = db.Query(ctx, failingQuery(db))
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		err = sqldb.Each(rows, func(r *sql.Rows) error { seen++; _, err := scanInt(r); return err })
		if err == nil || seen > 2 {
			t.Fatalf("Each of a failing query: %d rows, err %v", seen, err)
		}

		// fn's error stops the iteration and is returned; rows are closed.
		rows, err = db.Query(ctx, `SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3`)
		if err != nil {
			t.Fatal(err)
		}
		stop := errors.New("stop")
		seen = 0
		if err := sqldb.Each(rows, func(*sql.Rows) error { seen++; return stop }); !errors.Is(err, stop) || seen != 1 {
			t.Fatalf("Each: %d rows, err %v", seen, err)
		}
		if rows.Next() {
			t.Fatal("rows left open")
		}
	})
}
