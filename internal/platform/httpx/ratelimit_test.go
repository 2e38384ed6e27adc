package httpx

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
)

// fakeClock is the limiter's time, moved by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fakeClock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func newTestLimiter(rate, burst float64) (*Limiter, *fakeClock) {
	c := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	l := NewLimiter(rate, burst)
	l.now = c.Now
	return l, c
}

func TestLimiterAllow(t *testing.T) {
	l, clock := newTestLimiter(2, 3) // 2 a second, burst 3

	t.Run("burst_is_allowed", func(t *testing.T) {
		for i := range 3 {
			if ok, _ := l.Allow("alice"); !ok {
				t.Fatalf("request %d of a burst of 3 refused", i+1)
			}
		}
	})
	t.Run("then_refused_with_wait_until_next_token", func(t *testing.T) {
		ok, wait := l.Allow("alice")
		if ok {
			t.Fatal("4th request in the same instant allowed")
		}
		if wait != 500*time.Millisecond {
			t.Fatalf("wait = %v, want 500ms at 2 tokens a second", wait)
		}
	})
	t.Run("other_keys_have_their_own_bucket", func(t *testing.T) {
		if ok, _ := l.Allow("bob"); !ok {
			t.Fatal("bob refused because alice spent her burst")
		}
	})
	t.Run("refill_admits_one_per_half_second", func(t *testing.T) {
		clock.Advance(499 * time.Millisecond)
		if ok, _ := l.Allow("alice"); ok {
			t.Fatal("allowed 499ms after running dry, before a token refilled")
		}
		clock.Advance(time.Millisecond)
		if ok, _ := l.Allow("alice"); !ok {
			t.Fatal("refused 500ms after running dry")
		}
		if ok, _ := l.Allow("alice"); ok {
			t.Fatal("the one refilled token was spent twice")
		}
	})
	t.Run("refill_caps_at_burst", func(t *testing.T) {
		clock.Advance(time.Hour)
		for i := range 3 {
			if ok, _ := l.Allow("alice"); !ok {
				t.Fatalf("request %d after an idle hour refused", i+1)
			}
		}
		if ok, _ := l.Allow("alice"); ok {
			t.Fatal("an idle hour saved up more than the burst")
		}
	})
}

func TestLimiterDisabled(t *testing.T) {
	for name, l := range map[string]*Limiter{"nil": nil, "zero_rate": NewLimiter(0, 1)} {
		t.Run(name+"_allows_everything", func(t *testing.T) {
			for range 100 {
				if ok, _ := l.Allow("k"); !ok {
					t.Fatal("refused")
				}
			}
		})
	}
}

func TestLimiterForgetsIdleBuckets(t *testing.T) {
	l, clock := newTestLimiter(1, 5)
	for _, k := range []string{"a", "b", "c"} {
		l.Allow(k)
	}
	clock.Advance(2 * time.Minute) // past a sweep interval and a full refill
	l.Allow("d")
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buckets) != 1 {
		t.Fatalf("%d buckets kept after the sweep, want only d's", len(l.buckets))
	}
}

func TestPerIP(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	call := func(h http.Handler, remote string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = remote // a string only: no traffic leaves the test
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}

	t.Run("over_limit_is_429_rate_limited_with_retry_after", func(t *testing.T) {
		l, _ := newTestLimiter(0.25, 2) // a token every 4s
		h := l.PerIP(ok)
		for i := range 2 {
			if rec := call(h, "10.0.0.1:4000"); rec.Code != http.StatusNoContent {
				t.Fatalf("request %d: status %d, want 204", i+1, rec.Code)
			}
		}
		rec := call(h, "10.0.0.1:4001") // another port, same client
		if rec.Code != http.StatusTooManyRequests {
			t.Fatalf("status = %d, want 429", rec.Code)
		}
		var body ErrorBody
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Code != errs.RateLimited {
			t.Fatalf("body %s (%v), want code rate_limited", rec.Body, err)
		}
		if got := rec.Header().Get("Retry-After"); got != "4" {
			t.Fatalf("Retry-After = %q, want 4", got)
		}
	})

	t.Run("retry_after_is_at_least_one_second", func(t *testing.T) {
		l, _ := newTestLimiter(100, 1)
		h := l.PerIP(ok)
		call(h, "10.0.0.2:1")
		if got := call(h, "10.0.0.2:1").Header().Get("Retry-After"); got != "1" {
			t.Fatalf("Retry-After = %q, want 1 for a 10ms wait", got)
		}
	})

	// L10: loopback is a client like any other (behind a proxy the Edge
	// gives the real address; without one, a local proxy must not exempt
	// everybody).
	t.Run("loopback_is_limited", func(t *testing.T) {
		for _, remote := range []string{"127.0.0.1:5000", "[::1]:5000", "[::ffff:127.0.0.1]:5000"} {
			l, _ := newTestLimiter(1, 1)
			h := l.PerIP(ok)
			call(h, remote)
			if rec := call(h, remote); rec.Code != http.StatusTooManyRequests {
				t.Fatalf("%s: status = %d, want 429", remote, rec.Code)
			}
		}
	})

	// One IPv6 client holds a whole /64 (SLAAC, privacy addresses): a
	// bucket per address would give it 2^64 of them.
	t.Run("an_ipv6_slash64_is_one_client", func(t *testing.T) {
		l, _ := newTestLimiter(1, 1)
		h := l.PerIP(ok)
		call(h, "[2001:db8:1:2::1]:5000")
		if rec := call(h, "[2001:db8:1:2:ffff:ee:dd:cc]:5000"); rec.Code != http.StatusTooManyRequests {
			t.Fatalf("another address of the same /64: status = %d, want 429", rec.Code)
		}
		if rec := call(h, "[2001:db8:1:3::1]:5000"); rec.Code != http.StatusNoContent {
			t.Fatalf("another /64: status = %d, want 204", rec.Code)
		}
	})

	t.Run("behind_a_trusted_proxy_each_client_has_its_own_bucket", func(t *testing.T) {
		l, _ := newTestLimiter(1, 1)
		e, err := NewEdge("", "", "127.0.0.1/32")
		if err != nil {
			t.Fatal(err)
		}
		h := e.Wrap(l.PerIP(ok))
		via := func(client string) int {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = "127.0.0.1:9000"
			r.Header.Set("X-Forwarded-For", client)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			return rec.Code
		}
		if via("203.0.113.5") != 204 || via("203.0.113.6") != 204 {
			t.Fatal("two clients through one proxy share a bucket")
		}
		if got := via("203.0.113.5"); got != http.StatusTooManyRequests {
			t.Fatalf("second request of 203.0.113.5: %d, want 429", got)
		}
	})
}

func TestLimiterConcurrentUse(t *testing.T) {
	// Run with -race: many goroutines share one limiter and exactly the
	// burst is admitted while the clock stands still.
	l, _ := newTestLimiter(1, 50)
	var wg sync.WaitGroup
	var mu sync.Mutex
	admitted := 0
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if ok, _ := l.Allow("shared"); ok {
					mu.Lock()
					admitted++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if admitted != 50 {
		t.Fatalf("admitted %d of 160, want the burst of 50", admitted)
	}
}
