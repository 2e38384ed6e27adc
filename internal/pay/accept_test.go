package pay

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

func acceptSvc(t *testing.T, db *sqldb.DB, c *clock, screened bool) *Service {
	t.Helper()
	cfg := Config{DB: db, Accounts: fakeAccounts{}, Conversations: &roomConvs{}, Rail: newWorld(), PINKey: []byte("k"), Now: c.now}
	if screened {
		cfg.Screener = &listScreener{names: []string{"eve"}}
	}
	s, err := NewService(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func pendingHolds(t *testing.T, s *Service) HoldAccount {
	t.Helper()
	c := audit(t, s, true)
	for _, h := range c.Holds {
		if h.Account == "pending:transfer:CNY" {
			return h
		}
	}
	return HoldAccount{}
}

// Accept, decline and the expiry race on two nodes for each of many
// pending transfers: exactly one decides each, the money moves once (the
// payer and the payee together hold what they had), and check-ledger
// reconciles the holding account at every step.
func TestAcceptDeclineAndExpiryRaceOnTwoNodes(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		c := newClock()
		a, b := twoNodes(t, dialect, newWorld(), c)
		s1, s2 := acceptSvc(t, a.db, c, false), acceptSvc(t, b.db, c, false)
		nodes := []*Service{s1, s2}
		fund(t, s1, "ann", 100_000)
		const rounds = 12
		var ids []string
		for i := range rounds {
			tx, _, err := s1.TransferToAccept(ctx, req("ann", fmt.Sprint("t", i)), "bob", 1_000, "CNY", "", "123456")
			if err != nil || tx.Status != StatusPendingAcceptance {
				t.Fatalf("send %d: %+v %v", i, tx, err)
			}
			ids = append(ids, tx.ID)
		}
		if h := pendingHolds(t, s1); h.Balance != rounds*1_000 || h.OpenItems != rounds {
			t.Fatalf("holding account: %+v", h)
		}
		// The clock at the deadline: accepts and declines race the expiry.
		c.advance(DefaultAcceptTTL - time.Millisecond)
		var won, conflict atomic.Int64
		for _, id := range ids {
			parallel(6, func(i int) {
				node := nodes[i%2]
				var err error
				switch i % 3 {
				case 0:
					_, _, err = node.Accept(ctx, Request{UserID: "bob"}, id)
				case 1:
					_, _, err = node.Decline(ctx, Request{UserID: "bob"}, id)
				case 2:
					if i == 2 {
						c.advance(time.Millisecond)
					}
					var n int
					n, err = node.ReturnUnaccepted(ctx)
					if n > 0 {
						won.Add(int64(n))
					}
					return
				}
				switch {
				case err == nil:
					won.Add(1)
				case errs.Is(err, errs.Conflict):
					conflict.Add(1)
				default:
					t.Errorf("decision %d: %v", i, err)
				}
			})
			c.advance(-time.Millisecond)
		}
		// Each transfer was settled by exactly one movement on or back
		// (an accept that came too late returns it itself: conflict).
		var settled, dup int
		if err := s1.db.QueryRow(ctx, `SELECT COUNT(*), COUNT(*) - COUNT(DISTINCT reference) FROM ledger_transfers
			WHERE transfer_key LIKE 'tar:%' OR transfer_key LIKE 'tax:%'`).Scan(&settled, &dup); err != nil {
			t.Fatal(err)
		}
		if settled != rounds || dup != 0 || won.Load() > rounds {
			t.Fatalf("%d settlements (%d twice) for %d transfers; %d won, %d conflicts", settled, dup, rounds, won.Load(), conflict.Load())
		}
		t.Logf("%d won, %d conflicts", won.Load(), conflict.Load())
		c.advance(time.Hour)
		if n, err := s2.ReturnUnaccepted(ctx); err != nil || n != 0 {
			t.Fatalf("a late expiry: %d %v", n, err)
		}
		an, bo := bal(t, s1, "ann"), bal(t, s1, "bob")
		if an+bo != 100_000 || bo%1_000 != 0 {
			t.Fatalf("ann %d bob %d: money made or lost", an, bo)
		}
		accepted := int64(0)
		for _, id := range ids {
			tx, err := s1.Transaction(ctx, "bob", id)
			if err != nil {
				t.Fatal(err)
			}
			if tx.Status == "succeeded" {
				accepted += tx.Amount
			} else if tx.Status != StatusReturned {
				t.Fatalf("undecided: %+v", tx)
			}
		}
		if accepted != bo {
			t.Fatalf("bob holds %d, accepted transfers %d", bo, accepted)
		}
		if h := pendingHolds(t, s1); h.Balance != 0 || h.OpenItems != 0 {
			t.Fatalf("money left pending: %+v", h)
		}
	})
}

