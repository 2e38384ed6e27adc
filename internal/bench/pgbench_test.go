package bench_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/bench"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// pgbench commits the movement and its rate is read; its tables are
// dropped after. Three seconds, not one: on a loaded CI machine eight
// connections took the whole of a one-second run and nothing committed.
func TestPgbenchRate(t *testing.T) {
	url := dbtest.PostgresURL(t)
	res, err := bench.Pgbench(context.Background(), url, 100, 8, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if res.TPS <= 0 || res.Clients != 8 || res.Accounts != 100 {
		t.Fatalf("%+v", res)
	}
	db, err := sql.Open("pgx", sqldb.ServerURL(url))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM pg_tables WHERE tablename LIKE 'plaza_pgbench_%'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("pgbench's tables left behind: %d %v", n, err)
	}
}
