package media_test

import (
	"context"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/logging"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"github.com/plaza-dev/plaza/internal/live/media"
	"github.com/plaza-dev/plaza/internal/platform/bus"
)

var quiet = slog.New(slog.DiscardHandler)

// newServer is a media server on loopback, closed when the test ends.
func newServer(t testing.TB, b *bus.Bus) *media.Server {
	t.Helper()
	s, err := media.New(media.Config{Bus: b, Log: quiet, AskTimeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// peerAPI is what the test's own peers (a host, viewers) use: loopback
// only, no mDNS, the default codecs and interceptors.
var peerAPI = func() *webrtc.API {
	m := &webrtc.MediaEngine{}
	if err := m.RegisterDefaultCodecs(); err != nil {
		panic(err)
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, ir); err != nil {
		panic(err)
	}
	lf := logging.NewDefaultLoggerFactory()
	lf.DefaultLogLevel = logging.LogLevelError
	se := webrtc.SettingEngine{LoggerFactory: lf}
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(se))
}()

func gathered(t testing.TB, pc *webrtc.PeerConnection, sd webrtc.SessionDescription) []byte {
	t.Helper()
	done := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(sd); err != nil {
		t.Fatal(err)
	}
	<-done
	return []byte(pc.LocalDescription().SDP)
}

// host is a synthetic publisher: VP8 frames at a bitrate on each of its
// simulcast layers, keyframes every 2 s and on PLI, and Opus-sized audio.
type host struct {
	pc      *webrtc.PeerConnection
	layers  []*hostLayer
	audio   *webrtc.TrackLocalStaticRTP
	session string
	stop    chan struct{}
	sender  *webrtc.RTPSender
	tx      *webrtc.RTPTransceiver
	wg      sync.WaitGroup
	plis    atomic.Int64
	h264    bool
}

type hostLayer struct {
	rid   string
	bps   int
	track *webrtc.TrackLocalStaticRTP
	key   atomic.Bool
	sent  atomic.Int64
}

// newHost publishes to room on s with one layer per rid (rid "" for no
// simulcast) at the given bitrates.
func newHost(t testing.TB, s *media.Server, roomID string, rids []string, bps []int, onGone func()) *host {
	t.Helper()
	return newHostCodec(t, s, roomID, webrtc.MimeTypeVP8, rids, bps, onGone)
}

// newHostCodec is newHost sending mime (VP8 or H264) video.
func newHostCodec(t testing.TB, s *media.Server, roomID, mime string, rids []string, bps []int, onGone func()) *host {
	t.Helper()
	h := &host{stop: make(chan struct{}), h264: mime == webrtc.MimeTypeH264}
	pc, err := peerAPI.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	h.pc = pc
	vp8 := webrtc.RTPCodecCapability{MimeType: mime, ClockRate: 90000}
	if h.h264 {
		vp8.SDPFmtpLine = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"
	}
	var sender *webrtc.RTPSender
	for i, rid := range rids {
		var opts []func(*webrtc.TrackLocalStaticRTP)
		if rid != "" {
			opts = append(opts, webrtc.WithRTPStreamID(rid))
		}
		tr, err := webrtc.NewTrackLocalStaticRTP(vp8, "video", "host", opts...)
		if err != nil {
			t.Fatal(err)
		}
		hl := &hostLayer{rid: rid, bps: bps[i], track: tr}
		hl.key.Store(true)
		h.layers = append(h.layers, hl)
		if i == 0 {
			tx, err := pc.AddTransceiverFromTrack(tr, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
			if err != nil {
				t.Fatal(err)
			}
			sender = tx.Sender()
			h.tx, h.sender = tx, sender
		} else if err := sender.AddEncoding(tr); err != nil {
			t.Fatal(err)
		}
	}
	if h.audio, err = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", "host"); err != nil {
		t.Fatal(err)
	}
	if _, err := pc.AddTransceiverFromTrack(h.audio, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly}); err != nil {
		t.Fatal(err)
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	sdp := gathered(t, pc, offer)
	answer, session, err := s.Publish(context.Background(), roomID, sdp, onGone)
	if err != nil {
		pc.Close()
		t.Fatal(err)
	}
	h.session = session
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: string(answer)}); err != nil {
		t.Fatal(err)
	}
	h.wg.Add(1 + len(h.layers))
	for _, l := range h.layers {
		go h.readRTCP(sender, l)
	}
	go h.send()
	t.Cleanup(h.close)
	return h
}

func (h *host) readRTCP(s *webrtc.RTPSender, l *hostLayer) {
	defer h.wg.Done()
	for {
		var pkts []rtcp.Packet
		var err error
		if l.rid == "" {
			pkts, _, err = s.ReadRTCP()
		} else {
			pkts, _, err = s.ReadSimulcastRTCP(l.rid)
		}
		if err != nil {
			return
		}
		for _, p := range pkts {
			if _, ok := p.(*rtcp.PictureLossIndication); ok {
				h.plis.Add(1)
				l.key.Store(true)
			}
		}
	}
}

