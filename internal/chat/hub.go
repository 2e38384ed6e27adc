package chat

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/plaza-dev/plaza/internal/platform/bus"
)

// Hub holds this node's sockets and hands them the frames that arrive on
// the bus for their users. One bus subscription serves every socket: a
// frame names its users, and the hub looks up which of them are here.
type Hub struct {
	// PingEvery is how often each socket is pinged, and PongWait how long
	// its pong may take before the socket is closed as dead.
	PingEvery, PongWait time.Duration

	log *slog.Logger
	sub bus.Subscription

	mu    sync.RWMutex // guards conns
	conns map[string]map[*client]struct{}

	count    atomic.Int64
	gauge    prometheus.GaugeFunc
	frames   prometheus.Counter
	kicked   prometheus.Counter
	closeAll atomic.Bool
}

// NewHub subscribes to the deliveries of every node's chat service.
func NewHub(b *bus.Bus, log *slog.Logger, reg prometheus.Registerer) (*Hub, error) {
	h := &Hub{log: log, conns: map[string]map[*client]struct{}{}, PingEvery: pingEvery, PongWait: writeTimeout}
	h.frames = prometheus.NewCounter(prometheus.CounterOpts{Name: "plaza_ws_frames_sent_total", Help: "Frames queued to sockets."})
	h.kicked = prometheus.NewCounter(prometheus.CounterOpts{Name: "plaza_ws_slow_disconnects_total", Help: "Sockets closed for falling behind."})
	h.gauge = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "plaza_ws_connections", Help: "Open sockets on this node."},
		func() float64 { return float64(h.count.Load()) })
	if reg != nil {
		reg.MustRegister(h.frames, h.kicked, h.gauge)
	}
	sub, err := b.Subscribe(DeliverSubject, h.onDeliver)
	if err != nil {
		return nil, err
	}
	h.sub = sub
	return h, nil
}

// Connections is the number of open sockets on this node.
func (h *Hub) Connections() int64 { return h.count.Load() }

func (h *Hub) onDeliver(m *bus.Message) {
	var env envelope
	if err := json.Unmarshal(m.Data, &env); err != nil {
		h.log.Warn("bad delivery on the bus", "err", err)
		return
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, u := range env.To {
		for c := range h.conns[u] {
			h.frames.Inc()
			c.enqueue(env.Frame)
		}
	}
}

func (h *Hub) add(c *client) {
	h.mu.Lock()
	set := h.conns[c.userID]
	if set == nil {
		set = map[*client]struct{}{}
		h.conns[c.userID] = set
	}
	set[c] = struct{}{}
	h.mu.Unlock()
	h.count.Add(1)
}

func (h *Hub) remove(c *client) {
	h.mu.Lock()
	if set := h.conns[c.userID]; set != nil {
		if _, ok := set[c]; ok {
			delete(set, c)
			h.count.Add(-1)
		}
		if len(set) == 0 {
			delete(h.conns, c.userID)
		}
	}
	h.mu.Unlock()
}

// Close tells every socket the node is going away and stops listening.
func (h *Hub) Close() {
	h.closeAll.Store(true)
	if h.sub != nil {
		h.sub.Unsubscribe()
	}
	h.mu.RLock()
	var all []*client
	for _, set := range h.conns {
		for c := range set {
			all = append(all, c)
		}
	}
	h.mu.RUnlock()
	for _, c := range all {
		c.close(websocket.StatusGoingAway, "server restarting; reconnect")
	}
}

// client is one socket.
type client struct {
	userID string
	conn   *websocket.Conn
	send   chan []byte
	cancel context.CancelFunc
	hub    *Hub
	once   sync.Once
}

// sendQueue is how many frames a socket may fall behind by before it is
// closed; the client then reconnects and syncs.
const sendQueue = 128

// enqueue hands a frame to the socket's writer without ever blocking the
// deliverer: a socket whose queue is full is closed.
func (c *client) enqueue(b []byte) {
	select {
	case c.send <- b:
	default:
		c.hub.kicked.Inc()
		go c.close(websocket.StatusPolicyViolation, "too slow: reconnect and sync")
	}
}

func (c *client) close(code websocket.StatusCode, reason string) {
	c.once.Do(func() {
		c.hub.remove(c)
		c.cancel()
		c.conn.Close(code, reason)
	})
}
