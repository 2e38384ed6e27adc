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

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/platform/bus"
)

// MaxSocketsPerUser is how many sockets one account may hold open on one
// node; opening one more closes the account's oldest (close code 1008,
// reason "too many sockets for this account: the oldest was closed").
const MaxSocketsPerUser = 10

// Socket close codes an application sees besides the standard ones.
const (
	// CloseSessionEnded closes a socket whose session was signed out
	// (logout, logout everywhere, account erased) or expired.
	CloseSessionEnded websocket.StatusCode = 4001
)

// Hub holds this node's sockets and hands them the frames that arrive on
// the bus for their users. One bus subscription serves every socket: a
// frame names its users, and the hub looks up which of them are here.
// Message frames pass through per-conversation sequencers (order.go), so
// each socket gets each conversation's messages once and in seq order.
//
// Lock order: seqMu before mu.
type Hub struct {
	// PingEvery is how often each socket is pinged, and PongWait how long
	// its pong may take before the socket is closed as dead.
	PingEvery, PongWait time.Duration
	// ReorderWait is how long a gap in a conversation's seqs may stay
	// open before the hub reads the missing messages from the database.
	ReorderWait time.Duration
	// MaxPerUser is the per-account socket cap (MaxSocketsPerUser).
	MaxPerUser int

	log    *slog.Logger
	subs   []bus.Subscription
	source Resyncer
	forget func(userID string)
	// sessionsEnded hears ended sessions before their sockets close.
	sessionsEnded func(m *bus.Message)
	// liveSessions checks a ping slot's sessions in one query (HubConfig).
	liveSessions func(ctx context.Context, sessionIDs []string) (map[string]bool, error)

	seqMu sync.Mutex // guards seqs and every convSeq
	seqs  map[string]*convSeq

	mu     sync.RWMutex // guards conns
	conns  map[string]map[*client]struct{}
	opened atomic.Int64 // order of opening, to find a user's oldest socket

	count      atomic.Int64
	gauge      prometheus.GaugeFunc
	frames     prometheus.Counter
	kicked     prometheus.Counter
	dead       *prometheus.CounterVec // sockets dropped: no pong, a write that failed
	reordered  prometheus.Counter
	duplicates prometheus.Counter
	resyncs    prometheus.Counter
	closeAll   atomic.Bool
	stop       chan struct{}
	live       *live // presence, typing, read coalescing (presence_notify.go)
	shed       prometheus.Counter
	wheel      pingWheel // asks each socket for its ping (socket_writer.go)

	extMu  sync.RWMutex // guards ext and closed (extend.go)
	ext    map[string]FrameFunc
	closed []func(Socket)
}

// HubConfig wires a hub.
type HubConfig struct {
	Bus      *bus.Bus
	Log      *slog.Logger
	Registry prometheus.Registerer
	// Chat reads missed messages and socket's conversations (resync).
	Chat Resyncer
	// Forget drops a user's cached profile (after erasure).
	Forget func(userID string)
	// SessionsEnded, when set, hears every SessionsEndedSubject message
	// before the hub closes the sockets it names (account's session cache
	// forgets them first, so that a client that sees its socket close
	// finds the session gone from every request too).
	SessionsEnded func(m *bus.Message)
	// Presence, when set, runs presence across nodes (presence.go).
	Presence PresenceAccounts
	// LiveSessions, when set, says which of these session ids still hold,
	// from the database: the ping wheel asks it once for all the sockets
	// of a slot (a backstop for a missed SessionsEnded), instead of each
	// socket looking its session up at its ping.
	LiveSessions func(ctx context.Context, sessionIDs []string) (map[string]bool, error)
}

