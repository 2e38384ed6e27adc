package pay

import (
	"context"
	"errors"
	"testing"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// MerchantBalance is 0 for a merchant never paid, and an error (not a
// zero balance) when the read fails.
func TestMerchantBalanceReturnsErrors(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, sets, func(t *testing.T, db *sqldb.DB) {
		s := newSvc(t, db, newWorld(), newClock())
		if b, err := s.MerchantBalance(context.Background(), "m-never-paid", "CNY"); b != 0 || err != nil {
			t.Fatalf("never paid: %d, %v; want 0, nil", b, err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if b, err := s.MerchantBalance(ctx, "m-never-paid", "CNY"); !errors.Is(err, context.Canceled) {
			t.Fatalf("failed read: %d, %v; want context.Canceled", b, err)
		}
	})
}
