package chat

import (
	"bytes"
	"encoding/binary"
	"math"

	"github.com/plaza-dev/plaza/internal/platform/errs"
)

// Voice limits.
const (
	MaxVoiceMS = 60_000 // a voice message is at most a minute
	// MaxVoiceBytes bounds a voice upload, read whole to be measured: a
	// minute of Opus at 256 kbit/s (far above what recorders use) is under 2 MiB.
	MaxVoiceBytes = 4 << 20
	opusRate      = 48_000 // Opus timestamps count samples at 48 kHz
)

// voiceDuration checks that data is one Opus audio stream in an Ogg or
// WebM container (what MediaRecorder makes) and measures it. It returns
// the content type to serve it as and its length in milliseconds: the
// longest of what the container says (Ogg's last granule position,
// WebM's Duration and last block's end) and what its packets hold, so
// that neither a forged header nor forged timestamps make a long clip
// pass for a short one. Errors: invalid_argument.
func voiceDuration(data []byte) (string, int64, error) {
	switch {
	case bytes.HasPrefix(data, []byte("OggS")):
		ms, err := oggOpusDuration(data)
		return "audio/ogg", ms, err
	case bytes.HasPrefix(data, []byte{0x1A, 0x45, 0xDF, 0xA3}):
		ms, err := webmOpusDuration(data)
		return "audio/webm", ms, err
	}
	return "", 0, errs.Field("file", "A voice message must be Opus audio in an Ogg or WebM file (what the browser's recorder makes); this file is %s.", describe(sniffBytes(data)))
}

// opusSamples is how many 48 kHz samples an Opus packet holds, read from
// its table-of-contents byte (RFC 6716 §3.1); 0 for a malformed packet.
func opusSamples(p []byte) int64 {
	if len(p) == 0 {
		return 0
	}
	toc := p[0]
	config := toc >> 3
	var frame int64
	switch {
	case config < 12: // SILK: 10, 20, 40, 60 ms
		frame = []int64{480, 960, 1920, 2880}[config%4]
	case config < 16: // hybrid: 10, 20 ms
		frame = []int64{480, 960}[config%2]
	default: // CELT: 2.5, 5, 10, 20 ms
		frame = []int64{120, 240, 480, 960}[config%4]
	}
	var frames int64
	switch toc & 3 {
	case 0:
		frames = 1
	case 1, 2:
		frames = 2
	case 3:
		if len(p) < 2 {
			return 0
		}
		frames = int64(p[1] & 0x3f)
	}
	if n := frame * frames; n <= 5760 { // at most 120 ms a packet
		return n
	}
	return 0
}

func badOgg(why string) error {
	return errs.Field("file", "The voice file is not a valid Ogg Opus stream: %s.", why)
}

// oggOpusDuration walks every Ogg page (RFC 3533; CRCs checked) of a
// single Opus stream (RFC 7845): OpusHead, OpusTags, then audio packets.
func oggOpusDuration(b []byte) (int64, error) {
	var (
		serial      uint32
		packet      []byte
		packets     int
		preSkip     int64
		lastGranule int64 = -1
		samples     int64
		pages       int
	)
	for pos := 0; pos < len(b); {
		if len(b)-pos < 27 || string(b[pos:pos+4]) != "OggS" || b[pos+4] != 0 {
			return 0, badOgg("a page is damaged or cut short")
		}
		flags := b[pos+5]
		granule := int64(binary.LittleEndian.Uint64(b[pos+6:]))
		ser := binary.LittleEndian.Uint32(b[pos+14:])
		nseg := int(b[pos+26])
		if len(b)-pos < 27+nseg {
			return 0, badOgg("a page is cut short")
		}
		table := b[pos+27 : pos+27+nseg]
		bodyLen := 0
		for _, l := range table {
			bodyLen += int(l)
		}
		end := pos + 27 + nseg + bodyLen
		if end > len(b) {
			return 0, badOgg("a page is cut short")
		}
		if oggCRC(b[pos:end]) != binary.LittleEndian.Uint32(b[pos+22:]) {
			return 0, badOgg("a page's checksum is wrong")
		}
		switch {
		case pages == 0 && flags&0x02 == 0:
			return 0, badOgg("it does not begin a stream")
		case pages == 0:
			serial = ser
		case ser != serial:
			return 0, badOgg("it holds more than one stream")
		}
		if pages > 0 && flags&0x01 == 0 && len(packet) > 0 {
			return 0, badOgg("a packet is cut short")
		}
		body := b[pos+27+nseg : end]
		for _, l := range table {
			packet = append(packet, body[:l]...)
			body = body[l:]
			if l == 255 {
				continue
			}
			switch packets {
			case 0:
				if len(packet) < 19 || string(packet[:8]) != "OpusHead" || packet[8]>>4 != 0 || packet[9] == 0 {
					return 0, badOgg("it is not Opus audio")
				}
				preSkip = int64(binary.LittleEndian.Uint16(packet[10:12]))
			case 1:
				if !bytes.HasPrefix(packet, []byte("OpusTags")) {
					return 0, badOgg("its Opus tags are missing")
				}
			default:
				n := opusSamples(packet)
				if n == 0 {
					return 0, badOgg("an audio packet is malformed")
				}
				samples += n
			}
			packets++
			packet = packet[:0]
		}
		if granule != -1 && packets > 2 {
			if granule < lastGranule {
				return 0, badOgg("its timestamps go backwards")
			}
			lastGranule = granule
		}
		pages++
		pos = end
	}
	if packets < 3 {
		return 0, badOgg("it holds no audio")
	}
	if len(packet) > 0 {
		return 0, badOgg("the last packet is cut short")
	}
	total := max(samples, lastGranule) - preSkip
	return max(total, 0) * 1000 / opusRate, nil
}

