package chat

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// fakeSource is the database as the sequencer sees it: the frames of one
// conversation by seq.
type fakeSource struct {
	mu    sync.Mutex
	calls int
	byseq map[int64][]byte
}

func (f *fakeSource) LastSeqs(context.Context, string) (map[string]int64, error) { return nil, nil }

func (f *fakeSource) Missing(_ context.Context, _ string, after, through int64) ([]Delivery, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	var out []Delivery
	for s := after + 1; s <= through; s++ {
		if b, ok := f.byseq[s]; ok {
			out = append(out, Delivery{Seq: s, To: []string{"u"}, Frame: b})
		}
	}
	return out, nil
}

func testHub(src Resyncer) (*Hub, *client) {
	c := func(name string) prometheus.Counter { return prometheus.NewCounter(prometheus.CounterOpts{Name: name}) }
	h := &Hub{log: slog.New(slog.DiscardHandler), conns: map[string]map[*client]struct{}{}, seqs: map[string]*convSeq{},
		ReorderWait: 20 * time.Millisecond, source: src, frames: c("f"), kicked: c("k"), reordered: c("r"), duplicates: c("d"), resyncs: c("s")}
	// No connection: writing is set so no writer starts, and sent(cl)
	// reads what was queued.
	cl := &client{userID: "u", hub: h, writing: true, wheelSlot: -1}
	h.conns["u"] = map[*client]struct{}{cl: {}}
	h.seqs["c1"] = &convSeq{last: 0}
	return h, cl
}

func msgFrame(seq int64) []byte {
	return []byte(fmt.Sprintf(`{"type":"message","message":{"seq":%d}}`, seq))
}

func (h *Hub) arrive(seq int64) {
	h.seqMu.Lock()
	h.sequence("c1", seq, []string{"u"}, msgFrame(seq))
	h.seqMu.Unlock()
}

// next reads the socket's frames until n have come (bounded).
func next(t *testing.T, c *client, n int) []int64 {
	t.Helper()
	var out []int64
	deadline := time.After(2 * time.Second)
	for len(out) < n {
		select {
		case b := <-sent(c):
			var f struct{ Message struct{ Seq int64 } }
			json.Unmarshal(b, &f)
			out = append(out, f.Message.Seq)
		case <-deadline:
			t.Fatalf("got %v, want %d frames", out, n)
		}
	}
	return out
}

func TestSequencerDeliversInOrder(t *testing.T) {
	t.Parallel()
	t.Run("late_frame_waits_for_its_predecessor", func(t *testing.T) {
		h, c := testHub(&fakeSource{})
		h.arrive(2)
		h.arrive(1)
		if got := next(t, c, 2); fmt.Sprint(got) != "[1 2]" {
			t.Fatalf("delivered %v", got)
		}
	})
	t.Run("lost_frame_is_read_from_the_database", func(t *testing.T) {
		src := &fakeSource{byseq: map[int64][]byte{2: msgFrame(2)}}
		h, c := testHub(src)
		h.arrive(1)
		h.arrive(3) // 2 never comes on the bus
		h.arrive(4)
		if got := next(t, c, 4); fmt.Sprint(got) != "[1 2 3 4]" {
			t.Fatalf("delivered %v", got)
		}
		src.mu.Lock()
		defer src.mu.Unlock()
		if src.calls == 0 {
			t.Fatal("no resync")
		}
	})
	t.Run("duplicates_are_dropped", func(t *testing.T) {
		h, c := testHub(&fakeSource{})
		for _, s := range []int64{1, 1, 2, 1, 3, 3} {
			h.arrive(s)
		}
		if got := next(t, c, 3); fmt.Sprint(got) != "[1 2 3]" {
			t.Fatalf("delivered %v", got)
		}
		select {
		case b := <-sent(c):
			t.Fatalf("a duplicate went out: %s", b)
		case <-time.After(50 * time.Millisecond):
		}
	})
	t.Run("a_gap_the_database_cannot_fill_is_skipped", func(t *testing.T) {
		h, c := testHub(&fakeSource{})
		h.arrive(1)
		h.arrive(3)
		if got := next(t, c, 2); fmt.Sprint(got) != "[1 3]" {
			t.Fatalf("delivered %v", got)
		}
	})
}

var pumps sync.Map // *client → chan []byte

// sent is the frames queued to a test client, in order.
func sent(c *client) <-chan []byte {
	if ch, ok := pumps.Load(c); ok {
		return ch.(chan []byte)
	}
	ch := make(chan []byte, 1024)
	if got, loaded := pumps.LoadOrStore(c, ch); loaded {
		return got.(chan []byte)
	}
	go func() {
		for idle := 0; idle < 10000; idle++ { // stops 10 s after the last frame
			c.qmu.Lock()
			q := c.queue
			c.queue = nil
			c.qmu.Unlock()
			for _, b := range q {
				ch <- b
				idle = 0
			}
			time.Sleep(time.Millisecond)
		}
	}()
	return ch
}
