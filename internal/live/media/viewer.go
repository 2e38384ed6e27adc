package media

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/plaza-dev/plaza/internal/live"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/ids"
)

// opus is the only audio codec the server negotiates.
var opus = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"}

// viewer is one WHEP session: its own outgoing tracks, queues and layer.
type viewer struct {
	r       *room
	session string
	id      string
	pc      *webrtc.PeerConnection
	vtrack  *webrtc.TrackLocalStaticRTP
	atrack  *webrtc.TrackLocalStaticRTP
	vssrc   uint32
	vq, aq  chan *rtp.Packet
	done    chan struct{}
	once    sync.Once

	mu     sync.Mutex
	cur    *layer // the layer forwarded now
	want   int    // index into the room's layer order
	choose chooser
	vrw    rewriter
	arw    rewriter

	sent, dropped atomic.Uint64
	switches      atomic.Int64
}

// Play takes a viewer's WHEP offer and answers it with the room's video
// and audio. A room not published here is asked of its owner over the
// bus. Errors: invalid_argument (the offer), not_live.
func (s *Server) Play(ctx context.Context, roomID, viewerID string, offer []byte) ([]byte, string, error) {
	if _, err := CheckOffer(offer, "video"); err != nil {
		return nil, "", err
	}
	r, err := s.roomFor(roomID, false)
	if err != nil {
		return nil, "", err
	}
	var p *publisher
	if r != nil {
		r.mu.Lock()
		p = r.pub
		r.mu.Unlock()
	}
	if p == nil {
		if s.remote != nil {
			return s.remote.play(ctx, roomID, viewerID, offer)
		}
		return nil, "", errs.E(live.NotLive, "Nobody is streaming in this room right now.")
	}
	return s.playLocal(ctx, r, p, viewerID, offer)
}

func (s *Server) playLocal(ctx context.Context, r *room, p *publisher, viewerID string, offer []byte) ([]byte, string, error) {
	wait, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	select {
	case <-p.videoReady:
	case <-wait.Done():
		return nil, "", errs.E(live.NotLive, "The host's video has not started yet; try again in a moment.")
	}
	pc, err := s.newPC()
	if err != nil {
		return nil, "", errs.Wrap(err, errs.Internal, "The media server could not start a connection.")
	}
	v := &viewer{r: r, session: ids.New("whep"), id: viewerID, pc: pc,
		vq: make(chan *rtp.Packet, s.cfg.QueueLen), aq: make(chan *rtp.Packet, s.cfg.QueueLen/4+1), done: make(chan struct{})}
	v.vrw.clockHz, v.arw.clockHz = 90000, 48000
	fail := func(err error) ([]byte, string, error) {
		pc.Close()
		return nil, "", err
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: string(offer)}); err != nil {
		return fail(errs.E(errs.InvalidArgument, "The SDP offer cannot be used: %s.", err))
	}
	hasAudio := false
	for _, t := range pc.GetTransceivers() {
		if t.Kind() == webrtc.RTPCodecTypeAudio {
			hasAudio = true
		}
	}
	stream := "plaza-" + r.id
	if v.vtrack, err = webrtc.NewTrackLocalStaticRTP(p.videoCodec, "video", stream); err != nil {
		return fail(errs.Wrap(err, errs.Internal, "The media server could not make the video track."))
	}
	vs, err := pc.AddTrack(v.vtrack)
	if err != nil {
		return fail(errs.E(errs.InvalidArgument, "The offer cannot receive the room's video: %s.", err))
	}
	var as *webrtc.RTPSender
	if hasAudio {
		if v.atrack, err = webrtc.NewTrackLocalStaticRTP(opus, "audio", stream); err != nil {
			return fail(errs.Wrap(err, errs.Internal, "The media server could not make the audio track."))
		}
		if as, err = pc.AddTrack(v.atrack); err != nil {
			return fail(errs.E(errs.InvalidArgument, "The offer cannot receive the room's audio: %s.", err))
		}
	}
	answer, err := s.finishAnswer(ctx, pc)
	if err != nil {
		return fail(err)
	}
	if enc := vs.GetParameters().Encodings; len(enc) > 0 {
		v.vssrc = uint32(enc[0].SSRC)
	}
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		if st == webrtc.PeerConnectionStateFailed || st == webrtc.PeerConnectionStateClosed {
			v.close()
		}
	})
	r.mu.Lock()
	if r.ended {
		r.mu.Unlock()
		return fail(errs.E(live.NotLive, "The stream has ended."))
	}
	r.viewers[v.session] = v
	r.setListLocked()
	r.mu.Unlock()
	go v.write(v.vq, v.vtrack)
	go v.rtcp(vs, true)
	if as != nil {
		go v.write(v.aq, v.atrack)
		go v.rtcp(as, false)
	}
	v.wake()
	return answer, v.session, nil
}

