package chat

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/idempotency"
	"github.com/plaza-dev/plaza/internal/platform/outbox"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// A commit indexes its queued documents by walking the queue, never the
// index's whole history: with the planner left to choose, every send's
// commit scanned all of search_docs (a third of a send's CPU at 150,000
// messages). The plan must start at search_pending and look the rest up
// by key.
func TestIndexPendingWalksTheQueue(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t, idempotency.Migrations, outbox.Migrations, account.Migrations, Migrations, SearchMigrations)
	ctx := context.Background()
	for _, q := range []string{indexPendingFTS, indexPendingShort} {
		sel := q[strings.Index(q, "SELECT"):]
		rows, err := db.Query(ctx, "EXPLAIN QUERY PLAN "+sel)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := sqldb.ScanAll(rows, func(rows *sql.Rows) (string, error) {
			var id, parent, unused int
			var detail string
			err := rows.Scan(&id, &parent, &unused, &detail)
			return detail, err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(plan) != 3 || !strings.HasPrefix(plan[0], "SCAN p") || !strings.HasPrefix(plan[1], "SEARCH d") || !strings.HasPrefix(plan[2], "SEARCH g") {
			t.Fatalf("plan %q: want a scan of the queue (p), then search_docs (d) and messages (g) by key", plan)
		}
	}
}
