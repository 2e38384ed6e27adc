package ids_test

import (
	"strings"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/ids"
)

const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// millis decodes the creation time the id's body carries in its top 48 bits.
func millis(t *testing.T, id string) int64 {
	t.Helper()
	_, body, ok := strings.Cut(id, "_")
	if !ok || len(body) != 26 {
		t.Fatalf("id %q is not prefix_ + 26 characters", id)
	}
	var hi, lo uint64
	for _, c := range body {
		v := strings.IndexRune(alphabet, c)
		if v < 0 {
			t.Fatalf("id %q holds %q, outside the Crockford alphabet", id, c)
		}
		hi = hi<<5 | lo>>59
		lo = lo<<5 | uint64(v)
	}
	return int64(hi >> 16)
}

func TestNew(t *testing.T) {
	t.Run("prefixed_with_26_base32_chars", func(t *testing.T) {
		id := ids.New("usr")
		body, ok := strings.CutPrefix(id, "usr_")
		if !ok {
			t.Fatalf("New(usr) = %q, want prefix usr_", id)
		}
		if len(body) != 26 {
			t.Fatalf("body %q has %d chars, want 26", body, len(body))
		}
		if strings.Trim(body, alphabet) != "" {
			t.Fatalf("body %q holds characters outside %q", body, alphabet)
		}
	})

	t.Run("carries_its_creation_millisecond", func(t *testing.T) {
		before := time.Now().UnixMilli()
		id := ids.New("x")
		after := time.Now().UnixMilli()
		if ms := millis(t, id); ms < before || ms > after {
			t.Fatalf("id %s carries %d, want within [%d, %d]", id, ms, before, after)
		}
	})

	t.Run("unique_over_100k", func(t *testing.T) {
		const n = 100_000
		seen := make(map[string]struct{}, n)
		for range n {
			id := ids.New("t")
			if _, dup := seen[id]; dup {
				t.Fatalf("duplicate id %s after %d calls", id, len(seen))
			}
			seen[id] = struct{}{}
		}
	})

	t.Run("sorts_by_creation_across_milliseconds", func(t *testing.T) {
		prev := ids.New("ord")
		for i := range 20 {
			nextMilli(t, millis(t, prev))
			id := ids.New("ord")
			if id <= prev {
				t.Fatalf("step %d: %s made a millisecond after %s sorts before it", i, id, prev)
			}
			prev = id
		}
	})
}

// nextMilli waits (bounded) until the clock is past millisecond ms.
func nextMilli(t *testing.T, ms int64) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for time.Now().UnixMilli() <= ms {
		if time.Now().After(deadline) {
			t.Fatal("clock did not advance a millisecond within 1s")
		}
		time.Sleep(100 * time.Microsecond)
	}
}

func TestToken(t *testing.T) {
	t.Run("32_bytes_is_52_base32_chars", func(t *testing.T) {
		tok := ids.Token(32)
		if len(tok) != 52 || len(tok)*5 < 256 {
			t.Fatalf("Token(32) = %q (%d chars), want 52 chars carrying >= 256 bits", tok, len(tok))
		}
		if strings.Trim(tok, alphabet) != "" {
			t.Fatalf("Token(32) = %q holds characters outside %q", tok, alphabet)
		}
	})
	t.Run("length_is_ceil_of_bits_over_5", func(t *testing.T) {
		for _, n := range []int{1, 5, 10, 16, 20, 33} {
			if got, want := len(ids.Token(n)), (n*8+4)/5; got != want {
				t.Errorf("len(Token(%d)) = %d, want %d", n, got, want)
			}
		}
	})
	t.Run("differs_each_call", func(t *testing.T) {
		seen := map[string]bool{}
		for range 1000 {
			tok := ids.Token(32)
			if seen[tok] {
				t.Fatalf("Token(32) repeated %q", tok)
			}
			seen[tok] = true
		}
	})
	t.Run("uses_every_bit", func(t *testing.T) {
		// With all 256 bits random, each of the 32 symbols shows up in 1000
		// tokens; a stuck bit would keep half the alphabet away.
		counts := map[rune]int{}
		for range 1000 {
			for _, c := range ids.Token(32)[:51] { // the last char holds only 1 random bit
				counts[c]++
			}
		}
		if len(counts) != 32 {
			t.Fatalf("only %d of 32 symbols appeared: %v", len(counts), counts)
		}
	})
}

// Ids made one after another sort in that order, even within one
// millisecond.
func TestNewIsMonotonic(t *testing.T) {
	prev := ids.New("x")
	for range 10_000 {
		next := ids.New("x")
		if next <= prev {
			t.Fatalf("%s after %s", next, prev)
		}
		prev = next
	}
}