// Not accepted within 24 hours, a transfer returns to its payer once
// (the job on two nodes at once), and accepting it afterwards is
// conflict; an accept just past the deadline, before the job ran,
// returns it then and is conflict too.
func TestUnacceptedTransferReturnsAfter24Hours(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, sets, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		c := newClock()
		s := acceptSvc(t, db, c, false)
		s2 := acceptSvc(t, db, c, false)
		fund(t, s, "ann", 5_000)
		t1, _, err := s.TransferToAccept(ctx, req("ann", "a"), "bob", 1_000, "CNY", "lunch", "123456")
		if err != nil {
			t.Fatal(err)
		}
		t2, _, _ := s.TransferToAccept(ctx, req("ann", "b"), "bob", 2_000, "CNY", "", "123456")
		c.advance(23 * time.Hour)
		if n, _ := s.ReturnUnaccepted(ctx); n != 0 {
			t.Fatalf("returned %d before its time", n)
		}
		c.advance(time.Hour)
		// t2: accepted just too late, before any job ran.
		if _, _, err := s.Accept(ctx, Request{UserID: "bob"}, t2.ID); !errs.Is(err, errs.Conflict) {
			t.Fatalf("a late accept: %v", err)
		}
		var total atomic.Int64
		parallel(2, func(i int) {
			n, err := []*Service{s, s2}[i].ReturnUnaccepted(ctx)
			if err != nil {
				t.Error(err)
			}
			total.Add(int64(n))
		})
		if total.Load() != 1 {
			t.Fatalf("two jobs returned %d, want 1", total.Load())
		}
		if a, b := bal(t, s, "ann"), bal(t, s, "bob"); a != 5_000 || b != 0 {
			t.Fatalf("after the returns ann %d bob %d", a, b)
		}
		if _, _, err := s.Accept(ctx, Request{UserID: "bob"}, t1.ID); !errs.Is(err, errs.Conflict) {
			t.Fatalf("accept after the return: %v", err)
		}
		got, _ := s.Transaction(ctx, "ann", t1.ID)
		if got.Status != StatusReturned || got.Acceptance == nil || got.Acceptance.State != AcceptExpired || got.Acceptance.DecidedAt == nil {
			t.Fatalf("returned transfer: %+v %+v", got, got.Acceptance)
		}
		if e := events(t, db, TransferAcceptanceSubject); e != 4 {
			t.Fatalf("%d acceptance events, want 4 (2 pending, 2 expired)", e)
		}
		if e := events(t, db, TransferCompletedSubject); e != 0 {
			t.Fatalf("%d transfer_completed events for transfers never accepted", e)
		}
		// Erasure waited while they were pending; nothing is held now.
		if held, _ := s.HeldFor(ctx, "bob"); held != "" {
			t.Fatalf("held for bob: %q", held)
		}
		audit(t, s, true)
	})
}

