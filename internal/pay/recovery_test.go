package pay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/idempotency"
	"github.com/plaza-dev/plaza/internal/platform/outbox"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// fakeAccounts knows every user id as a user of that name; the password
// is "pw".
type fakeAccounts struct{}

func (fakeAccounts) UserByUsername(_ context.Context, name string) (account.User, error) {
	return account.User{ID: name, Username: name}, nil
}
func (fakeAccounts) UsersByIDs(_ context.Context, ids []string) (map[string]account.User, error) {
	out := map[string]account.User{}
	for _, id := range ids {
		out[id] = account.User{ID: id, Username: id}
	}
	return out, nil
}
func (fakeAccounts) VerifyPassword(_ context.Context, _, password string) error {
	if password != "pw" {
		return errs.E(errs.Forbidden, "Wrong password.")
	}
	return nil
}
func (fakeAccounts) AreContacts(context.Context, string, string) (bool, error) { return true, nil }

// world is the outside rail: it remembers each reference and counts the
// distinct ones that moved money. before and after run around accepting a
// reference and may panic (a node dying) or fail (no answer).
type world struct {
	mu        sync.Mutex
	status    map[string]RailStatus
	charges   int
	before    func(ref string)
	after     func(ref string) error
	statusErr func(ref string) error
}

func newWorld() *world { return &world{status: map[string]RailStatus{}} }

