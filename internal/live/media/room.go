package media

import (
	"context"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"

	"github.com/plaza-dev/plaza/internal/live"
	"github.com/plaza-dev/plaza/internal/platform/bus"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/ids"
)

// room is one room's media on this node: its publisher (nil while the host
// is away), the video layers it sends and the viewers it is forwarded to.
type room struct {
	s  *Server
	id string

	mu      sync.Mutex
	pub     *publisher
	viewers map[string]*viewer
	sub     bus.Subscription
	ended   bool // EndRoom, or dropped
	dropped bool // forgotten for having neither host nor viewers

	list   atomic.Pointer[[]*viewer] // viewers, copy on write, read per packet
	layers atomic.Pointer[[]*layer]  // current publisher's video layers, highest first
}

// publisher is one WHIP session.
type publisher struct {
	r       *room
	session string
	pc      *webrtc.PeerConnection
	onGone  func()
	stopped atomic.Bool // Stop, EndRoom or replaced: onGone is not called
	gone    sync.Once

	installed  chan struct{} // closed once the room holds it (or it failed)
	videoReady chan struct{} // closed at its first video track
	videoCodec webrtc.RTPCodecCapability
	readyOnce  sync.Once
}

// layer is one simulcast layer (or the only video) a publisher sends.
type layer struct {
	pub     *publisher
	rid     string
	ssrc    uint32
	mime    string
	bytes   atomic.Uint64
	rate    atomic.Uint64 // bits/s over the last second
	last    uint64
	lastPLI atomic.Int64
}

// pli asks the publisher for a keyframe of the layer, at most every 300 ms.
func (l *layer) pli() {
	now := time.Now().UnixNano()
	last := l.lastPLI.Load()
	if now-last < int64(300*time.Millisecond) || !l.lastPLI.CompareAndSwap(last, now) {
		return
	}
	_ = l.pub.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: l.ssrc}})
}

func (r *room) viewersNow() []*viewer {
	if p := r.list.Load(); p != nil {
		return *p
	}
	return nil
}

func (r *room) layerOrder() []*layer {
	if p := r.layers.Load(); p != nil {
		return *p
	}
	return nil
}

// setListLocked republishes the viewer list; r.mu held.
func (r *room) setListLocked() {
	l := make([]*viewer, 0, len(r.viewers))
	for _, v := range r.viewers {
		l = append(l, v)
	}
	r.list.Store(&l)
}

// sortLayers orders layers by measured bitrate, then by rid name.
func sortLayers(ls []*layer) {
	sort.SliceStable(ls, func(i, j int) bool {
		ri, rj := ls[i].rate.Load(), ls[j].rate.Load()
		if ri != rj && ri > 0 && rj > 0 {
			return ri > rj
		}
		return layerRank(ls[i].rid) < layerRank(ls[j].rid)
	})
}

func (r *room) addLayer(l *layer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pub != l.pub {
		return
	}
	ls := append(append([]*layer(nil), r.layerOrder()...), l)
	sortLayers(ls)
	r.layers.Store(&ls)
}

func (r *room) removeLayer(l *layer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ls []*layer
	for _, x := range r.layerOrder() {
		if x != l {
			ls = append(ls, x)
		}
	}
	r.layers.Store(&ls)
}

// tick measures the layers' bitrates and reorders them.
func (r *room) tick(dt time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ls := append([]*layer(nil), r.layerOrder()...)
	for _, l := range ls {
		b := l.bytes.Load()
		l.rate.Store(uint64(float64(b-l.last) * 8 / dt.Seconds()))
		l.last = b
	}
	sortLayers(ls)
	r.layers.Store(&ls)
}