var oggTable = func() (t [256]uint32) {
	for i := range t {
		r := uint32(i) << 24
		for range 8 {
			if r&0x80000000 != 0 {
				r = r<<1 ^ 0x04c11db7
			} else {
				r <<= 1
			}
		}
		t[i] = r
	}
	return t
}()

// oggCRC is the page checksum of RFC 3533 (CRC-32, polynomial 0x04c11db7,
// not reflected), computed with the checksum field as zeros.
func oggCRC(page []byte) uint32 {
	var crc uint32
	for i, c := range page {
		if i >= 22 && i < 26 {
			c = 0
		}
		crc = crc<<8 ^ oggTable[byte(crc>>24)^c]
	}
	return crc
}

// WebM (Matroska) element ids the voice check reads.
const (
	ebmlHeader     = 0x1A45DFA3
	ebmlDocType    = 0x4282
	mkvSegment     = 0x18538067
	mkvInfo        = 0x1549A966
	mkvScale       = 0x2AD7B1
	mkvDuration    = 0x4489
	mkvTracks      = 0x1654AE6B
	mkvTrackEntry  = 0xAE
	mkvTrackNumber = 0xD7
	mkvTrackType   = 0x83
	mkvCodecID     = 0x86
	mkvCluster     = 0x1F43B675
	mkvTimecode    = 0xE7
	mkvSimpleBlock = 0xA3
	mkvBlockGroup  = 0xA0
	mkvBlock       = 0xA1
)

func badWebM(why string) error {
	return errs.Field("file", "The voice file is not a valid WebM Opus recording: %s.", why)
}

// ebmlVint reads an EBML variable-length integer at b: its value (with
// the length marker removed unless keepMarker, as element ids keep it),
// its length, and whether it is the reserved "unknown size".
func ebmlVint(b []byte, keepMarker bool) (v uint64, n int, unknown bool, ok bool) {
	if len(b) == 0 || b[0] == 0 {
		return 0, 0, false, false
	}
	for n = 1; b[0]&(0x80>>(n-1)) == 0; n++ {
	}
	if n > 8 || len(b) < n || (keepMarker && n > 4) {
		return 0, 0, false, false
	}
	v = uint64(b[0])
	if !keepMarker {
		v &= uint64(0xFF >> n)
	}
	allOnes := v == uint64(0xFF>>n)
	for i := 1; i < n; i++ {
		v = v<<8 | uint64(b[i])
		allOnes = allOnes && b[i] == 0xFF
	}
	return v, n, allOnes && !keepMarker, true
}

