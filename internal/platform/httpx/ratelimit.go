package httpx

import (
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
)

// Limiter is a set of token buckets, one per key (an IP, an account): each
// refills at Rate tokens a second up to Burst. Idle buckets are forgotten.
// A Rate of 0 disables limiting.
type Limiter struct {
	Rate  float64
	Burst float64

	mu      sync.Mutex // guards buckets and swept
	buckets map[string]*bucket
	swept   time.Time
	now     func() time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// NewLimiter makes a limiter of rate requests a second with burst.
func NewLimiter(rate, burst float64) *Limiter {
	return &Limiter{Rate: rate, Burst: burst, buckets: map[string]*bucket{}, now: time.Now}
}

// Allow takes one token from key's bucket; when none is left it returns
// false and how long until one is.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	if l == nil || l.Rate <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil { // a Limiter made as a literal
		l.buckets = map[string]*bucket{}
	}
	if l.now == nil {
		l.now = time.Now
	}
	now := l.now()
	if now.Sub(l.swept) > time.Minute {
		l.sweep(now)
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.Burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(l.Burst, b.tokens+now.Sub(b.last).Seconds()*l.Rate)
	b.last = now
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) / l.Rate * float64(time.Second))
	}
	b.tokens--
	return true, 0
}

// sweep drops buckets that have refilled completely. l.mu must be held.
func (l *Limiter) sweep(now time.Time) {
	full := time.Duration(l.Burst / l.Rate * float64(time.Second))
	for k, b := range l.buckets {
		if now.Sub(b.last) > full {
			delete(l.buckets, k)
		}
	}
	l.swept = now
}

// Check answers 429 rate_limited (with Retry-After) when key is over its
// limit.
func (l *Limiter) Check(w http.ResponseWriter, key string) error {
	ok, wait := l.Allow(key)
	if ok {
		return nil
	}
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return errs.E(errs.RateLimited, "Too many requests; try again in %d seconds.", secs)
}

// PerIP limits every request by client IP (httpx.ClientIP: the real
// client's behind a trusted proxy), an IPv6 client by its /64, which one
// host or network holds whole. Loopback is not exempt.
func (l *Limiter) PerIP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := l.Check(w, ipKey(ClientIP(r))); err != nil {
			WriteError(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// ipKey is the bucket of a client address: an IPv4 address itself, an
// IPv6 address's /64.
func ipKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is6() || a.Is4In6() {
		return ip
	}
	return netip.PrefixFrom(a.WithZone(""), 64).Masked().String()
}
