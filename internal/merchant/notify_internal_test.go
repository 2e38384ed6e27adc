package merchant

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// testClock is an injectable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// receiver is a merchant endpoint that counts the notifications it gets,
// by envelope id, answering after delay (or when the request ends, if
// hang).
type receiver struct {
	mu   sync.Mutex
	got  map[string]int
	srv  *httptest.Server
	seen chan string
}

func newReceiver(t *testing.T, delay time.Duration, hang bool) *receiver {
	rc := &receiver{got: map[string]int{}, seen: make(chan string, 1000)}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var env struct{ ID string }
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &env)
		rc.mu.Lock()
		rc.got[env.ID]++
		rc.mu.Unlock()
		rc.seen <- env.ID
		if hang {
			<-r.Context().Done()
			return
		}
		time.Sleep(delay)
		w.WriteHeader(204)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) count(id string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.got[id]
}

var (
	testKeyOnce sync.Once
	testKey     *rsa.PrivateKey
)

func outboxService(t *testing.T, db *sqldb.DB, clock *testClock) *Service {
	testKeyOnce.Do(func() { testKey, _ = rsa.GenerateKey(rand.Reader, 2048) })
	s, err := NewService(Config{DB: db, PlatformKey: testKey, Log: slog.New(slog.DiscardHandler), Now: clock.now,
		AllowPrivateOutbound: true, Retry: []time.Duration{time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close) // before the database closes (cleanups run last first)
	return s
}

func addNotification(t *testing.T, db *sqldb.DB, now time.Time, id, mchid, url string) {
	t.Helper()
	if _, err := db.Exec(context.Background(), insertNotification, id, mchid, url, "TRANSACTION.SUCCESS", "r-"+id,
		`{"id":"`+id+`"}`, sqldb.Micro(now), sqldb.Micro(now)); err != nil {
		t.Fatal(err)
	}
}

func notificationState(t *testing.T, db *sqldb.DB, id string) (status string, attempts int, lockedUntil int64) {
	t.Helper()
	if err := db.QueryRow(context.Background(), `SELECT status, attempts, locked_until FROM notifications WHERE id = ?`, id).
		Scan(&status, &attempts, &lockedUntil); err != nil {
		t.Fatal(err)
	}
	return
}

func waitFor(t *testing.T, within time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Two nodes polling one outbox deliver every attempt once; an attempt
// claimed by a node that died is made by another once the lease expires.
func TestOutboxClaims(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, []sqldb.Migrations{Migrations}, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clock := &testClock{t: time.Now()}
		rc := newReceiver(t, 20*time.Millisecond, false)
		node1, node2 := outboxService(t, db, clock), outboxService(t, db, clock)
		const total = 40
		for i := range total {
			addNotification(t, db, clock.now(), "EV-"+strconv.Itoa(i), "m"+strconv.Itoa(i%5), rc.srv.URL+"/n")
		}
		// A node claimed this one and died before recording the attempt.
		addNotification(t, db, clock.now(), "EV-orphan", "m9", rc.srv.URL+"/n")
		if _, err := db.Exec(ctx, `UPDATE notifications SET locked_until = ? WHERE id = 'EV-orphan'`, sqldb.Micro(clock.now().Add(claimLease))); err != nil {
			t.Fatal(err)
		}
		delivered := func() int {
			var n int
			db.QueryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE status = 'delivered'`).Scan(&n)
			return n
		}
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for _, s := range []*Service{node1, node2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					if _, err := s.Deliver(ctx); err != nil {
						t.Error(err)
						return
					}
					time.Sleep(5 * time.Millisecond)
				}
			}()
		}
		waitFor(t, 20*time.Second, "every notification delivered", func() bool { return delivered() == total })
		close(stop)
		wg.Wait()
		for i := range total {
			if k := rc.count("EV-" + strconv.Itoa(i)); k != 1 {
				t.Errorf("EV-%d was sent %d times", i, k)
			}
		}
		if k := rc.count("EV-orphan"); k != 0 {
			t.Fatalf("an attempt under another node's lease was made (%d)", k)
		}
		clock.add(claimLease + time.Second)
		if _, err := node2.Deliver(ctx); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 5*time.Second, "the orphaned attempt", func() bool {
			st, _, _ := notificationState(t, db, "EV-orphan")
			return st == "delivered"
		})
		if k := rc.count("EV-orphan"); k != 1 {
			t.Fatalf("the orphaned notification was sent %d times", k)
		}
	})
}

// A node that stops mid-attempt hands the attempt back at once instead of
// counting it or leaving its lease to run out.
func TestOutboxReleasedOnShutdown(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, []sqldb.Migrations{Migrations}, func(t *testing.T, db *sqldb.DB) {
		clock := &testClock{t: time.Now()}
		rc := newReceiver(t, 0, true)
		s := outboxService(t, db, clock)
		addNotification(t, db, clock.now(), "EV-1", "m1", rc.srv.URL+"/n")
		ctx, cancel := context.WithCancel(context.Background())
		if n, err := s.Deliver(ctx); err != nil || n != 1 {
			t.Fatalf("started %d, %v", n, err)
		}
		<-rc.seen
		if _, _, locked := notificationState(t, db, "EV-1"); locked == 0 {
			t.Fatal("the attempt in flight is not leased")
		}
		cancel()
		waitFor(t, 5*time.Second, "the lease released", func() bool {
			st, attempts, locked := notificationState(t, db, "EV-1")
			return st == "pending" && attempts == 0 && locked == 0
		})
	})
}

// The pool never runs more than its limits: here 3 in all, 1 per merchant.
func TestDeliveryPoolLimits(t *testing.T) {
	t.Parallel()
	p := newDeliveryPool(3, 1)
	if !p.reserve("a") || p.reserve("a") || !p.reserve("b") || !p.reserve("c") || p.reserve("d") {
		t.Fatal("limits not kept")
	}
	p.release("a")
	if !p.reserve("d") || p.reserve("a") {
		t.Fatal("a released slot not reused, or the limit exceeded")
	}
	for _, m := range []string{"b", "c", "d"} {
		p.release(m)
	}
	p.close()
	if p.reserve("a") {
		t.Fatal("a closed pool took work")
	}
}

// A merchant's backlog drains at the pace its server answers: each
// finished attempt polls the outbox again, so with a period of an hour
// (no tick comes during the test) forty notifications to one merchant,
// at most two in flight, are all delivered once after a single poll. The
// chaos bench found the backlog growing when only the period polled: two
// a second a merchant, fewer than a busy shop's orders.
func TestBacklogDrainsWithoutWaitingForThePeriod(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, []sqldb.Migrations{Migrations}, func(t *testing.T, db *sqldb.DB) {
		clock := &testClock{t: time.Now()}
		rc := newReceiver(t, 0, false)
		testKeyOnce.Do(func() { testKey, _ = rsa.GenerateKey(rand.Reader, 2048) })
		s, err := NewService(Config{DB: db, PlatformKey: testKey, Log: slog.New(slog.DiscardHandler), Now: clock.now,
			AllowPrivateOutbound: true, Retry: []time.Duration{time.Minute}, NotifyEvery: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		const n = 40
		for i := range n {
			addNotification(t, db, clock.now(), "EV-"+strconv.Itoa(i), "m1", rc.srv.URL+"/n")
		}
		ctx, cancel := context.WithCancel(context.Background())
		// The test's poll comes before Run's, which polls once as it
		// starts: the two would otherwise race for the merchant's slots.
		if started, err := s.Deliver(ctx); err != nil || started != 2 {
			cancel()
			s.Close()
			t.Fatalf("the first poll started %d (want the merchant's 2), %v", started, err)
		}
		ran := make(chan error, 1)
		go func() { ran <- s.Run(ctx) }()
		defer func() { cancel(); <-ran; s.Close() }()
		waitFor(t, 30*time.Second, "the backlog delivered", func() bool {
			var left int
			if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM notifications WHERE status <> 'delivered'`).Scan(&left); err != nil {
				t.Fatal(err)
			}
			return left == 0
		})
		for i := range n {
			if got := rc.count("EV-" + strconv.Itoa(i)); got != 1 {
				t.Errorf("EV-%d delivered %d times", i, got)
			}
		}
	})
}
