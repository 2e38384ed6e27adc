package chat

import (
	"context"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/plaza-dev/plaza/internal/account"
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

// presenceAccountsStub: everyone shows last seen; ann's audience is ben.
type presenceAccountsStub struct{}

func (presenceAccountsStub) ContactIDs(context.Context, string) ([]string, error) {
	return []string{"u_ann", "u_ben"}, nil
}
func (presenceAccountsStub) BlockRelations(context.Context, string) ([]string, error) {
	return nil, nil
}
func (presenceAccountsStub) PresenceInfos(_ context.Context, ids []string) (map[string]account.PresenceInfo, error) {
	out := map[string]account.PresenceInfo{}
	for _, id := range ids {
		out[id] = account.PresenceInfo{ShowLastSeen: true}
	}
	return out, nil
}
func (presenceAccountsStub) TouchLastSeen(context.Context, string, time.Time) error { return nil }

// An "offline" that went stale (ann was back before it was told) is not
// told, and neither is the "online" that follows it: ben never heard she
// left, so he hears nothing. Her next real offline is told.
func TestPresenceToldOnceAcrossAStaleOffline(t *testing.T) {
	h := &Hub{conns: map[string]map[*client]struct{}{}}
	h.frames = prometheus.NewCounter(prometheus.CounterOpts{Name: "frames"})
	ben := &client{userID: "u_ben", hub: h, done: true} // done: queues nothing, counted by fanOut
	h.conns["u_ben"] = map[*client]struct{}{ben: {}}
	h.count.Store(1)
	p := &presence{view: map[string]map[string]presenceEntry{}}
	l := &live{hub: h, p: p, accounts: presenceAccountsStub{}, log: slog.New(slog.DiscardHandler), told: map[string]bool{}}
	now := time.Now()
	here := func() { p.view["u_ann"] = map[string]presenceEntry{"n1": {expires: now.Add(time.Minute), heard: now}} }
	told := func() int {
		var m dto.Metric
		if err := h.frames.Write(&m); err != nil {
			t.Fatal(err)
		}
		return int(m.GetCounter().GetValue())
	}

	here()
	l.notify(presenceChange{"u_ann", true, now})
	if told() != 1 {
		t.Fatalf("ann's online: %d frames, want 1", told())
	}
	l.notify(presenceChange{"u_ann", false, now}) // stale: she is in the view
	l.notify(presenceChange{"u_ann", true, now})  // her entry came back
	if told() != 1 {
		t.Fatalf("a stale offline and the online after it: %d frames in all, want still 1", told())
	}
	delete(p.view, "u_ann")
	l.notify(presenceChange{"u_ann", false, now})
	here()
	l.notify(presenceChange{"u_ann", true, now})
	if told() != 3 {
		t.Fatalf("a real offline, then online: %d frames in all, want 3", told())
	}
}