// NewHub subscribes to the deliveries of every node's chat service and to
// the account component's session ends.
func NewHub(c HubConfig) (*Hub, error) {
	h := &Hub{log: c.Log, conns: map[string]map[*client]struct{}{}, seqs: map[string]*convSeq{},
		PingEvery: pingEvery, PongWait: writeTimeout, ReorderWait: 250 * time.Millisecond, MaxPerUser: MaxSocketsPerUser,
		source: c.Chat, forget: c.Forget, sessionsEnded: c.SessionsEnded, liveSessions: c.LiveSessions, stop: make(chan struct{})}
	h.frames = prometheus.NewCounter(prometheus.CounterOpts{Name: "plaza_ws_frames_sent_total", Help: "Frames queued to sockets."})
	h.kicked = prometheus.NewCounter(prometheus.CounterOpts{Name: "plaza_ws_slow_disconnects_total", Help: "Sockets closed for falling behind."})
	h.dead = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "plaza_ws_dropped_total", Help: "Sockets dropped by the node, by reason (no pong, write failed)."}, []string{"reason"})
	h.reordered = prometheus.NewCounter(prometheus.CounterOpts{Name: "plaza_ws_frames_reordered_total", Help: "Message frames that arrived before an earlier seq and were held to deliver in order."})
	h.duplicates = prometheus.NewCounter(prometheus.CounterOpts{Name: "plaza_ws_frames_duplicate_total", Help: "Message frames dropped as already delivered."})
	h.shed = prometheus.NewCounter(prometheus.CounterOpts{Name: "plaza_ws_frames_shed_total", Help: "Frames a slow socket went without (live-room comments offered to a full queue)."})
	h.resyncs = prometheus.NewCounter(prometheus.CounterOpts{Name: "plaza_ws_resyncs_total", Help: "Gaps in a conversation's frames filled from the database."})
	h.gauge = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "plaza_ws_connections", Help: "Open sockets on this node."},
		func() float64 { return float64(h.count.Load()) })
	if c.Registry != nil {
		c.Registry.MustRegister(h.frames, h.shed, h.kicked, h.dead, h.reordered, h.duplicates, h.resyncs, h.gauge)
	}
	sub, err := c.Bus.Subscribe(DeliverSubject, h.onDeliver)
	if err != nil {
		return nil, err
	}
	h.subs = append(h.subs, sub)
	if sub, err = c.Bus.Subscribe(account.SessionsEndedSubject, h.onSessionsEnded); err != nil {
		h.subs[0].Unsubscribe()
		return nil, err
	}
	h.subs = append(h.subs, sub)
	if err := h.startLive(c); err != nil {
		for _, s := range h.subs {
			s.Unsubscribe()
		}
		return nil, err
	}
	go h.prune()
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
	if env.Conv != "" && env.Seq > 0 {
		h.seqMu.Lock()
		if env.After {
			h.sequenceAfter(env.Conv, env.Seq, env.To, env.Frame)
			h.seqMu.Unlock()
			return
		}
		h.sequence(env.Conv, env.Seq, env.To, env.Frame)
		h.seqMu.Unlock()
		return
	}
	h.fanOut(env.To, env.Frame)
}

// fanOut queues a frame to every socket here of users.
func (h *Hub) fanOut(users []string, frame []byte) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, u := range users {
		for c := range h.conns[u] {
			h.frames.Inc()
			c.enqueue(frame)
		}
	}
}

// Broadcast queues a frame to every socket on this node, whoever its user:
// for the rare facts that concern everyone, such as a regional policy
// created or taking effect (each client decides whether it is affected).
func (h *Hub) Broadcast(frame []byte) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, set := range h.conns {
		for c := range set {
			h.frames.Inc()
			c.enqueue(frame)
		}
	}
}

// onSessionsEnded closes the sockets of sessions that ended on any node.
func (h *Hub) onSessionsEnded(m *bus.Message) {
	if h.sessionsEnded != nil {
		h.sessionsEnded(m)
	}
	var ev account.SessionsEnded
	if err := json.Unmarshal(m.Data, &ev); err != nil || (ev.UserID == "" && ev.SessionID == "") {
		h.log.Warn("bad session end on the bus", "err", err)
		return
	}
	h.EndSessions(ev)
}

// EndSessions closes this node's sockets of the sessions that ended: one
// session (ev.SessionID, of any user when ev.UserID is ""), or every
// session of ev.UserID when ev.SessionID is "".
func (h *Hub) EndSessions(ev account.SessionsEnded) {
	h.mu.RLock()
	var doomed []*client
	match := func(set map[*client]struct{}) {
		for c := range set {
			if ev.SessionID == "" || c.sessionID == ev.SessionID {
				doomed = append(doomed, c)
			}
		}
	}
	if ev.UserID != "" {
		match(h.conns[ev.UserID])
	} else if ev.SessionID != "" {
		for _, set := range h.conns {
			match(set)
		}
	}
	h.mu.RUnlock()
	for _, c := range doomed {
		go c.close(CloseSessionEnded, "signed out")
	}
	if ev.Erased && h.forget != nil {
		h.forget(ev.UserID)
	}
}

