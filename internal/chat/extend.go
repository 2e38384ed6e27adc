package chat

import (
	"context"
	"encoding/json"
)

// Socket is one open socket as another component sees it (live rooms
// keep their viewers' sockets): whose it is, and two ways to hand it a
// frame.
type Socket interface {
	// UserID is the socket's account.
	UserID() string
	// Send queues a frame that must arrive (a socket too far behind is
	// closed, and its client reconnects and syncs).
	Send(frame []byte)
	// Offer queues a frame the socket may go without: when its queue is
	// half full the frame is dropped and Offer reports false. A slow
	// viewer of a live room loses comments, never its socket.
	Offer(frame []byte) bool
}

// FrameFunc handles a client frame of a type another component
// registered (HandleFrame); raw is the whole frame. An *errs.Error it
// returns goes back to the socket as an error frame.
type FrameFunc func(ctx context.Context, s Socket, raw json.RawMessage) error

// HandleFrame registers fn for client frames of type typ (such as
// "live_join"); call it before the node serves.
func (h *Hub) HandleFrame(typ string, fn FrameFunc) {
	h.extMu.Lock()
	defer h.extMu.Unlock()
	if h.ext == nil {
		h.ext = map[string]FrameFunc{}
	}
	h.ext[typ] = fn
}

// OnSocketClosed registers fn, called once for every socket that closes
// (after the hub has let go of it).
func (h *Hub) OnSocketClosed(fn func(s Socket)) {
	h.extMu.Lock()
	defer h.extMu.Unlock()
	h.closed = append(h.closed, fn)
}

func (h *Hub) extFrame(typ string) FrameFunc {
	h.extMu.RLock()
	defer h.extMu.RUnlock()
	return h.ext[typ]
}

func (h *Hub) socketClosed(c *client) {
	h.extMu.RLock()
	fns := h.closed
	h.extMu.RUnlock()
	for _, fn := range fns {
		fn(c)
	}
}

// UserID is the socket's account (Socket).
func (c *client) UserID() string { return c.userID }

// Send queues a frame that must arrive (Socket).
func (c *client) Send(frame []byte) {
	c.hub.frames.Inc()
	c.enqueue(frame)
}

// Offer queues a frame the socket may go without (Socket).
func (c *client) Offer(frame []byte) bool {
	if !c.offer(frame) {
		c.hub.shed.Inc()
		return false
	}
	c.hub.frames.Inc()
	return true
}

var _ Socket = (*client)(nil)