// A screening hold comes first: a matched accept_required transfer is
// held (the payee cannot accept it yet); released, it waits for the payee
// under the same transaction id; rejected, it returns to the payer.
func TestHeldAcceptRequiredTransferWaitsForThePayeeOnceReleased(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, sets, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		c := newClock()
		s := acceptSvc(t, db, c, true)
		fund(t, s, "ann", 10_000)
		tx, _, err := s.TransferToAccept(ctx, req("ann", "h1"), "eve", 1_500, "CNY", "", "123456")
		if err != nil || !tx.Held() {
			t.Fatalf("held: %+v %v", tx, err)
		}
		if _, _, err := s.Accept(ctx, Request{UserID: "eve"}, tx.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("accepting a held transfer: %v", err)
		}
		if held, _ := s.HeldFor(ctx, "eve"); held == "" {
			t.Fatal("a held transfer is not held money for erasure")
		}
		if _, err := s.Release(ctx, "admin", tx.Reference, ""); err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{"ann", "eve"} {
			got, err := s.Transaction(ctx, who, tx.ID)
			if err != nil || got.Status != StatusPendingAcceptance {
				t.Fatalf("%s after release: %+v %v", who, got, err)
			}
		}
		if e := bal(t, s, "eve"); e != 0 {
			t.Fatalf("released to eve before she accepted: %d", e)
		}
		if h := pendingHolds(t, s); h.Balance != 1_500 || h.OpenItems != 1 {
			t.Fatalf("holding account after release: %+v", h)
		}
		// A replay of the send still answers held (202), as first.
		if again, replay, err := s.TransferToAccept(ctx, req("ann", "h1"), "eve", 1_500, "CNY", "", "123456"); err != nil || !replay || !again.Held() {
			t.Fatalf("replay: %+v %v %v", again, replay, err)
		}
		got, _, err := s.Accept(ctx, Request{UserID: "eve"}, tx.ID)
		if err != nil || got.Status != "succeeded" {
			t.Fatalf("accept: %+v %v", got, err)
		}
		if a, e := bal(t, s, "ann"), bal(t, s, "eve"); a != 8_500 || e != 1_500 {
			t.Fatalf("accepted: ann %d eve %d", a, e)
		}
		// Eve's history shows it once.
		items, _, _ := s.History(ctx, "eve", "", 50)
		n := 0
		for _, it := range items {
			if it.ID == tx.ID {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("eve's history shows the transfer %d times: %+v", n, items)
		}
		// Rejected, the next one returns to Ann.
		tx2, _, _ := s.TransferToAccept(ctx, req("ann", "h2"), "eve", 500, "CNY", "", "123456")
		if _, err := s.Reject(ctx, "admin", tx2.Reference, ""); err != nil {
			t.Fatal(err)
		}
		if a := bal(t, s, "ann"); a != 8_500 {
			t.Fatalf("rejected: ann %d", a)
		}
		audit(t, s, true)
	})
}

// Many pending transfers sent, accepted and declined in parallel among
// four people keep the money: the wallets and the holding account add up
// to what was put in, no wallet goes negative, and the ledger reconciles.
func TestParallelPendingTransfersConserveMoney(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, sets, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		c := newClock()
		s := acceptSvc(t, db, c, false)
		people := []string{"p0", "p1", "p2", "p3"}
		for _, p := range people {
			fund(t, s, p, 2_000)
		}
		var sent atomic.Int64
		parallel(16, func(w int) {
			from, to := people[w%4], people[(w+1+w/4)%4]
			if from == to {
				to = people[(w+2)%4]
			}
			for k := range 8 {
				tx, _, err := s.TransferToAccept(ctx, req(from, fmt.Sprint("w", w, "-", k)), to, int64(50+k*10), "CNY", "", "123456")
				if errs.Is(err, InsufficientFunds) {
					continue
				}
				if err != nil {
					t.Errorf("send: %v", err)
					return
				}
				sent.Add(1)
				if k%3 == 2 {
					continue // left pending
				}
				decide := s.Accept
				if k%3 == 1 {
					decide = s.Decline
				}
				if _, _, err := decide(ctx, Request{UserID: to}, tx.ID); err != nil {
					t.Errorf("decide: %v", err)
				}
			}
		})
		var sum int64
		for _, p := range people {
			sum += bal(t, s, p)
		}
		h := pendingHolds(t, s)
		if sum+h.Balance != 8_000 {
			t.Fatalf("wallets %d + pending %d != 8000", sum, h.Balance)
		}
		c.advance(25 * time.Hour)
		if _, err := s.ReturnUnaccepted(ctx); err != nil {
			t.Fatal(err)
		}
		sum = 0
		for _, p := range people {
			sum += bal(t, s, p)
		}
		if h := pendingHolds(t, s); sum != 8_000 || h.Balance != 0 {
			t.Fatalf("after the returns: wallets %d, pending %+v", sum, h)
		}
		t.Logf("%d pending transfers", sent.Load())
	})
}

