package pay

import (
	"math/rand/v2"
	"testing"
)

// Lucky splits: every share at least one minor unit, at most twice the
// mean of what is left, and all of them adding up to the total exactly.
func TestNextShareProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20_000 {
		count := 1 + rng.IntN(MaxRedPacketShares)
		total := int64(count) + rng.Int64N(MaxShareAmount*int64(count)-int64(count)+1)
		remaining, left := total, count
		for left > 0 {
			s := nextShare(SplitLucky, remaining, left)
			if s < 1 || s > remaining-int64(left-1) {
				t.Fatalf("share %d of %d left for %d shares", s, remaining, left)
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