func (w *world) Name() string { return "sandbox" }
func (w *world) do(ref string) (string, error) {
	if w.before != nil {
		w.before(ref)
	}
	w.mu.Lock()
	if _, ok := w.status[ref]; !ok {
		w.status[ref] = RailStatusSucceeded
		w.charges++
	}
	w.mu.Unlock()
	if w.after != nil {
		if err := w.after(ref); err != nil {
			return "", err
		}
	}
	return "w-" + ref, nil
}
func (w *world) TopUp(_ context.Context, _ string, _ Money, ref string) (string, error) {
	return w.do(ref)
}
func (w *world) Payout(_ context.Context, _ string, _ Money, ref string) (string, error) {
	return w.do(ref)
}
func (w *world) Status(_ context.Context, ref string) (RailStatus, error) {
	if w.statusErr != nil {
		if err := w.statusErr(ref); err != nil {
			return "", err
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if st, ok := w.status[ref]; ok {
		return st, nil
	}
	return RailStatusUnknown, nil
}
func (w *world) count() int { w.mu.Lock(); defer w.mu.Unlock(); return w.charges }

var sets = []sqldb.Migrations{idempotency.Migrations, outbox.Migrations, Migrations}

// clock is an injectable time.
type clock struct{ ns atomic.Int64 }

func newClock() *clock                   { c := &clock{}; c.ns.Store(time.Now().UnixNano()); return c }
func (c *clock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) advance(d time.Duration) { c.ns.Add(int64(d)) }
func newSvc(t *testing.T, db *sqldb.DB, rail Rail, c *clock, writers ...int) *Service {
	t.Helper()
	w := 8 // several writers, so that their lock order is exercised
	if len(writers) > 0 {
		w = writers[0]
	}
	s, err := NewService(Config{DB: db, Accounts: fakeAccounts{}, Rail: rail, PINKey: []byte("k"), Now: c.now, Writers: w})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// crash runs fn and reports whether it panicked with errCrash (the node
// died there).
var errCrash = errors.New("node killed")

func crash(t *testing.T, fn func()) {
	t.Helper()
	defer func() {
		if p := recover(); p != errCrash {
			t.Fatalf("expected the node to die, got %v", p)
		}
	}()
	fn()
}

func bal(t *testing.T, s *Service, user string) int64 {
	t.Helper()
	b, _, err := s.Wallet(context.Background(), user)
	if err != nil {
		t.Fatal(err)
	}
	return b[0].Amount
}

func audit(t *testing.T, s *Service, wantReconciled bool) LedgerCheck {
	t.Helper()
	c, err := s.CheckLedger(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !c.Balanced || c.Reconciled != wantReconciled {
		t.Fatalf("ledger: balanced %v reconciled %v (want %v): %+v", c.Balanced, c.Reconciled, wantReconciled, c)
	}
	return c
}

func req(user, key string) Request { return Request{UserID: user, Key: key, Hash: "h-" + key} }

// A node killed between the steps of a top-up — after the rail took the
// money, or before the rail saw it — leaves a balanced, reconciled ledger;
// recovery on a fresh service asks the rail and applies the top-up once
// (or not at all), and a retry with the same key replays it without a
// second charge.
func TestTopUpSurvivesACrashBetweenSteps(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, sets, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w, c := newWorld(), newClock()
		s1 := newSvc(t, db, w, c)

		// Dies after the rail accepted.
		w.after = func(string) error { panic(errCrash) }
		crash(t, func() { s1.TopUp(ctx, req("ann", "k1"), 5_000, "CNY") })
		// Dies before the rail saw the reference.
		w.after, w.before = nil, func(string) { panic(errCrash) }
		crash(t, func() { s1.TopUp(ctx, req("ben", "k2"), 7_000, "CNY") })
		w.before = nil
		s1.Close()
		if got := audit(t, s1, true); len(got.Holds) != 1 || got.Holds[0].OpenItems != 2 || got.Holds[0].Balance != 12_000 {
			t.Fatalf("pending top-ups not reconciled: %+v", got.Holds)
		}
		if bal(t, s1, "ann") != 0 || bal(t, s1, "ben") != 0 {
			t.Fatal("a pending top-up reached a wallet")
		}
		// Erasure must wait for it: the money would be stranded.
		if held, err := s1.HeldFor(ctx, "ann"); err != nil || !strings.Contains(held, "top-up of ¥50.00") {
			t.Fatalf("a pending top-up is not held money for erasure: %q %v", held, err)
		}

		c.advance(5 * time.Minute)
		// Recovery on two fresh "nodes" at once: each item settled once.
		s2, s3 := newSvc(t, db, w, c), newSvc(t, db, w, c)
		var settled atomic.Int64
		parallel(2, func(i int) {
			n, err := []*Service{s2, s3}[i].SettleStale(ctx, 2*time.Minute)
			if err != nil {
				t.Errorf("recovery %d: %v", i, err)
			}
			settled.Add(int64(n))
		})
		if a, b := bal(t, s2, "ann"), bal(t, s2, "ben"); a != 5_000 || b != 0 {
			t.Fatalf("after recovery ann %d (want 5000), ben %d (want 0)", a, b)
		}
		if settled.Load() != 2 {
			t.Fatalf("two recoveries settled %d items, want 2", settled.Load())
		}
		// Recovery again: nothing more.
		if n, err := s3.SettleStale(ctx, 2*time.Minute); err != nil || n != 0 {
			t.Fatalf("second recovery: %d %v", n, err)
		}
		// The client retries with its keys: ann's replays, ben's runs.
		tx, replay, err := s2.TopUp(ctx, req("ann", "k1"), 5_000, "CNY")
		if err != nil || !replay || tx.Amount != 5_000 {
			t.Fatalf("ann's retry: %+v %v %v", tx, replay, err)
		}
		if _, _, err := s2.TopUp(ctx, req("ben", "k2"), 7_000, "CNY"); err != nil {
			t.Fatal(err)
		}
		if a, b, n := bal(t, s2, "ann"), bal(t, s2, "ben"), w.count(); a != 5_000 || b != 7_000 || n != 2 {
			t.Fatalf("ann %d ben %d, rail charged %d times (want 2)", a, b, n)
		}
		audit(t, s2, true)
	})
}

// M1: a top-up whose rail call got no answer, retried with the same
// Idempotency-Key, asks the rail about the same reference: the outside
// rail is charged once.
func TestTopUpRetryChargesTheRailOnce(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, sets, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w, c := newWorld(), newClock()
		s := newSvc(t, db, w, c)
		w.after = func(string) error { return context.DeadlineExceeded }
		if _, _, err := s.TopUp(ctx, req("ann", "k"), 1_000, "CNY"); !errs.Is(err, RailFailed) {
			t.Fatalf("no answer: %v", err)
		}
		audit(t, s, true)
		w.after = nil
		for range 3 {
			if _, _, err := s.TopUp(ctx, req("ann", "k"), 1_000, "CNY"); err != nil {
				t.Fatal(err)
			}
		}
		if b, n := bal(t, s, "ann"), w.count(); b != 1_000 || n != 1 {
			t.Fatalf("balance %d, rail charged %d times (want 1000, 1)", b, n)
		}
		// A declined top-up returns the pending money; the key runs again.
		sb := &Sandbox{FailureRate: 1}
		s2 := newSvc(t, db, sb, c)
		if _, _, err := s2.TopUp(ctx, req("ben", "k"), 1_000, "CNY"); !errs.Is(err, RailFailed) {
			t.Fatalf("declined: %v", err)
		}
		sb.SetFailureRate(0)
		if _, _, err := s2.TopUp(ctx, req("ben", "k"), 1_000, "CNY"); err != nil {
			t.Fatalf("after a decline, the key runs again: %v", err)
		}
		audit(t, s2, true)
	})
}

