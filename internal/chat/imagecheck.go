package chat

import (
	"bytes"
	"encoding/binary"
	"image"
	_ "image/gif"  // decoders for image.DecodeConfig
	_ "image/jpeg" //
	_ "image/png"  //

	"github.com/plaza-dev/plaza/internal/platform/errs"
)

// Image limits.
const (
	MaxImageSide   = 16384      // pixels of either side
	MaxImagePixels = 50_000_000 // width × height
)

// checkImage reads the whole header of an upload of sniffed type: the
// format must decode (image.DecodeConfig; WebP by its chunk header), the
// dimensions stay under the caps, the file ends where the format does (no
// trailing payload) and nothing in its opening reads as markup, so that a
// polyglot (a file that is also HTML, script or SVG) is refused.
// Errors: invalid_argument.
func checkImage(sniffed string, data []byte) error {
	var w, h int
	switch sniffed {
	case "image/webp":
		var err error
		if w, h, err = webpSize(data); err != nil {
			return err
		}
	default:
		cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil || "image/"+format != sniffed {
			return errs.Field("file", "The file is not a readable %s image.", sniffed)
		}
		w, h = cfg.Width, cfg.Height
		if !endsWell(sniffed, data) {
			return errs.Field("file", "The %s image has data after its end; send the image alone.", sniffed)
		}
	}
	if w < 1 || h < 1 || w > MaxImageSide || h > MaxImageSide || w*h > MaxImagePixels {
		return errs.Field("file", "An image is at most %d×%d pixels and %d megapixels; this one is %d×%d.", MaxImageSide, MaxImageSide, MaxImagePixels/1_000_000, w, h)
	}
	head := bytes.ToLower(data[:min(len(data), 1024)])
	for _, marker := range [][]byte{[]byte("<html"), []byte("<script"), []byte("<!doctype"), []byte("<svg"), []byte("<?xml"), []byte("<body"), []byte("<iframe")} {
		if bytes.Contains(head, marker) {
			return errs.Field("file", "The image carries markup; send a plain image.")
		}
	}
	return nil
}

// endsWell tells whether data ends with its format's trailer: PNG's IEND
// chunk, JPEG's end-of-image marker, GIF's trailer byte.
func endsWell(sniffed string, data []byte) bool {
	switch sniffed {
	case "image/png":
		return bytes.HasSuffix(data, []byte{0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82})
	case "image/jpeg":
		return bytes.HasSuffix(data, []byte{0xFF, 0xD9})
	case "image/gif":
		return bytes.HasSuffix(data, []byte{0x3B})
	}
	return false
}

// webpSize reads a WebP file's RIFF header and its first chunk (VP8, VP8L
// or VP8X) for the canvas size; the RIFF size must match the file.
func webpSize(b []byte) (int, int, error) {
	bad := errs.Field("file", "The file is not a readable image/webp image.")
	if len(b) < 30 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
		return 0, 0, bad
	}
	if int(binary.LittleEndian.Uint32(b[4:8]))+8 != len(b) {
		return 0, 0, errs.Field("file", "The image/webp file's size does not match its header; send the image alone.")
	}
	chunk, body := string(b[12:16]), b[20:]
	switch chunk {
	case "VP8 ": // lossy: frame tag (3), start code (3), then 14-bit sizes
		if len(body) < 10 || body[3] != 0x9d || body[4] != 0x01 || body[5] != 0x2a {
			return 0, 0, bad
		}
		return int(binary.LittleEndian.Uint16(body[6:8]) & 0x3fff), int(binary.LittleEndian.Uint16(body[8:10]) & 0x3fff), nil
	case "VP8L": // lossless: signature 0x2f, then 14-bit sizes minus one
		if len(body) < 5 || body[0] != 0x2f {
			return 0, 0, bad
		}
		v := binary.LittleEndian.Uint32(body[1:5])
		return int(v&0x3fff) + 1, int((v>>14)&0x3fff) + 1, nil
	case "VP8X": // extended: flags (4), then 24-bit sizes minus one
		if len(body) < 10 {
			return 0, 0, bad
		}
		w := int(body[4]) | int(body[5])<<8 | int(body[6])<<16
		h := int(body[7]) | int(body[8])<<8 | int(body[9])<<16
		return w + 1, h + 1, nil
	}
	return 0, 0, bad
}
