package pay

import (
	"context"
	"fmt"
	"testing"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// On PostgreSQL a transfer's common case (right PIN, nothing to reset, a
// new key) is authorized and moved in one statement (authorizedMove);
// every other case goes the long way. Both dialects must answer alike,
// and the one statement must leave exactly what the long way leaves: one
// PIN attempt a check, the stored answer (so that a retry replays), the
// event, and failures reset by a right PIN.
func TestTransferOneStatementLeavesWhatTheLongWayLeaves(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, sets, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newSvc(t, db, newWorld(), newClock())
		setPIN(t, s, "ann")
		if _, _, err := s.TopUp(ctx, req("ann", "top"), 10_000, "CNY"); err != nil {
			t.Fatal(err)
		}
		count := func(q string, args ...any) int {
			t.Helper()
			var n int
			if err := db.QueryRow(ctx, q, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		attempts := func() (ok, wrong int) {
			return count(`SELECT COUNT(*) FROM pin_attempts WHERE user_id = 'ann' AND ok = 1`),
				count(`SELECT COUNT(*) FROM pin_attempts WHERE user_id = 'ann' AND ok = 0`)
		}

		first, replay, err := s.Transfer(ctx, req("ann", "k1"), "ben", 100, "CNY", "lunch", "123456")
		if err != nil || replay || first.Status != "succeeded" {
			t.Fatalf("transfer: %+v replay %v err %v", first, replay, err)
		}
		if ok, wrong := attempts(); ok != 1 || wrong != 0 {
			t.Fatalf("after one transfer: %d right and %d wrong PIN attempts recorded, want 1 and 0", ok, wrong)
		}
		// The attempt row carries the check's purpose and time, as checkPIN
		// writes them (the statement writes it on PostgreSQL).
		if n := count(`SELECT COUNT(*) FROM pin_attempts WHERE user_id = 'ann' AND ok = 1 AND purpose = 'transfer' AND created_at > 0`); n != 1 {
			t.Fatalf("%d right-PIN attempts with purpose transfer and a time, want 1", n)
		}
		if n := count(`SELECT COUNT(*) FROM idempotency_keys WHERE owner = 'ann' AND key = 'k1'`); n != 1 {
			t.Fatalf("%d stored answers for the key, want 1", n)
		}
		if n := count(`SELECT COUNT(*) FROM outbox_events WHERE subject = ?`, TransferCompletedSubject); n != 1 {
			t.Fatalf("%d transfer events, want 1", n)
		}

		// The same key again: the first answer, nothing moved.
		again, replay, err := s.Transfer(ctx, req("ann", "k1"), "ben", 100, "CNY", "lunch", "123456")
		if err != nil || !replay || again.ID != first.ID {
			t.Fatalf("retry: %+v replay %v err %v (first %s)", again, replay, err, first.ID)
		}
		// The same key for other parameters: a mismatch, nothing moved.
		other := req("ann", "k1")
		other.Hash = "h-other"
		if _, _, err := s.Transfer(ctx, other, "ben", 200, "CNY", "", "123456"); !errs.Is(err, errs.IdempotencyMismatch) {
			t.Fatalf("the key for other parameters: %v", err)
		}
		// More than the balance: refused, the right PIN's attempt kept.
		if _, _, err := s.Transfer(ctx, req("ann", "big"), "ben", 1_000_000, "CNY", "", "123456"); !errs.Is(err, InsufficientFunds) {
			t.Fatalf("too much: %v", err)
		}
		if b := bal(t, s, "ann"); b != 9_900 {
			t.Fatalf("ann has %d, want 9900", b)
		}

		// Four wrong PINs, then a right one (which must reset the count,
		// going the long way), then four wrong again: never locked.
		for round := range 2 {
			for i := range MaxPINFailures - 1 {
				_, _, err := s.Transfer(ctx, req("ann", fmt.Sprintf("w%d-%d", round, i)), "ben", 1, "CNY", "", "654321")
				if !errs.Is(err, WrongPIN) {
					t.Fatalf("wrong PIN %d of round %d: %v", i, round, err)
				}
			}
			if round == 0 {
				if _, _, err := s.Transfer(ctx, req("ann", "reset"), "ben", 1, "CNY", "", "123456"); err != nil {
					t.Fatalf("the right PIN after %d wrong: %v", MaxPINFailures-1, err)
				}
			}
		}
		if n := count(`SELECT failures FROM wallet_pins WHERE user_id = 'ann'`); n != MaxPINFailures-1 {
			t.Fatalf("failures %d after a reset and %d wrong, want %d", n, MaxPINFailures-1, MaxPINFailures-1)
		}
		// One more wrong PIN locks; then the right PIN is refused as locked
		// and moves nothing.
		if _, _, err := s.Transfer(ctx, req("ann", "w-last"), "ben", 1, "CNY", "", "654321"); !errs.Is(err, PINLocked) {
			t.Fatalf("the failure that locks: %v", err)
		}
		if _, _, err := s.Transfer(ctx, req("ann", "locked"), "ben", 1, "CNY", "", "123456"); !errs.Is(err, PINLocked) {
			t.Fatalf("the right PIN while locked: %v", err)
		}
		// Right PINs: the transfer, its retry, the mismatch, the refusal
		// for funds and the reset (the right PIN while locked is not
		// evaluated).
		if ok, wrong := attempts(); ok != 5 || wrong != 2*(MaxPINFailures-1)+1 {
			t.Fatalf("%d right and %d wrong PIN attempts recorded", ok, wrong)
		}
		if b := bal(t, s, "ann"); b != 9_899 {
			t.Fatalf("ann has %d, want 9899 (one reset transfer of 1 since)", b)
		}
		audit(t, s, true)
	})
}
