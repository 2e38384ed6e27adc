package chat

import (
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/bus"
	"github.com/plaza-dev/plaza/internal/platform/ids"
)

// Presence: who is online, across nodes.
//
// Each node counts its own sockets per user and tells the others over
// PresenceSubject: "up" when a user's first socket here opens, "down" a
// grace period after their last one here closed (a reconnect within it,
// here or on another node, is no flap: nothing is said), and every Beat
// a "beat" naming every user it holds. Every node, its own notes
// included (they come back over the bus, in the order they were sent),
// keeps the same view: user → the nodes that hold them, each entry
// expiring TTL after it was last heard. A user is online while any entry
// lives. So a node that crashed stops beating and its users go offline
// TTL later; a lost "down" is corrected the same way, a lost "up" by the
// next beat; a node that shuts down says "gone", and its users leave
// within the grace period unless they reconnect elsewhere. A node that
// starts asks the others to beat at once ("sync").
//
// A user's change between online and offline in that view is handed to
// onChange, on every node, once: each node then tells its own sockets
// (presence_notify.go). The database is not involved but for last_seen,
// written when a user's last socket on a node closes.

// PresenceSubject carries presenceNotes between nodes.
const PresenceSubject = "chat.presence"

// PresenceTiming tunes presence; zero fields keep the defaults.
type PresenceTiming struct {
	// Grace is how long after a user's last socket closed they still
	// count as online (5 s): a reconnect within it is no flap.
	Grace time.Duration
	// Beat is how often each node names the users it holds (10 s).
	Beat time.Duration
	// TTL is how long a node's word that it holds a user lasts (35 s):
	// after a crash, its users go offline this long after its last beat.
	TTL time.Duration
}

func (t PresenceTiming) withDefaults() PresenceTiming {
	if t.Grace <= 0 {
		t.Grace = 5 * time.Second
	}
	if t.Beat <= 0 {
		t.Beat = 10 * time.Second
	}
	if t.TTL <= 0 {
		t.TTL = 35 * time.Second
	}
	return t
}

// presenceNote is what nodes say on PresenceSubject.
type presenceNote struct {
	Node  string    `json:"node"`
	Kind  string    `json:"kind"` // up, down, beat, gone, sync
	Users []string  `json:"users,omitempty"`
	At    time.Time `json:"at,omitzero"`
}

// beatChunk is how many users one beat note names at most.
const beatChunk = 1000

// presenceEntry is one node's word that it holds a user.
type presenceEntry struct {
	expires time.Time
	heard   time.Time // last heard: the user's last_seen if it expires
}

// presence is one node's part of presence.
//
// Lock order: Hub.mu before presence.mu (the hub's add and remove call
// in after releasing theirs; presence never calls the hub holding mu).
type presence struct {
	bus      *bus.Bus
	node     string
	log      *slog.Logger
	now      func() time.Time
	onChange func(user string, online bool, at time.Time)
	// touch records a user's last_seen when their last socket here
	// closed, before the "down" is said.
	touch func(user string, at time.Time)

	mu      sync.Mutex // guards everything below
	timing  PresenceTiming
	local   map[string]int         // sockets here per user
	said    map[string]bool        // users this node has said "up" for and not "down"
	pending map[string]*graceTimer // users whose "down" waits out the grace
	closed  map[string]time.Time   // when their last socket here closed
	view    map[string]map[string]presenceEntry
	halted  bool

	sub    bus.Subscription
	retime chan struct{} // told when the timing changes: the loop's wait is recomputed
	stop   chan struct{}
	done   chan struct{}
}