func setPIN(t *testing.T, s *Service, user string) {
	t.Helper()
	if err := s.SetPIN(context.Background(), user, "123456", "", "pw"); err != nil {
		t.Fatal(err)
	}
}

// H3, as attacked: user A with ¥0 asks to withdraw ¥10 (refused, and no
// row is left), the node dies during user B's withdrawals (one after the
// payout, one before the rail saw it), and recovery runs on a fresh node:
// A still has ¥0, B's paid withdrawal settles to the rail (not paid twice),
// the other returns to B, and check-ledger is balanced and reconciled.
func TestWithdrawalRecoveryPaysNobodyElsesMoney(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, sets, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w, c := newWorld(), newClock()
		s1 := newSvc(t, db, w, c)
		setPIN(t, s1, "a")
		setPIN(t, s1, "b")
		if _, _, err := s1.TopUp(ctx, req("b", "top"), 10_000, "CNY"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s1.Withdraw(ctx, req("a", "w"), 1_000, "CNY", "123456"); !errs.Is(err, InsufficientFunds) {
			t.Fatalf("A's withdrawal: %v", err)
		}
		var rows int
		db.QueryRow(ctx, `SELECT COUNT(*) FROM withdrawals WHERE user_id = 'a'`).Scan(&rows)
		if rows != 0 {
			t.Fatalf("the refused withdrawal left %d rows", rows)
		}
		w.after = func(string) error { panic(errCrash) }
		crash(t, func() { s1.Withdraw(ctx, req("b", "w1"), 3_000, "CNY", "123456") })
		w.after, w.before = nil, func(string) { panic(errCrash) }
		crash(t, func() { s1.Withdraw(ctx, req("b", "w2"), 2_000, "CNY", "123456") })
		w.before = nil
		s1.Close()
		audit(t, s1, true)

		// An older version's phantom: a pending row with no hold.
		old := c.now().Add(-time.Hour)
		if _, err := db.Exec(ctx, insertWithdrawal, "wd_phantom", "a", 1_000, "CNY", "sandbox", sqldb.Micro(old), sqldb.Micro(old)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s1.CheckLedger(ctx); got.Reconciled || got.Unfunded != 1 {
			t.Fatalf("check-ledger does not see the unfunded withdrawal: %+v", got)
		}

		c.advance(5 * time.Minute)
		s2 := newSvc(t, db, w, c)
		// One status query fails: recovery goes on with the others.
		w.statusErr = func(ref string) error {
			if ref == "wd_phantom" {
				return errors.New("rail unreachable")
			}
			return nil
		}
		if n, err := s2.SettleStale(ctx, 2*time.Minute); err == nil || n != 2 {
			t.Fatalf("recovery past an error: %d %v", n, err)
		}
		w.statusErr = nil
		if n, err := s2.SettleStale(ctx, 2*time.Minute); err != nil || n != 1 {
			t.Fatalf("recovery: %d %v", n, err)
		}
		if a, b := bal(t, s2, "a"), bal(t, s2, "b"); a != 0 || b != 7_000 {
			t.Fatalf("after recovery A has %d (want 0), B %d (want 7000: 3000 paid out, 2000 returned)", a, b)
		}
		var st1, st2 string
		db.QueryRow(ctx, `SELECT status FROM withdrawals WHERE user_id = 'b' AND amount = 3000`).Scan(&st1)
		db.QueryRow(ctx, `SELECT status FROM withdrawals WHERE user_id = 'b' AND amount = 2000`).Scan(&st2)
		if st1 != "succeeded" || st2 != "failed" || w.count() != 2 {
			t.Fatalf("withdrawals %s/%s, rail moved %d", st1, st2, w.count())
		}
		got := audit(t, s2, true)
		for _, h := range got.Holds {
			if h.Balance != 0 || h.OpenItems != 0 {
				t.Fatalf("money left in flight: %+v", got.Holds)
			}
		}
	})
}

