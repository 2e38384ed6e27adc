package account

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/outbox"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// burst runs n calls of f at once and counts the codes they return
// ("" for success).
func burst(n int, f func(i int) error) map[string]int {
	var mu sync.Mutex
	codes := map[string]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := f(i)
			code := ""
			if err != nil {
				code = errs.CodeOf(err)
			}
			mu.Lock()
			codes[code]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return codes
}

func evaluations(ss ...*Service) int64 {
	var n int64
	for _, s := range ss {
		n += s.evaluations.Load()
	}
	return n
}

// checkBurst fires 200 wrong sign-ins at once, spread over the services
// (nodes), and then the right one: at most five passwords may be
// evaluated, and the right one must be refused as locked.
func checkBurst(t *testing.T, ss ...*Service) {
	t.Helper()
	ctx := context.Background()
	signup(t, ss[0], "dave")
	before := evaluations(ss...)
	codes := burst(200, func(i int) error {
		_, _, err := ss[i%len(ss)].Login(ctx, "dave", fmt.Sprintf("guess-%03d", i), ClientInfo{})
		return err
	})
	if got := evaluations(ss...) - before; got > 5 {
		t.Fatalf("%d passwords evaluated in the burst, want at most 5 (codes %v)", got, codes)
	}
	if codes[errs.Unauthenticated] != 5 || codes[errs.RateLimited] != 195 {
		t.Fatalf("codes %v, want 5 unauthenticated and 195 rate_limited", codes)
	}
	for _, s := range ss {
		_, _, err := s.Login(ctx, "dave", "password1", ClientInfo{})
		wantCode(t, err, errs.RateLimited)
	}
	// One lock, one event for the audit log, naming the account.
	var locks []LoginLocked
	for _, r := range outboxRows(t, ss[0].db) {
		if r.subject == LoginLockedSubject {
			var ev LoginLocked
			json.Unmarshal(r.payload, &ev)
			locks = append(locks, ev)
		}
	}
	u, _ := ss[0].UserByUsername(ctx, "dave")
	if len(locks) != 1 || locks[0].Username != "dave" || locks[0].UserID != u.ID || locks[0].Failures != 5 || !locks[0].LockedUntil.After(locks[0].At) {
		t.Fatalf("lock events %+v", locks)
	}
}

func TestLoginLockoutHoldsUnderParallelGuesses(t *testing.T) {
	t.Parallel()
	runDB(t, func(t *testing.T, db *sqldb.DB) {
		s, _ := newService(t, db)
		checkBurst(t, s)
	})
}

