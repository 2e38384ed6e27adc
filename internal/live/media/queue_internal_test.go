package media

import (
	"testing"
	"time"

	"github.com/pion/rtp"
)

// A viewer that does not drain its queue loses its own packets; the
// publisher's reader, which pushes, never waits for it.
func TestSlowViewerDropsItsOwnPackets(t *testing.T) {
	slow := &viewer{vq: make(chan *rtp.Packet, 4)}
	fast := &viewer{vq: make(chan *rtp.Packet, 4)}
	got := 0
	start := time.Now()
	for i := 0; i < 10000; i++ {
		p := &rtp.Packet{Header: rtp.Header{SequenceNumber: uint16(i)}}
		slow.push(slow.vq, p)
		fast.push(fast.vq, p)
		select {
		case <-fast.vq:
			got++
		default:
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("pushing took %v", d)
	}
	if slow.dropped.Load() != 10000-4 {
		t.Fatalf("the slow viewer dropped %d, want %d", slow.dropped.Load(), 10000-4)
	}
	if got != 10000 || fast.dropped.Load() != 0 {
		t.Fatalf("the fast viewer got %d and dropped %d", got, fast.dropped.Load())
	}
}
