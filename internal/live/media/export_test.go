package media

import "time"

// PeerConnections is how many PeerConnections the server has created.
func (s *Server) PeerConnections() int64 { return s.pcs.Load() }

// LayerRIDs is the room's video layers, highest first.
func (s *Server) LayerRIDs(roomID string) []string {
	s.mu.Lock()
	r := s.rooms[roomID]
	s.mu.Unlock()
	if r == nil {
		return nil
	}
	var out []string
	for _, l := range r.layerOrder() {
		out = append(out, l.rid)
	}
	return out
}

func (s *Server) viewer(roomID, session string) *viewer {
	s.mu.Lock()
	r := s.rooms[roomID]
	s.mu.Unlock()
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.viewers[session]
}

// ViewerLayer is the rid a viewer is forwarded now ("-" before any).
func (s *Server) ViewerLayer(roomID, session string) string {
	v := s.viewer(roomID, session)
	if v == nil {
		return "?"
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.cur == nil {
		return "-"
	}
	return v.cur.rid
}

// Feedback feeds a viewer a receiver report's fraction lost.
func (s *Server) Feedback(roomID, session string, loss float64) {
	if v := s.viewer(roomID, session); v != nil {
		v.feedback(loss, 0)
	}
}

// SetLayer moves a viewer to layer i of the room's order.
func (s *Server) SetLayer(roomID, session string, i int) {
	if v := s.viewer(roomID, session); v != nil {
		v.mu.Lock()
		v.want = i
		v.mu.Unlock()
		v.wake()
	}
}

// Viewers is how many viewers the room has here.
func (s *Server) Viewers(roomID string) int {
	s.mu.Lock()
	r := s.rooms[roomID]
	s.mu.Unlock()
	if r == nil {
		return 0
	}
	return len(r.viewersNow())
}

// ViewerCounts is a viewer's packets sent and dropped.
func (s *Server) ViewerCounts(roomID, session string) (sent, dropped uint64) {
	if v := s.viewer(roomID, session); v != nil {
		return v.sent.Load(), v.dropped.Load()
	}
	return 0, 0
}

// Chooser exposes the layer chooser to the unit test.
type Chooser = chooser

func NewChooser(layers int) *Chooser { return &chooser{layers: layers} }
func (c *Chooser) Report(loss float64, now time.Time, rates []uint64) int {
	return c.report(loss, now, rates)
}
func (c *Chooser) REMB(bps uint64, rates []uint64) int { return c.remb(bps, rates) }

var UpAfter = upAfter

// Rewriter exposes the rewriter to the unit test.
type Rewriter = rewriter

func NewRewriter(hz uint32) *Rewriter { return &rewriter{clockHz: hz} }
func (w *Rewriter) Rewrite(src uint32, seq uint16, ts uint32, now time.Time) (uint16, uint32) {
	return w.rewrite(src, seq, ts, now)
}

var IsKeyframe = isKeyframe

// FixLayers stops feedback from moving viewers (capacity measurement).
func (s *Server) FixLayers() { s.fixed.Store(true) }