// Publish takes the host's WHIP offer for roomID and answers it; a second
// Publish to the room replaces the first. onGone is called once if the
// host's connection fails or closes (never after Stop, EndRoom or a
// replacement).
func (s *Server) Publish(ctx context.Context, roomID string, offer []byte, onGone func()) ([]byte, string, error) {
	if _, err := CheckOffer(offer, "video"); err != nil {
		return nil, "", err
	}
	if roomID == "" {
		return nil, "", errs.E(errs.InvalidArgument, "The room id is empty.")
	}
	r, err := s.roomFor(roomID, true)
	if err != nil {
		return nil, "", err
	}
	pc, err := s.newPC()
	if err != nil {
		return nil, "", errs.Wrap(err, errs.Internal, "The media server could not start a connection.")
	}
	p := &publisher{r: r, session: ids.New("whip"), pc: pc, onGone: onGone,
		installed: make(chan struct{}), videoReady: make(chan struct{})}
	pc.OnTrack(func(t *webrtc.TrackRemote, _ *webrtc.RTPReceiver) { p.track(t) })
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		if st == webrtc.PeerConnectionStateFailed || st == webrtc.PeerConnectionStateClosed {
			p.lost()
		}
	})
	answer, err := s.answer(ctx, pc, offer)
	if err != nil {
		close(p.installed)
		p.stopped.Store(true)
		pc.Close()
		return nil, "", err
	}
	r.mu.Lock()
	for r.ended && r.dropped {
		// The room was forgotten while we answered (its last host left):
		// start it afresh.
		r.mu.Unlock()
		if r, err = s.roomFor(roomID, true); err != nil {
			close(p.installed)
			p.stopped.Store(true)
			pc.Close()
			return nil, "", err
		}
		p.r = r
		r.mu.Lock()
	}
	if r.ended {
		r.mu.Unlock()
		close(p.installed)
		p.stopped.Store(true)
		pc.Close()
		return nil, "", errs.E(live.RoomEnded, "The room has ended.")
	}
	old := r.pub
	r.pub = p
	r.layers.Store(&[]*layer{})
	r.mu.Unlock()
	close(p.installed)
	if old != nil {
		old.stop()
	}
	s.log.Info("live media: publishing", "room", roomID, "session", p.session, "replaced", old != nil)
	return answer, p.session, nil
}

// answer sets the remote offer, answers it and waits for every candidate
// (non-trickle: the answer carries them).
func (s *Server) answer(ctx context.Context, pc *webrtc.PeerConnection, offer []byte) ([]byte, error) {
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: string(offer)}); err != nil {
		return nil, errs.E(errs.InvalidArgument, "The SDP offer cannot be used: %s.", err)
	}
	return s.finishAnswer(ctx, pc)
}

func (s *Server) finishAnswer(ctx context.Context, pc *webrtc.PeerConnection) ([]byte, error) {
	ans, err := pc.CreateAnswer(nil)
	if err != nil {
		return nil, errs.E(errs.InvalidArgument, "The SDP offer cannot be answered: %s.", err)
	}
	done := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(ans); err != nil {
		return nil, errs.E(errs.InvalidArgument, "The SDP offer cannot be answered: %s.", err)
	}
	select {
	case <-done:
	case <-ctx.Done():
		return nil, errs.Wrap(ctx.Err(), errs.Unavailable, "The media server did not gather its address in time.")
	case <-time.After(10 * time.Second):
		return nil, errs.E(errs.Unavailable, "The media server did not gather its address in time.")
	}
	return []byte(pc.LocalDescription().SDP), nil
}

// track forwards one of the publisher's tracks to the room's viewers.
func (p *publisher) track(t *webrtc.TrackRemote) {
	<-p.installed
	if p.stopped.Load() {
		return
	}
	r := p.r
	if t.Kind() == webrtc.RTPCodecTypeAudio {
		for {
			pkt, _, err := t.ReadRTP()
			if err != nil {
				return
			}
			for _, v := range r.viewersNow() {
				v.audio(pkt)
			}
		}
	}
	l := &layer{pub: p, rid: t.RID(), ssrc: uint32(t.SSRC()), mime: t.Codec().MimeType}
	p.readyOnce.Do(func() {
		p.videoCodec = t.Codec().RTPCodecCapability
		close(p.videoReady)
	})
	r.addLayer(l)
	defer r.removeLayer(l)
	for _, v := range r.viewersNow() {
		v.wake()
	}
	for {
		pkt, _, err := t.ReadRTP()
		if err != nil {
			return
		}
		l.bytes.Add(uint64(len(pkt.Payload) + 12))
		for _, v := range r.viewersNow() {
			v.video(l, pkt)
		}
	}
}