// send writes 30 frames a second on every layer and 50 audio packets.
func (h *host) send() {
	defer h.wg.Done()
	const fps = 30
	tick := time.NewTicker(time.Second / fps)
	defer tick.Stop()
	seqs := make([]uint16, len(h.layers))
	var midID, ridID uint8
	for _, e := range h.sender.GetParameters().HeaderExtensions {
		switch e.URI {
		case sdp.SDESMidURI:
			midID = uint8(e.ID)
		case sdp.SDESRTPStreamIDURI:
			ridID = uint8(e.ID)
		}
	}
	mid := h.tx.Mid()
	var aseq uint16
	var ts, ats uint32
	for frame := 0; ; frame++ {
		select {
		case <-h.stop:
			return
		case <-tick.C:
		}
		for i, l := range h.layers {
			key := l.key.Swap(false) || frame%60 == 0
			size := l.bps / 8 / fps
			for off := 0; off < size; off += 1100 {
				n := min(1100, size-off)
				payload := make([]byte, 1+n)
				if h.h264 {
					payload[0] = 0x41 // non-IDR slice
					if key {
						payload[0] = 0x65 // IDR slice
					}
				} else if off == 0 {
					payload[0] = 0x10 // S: start of partition 0
					if key {
						payload[1] = 0x00 // P=0: keyframe
					} else {
						payload[1] = 0x01
					}
				}
				p := &rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: seqs[i], Timestamp: ts, Marker: off+n >= size}, Payload: payload}
				seqs[i]++
				if l.rid != "" && midID != 0 && ridID != 0 {
					_ = p.Header.SetExtension(midID, []byte(mid))
					_ = p.Header.SetExtension(ridID, []byte(l.rid))
				}
				_ = l.track.WriteRTP(p)
				l.sent.Add(1)
			}
		}
		ts += 90000 / fps
		for k := 0; k < 2 && frame%3 != 2; k++ { // ~20 audio packets a second is plenty
			_ = h.audio.WriteRTP(&rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: aseq, Timestamp: ats}, Payload: make([]byte, 60)})
			aseq++
			ats += 960
		}
	}
}

func (h *host) close() {
	select {
	case <-h.stop:
		return
	default:
	}
	close(h.stop)
	h.pc.Close()
	h.wg.Wait()
}

// watcher is a test viewer counting what arrives.
type watcher struct {
	pc      *webrtc.PeerConnection
	session string
	video   atomic.Int64 // RTP packets
	frames  atomic.Int64 // marker bits
	keys    atomic.Int64
	audio   atomic.Int64
	gaps    atomic.Int64 // sequence jumps other than +1
	back    atomic.Int64 // timestamps going backwards
	ssrcs   atomic.Int64 // distinct SSRCs seen on video
	ended   chan struct{}
	endOnce sync.Once
	mime    atomic.Value
}

func (w *watcher) videoMime() string { m, _ := w.mime.Load().(string); return m }

func newWatcher(t testing.TB, s *media.Server, roomID string) (*watcher, error) {
	t.Helper()
	pc, err := peerAPI.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	w := &watcher{pc: pc, ended: make(chan struct{})}
	for _, k := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeVideo, webrtc.RTPCodecTypeAudio} {
		if _, err := pc.AddTransceiverFromKind(k, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
			t.Fatal(err)
		}
	}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		video := tr.Kind() == webrtc.RTPCodecTypeVideo
		if video {
			w.mime.Store(tr.Codec().MimeType)
		}
		var last uint16
		var lastTS uint32
		var ssrc uint32
		first := true
		for {
			p, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			if !video {
				w.audio.Add(1)
				continue
			}
			w.video.Add(1)
			if p.Marker {
				w.frames.Add(1)
			}
			if len(p.Payload) > 1 && p.Payload[0]&0x10 != 0 && p.Payload[1]&1 == 0 {
				w.keys.Add(1)
			}
			if p.SSRC != ssrc {
				ssrc = p.SSRC
				w.ssrcs.Add(1)
			}
			if !first && p.SequenceNumber != last+1 {
				w.gaps.Add(1)
			}
			if !first && int32(p.Timestamp-lastTS) < 0 {
				w.back.Add(1)
			}
			first, last, lastTS = false, p.SequenceNumber, p.Timestamp
		}
	})
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		if st == webrtc.PeerConnectionStateFailed || st == webrtc.PeerConnectionStateClosed || st == webrtc.PeerConnectionStateDisconnected {
			w.endOnce.Do(func() { close(w.ended) })
		}
	})
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	sdp := gathered(t, pc, offer)
	answer, session, err := s.Play(context.Background(), roomID, "viewer", sdp)
	if err != nil {
		pc.Close()
		return nil, err
	}
	w.session = session
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: string(answer)}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return w, nil
}

func mustWatch(t testing.TB, s *media.Server, roomID string) *watcher {
	t.Helper()
	w, err := newWatcher(t, s, roomID)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// eventually waits up to d for cond.
func eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// growing waits until the counter has grown by n.
func growing(t testing.TB, c *atomic.Int64, n int64, what string) {
	t.Helper()
	from := c.Load()
	eventually(t, 10*time.Second, what, func() bool { return c.Load() >= from+n })
}

var webrtcConfig = webrtc.Configuration{}

func itoa(n int) string { return strconv.Itoa(n) }

// recvOffer is a viewer's gathered recvonly offer.
func recvOffer(t testing.TB, pc *webrtc.PeerConnection) []byte {
	t.Helper()
	for _, k := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeVideo, webrtc.RTPCodecTypeAudio} {
		if _, err := pc.AddTransceiverFromKind(k, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
			t.Fatal(err)
		}
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	return gathered(t, pc, offer)
}