// wake asks for a keyframe of the layer the viewer wants.
func (v *viewer) wake() {
	ls := v.r.layerOrder()
	if len(ls) == 0 {
		return
	}
	v.mu.Lock()
	i := min(v.want, len(ls)-1)
	v.mu.Unlock()
	ls[i].pli()
}

// video takes one packet of layer l: forwarded when l is the viewer's
// layer; a switch to the layer it wants happens at that layer's keyframe.
func (v *viewer) video(l *layer, p *rtp.Packet) {
	ls := v.r.layerOrder()
	if len(ls) == 0 {
		return
	}
	v.mu.Lock()
	target := ls[min(v.want, len(ls)-1)]
	if l != v.cur {
		if l != target {
			v.mu.Unlock()
			return
		}
		if !isKeyframe(l.mime, p.Payload) {
			v.mu.Unlock()
			l.pli()
			return
		}
		if v.cur != nil {
			v.switches.Add(1)
		}
		v.cur = l
	}
	seq, ts := v.vrw.rewrite(p.SSRC, p.SequenceNumber, p.Timestamp, time.Now())
	v.mu.Unlock()
	out := &rtp.Packet{Header: p.Header, Payload: p.Payload}
	out.Extension, out.Extensions, out.ExtensionProfile = false, nil, 0
	out.SequenceNumber, out.Timestamp = seq, ts
	v.push(v.vq, out)
}

// audio takes one packet of the publisher's audio.
func (v *viewer) audio(p *rtp.Packet) {
	if v.atrack == nil {
		return
	}
	v.mu.Lock()
	seq, ts := v.arw.rewrite(p.SSRC, p.SequenceNumber, p.Timestamp, time.Now())
	v.mu.Unlock()
	out := &rtp.Packet{Header: p.Header, Payload: p.Payload}
	out.Extension, out.Extensions, out.ExtensionProfile = false, nil, 0
	out.SequenceNumber, out.Timestamp = seq, ts
	v.push(v.aq, out)
}

// push queues a packet, dropping it when the viewer's queue is full: a
// slow viewer never holds up the publisher's reader.
func (v *viewer) push(q chan *rtp.Packet, p *rtp.Packet) {
	select {
	case q <- p:
	default:
		v.dropped.Add(1)
	}
}

func (v *viewer) write(q chan *rtp.Packet, t *webrtc.TrackLocalStaticRTP) {
	for {
		select {
		case <-v.done:
			return
		case p := <-q:
			if err := t.WriteRTP(p); err == nil {
				v.sent.Add(1)
			}
		}
	}
}

// rtcp reads the viewer's feedback: keyframe requests go to the
// publisher, receiver reports and REMB choose the layer.
func (v *viewer) rtcp(s *webrtc.RTPSender, video bool) {
	for {
		pkts, _, err := s.ReadRTCP()
		if err != nil {
			return
		}
		if !video {
			continue
		}
		for _, pk := range pkts {
			switch pk := pk.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				v.mu.Lock()
				cur := v.cur
				v.mu.Unlock()
				if cur != nil {
					cur.pli()
				}
			case *rtcp.ReceiverReport:
				for _, rr := range pk.Reports {
					if rr.SSRC == v.vssrc || v.vssrc == 0 {
						v.feedback(float64(rr.FractionLost)/256, 0)
					}
				}
			case *rtcp.ReceiverEstimatedMaximumBitrate:
				v.feedback(-1, uint64(pk.Bitrate))
			}
		}
	}
}

// feedback moves the viewer between layers: loss ≥ 0 is a receiver
// report's fraction lost, bps > 0 a REMB estimate.
func (v *viewer) feedback(loss float64, bps uint64) {
	ls := v.r.layerOrder()
	if len(ls) < 2 || v.r.s.fixed.Load() {
		return
	}
	rates := make([]uint64, len(ls))
	for i, l := range ls {
		rates[i] = l.rate.Load()
	}
	v.mu.Lock()
	v.choose.layers = len(ls)
	v.choose.layer = min(v.want, len(ls)-1)
	if loss >= 0 {
		v.want = v.choose.report(loss, time.Now(), rates)
	} else {
		v.want = v.choose.remb(bps, rates)
	}
	want := min(v.want, len(ls)-1)
	changed := ls[want] != v.cur
	v.mu.Unlock()
	if changed {
		ls[want].pli() // want read under the lock: another report may move it
	}
}

// close ends the viewer's session.
func (v *viewer) close() {
	v.once.Do(func() {
		close(v.done)
		r := v.r
		r.mu.Lock()
		if r.viewers[v.session] == v {
			delete(r.viewers, v.session)
			r.setListLocked()
		}
		r.mu.Unlock()
		go v.pc.Close()
		r.s.dropIfEmpty(r)
	})
}