// lost is the publisher's connection failing or closing.
func (p *publisher) lost() {
	<-p.installed // p.r is settled
	if p.stopped.Load() {
		return
	}
	r := p.r
	r.mu.Lock()
	mine := r.pub == p
	if mine {
		r.pub = nil
		r.layers.Store(&[]*layer{})
	}
	r.mu.Unlock()
	p.stop()
	if mine && p.onGone != nil {
		p.gone.Do(p.onGone)
	}
	r.s.log.Info("live media: host gone", "room", r.id, "session", p.session)
	r.s.dropIfEmpty(r)
}

// stop closes the publisher without calling onGone.
func (p *publisher) stop() {
	if p.stopped.Swap(true) {
		return
	}
	go p.pc.Close()
}

// roomFor is the room, created when create is set.
func (s *Server) roomFor(id string, create bool) (*room, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, errs.Wrap(errClosed, errs.Unavailable, "The media server is shutting down.")
	}
	r := s.rooms[id]
	fresh := r == nil && create
	if fresh {
		r = &room{s: s, id: id, viewers: map[string]*viewer{}}
		s.rooms[id] = r
	}
	s.mu.Unlock()
	if fresh && s.remote != nil {
		sub := s.remote.serve(r)
		r.mu.Lock()
		if r.ended {
			r.mu.Unlock()
			if sub != nil {
				_ = sub.Unsubscribe()
			}
			return r, nil
		}
		r.sub = sub
		r.mu.Unlock()
	}
	return r, nil
}

// dropIfEmpty forgets a room with neither publisher nor viewers.
func (s *Server) dropIfEmpty(r *room) {
	s.mu.Lock()
	r.mu.Lock()
	empty := r.pub == nil && len(r.viewers) == 0
	if empty && s.rooms[r.id] == r {
		delete(s.rooms, r.id)
		r.ended, r.dropped = true, true
	}
	sub := r.sub
	if empty {
		r.sub = nil
	}
	r.mu.Unlock()
	s.mu.Unlock()
	if empty && sub != nil {
		_ = sub.Unsubscribe()
	}
}

// end closes the room's publisher and viewers.
func (r *room) end() {
	r.mu.Lock()
	r.ended = true
	p := r.pub
	r.pub = nil
	vs := r.viewers
	r.viewers = map[string]*viewer{}
	r.setListLocked()
	sub := r.sub
	r.sub = nil
	r.mu.Unlock()
	if p != nil {
		p.stop()
	}
	for _, v := range vs {
		v.close()
	}
	if sub != nil {
		_ = sub.Unsubscribe()
	}
}

// EndRoom ends the room's publication and every playback of it, here and,
// with a bus, on the node that owns it.
func (s *Server) EndRoom(roomID string) {
	s.mu.Lock()
	r := s.rooms[roomID]
	delete(s.rooms, roomID)
	s.mu.Unlock()
	if r != nil {
		r.end()
		return
	}
	if s.remote != nil {
		s.remote.end(roomID)
	}
}

// Publishing reports whether this node holds the room's publication.
func (s *Server) Publishing(roomID string) bool {
	s.mu.Lock()
	r := s.rooms[roomID]
	s.mu.Unlock()
	if r == nil {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pub != nil
}

// Stop ends one publication or playback by its session; on a node that
// does not hold it, the owner is asked over the bus. Errors: not_found.
func (s *Server) Stop(ctx context.Context, roomID, session string) error {
	if s.stopLocal(roomID, session) {
		return nil
	}
	if s.remote != nil {
		return s.remote.stop(ctx, roomID, session)
	}
	return errs.E(errs.NotFound, "There is no such media session in this room.")
}

func (s *Server) stopLocal(roomID, session string) bool {
	s.mu.Lock()
	r := s.rooms[roomID]
	s.mu.Unlock()
	if r == nil {
		return false
	}
	r.mu.Lock()
	if p := r.pub; p != nil && p.session == session {
		r.pub = nil
		r.layers.Store(&[]*layer{})
		r.mu.Unlock()
		p.stop()
		s.dropIfEmpty(r)
		return true
	}
	v := r.viewers[session]
	r.mu.Unlock()
	if v == nil {
		return false
	}
	v.close()
	return true
}
