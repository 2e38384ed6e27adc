package media

import (
	"strings"
	"time"
)

// isKeyframe reports whether an RTP payload starts a keyframe of codec
// (a MIME type such as "video/VP8" or "video/H264").
func isKeyframe(mime string, p []byte) bool {
	switch strings.ToLower(mime) {
	case "video/vp8":
		return vp8Keyframe(p)
	case "video/h264":
		return h264Keyframe(p)
	}
	return false
}

// vp8Keyframe reads the VP8 payload descriptor (RFC 7741 §4.2): the start
// of partition 0 whose frame tag has the P bit clear.
func vp8Keyframe(p []byte) bool {
	if len(p) < 1 {
		return false
	}
	x, s, pid := p[0]&0x80 != 0, p[0]&0x10 != 0, p[0]&0x07
	if !s || pid != 0 {
		return false
	}
	i := 1
	if x {
		if len(p) < 2 {
			return false
		}
		ext := p[1]
		i = 2
		if ext&0x80 != 0 { // I: picture id
			if len(p) <= i {
				return false
			}
			if p[i]&0x80 != 0 {
				i++
			}
			i++
		}
		if ext&0x40 != 0 { // L: TL0PICIDX
			i++
		}
		if ext&0x30 != 0 { // T or K
			i++
		}
	}
	return len(p) > i && p[i]&0x01 == 0
}

// h264Keyframe finds an IDR slice or SPS in a single NAL unit, STAP-A or
// the first fragment of an FU-A (RFC 6184).
func h264Keyframe(p []byte) bool {
	if len(p) < 1 {
		return false
	}
	switch t := p[0] & 0x1f; t {
	case 5, 7:
		return true
	case 24: // STAP-A
		for i := 1; i+2 < len(p); {
			n := int(p[i])<<8 | int(p[i+1])
			i += 2
			if i >= len(p) {
				break
			}
			if nt := p[i] & 0x1f; nt == 5 || nt == 7 {
				return true
			}
			i += n
		}
	case 28: // FU-A
		return len(p) > 1 && p[1]&0x80 != 0 && (p[1]&0x1f == 5 || p[1]&0x1f == 7)
	}
	return false
}

// rewriter keeps one outgoing stream's sequence numbers and timestamps
// continuous while its source changes (another simulcast layer, another
// publisher): each new source gets offsets that place its first packet
// just after the last one sent.
type rewriter struct {
	started  bool
	src      uint32 // SSRC of the current source
	seqOff   uint16
	tsOff    uint32
	lastSeq  uint16
	lastTS   uint32
	lastAt   time.Time
	clockHz  uint32
	switches int
}

// rewrite maps a source packet's sequence number and timestamp to the
// outgoing stream's.
func (w *rewriter) rewrite(src uint32, seq uint16, ts uint32, now time.Time) (uint16, uint32) {
	if !w.started {
		w.started, w.src = true, src
	} else if src != w.src {
		w.src = src
		w.switches++
		w.seqOff = w.lastSeq + 1 - seq
		gap := uint32(now.Sub(w.lastAt).Seconds() * float64(w.clockHz))
		if gap == 0 {
			gap = 1
		}
		w.tsOff = w.lastTS + gap - ts
	}
	oseq, ots := seq+w.seqOff, ts+w.tsOff
	if int16(oseq-w.lastSeq) > 0 || w.lastAt.IsZero() {
		w.lastSeq = oseq
	}
	if int32(ots-w.lastTS) > 0 || w.lastAt.IsZero() {
		w.lastTS = ots
	}
	w.lastAt = now
	return oseq, ots
}

// chooser decides a viewer's simulcast layer (0 the highest) from its
// receiver reports: down a layer after two reports with more than
// downLoss lost, or when the viewer's bandwidth estimate is under the
// layer's bitrate; up a layer after upAfter of reports under upLoss (and
// an estimate, if any, above the higher layer's bitrate).
type chooser struct {
	layer    int
	layers   int
	bad      int
	goodFrom time.Time
	estimate uint64 // last REMB, bits/s; 0 none
}

const (
	downLoss = 0.10
	upLoss   = 0.02
	upAfter  = 4 * time.Second
)

// report takes a receiver report's fraction lost (0–1) and the layers'
// bitrates (bits/s, highest layer first; 0 unknown) and returns the layer
// the viewer should be on.
func (c *chooser) report(loss float64, now time.Time, rates []uint64) int {
	switch {
	case loss > downLoss:
		c.goodFrom = time.Time{}
		c.bad++
		if c.bad >= 2 && c.layer < c.layers-1 {
			c.layer++
			c.bad = 0
		}
	case loss < upLoss:
		c.bad = 0
		if c.goodFrom.IsZero() {
			c.goodFrom = now
		}
		if c.layer > 0 && now.Sub(c.goodFrom) >= upAfter {
			up := c.layer - 1
			if c.estimate == 0 || up >= len(rates) || rates[up] == 0 || c.estimate >= rates[up] {
				c.layer = up
				c.goodFrom = now
			}
		}
	default:
		c.bad = 0
		c.goodFrom = time.Time{}
	}
	return c.layer
}

// remb takes a bandwidth estimate (bits/s) and returns the layer.
func (c *chooser) remb(bps uint64, rates []uint64) int {
	c.estimate = bps
	for c.layer < c.layers-1 && c.layer < len(rates) && rates[c.layer] > 0 && bps < rates[c.layer]*9/10 {
		c.layer++
		c.goodFrom = time.Time{}
	}
	return c.layer
}

// layerRank orders rid names as hosts send them, highest first, for when
// no bitrate has been measured yet.
func layerRank(rid string) int {
	switch strings.ToLower(rid) {
	case "f", "hi", "high", "h0", "2":
		return 0
	case "h", "mid", "m", "medium", "1":
		return 1
	case "q", "lo", "low", "l", "0":
		return 2
	}
	return 1
}