// twoNodes is two services on one database: on PostgreSQL, two
// connection pools (two nodes); on SQLite, one.
//
// writers (optional) is each node's number of money writers.
func twoNodes(t *testing.T, dialect string, rail Rail, c *clock, writers ...int) (*Service, *Service) {
	t.Helper()
	if dialect == "sqlite" {
		db := dbtest.SQLite(t, sets...)
		return newSvc(t, db, rail, c, writers...), newSvc(t, db, rail, c, writers...)
	}
	u := dbtest.PostgresURL(t)
	var dbs [2]*sqldb.DB
	for i := range dbs {
		db, err := sqldb.Open(context.Background(), u, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if i == 0 {
			if err := db.Migrate(context.Background(), slog.New(slog.DiscardHandler), sets...); err != nil {
				t.Fatal(err)
			}
		}
		dbs[i] = db
	}
	return newSvc(t, dbs[0], rail, c, writers...), newSvc(t, dbs[1], rail, c, writers...)
}

func eachDialect(t *testing.T, fn func(t *testing.T, dialect string)) {
	for _, d := range []string{"sqlite", "postgres"} {
		t.Run(d, func(t *testing.T) { t.Parallel(); fn(t, d) })
	}
}

func parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); <-start; fn(i) }()
	}
	close(start)
	wg.Wait()
}

// L1: parallel wrong PINs on two nodes evaluate at most the limit; the
// rest are refused as locked, the right PIN included.
func TestPINFailuresCountAcrossNodes(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		c := newClock()
		s1, s2 := twoNodes(t, dialect, newWorld(), c)
		setPIN(t, s1, "ann")
		const guesses = 40
		var wrong, locked, other atomic.Int64
		parallel(guesses, func(i int) {
			s := []*Service{s1, s2}[i%2]
			_, err := s.Charge(ctx, "ann", fmt.Sprintf("%06d", 200000+i), "m1", "", Money{1, "CNY"}, fmt.Sprintf("ref%d", i), "",
				func(*sqldb.Tx, string) error { return nil })
			switch {
			case errs.Is(err, WrongPIN):
				wrong.Add(1)
			case errs.Is(err, PINLocked):
				locked.Add(1)
			default:
				other.Add(1)
				t.Errorf("guess %d: %v", i, err)
			}
		})
		var evaluated int
		s1.db.QueryRow(ctx, `SELECT COUNT(*) FROM pin_attempts WHERE user_id = 'ann' AND ok = 0`).Scan(&evaluated)
		if evaluated > MaxPINFailures || wrong.Load() > MaxPINFailures-1 || locked.Load() < guesses-MaxPINFailures {
			t.Fatalf("%d wrong PINs evaluated (limit %d): %d wrong_pin, %d pin_locked", evaluated, MaxPINFailures, wrong.Load(), locked.Load())
		}
		if _, err := s2.Charge(ctx, "ann", "123456", "m1", "", Money{1, "CNY"}, "right", "", func(*sqldb.Tx, string) error { return nil }); !errs.Is(err, PINLocked) {
			t.Fatalf("the right PIN while locked: %v", err)
		}
		// One lock, one event for the audit log (it carries no PIN).
		var events int
		var payload []byte
		if err := s1.db.QueryRow(ctx, `SELECT COUNT(*) FROM outbox_events WHERE subject = ?`, PINLockedSubject).Scan(&events); err != nil {
			t.Fatal(err)
		}
		s1.db.QueryRow(ctx, `SELECT payload FROM outbox_events WHERE subject = ?`, PINLockedSubject).Scan(&payload)
		if events != 1 || !strings.Contains(string(payload), `"user_id":"ann"`) || strings.Contains(string(payload), "2000") {
			t.Fatalf("%d %s events: %s", events, PINLockedSubject, payload)
		}
	})
}

// L2: one Idempotency-Key on two nodes at once, and two payers of one
// order at once, get the contract's answers (the first result; the order's
// conflict), never an internal error, and money moves once.
func TestRacesOnTwoNodesGetTheContractsAnswer(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		w, c := newWorld(), newClock()
		s1, s2 := twoNodes(t, dialect, w, c)
		nodes := []*Service{s1, s2}
		// One top-up key, sent to both nodes at once.
		var ids sync.Map
		parallel(8, func(i int) {
			tx, _, err := nodes[i%2].TopUp(ctx, req("ann", "same"), 10_000, "CNY")
			if err != nil && !errs.Is(err, errs.Conflict) {
				t.Errorf("top-up %d: %v", i, err)
				return
			}
			if err == nil {
				ids.Store(tx.ID, true)
			}
		})
		if b, n := bal(t, s1, "ann"), w.count(); b != 10_000 || n != 1 {
			t.Fatalf("balance %d, rail charged %d (want 10000, 1)", b, n)
		}
		setPIN(t, s1, "ann")
		setPIN(t, s1, "ben")
		if _, _, err := s1.TopUp(ctx, req("ben", "t"), 10_000, "CNY"); err != nil {
			t.Fatal(err)
		}
		// One transfer key on both nodes.
		parallel(8, func(i int) {
			_, _, err := nodes[i%2].Transfer(ctx, req("ann", "tk"), "ben", 100, "CNY", "", "123456")
			if err != nil && !errs.Is(err, errs.Conflict) {
				t.Errorf("transfer %d: %v", i, err)
			}
		})
		if a := bal(t, s1, "ann"); a != 9_900 {
			t.Fatalf("ann has %d after one transfer sent 8 times, want 9900", a)
		}
		// Two payers of one order, on both nodes.
		var paid, refused atomic.Int64
		parallel(8, func(i int) {
			payer := []string{"ann", "ben"}[i%2]
			_, err := nodes[(i/2)%2].Charge(ctx, payer, "123456", "m1", "", Money{500, "CNY"}, "order-1", "", func(*sqldb.Tx, string) error { return nil })
			switch {
			case err == nil:
				paid.Add(1)
			case errs.Is(err, errs.Conflict):
				refused.Add(1)
			default:
				t.Errorf("payer %d: %v", i, err)
			}
		})
		if paid.Load() != 1 || refused.Load() != 7 {
			t.Fatalf("%d paid, %d refused (want 1, 7)", paid.Load(), refused.Load())
		}
		if m, _ := s1.MerchantBalance(ctx, "m1", "CNY"); m != 500 {
			t.Fatalf("merchant got %d, want 500", m)
		}
		audit(t, s1, true)
	})
}

