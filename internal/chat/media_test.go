package chat_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/chat"
	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// pngChunk is a PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	return b.Bytes()
}

// withIHDR returns a PNG whose header claims w×h.
func withIHDR(p []byte, w, h uint32) []byte {
	ihdr := append([]byte(nil), p[16:29]...)
	binary.BigEndian.PutUint32(ihdr[0:4], w)
	binary.BigEndian.PutUint32(ihdr[4:8], h)
	out := append([]byte(nil), p[:8]...)
	out = append(out, pngChunk("IHDR", ihdr)...)
	return append(out, p[33:]...)
}

// webp is a minimal lossless WebP header of w×h, with a RIFF size that
// matches unless lie.
func webp(w, h int, lie bool) []byte {
	body := []byte{0x2f, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(body[1:], uint32(w-1)|uint32(h-1)<<14)
	body = append(body, make([]byte, 11)...)
	chunk := append([]byte("VP8L"), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(chunk[4:], uint32(len(body)))
	chunk = append(chunk, body...)
	out := append([]byte("RIFF"), 0, 0, 0, 0)
	size := uint32(4 + len(chunk))
	if lie {
		size += 100
	}
	binary.LittleEndian.PutUint32(out[4:], size)
	out = append(out, "WEBP"...)
	return append(out, chunk...)
}

func encoded(t *testing.T, format string) []byte {
	img := image.NewPaletted(image.Rect(0, 0, 4, 4), []color.Color{color.White, color.Black})
	var b bytes.Buffer
	var err error
	switch format {
	case "gif":
		err = gif.Encode(&b, img, nil)
	case "jpeg":
		err = jpeg.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Uploads are read in full, not by their first bytes: the header must
// decode, the dimensions stay under the caps, and polyglots are refused.
func TestUploadsAreImagesThroughout(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{Tune: func(c *node.Config) { c.RateAccount = 0 }})
	ann := nodetest.Signup(t, n.URL(), "ann")
	p := pngBytes(t)
	withText := append(append(append([]byte(nil), p[:33]...), pngChunk("tEXt", []byte("c\x00<script>alert(1)</script>"))...), p[33:]...)
	cases := []struct {
		name   string
		data   []byte
		status int
	}{
		{"png", p, 201},
		{"gif", encoded(t, "gif"), 201},
		{"jpeg", encoded(t, "jpeg"), 201},
		{"webp", webp(64, 48, false), 201},
		{"png_signature_then_garbage", append(append([]byte(nil), p[:8]...), bytes.Repeat([]byte("x"), 200)...), 400},
		{"png_then_html", append(append([]byte(nil), p...), "<html><script>alert(1)</script></html>"...), 400},
		{"jpeg_then_zip", append(encoded(t, "jpeg"), "PK\x03\x04 archive"...), 400},
		{"png_with_script_text_chunk", withText, 400},
		{"png_claiming_100000_pixels_wide", withIHDR(p, 100_000, 8), 400},
		{"png_of_too_many_megapixels", withIHDR(p, 10_000, 10_000), 400},
		{"webp_with_wrong_riff_size", webp(64, 48, true), 400},
		{"webp_too_large", webp(16_384, 16_384, false), 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := upload(t, ann, "f", "", tc.data)
			if r.Status != tc.status {
				t.Fatalf("%d %s, want %d", r.Status, r.Body, tc.status)
			}
		})
	}
}

// A user may keep at most MaxUnsentMedia uploads (or MaxUnsentBytes) not
// yet sent; sending one frees its place.
func TestUnsentMediaQuota(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{Tune: func(c *node.Config) { c.RateAccount = 0 }})
	u := people(t, n, "ann", "ben")
	ann := u[0]
	conv := direct(t, ann, "ben")
	img := pngBytes(t)
	var first string
	for i := range chat.MaxUnsentMedia {
		r := upload(t, ann, "f.png", "image/png", img)
		if r.Status != 201 {
			t.Fatalf("upload %d: %d %s", i, r.Status, r.Body)
		}
		if i == 0 {
			first = r.Str("media_id")
		}
	}
	r := upload(t, ann, "f.png", "image/png", img)
	if r.Status != 429 || r.Code() != chat.CodeMediaQuota {
		t.Fatalf("upload over the quota: %d %s", r.Status, r.Body)
	}
	if r := ann.Do(t, "POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"client_id": "i", "kind": "image", "media_id": first}); r.Status != 201 {
		t.Fatalf("send: %d %s", r.Status, r.Body)
	}
	if r := upload(t, ann, "f.png", "image/png", img); r.Status != 201 {
		t.Fatalf("upload after sending one: %d %s", r.Status, r.Body)
	}
}

// Uploads never sent are deleted after UnsentMediaTTL, bytes and all; sent
// ones, and the bytes they share, stay.
func TestUnsentMediaAreDeleted(t *testing.T) {
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben")
		ann, ben := u[0], u[1]
		conv := direct(t, ann, "ben")
		img := pngBytes(t)
		sent := upload(t, ann, "a.png", "image/png", img).Str("media_id")
		twin := upload(t, ann, "b.png", "image/png", img).Str("media_id") // same bytes, never sent
		other := upload(t, ann, "c.gif", "", encoded(t, "gif")).Str("media_id")
		if r := ann.Do(t, "POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"client_id": "i", "kind": "image", "media_id": sent}); r.Status != 201 {
			t.Fatalf("send: %d %s", r.Status, r.Body)
		}
		ctx := context.Background()
		old := time.Now().Add(-chat.UnsentMediaTTL - time.Hour).UnixMicro()
		if _, err := n.DB.Exec(ctx, `UPDATE media SET created_at = ?`, old); err != nil {
			t.Fatal(err)
		}
		fresh := upload(t, ann, "d.jpg", "", encoded(t, "jpeg")).Str("media_id")
		got, err := n.Chat.PruneUnsentMedia(ctx)
		if err != nil || got != 2 {
			t.Fatalf("pruned %d (%v), want 2", got, err)
		}
		for id, want := range map[string]int{sent: 200, twin: 404, other: 404, fresh: 200} {
			if r := ann.Do(t, "GET", "/api/v1/media/"+id, nil); r.Status != want {
				t.Errorf("media %s: %d, want %d", id, r.Status, want)
			}
		}
		if r := ben.Do(t, "GET", "/api/v1/media/"+sent, nil); r.Status != 200 || !bytes.Equal(r.Body, img) {
			t.Fatalf("the sent image (whose bytes the deleted twin shared): %d", r.Status)
		}
		if r := ann.Do(t, "POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"client_id": "gone", "kind": "image", "media_id": other}); r.Status != 400 {
			t.Fatalf("sending a deleted upload: %d %s", r.Status, r.Body)
		}
		if got, _ := n.Chat.PruneUnsentMedia(ctx); got != 0 {
			t.Fatalf("a second run pruned %d", got)
		}
	})
}