func ebmlUint(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

// webmOpusDuration walks the elements of a WebM file flat, entering the
// masters it needs (whose size MediaRecorder often leaves unknown):
// the header must say webm, the one track must be Opus audio, and the
// clip lasts until its last block's end (cluster timecode + block
// timecode + the block's Opus samples), or its Duration if longer, or
// the sum of its packets if longer still.
func webmOpusDuration(b []byte) (int64, error) {
	var (
		docType              string
		scale                uint64 = 1_000_000 // ns a timecode tick
		declared             float64
		tracks               int
		track                uint64
		trackType            uint64
		codec                string
		cluster              int64
		samples              int64 // 48 kHz samples of every packet
		lastEndNS            int64 // where the last block ends
		blocks, sawSegment   int
		trackEnd             int
		inTrackEntry, header bool
	)
	endTrack := func() error {
		if !inTrackEntry {
			return nil
		}
		inTrackEntry = false
		if trackType != 2 || codec != "A_OPUS" {
			return badWebM("its track is not Opus audio")
		}
		return nil
	}
	for pos := 0; pos < len(b); {
		id, idLen, _, ok := ebmlVint(b[pos:], true)
		if !ok {
			return 0, badWebM("an element is damaged")
		}
		size, sizeLen, unknown, ok := ebmlVint(b[pos+idLen:], false)
		if !ok {
			return 0, badWebM("an element is damaged")
		}
		data := pos + idLen + sizeLen
		if pos == 0 && id != ebmlHeader {
			return 0, badWebM("it does not begin with an EBML header")
		}
		if inTrackEntry && pos >= trackEnd {
			if err := endTrack(); err != nil {
				return 0, err
			}
		}
		switch id {
		case ebmlHeader:
			if pos != 0 {
				return 0, badWebM("it holds a second header")
			}
			header = true
			if unknown {
				return 0, badWebM("its header has no size")
			}
			pos = data
			continue
		case mkvSegment, mkvCluster, mkvInfo, mkvTracks, mkvBlockGroup:
			if unknown && id != mkvSegment && id != mkvCluster {
				return 0, badWebM("an element has no size")
			}
			if id == mkvSegment {
				sawSegment++
			}
			if id == mkvCluster {
				if err := endTrack(); err != nil {
					return 0, err
				}
				cluster = 0
			}
			pos = data // enter the master
			continue
		case mkvTrackEntry:
			if err := endTrack(); err != nil {
				return 0, err
			}
			if unknown {
				return 0, badWebM("an element has no size")
			}
			tracks++
			inTrackEntry, trackType, codec = true, 0, ""
			trackEnd = data + int(min(size, uint64(len(b))))
			pos = data
			continue
		}
		if unknown || uint64(len(b)-data) < size {
			return 0, badWebM("it is cut short")
		}
		v := b[data : data+int(size)]
		switch id {
		case ebmlDocType:
			docType = string(v)
		case mkvScale:
			if scale = ebmlUint(v); scale == 0 || scale > 1e9 {
				return 0, badWebM("its time scale is out of range")
			}
		case mkvDuration:
			switch len(v) {
			case 4:
				declared = float64(math.Float32frombits(binary.BigEndian.Uint32(v)))
			case 8:
				declared = math.Float64frombits(binary.BigEndian.Uint64(v))
			default:
				return 0, badWebM("its duration is malformed")
			}
			if math.IsNaN(declared) || declared < 0 || declared > 1e12 {
				return 0, badWebM("its duration is out of range")
			}
		case mkvTrackNumber:
			track = ebmlUint(v)
		case mkvTrackType:
			trackType = ebmlUint(v)
		case mkvCodecID:
			codec = string(v)
		case mkvTimecode:
			if len(v) > 7 {
				return 0, badWebM("a cluster's time is out of range")
			}
			cluster = int64(ebmlUint(v))
		case mkvSimpleBlock, mkvBlock:
			num, n, _, ok := ebmlVint(v, false)
			if !ok || len(v) < n+4 {
				return 0, badWebM("a block is damaged")
			}
			if num != track || tracks != 1 {
				return 0, badWebM("a block is not of its one audio track")
			}
			if v[n+2]&0x06 != 0 {
				return 0, badWebM("it uses laced blocks")
			}
			rel := int64(int16(binary.BigEndian.Uint16(v[n:])))
			frame := v[n+3:]
			s := opusSamples(frame)
			if s == 0 {
				return 0, badWebM("an audio packet is malformed")
			}
			samples += s
			blocks++
			end := (cluster+rel)*int64(scale) + s*1_000_000_000/opusRate
			if end > lastEndNS {
				lastEndNS = end
			}
		}
		pos = data + int(size)
	}
	if err := endTrack(); err != nil {
		return 0, err
	}
	switch {
	case !header || docType != "webm":
		return 0, badWebM("it is not a WebM file")
	case sawSegment != 1:
		return 0, badWebM("it needs one segment")
	case tracks != 1:
		return 0, badWebM("it must hold exactly one audio track")
	case blocks == 0:
		return 0, badWebM("it holds no audio")
	}
	ms := max(lastEndNS/1_000_000, samples*1000/opusRate, int64(declared*float64(scale)/1e6))
	return max(ms, 0), nil
}
