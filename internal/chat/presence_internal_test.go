package chat

import (
	"strconv"
	"testing"
	"time"
)

// parseSeq takes exactly the whole numbers 1…10^18-1, and nothing else.
func FuzzParseSeq(f *testing.F) {
	for _, s := range []string{"1", "0", "42", "-1", "+1", "1e3", " 1", "999999999999999999", "9999999999999999999", "", "٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseSeq(s)
		want, perr := strconv.ParseInt(s, 10, 64)
		ok := perr == nil && want >= 1 && len(s) <= 18 && s[0] != '+' && s[0] != '-'
		if ok != (err == nil) || (ok && n != want) {
			t.Fatalf("parseSeq(%q) = %d, %v; strconv: %d, %v", s, n, err, want, perr)
		}
	})
}

// A typing flood costs a map lookup per frame.
func BenchmarkTypingFlood(b *testing.B) {
	var l typingLimiter
	l.init(typingEvery)
	now := time.Now()
	relayed := 0
	for i := 0; b.Loop(); i++ {
		if l.allow("u_flooder", "c_room", now.Add(time.Duration(i)*time.Microsecond)) {
			relayed++
		}
	}
	b.ReportMetric(float64(relayed), "relayed")
}

func TestTypingLimiter(t *testing.T) {
	var l typingLimiter
	l.init(2 * time.Second)
	t0 := time.Now()
	if !l.allow("a", "c", t0) || l.allow("a", "c", t0.Add(1999*time.Millisecond)) || !l.allow("a", "c", t0.Add(2*time.Second)) {
		t.Fatal("one relay per 2 s per user and conversation")
	}
	if !l.allow("b", "c", t0) || !l.allow("a", "d", t0) {
		t.Fatal("other users and conversations have their own allowance")
	}
	// Many keys: old ones are swept.
	for i := range 5000 {
		l.allow("u"+strconv.Itoa(i), "c", t0)
	}
	l.allow("late", "c", t0.Add(time.Minute))
	if n := len(l.last); n > 10 {
		t.Fatalf("%d entries kept after a sweep", n)
	}
}

// A queued change whose user has moved on since is not told: ann's
// "offline", handled after she came back, would tell her contacts she
// is gone (and, if she shows her last seen by then, when).
func TestPresenceChangeGoesStale(t *testing.T) {
	p := &presence{view: map[string]map[string]presenceEntry{}}
	now := time.Now()
	off, on := presenceChange{"u_ann", false, now}, presenceChange{"u_ann", true, now}
	if !p.current(off) || p.current(on) {
		t.Fatal("ann is offline: her offline is current, an online is stale")
	}
	p.view["u_ann"] = map[string]presenceEntry{"n1": {expires: now.Add(time.Second), heard: now}}
	if p.current(off) || !p.current(on) {
		t.Fatal("ann came back: her queued offline is stale, her online current")
	}
}
