package outbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/bus"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/outbox"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

const subject = "events.test.happened"

type happened struct {
	N int `json:"n"`
}

func openBus(t *testing.T) *bus.Bus {
	t.Helper()
	b, err := bus.Open(context.Background(), bus.Config{DataDir: t.TempDir(), Prefix: "t" + ids.Token(8), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

func waitFor(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", d)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// collect subscribes plainly to subject and returns the payload numbers
// heard so far.
func collect(t *testing.T, b *bus.Bus) func() []int {
	var mu sync.Mutex
	var got []int
	sub, err := b.Subscribe(subject, func(m *bus.Message) {
		var h happened
		if err := json.Unmarshal(m.Data, &h); err != nil {
			t.Errorf("payload %s: %v", m.Data, err)
		}
		mu.Lock()
		got = append(got, h.N)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sub.Unsubscribe() })
	return func() []int {
		mu.Lock()
		defer mu.Unlock()
		return append([]int(nil), got...)
	}
}

func add(t *testing.T, db *sqldb.DB, n int, fail bool) {
	t.Helper()
	err := db.Tx(context.Background(), func(tx *sqldb.Tx) error {
		if err := outbox.Add(context.Background(), tx, subject, happened{N: n}); err != nil {
			return err
		}
		if fail {
			return errors.New("the change fails")
		}
		return nil
	})
	if (err != nil) != fail {
		t.Fatalf("add %d: %v", n, err)
	}
}

func startRelay(t *testing.T, r *outbox.Relay) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func TestRelay(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, []sqldb.Migrations{outbox.Migrations}, func(t *testing.T, db *sqldb.DB) {
		t.Run("committed_events_arrive_in_order_and_rolled_back_ones_never", func(t *testing.T) {
			b := openBus(t)
			heard := collect(t, b)
			startRelay(t, &outbox.Relay{DB: db, Bus: b, Poll: time.Hour}) // woken by commits only
			add(t, db, 1, false)
			add(t, db, 2, true)
			add(t, db, 3, false)
			waitFor(t, 2*time.Second, func() bool { return len(heard()) == 2 })
			if got := heard(); got[0] != 1 || got[1] != 3 {
				t.Fatalf("heard %v, want [1 3]", got)
			}
			waitFor(t, 2*time.Second, func() bool { n, _ := outbox.Pending(context.Background(), db); return n == 0 })
		})
		t.Run("written_while_no_relay_runs_are_published_later", func(t *testing.T) {
			b := openBus(t)
			if err := b.EnsureEventStream(context.Background()); err != nil {
				t.Fatal(err)
			}
			for i := 1; i <= 5; i++ {
				add(t, db, 10+i, false)
			}
			// A durable consumer made before the relay starts gets all
			// five, once each, in order.
			var mu sync.Mutex
			var got []int
			stop, err := b.Consume(context.Background(), "test", subject, func(_ context.Context, m *bus.Message) error {
				var h happened
				json.Unmarshal(m.Data, &h)
				mu.Lock()
				got = append(got, h.N)
				mu.Unlock()
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
			startRelay(t, &outbox.Relay{DB: db, Bus: b, Poll: 10 * time.Millisecond})
			waitFor(t, 3*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) >= 5 })
			time.Sleep(50 * time.Millisecond) // room for a duplicate to show
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 5 || got[0] != 11 || got[4] != 15 {
				t.Fatalf("consumer got %v, want [11 … 15] once each", got)
			}
		})
		t.Run("a_relay_that_cannot_publish_leaves_every_row_for_the_next", func(t *testing.T) {
			waitFor(t, 3*time.Second, func() bool { n, _ := outbox.Pending(context.Background(), db); return n == 0 })
			down := openBus(t)
			if err := down.EnsureEventStream(context.Background()); err != nil {
				t.Fatal(err)
			}
			for i := 1; i <= 3; i++ {
				add(t, db, 50+i, false)
			}
			down.Close()
			broken := &outbox.Relay{DB: db, Bus: down, Lease: 50 * time.Millisecond}
			if n, err := broken.RelayOnce(context.Background()); err == nil || n != 3 {
				t.Fatalf("relaying on a closed bus: %d claimed, err %v; want 3 and an error", n, err)
			}
			if n, _ := outbox.Pending(context.Background(), db); n != 3 {
				t.Fatalf("%d events left after a failed publish, want all 3", n)
			}
			b := openBus(t)
			heard := collect(t, b)
			startRelay(t, &outbox.Relay{DB: db, Bus: b, Poll: 10 * time.Millisecond})
			waitFor(t, 3*time.Second, func() bool { return len(heard()) == 3 })
			if got := heard(); got[0] != 51 || got[1] != 52 || got[2] != 53 {
				t.Fatalf("heard %v, want [51 52 53]", got)
			}
			waitFor(t, 2*time.Second, func() bool { n, _ := outbox.Pending(context.Background(), db); return n == 0 })
		})
		t.Run("two_relays_publish_each_event_once", func(t *testing.T) {
			b := openBus(t)
			heard := collect(t, b)
			for i := 0; i < 200; i++ {
				add(t, db, 100+i, false)
			}
			r1 := &outbox.Relay{DB: db, Bus: b, Poll: time.Millisecond, Batch: 7}
			r2 := &outbox.Relay{DB: db, Bus: b, Poll: time.Millisecond, Batch: 7}
			if err := b.EnsureEventStream(context.Background()); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			for _, r := range []*outbox.Relay{r1, r2} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						n, err := r.RelayOnce(context.Background())
						if err != nil {
							t.Error(err)
							return
						}
						if n == 0 {
							return
						}
					}
				}()
			}
			wg.Wait()
			waitFor(t, 2*time.Second, func() bool { return len(heard()) >= 200 })
			seen := map[int]bool{}
			for _, n := range heard() {
				if seen[n] {
					t.Fatalf("event %d published twice", n)
				}
				seen[n] = true
			}
			if n, _ := outbox.Pending(context.Background(), db); n != 0 {
				t.Fatalf("%d events left", n)
			}
		})
	})
}

func TestAddRefusesSubjectsOutsideEvents(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t, outbox.Migrations)
	err := db.Tx(context.Background(), func(tx *sqldb.Tx) error {
		return outbox.Add(context.Background(), tx, "account.sessions_ended", nil)
	})
	if err == nil {
		t.Fatal("an event outside events.* was accepted")
	}
}
