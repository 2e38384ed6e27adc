package chat

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// An idle socket should cost little memory (issue 16: at most 20 KiB of
// the server's RSS). So it holds no writer goroutine, ticker or channel:
// frames wait in a slice (nil when empty) under the client's qmu, a
// writer goroutine runs only while there is something to write, and one
// timer wheel per hub asks each socket for its ping every PingEvery.
// The goroutine that reads the socket is the only one an idle socket has.

// Sizes of the buffers a socket keeps for its life. net/http would hand
// over its 4 KiB reader and a new 4 KiB writer; a chat frame is a few
// hundred bytes, and a larger one is read or written past the buffer
// (one more system call).
const (
	socketReadBuffer  = 512
	socketWriteBuffer = 1024
)

// smallBuffers makes websocket.Accept's hijack return small buffers.
type smallBuffers struct{ http.ResponseWriter }

func (w smallBuffers) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if n := brw.Reader.Buffered(); n > 0 {
		// Bytes the client sent after its upgrade request: read them first.
		b, _ := brw.Reader.Peek(n)
		conn = &prereadConn{Conn: conn, r: io.MultiReader(bytes.NewReader(bytes.Clone(b)), conn)}
	}
	return conn, bufio.NewReadWriter(bufio.NewReaderSize(conn, socketReadBuffer), bufio.NewWriterSize(conn, socketWriteBuffer)), nil
}

// prereadConn reads what was buffered before the hijack, then the conn.
type prereadConn struct {
	net.Conn
	r io.Reader
}

func (c *prereadConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// enqueue hands a frame to the socket's writer without ever blocking the
// deliverer: a socket sendQueue frames behind is closed.
func (c *client) enqueue(b []byte) {
	c.qmu.Lock()
	if c.done {
		c.qmu.Unlock()
		return
	}
	if len(c.queue) >= sendQueue {
		c.qmu.Unlock()
		c.hub.kicked.Inc()
		go c.drop(websocket.StatusPolicyViolation, "too slow: reconnect and sync")
		return
	}
	c.queue = append(c.queue, b)
	c.startWriter()
	c.qmu.Unlock()
}

// offer queues b unless the queue is half full; it reports whether it did.
func (c *client) offer(b []byte) bool {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	if c.done || len(c.queue) >= sendQueue/2 {
		return false
	}
	c.queue = append(c.queue, b)
	c.startWriter()
	return true
}

// askPing has the writer check the session and ping the peer (the wheel).
func (c *client) askPing() {
	c.qmu.Lock()
	if !c.done {
		c.pingDue = true
		c.startWriter()
	}
	c.qmu.Unlock()
}

// startWriter starts the writer unless it runs. qmu held.
func (c *client) startWriter() {
	if !c.writing {
		c.writing = true
		go c.write()
	}
}

// write writes the queued frames in order and the asked-for ping, and ends
// when nothing is left. One runs at a time (c.writing).
func (c *client) write() {
	for {
		c.qmu.Lock()
		batch, ping := c.queue, c.pingDue
		c.queue, c.pingDue = nil, false
		if c.done || (len(batch) == 0 && !ping) {
			c.writing = false
			c.qmu.Unlock()
			return
		}
		c.qmu.Unlock()
		for _, b := range batch {
			wctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
			err := c.conn.Write(wctx, websocket.MessageText, b)
			cancel()
			if err != nil {
				c.hub.dead.WithLabelValues("write_failed").Inc()
				c.drop(websocket.StatusGoingAway, "write failed")
				return
			}
		}
		if ping && !c.ping() {
			return
		}
	}
}

// ping checks that the socket's session still holds (closing it with
// CloseSessionEnded when it expired or ended, should the bus have missed
// the announcement) and pings the peer; false when it closed the socket.
func (c *client) ping() bool {
	if c.hub.liveSessions == nil || c.sessionID == "" { // else the wheel checked the session
		sctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
		ended := c.sessionEnded(sctx)
		cancel()
		if ended {
			c.close(CloseSessionEnded, "signed out")
			return false
		}
	}
	pctx, cancel := context.WithTimeout(c.ctx, c.hub.PongWait)
	err := c.conn.Ping(pctx)
	cancel()
	if err != nil { // dead peer: no pong in time
		c.hub.dead.WithLabelValues("no_pong").Inc()
		c.drop(websocket.StatusGoingAway, "no pong")
		return false
	}
	return true
}

// wheelSlots is how many slots the ping wheel has: every PingEvery /
// wheelSlots one slot's sockets are asked for their ping: small slots, so
// that the session look-ups that go with the pings come spread out.
const wheelSlots = 256

// pingWheel asks every socket of the hub for a ping once every PingEvery,
// from one goroutine instead of a ticker a socket. Each socket stays in
// the slot it was put in; the slot comes round every PingEvery.
type pingWheel struct {
	once  sync.Once
	mu    sync.Mutex // guards slots, next and every client's wheelSlot/wheelIx
	slots [wheelSlots][]*client
	next  int // the slot the next tick serves
}

// add puts c in the slot served last, which comes round again in
// PingEvery (less at most one tick).
func (w *pingWheel) add(h *Hub, c *client) {
	w.once.Do(func() { go w.run(h) })
	w.mu.Lock()
	s := (w.next + wheelSlots - 1) % wheelSlots
	c.wheelSlot, c.wheelIx = s, len(w.slots[s])
	w.slots[s] = append(w.slots[s], c)
	w.mu.Unlock()
}

func (w *pingWheel) remove(c *client) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if c.wheelSlot < 0 {
		return
	}
	slot := w.slots[c.wheelSlot]
	last := len(slot) - 1
	moved := slot[last]
	slot[c.wheelIx], moved.wheelIx = moved, c.wheelIx
	slot[last] = nil
	w.slots[c.wheelSlot] = slot[:last]
	if last == 0 {
		w.slots[c.wheelSlot] = nil
	}
	c.wheelSlot = -1
}

// run serves one slot a tick until the hub stops. It starts with the
// hub's first socket, once PingEvery is configured.
func (w *pingWheel) run(h *Hub) {
	t := time.NewTicker(max(h.PingEvery/wheelSlots, time.Millisecond))
	defer t.Stop()
	var due []*client
	for {
		select {
		case <-t.C:
		case <-h.stop:
			return
		}
		w.mu.Lock()
		due = append(due[:0], w.slots[w.next]...)
		w.next = (w.next + 1) % wheelSlots
		w.mu.Unlock()
		live := h.checkSessions(due)
		for _, c := range due {
			if live != nil && c.sessionID != "" && !live[c.sessionID] {
				c.close(CloseSessionEnded, "signed out")
				continue
			}
			c.askPing()
		}
		clear(due)
	}
}

// checkSessions asks the database, in one query, which of the sockets'
// sessions still hold; nil when the hub has no LiveSessions or the query
// failed (the database away for a moment is not an end: the next round
// asks again).
func (h *Hub) checkSessions(due []*client) map[string]bool {
	if h.liveSessions == nil || len(due) == 0 {
		return nil
	}
	ids := make([]string, 0, len(due))
	seen := make(map[string]bool, len(due))
	for _, c := range due {
		if c.sessionID != "" && !seen[c.sessionID] {
			seen[c.sessionID] = true
			ids = append(ids, c.sessionID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	live, err := h.liveSessions(ctx, ids)
	if err != nil {
		h.log.Warn("socket session check failed", "err", err, "sockets", len(due))
		return nil
	}
	return live
}
