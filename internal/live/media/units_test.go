package media_test

import (
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/live/media"
)

func TestChooserDropsOnLossAndClimbsBackWhenItClears(t *testing.T) {
	c := media.NewChooser(3)
	now := time.Unix(0, 0)
	rates := []uint64{1_500_000, 500_000, 150_000}
	if l := c.Report(0.3, now, rates); l != 0 {
		t.Fatalf("one lossy report moved to %d", l)
	}
	if l := c.Report(0.3, now, rates); l != 1 {
		t.Fatalf("two lossy reports: layer %d, want 1", l)
	}
	c.Report(0.4, now, rates)
	if l := c.Report(0.4, now, rates); l != 2 {
		t.Fatalf("more loss: layer %d, want 2", l)
	}
	c.Report(0.9, now, rates)
	if l := c.Report(0.9, now, rates); l != 2 {
		t.Fatalf("below the lowest layer: %d", l)
	}
	// Medium loss holds the layer; low loss for UpAfter climbs one.
	for i := 0; i < 10; i++ {
		now = now.Add(time.Second)
		if l := c.Report(0.05, now, rates); l != 2 {
			t.Fatalf("medium loss moved to %d", l)
		}
	}
	now = now.Add(time.Second)
	c.Report(0, now, rates)
	if l := c.Report(0, now.Add(media.UpAfter/2), rates); l != 2 {
		t.Fatalf("climbed after %v", media.UpAfter/2)
	}
	if l := c.Report(0, now.Add(media.UpAfter), rates); l != 1 {
		t.Fatalf("after %v without loss: %d, want 1", media.UpAfter, l)
	}
	// A REMB estimate under the layer's bitrate drops at once, and holds
	// climbing above what the estimate allows.
	if l := c.REMB(100_000, rates); l != 2 {
		t.Fatalf("REMB 100 kb/s: %d, want 2", l)
	}
	now = now.Add(time.Hour)
	c.Report(0, now, rates)
	if l := c.Report(0, now.Add(media.UpAfter), rates); l != 2 {
		t.Fatalf("climbed above the estimate: %d", l)
	}
	if c.REMB(3_000_000, rates); c.Report(0, now.Add(2*media.UpAfter), rates) != 1 {
		t.Fatal("a high estimate and no loss should climb")
	}
}

func TestRewriterKeepsTheStreamContinuousAcrossSources(t *testing.T) {
	w := media.NewRewriter(90000)
	t0 := time.Unix(100, 0)
	var lastSeq uint16
	var lastTS uint32
	for i := 0; i < 5; i++ {
		lastSeq, lastTS = w.Rewrite(1, uint16(65533+i), uint32(4294960000+3000*i), t0.Add(time.Duration(i)*33*time.Millisecond))
	}
	// A new source with unrelated numbers, 33 ms later.
	seq, ts := w.Rewrite(2, 17, 5, t0.Add(5*33*time.Millisecond))
	if seq != lastSeq+1 {
		t.Fatalf("seq after the switch %d, want %d", seq, lastSeq+1)
	}
	if d := ts - lastTS; d < 2900 || d > 3100 {
		t.Fatalf("timestamp advanced %d across the switch, want ~2970", d)
	}
	seq2, ts2 := w.Rewrite(2, 18, 3005, t0.Add(6*33*time.Millisecond))
	if seq2 != seq+1 || ts2 != ts+3000 {
		t.Fatalf("the new source is not followed: %d %d", seq2-seq, ts2-ts)
	}
}

func TestKeyframeDetection(t *testing.T) {
	cases := []struct {
		mime string
		p    []byte
		key  bool
	}{
		{"video/VP8", []byte{0x10, 0x00, 0, 0}, true},
		{"video/VP8", []byte{0x10, 0x01, 0, 0}, false},
		{"video/VP8", []byte{0x00, 0x00, 0, 0}, false},                   // not a partition start
		{"video/VP8", []byte{0x90, 0x80, 0x81, 0x23, 0x00}, true},        // X, I with 15-bit picture id
		{"video/VP8", []byte{0x90, 0xe0, 0x05, 0x01, 0x20, 0x01}, false}, // I L T, delta
		{"video/VP8", []byte{0x90}, false},
		{"video/H264", []byte{0x65, 0}, true},                      // IDR
		{"video/H264", []byte{0x67, 0}, true},                      // SPS
		{"video/H264", []byte{0x41, 0}, false},                     // non-IDR
		{"video/H264", []byte{0x7c, 0x85, 0}, true},                // FU-A start of IDR
		{"video/H264", []byte{0x7c, 0x05, 0}, false},               // FU-A middle
		{"video/H264", []byte{0x78, 0x00, 0x02, 0x67, 0x42}, true}, // STAP-A with SPS
		{"video/H264", []byte{0x78, 0xff}, false},
		{"audio/opus", []byte{0x10, 0x00}, false},
		{"video/VP8", nil, false},
	}
	for i, c := range cases {
		if got := media.IsKeyframe(c.mime, c.p); got != c.key {
			t.Errorf("case %d (%s % x): %v, want %v", i, c.mime, c.p, got, c.key)
		}
	}
}