// Killed (SIGKILL) in the middle of an accept or of the expiry — the money
// moved in the transaction, not committed — a transfer is still pending
// and whole: check-ledger reconciles, and the accept (or the expiry)
// afterwards decides it once.
func TestKilledMidAcceptOrExpiryLeavesTheTransferPending(t *testing.T) {
	if os.Getenv("ACCEPT_KILL_DSN") != "" {
		acceptKillChild()
		return
	}
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			dsn := filepath.Join(t.TempDir(), "plaza.db")
			if dialect == "postgres" {
				dsn = dbtest.PostgresURL(t)
			}
			db, err := sqldb.Open(context.Background(), dsn, "")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if err := db.Migrate(context.Background(), slog.New(slog.DiscardHandler), sets...); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			c := newClock()
			s := acceptSvc(t, db, c, false)
			fund(t, s, "ann", 10_000)
			t1, _, err := s.TransferToAccept(ctx, req("ann", "k1"), "bob", 1_000, "CNY", "", "123456")
			if err != nil {
				t.Fatal(err)
			}
			acceptKill(t, dsn, "accept:moved", "accept", t1.ID)
			if h := pendingHolds(t, s); h.Balance != 1_000 || bal(t, s, "bob") != 0 {
				t.Fatalf("after the kill: %+v, bob %d", h, bal(t, s, "bob"))
			}
			if got, _, err := s.Accept(ctx, Request{UserID: "bob"}, t1.ID); err != nil || got.Status != "succeeded" {
				t.Fatalf("accept after the kill: %+v %v", got, err)
			}
			t2, _, _ := s.TransferToAccept(ctx, req("ann", "k2"), "bob", 2_000, "CNY", "", "123456")
			acceptKill(t, dsn, "expire:moved", "expire", t2.ID)
			if h := pendingHolds(t, s); h.Balance != 2_000 {
				t.Fatalf("after the killed expiry: %+v", h)
			}
			c.advance(25 * time.Hour)
			if n, err := s.ReturnUnaccepted(ctx); err != nil || n != 1 {
				t.Fatalf("expiry after the kill: %d %v", n, err)
			}
			if a, b := bal(t, s, "ann"), bal(t, s, "bob"); a != 9_000 || b != 1_000 {
				t.Fatalf("ann %d bob %d", a, b)
			}
			if h := pendingHolds(t, s); h.Balance != 0 || h.OpenItems != 0 {
				t.Fatalf("left pending: %+v", h)
			}
		})
	}
}

func acceptKill(t *testing.T, dsn, point, step, txID string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledMidAcceptOrExpiryLeavesTheTransferPending$")
	cmd.Env = append(os.Environ(), "ACCEPT_KILL_DSN="+dsn, "ACCEPT_KILL_POINT="+point, "ACCEPT_KILL_STEP="+step, "ACCEPT_KILL_TX="+txID)
	out, err := cmd.CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the child was not killed at %s: %v\n%s", point, err, out)
	}
}

func acceptKillChild() {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, os.Getenv("ACCEPT_KILL_DSN"), "")
	if err != nil {
		panic(err)
	}
	// The expiry runs a day later than the parent's clock.
	now := func() time.Time { return time.Now().Add(48 * time.Hour) }
	if os.Getenv("ACCEPT_KILL_STEP") == "accept" {
		now = time.Now
	}
	s, err := NewService(Config{DB: db, Accounts: fakeAccounts{}, Conversations: &roomConvs{}, PINKey: []byte("k"), Now: now})
	if err != nil {
		panic(err)
	}
	point := os.Getenv("ACCEPT_KILL_POINT")
	crashAt = func(p string) {
		if p == point {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	}
	if os.Getenv("ACCEPT_KILL_STEP") == "accept" {
		_, _, err = s.Accept(ctx, Request{UserID: "bob"}, os.Getenv("ACCEPT_KILL_TX"))
	} else {
		_, err = s.ReturnUnaccepted(ctx)
	}
	fmt.Println("not killed:", err)
	os.Exit(3)
}
