package chat

import (
	"crypto/rand"
	"encoding/base64"
	"testing"
)

// FuzzValidCode: any path segment is refused or accepted without panic,
// and only codes of our form are accepted.
func FuzzValidCode(f *testing.F) {
	b := make([]byte, inviteCodeBytes)
	_, _ = rand.Read(b)
	f.Add(base64.RawURLEncoding.EncodeToString(b))
	for _, s := range []string{"", "x", "../..", "0\r0000000000000000000000", "AAAAAAAAAAAAAAAAAAAAAAA=", "%00", "🙂🙂🙂🙂🙂🙂"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		if !validCode(code) {
			return
		}
		raw, err := base64.RawURLEncoding.DecodeString(code)
		if err != nil || len(raw) != inviteCodeBytes || base64.RawURLEncoding.EncodeToString(raw) != code {
			t.Fatalf("accepted %q", code)
		}
		if hashCode(code) == hashCode(code+"x") {
			t.Fatal("hash collision")
		}
	})
}
