package chat

import (
	"bytes"
	"testing"
)

// The parsers measure what the packets hold and what the container says,
// and take the longer; anything that is not one Opus stream is refused.
func TestVoiceDuration(t *testing.T) {
	t.Parallel()
	ogg := OggOpus(5000, 0)
	badCRC := append([]byte(nil), ogg...)
	badCRC[len(badCRC)-1] ^= 0xFF
	cases := []struct {
		name string
		data []byte
		typ  string
		ms   int64 // -1: refused
	}{
		{"ogg_5s", ogg, "audio/ogg", 5000},
		{"ogg_61s", OggOpus(61_000, 0), "audio/ogg", 61_000},
		{"ogg_granules_claim_5s_of_61s", OggOpus(61_000, 5000), "audio/ogg", 60_993}, // the packets, less the pre-skip
		{"ogg_granules_claim_61s_of_5s", OggOpus(5000, 61_000), "audio/ogg", 61_000},
		{"ogg_cut_short", ogg[:len(ogg)-2], "", -1},
		{"ogg_bad_checksum", badCRC, "", -1},
		{"ogg_only_headers", OggOpus(0, 0), "", -1},
		{"webm_5s_without_duration", WebMOpus(5000, 0, false), "audio/webm", 5000},
		{"webm_5s_with_duration", WebMOpus(5000, 5000, false), "audio/webm", 5000},
		{"webm_61s", WebMOpus(61_000, 0, false), "audio/webm", 61_000},
		{"webm_duration_claims_more", WebMOpus(5000, 70_000, false), "audio/webm", 70_000},
		{"webm_with_video", WebMOpus(5000, 0, true), "", -1},
		{"webm_cut_short", WebMOpus(5000, 0, false)[:200], "", -1},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "", -1},
		{"mp3", []byte("ID3\x03\x00\x00\x00\x00\x00\x00"), "", -1},
		{"empty", nil, "", -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			typ, ms, err := voiceDuration(tc.data)
			if tc.ms == -1 {
				if err == nil {
					t.Fatalf("accepted as %s of %d ms", typ, ms)
				}
				return
			}
			if err != nil || typ != tc.typ || ms != tc.ms {
				t.Fatalf("%s %d ms %v, want %s %d ms", typ, ms, err, tc.typ, tc.ms)
			}
		})
	}
}

func TestOpusSamples(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		p    []byte
		want int64
	}{
		{opusSilence, 960},         // CELT 20 ms
		{[]byte{0x08}, 960},        // SILK NB 20 ms (config 1)
		{[]byte{0x19}, 5760},       // SILK 60 ms (config 3), code 1: two frames
		{[]byte{0xFB, 0x03}, 2880}, // CELT 20 ms, code 3, 3 frames
		{[]byte{0xFB, 0x3F}, 0},    // 63 frames: over 120 ms
		{[]byte{0xFB}, 0},          // code 3 without its count
		{nil, 0},
	} {
		if got := opusSamples(tc.p); got != tc.want {
			t.Errorf("opusSamples(% x) = %d, want %d", tc.p, got, tc.want)
		}
	}
}

// FuzzVoiceDuration: the container parsers never panic, and what they
// accept has a sane length and one of the two types.
func FuzzVoiceDuration(f *testing.F) {
	f.Add(OggOpus(1000, 0))
	f.Add(OggOpus(200, 90_000))
	f.Add(WebMOpus(1000, 0, false))
	f.Add(WebMOpus(400, 1500, false))
	f.Add(WebMOpus(200, 0, true))
	f.Add([]byte("OggS"))
	f.Add([]byte{0x1A, 0x45, 0xDF, 0xA3, 0x80})
	f.Fuzz(func(t *testing.T, data []byte) {
		typ, ms, err := voiceDuration(data)
		if err != nil {
			return
		}
		if ms < 0 || (typ != "audio/ogg" && typ != "audio/webm") {
			t.Fatalf("accepted %q of %d ms", typ, ms)
		}
		if typ == "audio/ogg" && !bytes.HasPrefix(data, []byte("OggS")) {
			t.Fatal("ogg without its signature")
		}
	})
}
