package chat

import (
	"testing"
	"time"
)

// A frame about a message that has not reached this node yet (its frame
// published later, or held for an earlier gap) waits for it: the recall
// never lands before the message, and one about a delivered message goes
// at once.
func TestRecalledFrameWaitsForItsMessage(t *testing.T) {
	h, c := testHub(nil)
	recalled := func(seq int64) {
		h.seqMu.Lock()
		h.sequenceAfter("c1", seq, []string{"u"}, []byte(`{"type":"recalled"}`))
		h.seqMu.Unlock()
	}
	read := func() string {
		select {
		case b := <-sent(c):
			return string(b)
		case <-time.After(2 * time.Second):
			t.Fatal("no frame")
			return ""
		}
	}
	recalled(2) // 2 not yet delivered: held
	h.arrive(2) // 1 missing: 2 held too
	select {
	case b := <-sent(c):
		t.Fatalf("delivered before message 1: %s", b)
	default:
	}
	h.arrive(1)
	want := []string{string(msgFrame(1)), string(msgFrame(2)), `{"type":"recalled"}`}
	for i, w := range want {
		if got := read(); got != w {
			t.Fatalf("frame %d: %s, want %s", i, got, w)
		}
	}
	recalled(1) // delivered already: at once
	if got := read(); got != `{"type":"recalled"}` {
		t.Fatalf("got %s", got)
	}
	if len(h.seqs["c1"].after) != 0 {
		t.Fatalf("frames left held: %v", h.seqs["c1"].after)
	}
}
