package account

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"testing"
)

// FuzzAvatar feeds arbitrary bytes to the avatar decode path: it never
// panics, and whatever it accepts comes out as two square JPEGs of the
// fixed sizes.
func FuzzAvatar(f *testing.F) {
	img := image.NewRGBA(image.Rect(0, 0, 7, 3))
	var p, j bytes.Buffer
	_ = png.Encode(&p, img)
	_ = jpeg.Encode(&j, img, nil)
	f.Add(p.Bytes())
	f.Add(j.Bytes())
	f.Add([]byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"))
	f.Add([]byte("<svg onload=alert(1)>"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		small, large, err := resizeAvatar(data)
		if err != nil {
			return
		}
		for _, c := range []struct {
			b    []byte
			side int
		}{{small, AvatarSmall}, {large, AvatarLarge}} {
			cfg, format, err := image.DecodeConfig(bytes.NewReader(c.b))
			if err != nil || format != "jpeg" || cfg.Width != c.side || cfg.Height != c.side {
				t.Fatalf("accepted input gave %v %s %dx%d", err, format, cfg.Width, cfg.Height)
			}
		}
	})
}

// BenchmarkAvatarResize is one upload's work: a 12-megapixel JPEG photo
// decoded, cropped and encoded at both sizes.
func BenchmarkAvatarResize(b *testing.B) {
	img := image.NewRGBA(image.Rect(0, 0, 4000, 3000))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		if _, _, err := resizeAvatar(buf.Bytes()); err != nil {
			b.Fatal(err)
		}
	}
}