func TestLoginLockoutHoldsAcrossNodes(t *testing.T) {
	t.Parallel()
	url := dbtest.PostgresURL(t)
	var ss []*Service
	for range 2 {
		db, err := sqldb.Open(context.Background(), url, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.Migrate(context.Background(), slog.New(slog.DiscardHandler), outbox.Migrations, Migrations); err != nil {
			t.Fatal(err)
		}
		s, _ := newService(t, db)
		ss = append(ss, s)
	}
	checkBurst(t, ss...)
}

// The right password in the middle of a burst may sign in and forgive the
// failures before it, but the guesses evaluated stay bounded: at most
// LoginFailures-1 forgiven, then LoginFailures more.
func TestLoginBurstWithTheRightPassword(t *testing.T) {
	t.Parallel()
	runDB(t, func(t *testing.T, db *sqldb.DB) {
		s, _ := newService(t, db)
		ctx := context.Background()
		signup(t, s, "erin")
		before := evaluations(s)
		codes := burst(201, func(i int) error {
			pw := fmt.Sprintf("guess-%03d", i)
			if i == 100 {
				pw = "password1"
			}
			_, _, err := s.Login(ctx, "erin", pw, ClientInfo{})
			return err
		})
		if got := evaluations(s) - before; got > 10 {
			t.Fatalf("%d passwords evaluated, want at most 10 (codes %v)", got, codes)
		}
		if codes[errs.Unauthenticated] > 9 || codes[""] > 1 || codes[errs.Unauthenticated]+codes[errs.RateLimited]+codes[""] != 201 {
			t.Fatalf("codes %v", codes)
		}
	})
}

// Password checks outside sign-in (PIN setting, erasure) share its
// lockout: a stolen session cannot guess the password either.
func TestVerifyPasswordSharesTheLockout(t *testing.T) {
	t.Parallel()
	runDB(t, func(t *testing.T, db *sqldb.DB) {
		s, clk := newService(t, db)
		ctx := context.Background()
		u, _ := signup(t, s, "fred")
		t.Run("wrong_password_code", func(t *testing.T) {
			wantCode(t, s.VerifyPassword(ctx, u.ID, "nope-nope"), WrongPassword)
			if errs.Status(WrongPassword) != 403 {
				t.Fatalf("wrong_password is %d", errs.Status(WrongPassword))
			}
		})
		t.Run("mixed_with_sign_in", func(t *testing.T) {
			for range 2 {
				_, _, err := s.Login(ctx, "fred", "nope-nope", ClientInfo{})
				wantCode(t, err, errs.Unauthenticated)
			}
			for range 2 { // five failures with the one above
				wantCode(t, s.VerifyPassword(ctx, u.ID, "nope-nope"), WrongPassword)
			}
			wantCode(t, s.VerifyPassword(ctx, u.ID, "password1"), errs.RateLimited)
			_, _, err := s.Login(ctx, "fred", "password1", ClientInfo{})
			wantCode(t, err, errs.RateLimited)
			wantCode(t, s.Erase(ctx, u.ID, "password1"), errs.RateLimited)
			clk.Add(16 * time.Minute)
			if err := s.VerifyPassword(ctx, u.ID, "password1"); err != nil {
				t.Fatalf("after the lockout: %v", err)
			}
		})
		t.Run("parallel_guesses", func(t *testing.T) {
			clk.Add(16 * time.Minute)
			before := evaluations(s)
			codes := burst(100, func(i int) error { return s.VerifyPassword(ctx, u.ID, fmt.Sprintf("guess-%03d", i)) })
			if got := evaluations(s) - before; got > 5 || codes[WrongPassword] != 5 {
				t.Fatalf("%d evaluated, codes %v; want 5 wrong_password", got, codes)
			}
			wantCode(t, s.VerifyPassword(ctx, u.ID, "password1"), errs.RateLimited)
		})
	})
}

// A name no account has is locked like any other, but its lock is not
// announced: made-up names would let anyone grow the permanent audit log.
// An account's lock is announced once, and the failures before the limit
// announce nothing.
func TestOnlyAnAccountsLockIsAnnounced(t *testing.T) {
	t.Parallel()
	runDB(t, func(t *testing.T, db *sqldb.DB) {
		s, _ := newService(t, db)
		ctx := context.Background()
		locks := func() []LoginLocked {
			var out []LoginLocked
			for _, r := range outboxRows(t, db) {
				if r.subject == LoginLockedSubject {
					var ev LoginLocked
					json.Unmarshal(r.payload, &ev)
					out = append(out, ev)
				}
			}
			return out
		}
		u, _ := signup(t, s, "gina")
		for _, name := range []string{"ghost", "gina"} {
			for i := range 4 {
				s.Login(ctx, name, fmt.Sprintf("guess-%d", i), ClientInfo{})
			}
		}
		if l := locks(); len(l) != 0 {
			t.Fatalf("announced before the limit: %+v", l)
		}
		for _, name := range []string{"ghost", "gina"} {
			for i := range 3 {
				_, _, err := s.Login(ctx, name, fmt.Sprintf("more-%d", i), ClientInfo{})
				if i > 0 {
					wantCode(t, err, errs.RateLimited)
				}
			}
		}
		if l := locks(); len(l) != 1 || l[0].Username != "gina" || l[0].UserID != u.ID || l[0].Failures != 5 {
			t.Fatalf("lock events %+v", l)
		}
	})
}
