package pay

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Every movement writes one ledger_transfers row, so each index on that
// table is paid for by every transfer. It keeps only the indexes a query
// reads: the unique transfer_key (replays, holds, the audit), and the
// debit and credit accounts (history, balances' audit). An index on
// reference, which no query reads, cost a sixth of the movement's
// statement on PostgreSQL (issue 16) and was dropped (00005).
func TestLedgerTransfersKeepOnlyReadIndexes(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, sets, func(t *testing.T, db *sqldb.DB) {
		q := `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ledger_transfers' AND sql IS NOT NULL`
		if db.Dialect == sqldb.Postgres {
			q = `SELECT indexname FROM pg_indexes WHERE tablename = 'ledger_transfers' AND indexname <> 'ledger_transfers_pkey'`
		}
		rows, err := db.Query(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		names, err := sqldb.ScanAll(rows, func(rows *sql.Rows) (string, error) {
			var s string
			return s, rows.Scan(&s)
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(names)
		want := []string{"ledger_transfers_credit", "ledger_transfers_debit", "ledger_transfers_key"}
		if !slices.Equal(names, want) {
			t.Fatalf("ledger_transfers has indexes %v; want %v (each costs every movement a write)", names, want)
		}
	})
}
