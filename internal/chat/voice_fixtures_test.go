package chat

import (
	"bytes"
	"encoding/binary"
	"math"
)

// Voice fixtures, written in code: real Ogg Opus and WebM Opus files of
// any length whose audio is Opus's 20 ms silence frame (decodable).

// opusSilence is one 20 ms CELT frame of silence (TOC config 31, one frame).
var opusSilence = []byte{0xF8, 0xFF, 0xFE}

const opusPreSkip = 312

// oggPage is one Ogg page holding packets (each under 255*255 bytes).
func oggPage(flags byte, granule int64, serial, seq uint32, packets [][]byte) []byte {
	var table, body []byte
	for _, p := range packets {
		n := len(p)
		for n >= 255 {
			table = append(table, 255)
			n -= 255
		}
		table = append(table, byte(n))
		body = append(body, p...)
	}
	h := make([]byte, 27)
	copy(h, "OggS")
	h[5] = flags
	binary.LittleEndian.PutUint64(h[6:], uint64(granule))
	binary.LittleEndian.PutUint32(h[14:], serial)
	binary.LittleEndian.PutUint32(h[18:], seq)
	h[26] = byte(len(table))
	page := append(append(h, table...), body...)
	binary.LittleEndian.PutUint32(page[22:], oggCRC(page))
	return page
}

// OggOpus is an Ogg Opus file of ms milliseconds of audio (a multiple of
// 20). granuleMS, when not 0, is what its granule positions claim instead.
func OggOpus(ms, granuleMS int) []byte {
	head := []byte("OpusHead\x01\x01\x00\x00\x80\xbb\x00\x00\x00\x00\x00")
	binary.LittleEndian.PutUint16(head[10:], opusPreSkip)
	tags := append([]byte("OpusTags\x04\x00\x00\x00test"), 0, 0, 0, 0)
	var out bytes.Buffer
	out.Write(oggPage(0x02, 0, 7, 0, [][]byte{head}))
	out.Write(oggPage(0, 0, 7, 1, [][]byte{tags}))
	frames := ms / 20
	scale := 1.0
	if granuleMS != 0 {
		scale = float64(granuleMS) / float64(ms)
	}
	seq := uint32(2)
	for done := 0; done < frames; seq++ {
		n := min(50, frames-done)
		packets := make([][]byte, n)
		for i := range packets {
			packets[i] = opusSilence
		}
		done += n
		flags := byte(0)
		if done == frames {
			flags = 0x04
		}
		granule := opusPreSkip + int64(float64(done*960)*scale)
		out.Write(oggPage(flags, granule, 7, seq, packets))
	}
	return out.Bytes()
}

// ebml is one element: id (with its marker bits), then a size and data;
// size -1 writes the "unknown" size.
func ebml(id uint32, size int, data ...[]byte) []byte {
	var b []byte
	for shift := 24; shift >= 0; shift -= 8 {
		if c := byte(id >> shift); c != 0 || len(b) > 0 {
			b = append(b, c)
		}
	}
	body := bytes.Join(data, nil)
	if size == -1 {
		b = append(b, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)
	} else {
		n := uint64(len(body))
		b = append(b, 0x08, byte(n>>48), byte(n>>40), byte(n>>32), byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
		b[len(b)-8] = 0x01 // an 8-byte size: marker 0x01 then seven bytes
	}
	return append(b, body...)
}

func ebmlU(id uint32, v uint64) []byte {
	return ebml(id, 0, []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// WebMOpus is a WebM file as Chromium's MediaRecorder writes it: a
// segment and clusters of unknown size, one Opus track, SimpleBlocks of
// 20 ms. declaredMS, when not 0, adds an Info Duration; video adds a
// second, video track.
func WebMOpus(ms int, declaredMS float64, video bool) []byte {
	header := ebml(ebmlHeader, 0, ebmlU(0x4286, 1), ebml(ebmlDocType, 0, []byte("webm")), ebmlU(0x4287, 4))
	info := [][]byte{ebmlU(mkvScale, 1_000_000), ebml(0x4D80, 0, []byte("Plaza test"))}
	if declaredMS != 0 {
		d := make([]byte, 8)
		binary.BigEndian.PutUint64(d, math.Float64bits(declaredMS))
		info = append(info, ebml(mkvDuration, 0, d))
	}
	tracks := [][]byte{ebml(mkvTrackEntry, 0, ebmlU(mkvTrackNumber, 1), ebmlU(mkvTrackType, 2), ebml(mkvCodecID, 0, []byte("A_OPUS")))}
	if video {
		tracks = append(tracks, ebml(mkvTrackEntry, 0, ebmlU(mkvTrackNumber, 2), ebmlU(mkvTrackType, 1), ebml(mkvCodecID, 0, []byte("V_VP8"))))
	}
	body := [][]byte{ebml(mkvInfo, 0, info...), ebml(mkvTracks, 0, tracks...)}
	for t := 0; t < ms; {
		cluster := [][]byte{ebmlU(mkvTimecode, uint64(t))}
		for rel := 0; rel < 1000 && t+rel < ms; rel += 20 {
			block := []byte{0x81, byte(rel >> 8), byte(rel), 0x80}
			cluster = append(cluster, ebml(mkvSimpleBlock, 0, block, opusSilence))
		}
		body = append(body, ebml(mkvCluster, -1, cluster...))
		t += 1000
	}
	return append(header, ebml(mkvSegment, -1, body...)...)
}