// M6 (PIN part): the first PIN needs the password; changing a set PIN
// needs the old PIN (a wrong one counts toward the lockout) or the
// password; neither is refused.
func TestPINChangeNeedsTheOldPINOrThePassword(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, sets, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newSvc(t, db, nil, newClock())
		if err := s.SetPIN(ctx, "ann", "123456", "", ""); !errs.Is(err, errs.InvalidArgument) {
			t.Fatalf("first PIN without password: %v", err)
		}
		if err := s.SetPIN(ctx, "ann", "123456", "", "nope"); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("first PIN, wrong password: %v", err)
		}
		setPIN(t, s, "ann")
		if err := s.SetPIN(ctx, "ann", "654321", "", ""); !errs.Is(err, errs.InvalidArgument) {
			t.Fatalf("change with nothing: %v", err)
		}
		if err := s.SetPIN(ctx, "ann", "654321", "000000", ""); !errs.Is(err, WrongPIN) {
			t.Fatalf("change with a wrong old PIN: %v", err)
		}
		if err := s.SetPIN(ctx, "ann", "654321", "123456", ""); err != nil {
			t.Fatalf("change with the old PIN: %v", err)
		}
		if err := s.SetPIN(ctx, "ann", "111111", "", "pw"); err != nil {
			t.Fatalf("change with the password: %v", err)
		}
		for range MaxPINFailures {
			s.SetPIN(ctx, "ann", "222222", "999999", "")
		}
		if err := s.SetPIN(ctx, "ann", "222222", "111111", ""); !errs.Is(err, PINLocked) {
			t.Fatalf("old-PIN guesses are not limited: %v", err)
		}
	})
}

// Without a rail, money cannot enter or leave.
func TestNoRailNoMoney(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, sets, func(t *testing.T, db *sqldb.DB) {
		s := newSvc(t, db, nil, newClock())
		setPIN(t, s, "ann")
		if _, _, err := s.TopUp(context.Background(), req("ann", "k"), 100, "CNY"); !errs.Is(err, RailUnavailable) {
			t.Fatalf("top-up: %v", err)
		}
		if _, _, err := s.Withdraw(context.Background(), req("ann", "w"), 100, "CNY", "123456"); !errs.Is(err, RailUnavailable) {
			t.Fatalf("withdrawal: %v", err)
		}
	})
}

// The sandbox answers a reference it has seen with its first outcome and
// reports it in Status.
func TestSandboxRemembersReferences(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := &Sandbox{}
	a, err := s.TopUp(ctx, "u", Money{1, "CNY"}, "r1")
	if err != nil {
		t.Fatal(err)
	}
	s.SetFailureRate(1)
	if b, err := s.TopUp(ctx, "u", Money{1, "CNY"}, "r1"); err != nil || b != a {
		t.Fatalf("repeat: %s %v, want %s", b, err, a)
	}
	if _, err := s.Payout(ctx, "u", Money{1, "CNY"}, "r2"); !errors.Is(err, ErrRailDeclined) {
		t.Fatal(err)
	}
	for ref, want := range map[string]RailStatus{"r1": RailStatusSucceeded, "r2": RailStatusFailed, "r3": RailStatusUnknown} {
		if got, _ := s.Status(ctx, ref); got != want {
			t.Fatalf("%s: %s, want %s", ref, got, want)
		}
	}
}