// add registers c; when its user already has MaxPerUser sockets here, the
// oldest is closed.
func (h *Hub) add(c *client) {
	c.order = h.opened.Add(1)
	h.mu.Lock()
	set := h.conns[c.userID]
	if set == nil {
		set = map[*client]struct{}{}
		h.conns[c.userID] = set
	}
	var oldest *client
	if h.MaxPerUser > 0 && len(set) >= h.MaxPerUser {
		for o := range set {
			if oldest == nil || o.order < oldest.order {
				oldest = o
			}
		}
	}
	set[c] = struct{}{}
	h.mu.Unlock()
	h.live.connected(c.userID)
	h.count.Add(1)
	if oldest != nil {
		go oldest.close(websocket.StatusPolicyViolation, "too many sockets for this account: the oldest was closed")
	}
}

func (h *Hub) remove(c *client) {
	h.mu.Lock()
	removed := false
	if set := h.conns[c.userID]; set != nil {
		if _, ok := set[c]; ok {
			delete(set, c)
			h.count.Add(-1)
			removed = true
		}
		if len(set) == 0 {
			delete(h.conns, c.userID)
		}
	}
	h.mu.Unlock()
	if removed {
		h.live.disconnected(c.userID)
	}
	h.closeSequencers(c)
	if removed {
		h.socketClosed(c)
	}
}

func (h *Hub) prune() {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case now := <-t.C:
			h.pruneSequencers(now)
		case <-h.stop:
			return
		}
	}
}

// Close tells every socket the node is going away and stops listening.
func (h *Hub) Close() {
	if h.closeAll.Swap(true) {
		return
	}
	close(h.stop)
	for _, s := range h.subs {
		s.Unsubscribe()
	}
	h.live.close(false)
	h.mu.RLock()
	var all []*client
	for _, set := range h.conns {
		for c := range set {
			all = append(all, c)
		}
	}
	h.mu.RUnlock()
	var wg sync.WaitGroup
	for _, c := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.close(websocket.StatusGoingAway, "server restarting; reconnect")
		}()
	}
	wg.Wait()
}

// client is one socket.
type client struct {
	userID    string
	sessionID string
	order     int64
	conn      *websocket.Conn
	ctx       context.Context // the socket's, cancelled when it closes
	cancel    context.CancelFunc
	hub       *Hub
	once      sync.Once
	convs     []string // sequencers referenced (guarded by hub.seqMu)
	// sessionEnded asks whether the socket's session has ended or
	// expired (on every ping).
	sessionEnded func(ctx context.Context) bool

	qmu     sync.Mutex // guards queue, pingDue, writing and done
	queue   [][]byte   // frames for the writer (socket_writer.go)
	pingDue bool       // the wheel asked for a ping
	writing bool       // a writer goroutine runs
	done    bool       // closed: queue nothing more

	wheelSlot, wheelIx int // place in the hub's ping wheel (guarded by its mu); slot -1: none

	// Sends in flight (socket.go): the read loop starts them in order and
	// a replier goroutine, running only while some are pending, answers
	// them in the same order. room holds a token a send in flight (made
	// at the first send; the read loop waits when it is full).
	smu        sync.Mutex // guards sends and replying
	sends      []pendingSend
	replying   bool
	room       chan struct{}
	violations atomic.Int32 // refused frames (socket.go's maxViolations)
}

// sendQueue is how many frames a socket may fall behind by before it is
// closed; the client then reconnects and syncs.
const sendQueue = 128

// finish stops the socket's queue and takes it off the ping wheel.
func (c *client) finish() {
	c.qmu.Lock()
	c.done, c.queue = true, nil
	c.qmu.Unlock()
	c.hub.wheel.remove(c)
}

// close closes the socket with a code and reason its peer reads.
func (c *client) close(code websocket.StatusCode, reason string) {
	c.once.Do(func() {
		c.finish()
		c.hub.remove(c)
		// Close before cancelling: a cancelled read closes the connection
		// at once, without this code and reason.
		c.conn.Close(code, reason)
		c.cancel()
	})
}

// drop closes the socket of a peer that stopped reading or answering at
// once, without waiting for a close handshake it would not answer.
func (c *client) drop(code websocket.StatusCode, reason string) {
	c.once.Do(func() {
		c.finish()
		c.hub.remove(c)
		c.cancel()
		c.conn.Close(code, reason)
	})
}
