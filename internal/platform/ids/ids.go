// Package ids makes Plaza's opaque identifiers: a short type prefix and a
// k-sortable body (48 bits of milliseconds, 80 random bits) in lowercase
// Crockford base32, so ids sort by creation time and work as list cursors.
package ids

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"sync"
	"time"
)

const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// last is the previous id's body, so that ids made in one millisecond by
// this process still sort in the order they were made (the random part
// counts up from the millisecond's first).
var (
	mu   sync.Mutex // guards last
	last [16]byte
)

// New returns prefix + "_" + 26 base32 characters.
func New(prefix string) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixMilli())<<16)
	mu.Lock()
	if bytes.Equal(b[:6], last[:6]) {
		b = last
		for i := 15; i >= 6; i-- { // add one to the 80-bit random part
			b[i]++
			if b[i] != 0 {
				break
			}
		}
	} else if _, err := rand.Read(b[6:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	last = b
	mu.Unlock()
	return prefix + "_" + encode(b)
}

// Token returns n random bytes in unpadded base32: for secrets, never for ids
// anyone can see.
func Token(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	out := make([]byte, 0, (n*8+4)/5)
	var acc uint32
	bits := 0
	for _, c := range b {
		acc = acc<<8 | uint32(c)
		bits += 8
		for bits >= 5 {
			bits -= 5
			out = append(out, alphabet[(acc>>bits)&31])
		}
	}
	if bits > 0 {
		out = append(out, alphabet[(acc<<(5-bits))&31])
	}
	return string(out)
}

func encode(b [16]byte) string {
	hi := binary.BigEndian.Uint64(b[:8])
	lo := binary.BigEndian.Uint64(b[8:])
	var out [26]byte
	// 128 bits as 26 groups of 5 bits, most significant first (the top
	// group holds the 3 leftover bits).
	for i := 25; i >= 0; i-- {
		out[i] = alphabet[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}
