package pay

import (
	"math/rand/v2"
	"testing"
)

// Lucky splits, over many random packets (totals near the cap included):
// every share at least one minor unit and at most MaxShareAmount (¥200.00,
// the last share too), at most twice the mean of what is left, and all of
// them adding up to the total exactly.
func TestNextShareProperties(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 50_000 {
		count := 1 + rng.IntN(MaxRedPacketShares)
		max := MaxShareAmount * int64(count)
		total := int64(count) + rng.Int64N(max-int64(count)+1)
		if i%4 == 0 { // near the cap, where a lucky share used to exceed it
			total = max - rng.Int64N(min(max-int64(count), 100)+1)
		}
		remaining, left := total, count
		for left > 0 {
			s := nextShare(SplitLucky, remaining, left)
			if s < 1 || s > remaining-int64(left-1) {
				t.Fatalf("share %d of %d left for %d shares", s, remaining, left)
			}
			if s > MaxShareAmount {
				t.Fatalf("share %d over the cap %d (total %d in %d)", s, MaxShareAmount, total, count)
			}
			if left > 1 && s > 2*remaining/int64(left) && s != 1 {
				t.Fatalf("share %d over twice the mean of %d/%d", s, remaining, left)
			}
			remaining -= s
			left--
		}
		if remaining != 0 {
			t.Fatalf("%d left over from %d in %d shares", remaining, total, count)
		}
	}
	if s := nextShare(SplitEqual, 900, 3); s != 300 {
		t.Fatalf("equal share %d", s)
	}
}
