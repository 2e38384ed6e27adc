package live

import (
	"bytes"
	"context"
	"fmt"
	"github.com/plaza-dev/plaza/internal/chat"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// benchSocket is a room member for the fan-out measurement: a buffered
// queue (as the hub's, 128 frames, droppable frames refused at half full)
// read by its own goroutine, which records each comment's time from
// publish to receipt.
type benchSocket struct {
	user string
	q    chan []byte
}

func (b *benchSocket) UserID() string { return b.user }
func (b *benchSocket) Send(f []byte) {
	select {
	case b.q <- f:
	default:
	}
}
func (b *benchSocket) Offer(f []byte) bool {
	if len(b.q) >= cap(b.q)/2 {
		return false
	}
	select {
	case b.q <- f:
		return true
	default:
		return false
	}
}

// fanoutStats collects the receipts.
type fanoutStats struct {
	starts    []atomic.Int64 // comment seq → publish time (UnixNano)
	lat       []int64        // receipts' latencies, ns
	n         atomic.Int64
	last      atomic.Int64 // the last receipt (UnixNano)
	shed      atomic.Int64
	delivered atomic.Int64
}

var marker = []byte(`"text":"fanout-`)

func (st *fanoutStats) read(b *benchSocket, stop <-chan struct{}) {
	for {
		select {
		case f := <-b.q:
			i := bytes.Index(f, marker)
			if i < 0 {
				continue
			}
			j := i + len(marker)
			k := bytes.IndexByte(f[j:], '"')
			seq, err := strconv.Atoi(string(f[j : j+k]))
			if err != nil || seq >= len(st.starts) {
				continue
			}
			now := time.Now().UnixNano()
			if x := st.n.Add(1) - 1; int(x) < len(st.lat) {
				st.lat[x] = now - st.starts[seq].Load()
			}
			st.delivered.Add(1)
			st.last.Store(now)
		case <-stop:
			return
		}
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// TestFanout measures comment fan-out to a room's members on one node
// (PLAZA_LIVE_FANOUT=1): PLAZA_LIVE_FANOUT_N members (10,000), comments
// posted through PostComment (database, bus, fan-out) at
// PLAZA_LIVE_FANOUT_RATE a second (50) for PLAZA_LIVE_FANOUT_SECONDS (5).
// It reports deliveries a second and the latency from publish to receipt.
func TestFanout(t *testing.T) {
	if os.Getenv("PLAZA_LIVE_FANOUT") != "1" {
		t.Skip("set PLAZA_LIVE_FANOUT=1 to measure comment fan-out")
	}
	members := envInt("PLAZA_LIVE_FANOUT_N", 10000)
	rate := envInt("PLAZA_LIVE_FANOUT_RATE", 50)
	secs := envInt("PLAZA_LIVE_FANOUT_SECONDS", 5)
	total := rate * secs
	c := newCluster(t, 1, 10)
	s := c.nodes[0]
	ctx := context.Background()
	st := &fanoutStats{starts: make([]atomic.Int64, total), lat: make([]int64, members*total)}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	defer func() { close(stop); wg.Wait() }()
	t0 := time.Now()
	for i := 0; i < members; i++ {
		b := &benchSocket{user: fmt.Sprintf("viewer%05d", i), q: make(chan []byte, 128)}
		if err := s.rt.join(ctx, b, "room1"); err != nil {
			t.Fatal(err)
		}
		<-b.q // joined
		wg.Add(1)
		go func() { defer wg.Done(); st.read(b, stop) }()
	}
	t.Logf("%d members joined in %v", members, time.Since(t0).Round(time.Millisecond))
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	begin := time.Now()
	var postLat []time.Duration
	for i := 0; i < total; i++ {
		<-tick.C
		start := time.Now()
		st.starts[i].Store(start.UnixNano())
		if _, err := s.PostComment(ctx, "host", "room1", NewComment{Text: fmt.Sprintf("fanout-%d", i)}); err != nil {
			t.Fatal(err)
		}
		postLat = append(postLat, time.Since(start))
	}
	want := int64(members * total)
	deadline := time.Now().Add(30 * time.Second)
	for st.delivered.Load() < want && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	got := st.delivered.Load()
	elapsed := time.Duration(st.last.Load() - begin.UnixNano())
	lat := st.lat[:min(int(st.n.Load()), len(st.lat))]
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return time.Duration(lat[min(len(lat)-1, int(float64(len(lat))*p))])
	}
	slices.Sort(postLat)
	t.Logf("fan-out: %d members, %d comments at %d/s: %d of %d delivered (%.1f%%) in %v = %.0f deliveries/s; publish→receipt p50 %v p99 %v max %v; PostComment p50 %v p99 %v",
		members, total, rate, got, want, 100*float64(got)/float64(want), elapsed.Round(time.Millisecond),
		float64(got)/elapsed.Seconds(), pct(0.5).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), pct(1).Round(time.Microsecond),
		postLat[len(postLat)/2].Round(time.Microsecond), postLat[len(postLat)*99/100].Round(time.Microsecond))
	if got < want*9/10 {
		t.Fatalf("only %d of %d deliveries", got, want)
	}
}

// nopSocket takes every frame and does nothing with it.
type nopSocket struct{ user string }

func (n nopSocket) UserID() string    { return n.user }
func (nopSocket) Send([]byte)         {}
func (nopSocket) Offer(b []byte) bool { return true }

// BenchmarkDeliver is one node's cost of handing one comment frame to
// 10,000 sockets of a room (the bus and the sockets' writers aside).
func BenchmarkDeliver(b *testing.B) {
	r := &realtime{rooms: map[string]*roomSockets{}, likes: map[string]*likeCount{}, now: time.Now}
	rs := &roomSockets{socks: map[chat.Socket]struct{}{}, users: map[string]int{}}
	for i := 0; i < 10000; i++ {
		s := nopSocket{user: fmt.Sprintf("v%05d", i)}
		rs.socks[s] = struct{}{}
		rs.users[s.user] = 1
	}
	r.rooms["room1"] = rs
	frame := encodeFrame("room1", "comment", map[string]any{"comment": Comment{ID: "lc_1", Text: "hello"}})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.deliver(frameHeader{Room: "room1"}, frame)
	}
	b.ReportMetric(float64(b.N)*10000/b.Elapsed().Seconds(), "deliveries/s")
}