func newPresence(b *bus.Bus, log *slog.Logger, onChange func(string, bool, time.Time), touch func(string, time.Time)) (*presence, error) {
	p := &presence{bus: b, node: ids.Token(10), log: log, now: time.Now, onChange: onChange, touch: touch,
		timing: PresenceTiming{}.withDefaults(), local: map[string]int{}, said: map[string]bool{},
		pending: map[string]*graceTimer{}, closed: map[string]time.Time{}, view: map[string]map[string]presenceEntry{},
		retime: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	sub, err := b.Subscribe(PresenceSubject, p.hear)
	if err != nil {
		return nil, err
	}
	p.sub = sub
	p.mu.Lock()
	p.say(presenceNote{Kind: "sync"})
	p.mu.Unlock()
	go p.loop()
	return p, nil
}

// setTiming changes the timing (tests shorten it).
func (p *presence) setTiming(t PresenceTiming) {
	p.mu.Lock()
	p.timing = t.withDefaults()
	p.mu.Unlock()
	// The loop may be waiting out the old tick (a second by default):
	// under a shorter TTL the others would expire this node's users
	// before its first beat.
	select {
	case p.retime <- struct{}{}:
	default:
	}
}

// say publishes a note from this node. p.mu must be held: notes leave in
// the order the state changed.
func (p *presence) say(n presenceNote) {
	n.Node = p.node
	data, _ := json.Marshal(n)
	if err := p.bus.Publish(PresenceSubject, data); err != nil {
		p.log.Warn("publishing presence", "err", err)
	}
}

// connected counts a socket of user opened here.
func (p *presence) connected(user string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.halted {
		return
	}
	p.local[user]++
	if g := p.pending[user]; g != nil { // back within the grace
		g.t.Stop()
		delete(p.pending, user)
		delete(p.closed, user)
	}
	if !p.said[user] {
		p.said[user] = true
		p.say(presenceNote{Kind: "up", Users: []string{user}})
	}
}

// disconnected counts a socket of user closed here; the last one starts
// the grace.
func (p *presence) disconnected(user string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.halted || p.local[user] == 0 {
		return
	}
	if p.local[user]--; p.local[user] > 0 {
		return
	}
	delete(p.local, user)
	p.closed[user] = p.now()
	g := &graceTimer{}
	g.t = time.AfterFunc(p.timing.Grace, func() { p.graceOver(user, g) })
	p.pending[user] = g
}

// graceTimer is one grace period's timer; its pointer identifies it.
type graceTimer struct{ t *time.Timer } // t: written and stopped under presence.mu

// graceOver says "down" for user unless a socket came back meanwhile.
func (p *presence) graceOver(user string, t *graceTimer) {
	p.mu.Lock()
	at, ok := p.closed[user]
	if p.pending[user] != t || !ok {
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	// last_seen is durable before anyone hears the user is offline.
	p.touch(user, at)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pending[user] != t || p.halted {
		return
	}
	delete(p.pending, user)
	delete(p.closed, user)
	delete(p.said, user)
	p.say(presenceNote{Kind: "down", Users: []string{user}, At: at})
}

// beat names every user this node holds. p.mu must be held.
func (p *presence) beat() {
	users := make([]string, 0, min(len(p.said), beatChunk))
	for u := range p.said {
		users = append(users, u)
		if len(users) == beatChunk {
			p.say(presenceNote{Kind: "beat", Users: users})
			users = make([]string, 0, beatChunk)
		}
	}
	if len(users) > 0 {
		p.say(presenceNote{Kind: "beat", Users: users})
	}
}

type presenceChange struct {
	user   string
	online bool
	at     time.Time
}

// hear applies a note from any node (this one included) to the view.
func (p *presence) hear(m *bus.Message) {
	var n presenceNote
	if err := json.Unmarshal(m.Data, &n); err != nil || n.Node == "" {
		p.log.Warn("bad presence note on the bus", "err", err)
		return
	}
	now := p.now()
	var changes []presenceChange
	p.mu.Lock()
	if p.halted {
		p.mu.Unlock()
		return
	}
	switch n.Kind {
	case "up", "beat":
		for _, u := range n.Users {
			nodes := p.view[u]
			if nodes == nil {
				nodes = map[string]presenceEntry{}
				p.view[u] = nodes
				changes = append(changes, presenceChange{u, true, now})
			}
			nodes[n.Node] = presenceEntry{expires: now.Add(p.timing.TTL), heard: now}
		}
	case "down":
		at := n.At
		if at.IsZero() {
			at = now
		}
		for _, u := range n.Users {
			nodes := p.view[u]
			if _, ok := nodes[n.Node]; !ok {
				continue
			}
			delete(nodes, n.Node)
			if len(nodes) == 0 {
				delete(p.view, u)
				changes = append(changes, presenceChange{u, false, at})
			}
		}
	case "gone":
		// A node shutting down: its users leave within the grace unless
		// they reconnect elsewhere.
		for _, nodes := range p.view {
			if e, ok := nodes[n.Node]; ok {
				e.expires, e.heard = now.Add(p.timing.Grace), now
				nodes[n.Node] = e
			}
		}
	case "sync":
		if n.Node != p.node {
			p.beat()
		}
	}
	p.mu.Unlock()
	p.report(changes)
}

func (p *presence) report(changes []presenceChange) {
	for _, c := range changes {
		p.onChange(c.user, c.online, c.at)
	}
}

// sweep expires the entries of nodes not heard from in time.
func (p *presence) sweep() {
	now := p.now()
	var changes []presenceChange
	p.mu.Lock()
	for u, nodes := range p.view {
		var heard time.Time
		for n, e := range nodes {
			if now.After(e.expires) {
				delete(nodes, n)
				if e.heard.After(heard) {
					heard = e.heard
				}
			}
		}
		if len(nodes) == 0 {
			delete(p.view, u)
			changes = append(changes, presenceChange{u, false, heard})
		}
	}
	p.mu.Unlock()
	for _, c := range changes {
		// No node said "down": record last_seen here (every node does;
		// it only moves forward).
		p.touch(c.user, c.at)
	}
	p.report(changes)
}

func (p *presence) loop() {
	defer close(p.done)
	lastBeat := p.now()
	for {
		p.mu.Lock()
		t := p.timing
		p.mu.Unlock()
		tick := min(time.Second, t.TTL/4, t.Beat/2)
		select {
		case <-p.stop:
			return
		case <-p.retime:
		case <-time.After(tick):
		}
		p.sweep()
		if now := p.now(); now.Sub(lastBeat) >= t.Beat {
			lastBeat = now
			p.mu.Lock()
			if !p.halted {
				p.beat()
			}
			p.mu.Unlock()
		}
	}
}

// online reports whether user is online anywhere.
func (p *presence) online(user string) bool {
	if p == nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.view[user]) > 0
}

// current reports whether a change still describes the user: a queued
// "offline" whose user has come back since is stale, and so is an
// "online" whose user has left again.
func (p *presence) current(c presenceChange) bool {
	return p.online(c.user) == c.online
}

// close says "gone" (unless crash, as a test's crashed node) and stops.
func (p *presence) close(crash bool) {
	if p == nil {
		return
	}
	p.mu.Lock()
	if p.halted {
		p.mu.Unlock()
		return
	}
	if !crash {
		p.say(presenceNote{Kind: "gone"})
	}
	p.halted = true
	for _, g := range p.pending {
		g.t.Stop()
	}
	p.mu.Unlock()
	p.sub.Unsubscribe()
	close(p.stop)
	<-p.done
}
