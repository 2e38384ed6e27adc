package live

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/plaza-dev/plaza/internal/chat"
	"github.com/plaza-dev/plaza/internal/platform/bus"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/ids"
)

// Bus subjects of the room's chat (under the bus prefix).
const (
	// liveFrameSubject carries every room frame, once per node: a JSON
	// header line ({"room","must","to","close"}) then the frame's bytes,
	// encoded once by the sender and handed as they are to every socket.
	liveFrameSubject = "live.frame"
	// livePresenceSubject carries each node's viewers: deltas on join and
	// leave, and a full report per room every reportEvery.
	livePresenceSubject = "live.presence"
)

// Realtime timing.
const (
	likesEvery   = 250 * time.Millisecond // likes flushed to the total
	viewersEvery = 500 * time.Millisecond // "viewers" frames, when the total changed
	reportEvery  = 2 * time.Second        // each node's full report per room
	staleAfter   = 3 * reportEvery        // a node silent this long counts for nothing
	tombstoneFor = time.Minute            // a closed socket may not join again
	// maxReportUsers bounds a full report's user list (NATS's 1 MB
	// payload); past it the report carries the count only and the other
	// nodes keep the users they learned from deltas.
	maxReportUsers = 20000
	// joinComments is how many recent comments the joined frame carries.
	joinComments = 20
)

// roomFunc is the room as userID may see it (the core's rooms.go): the
// room, its state, its owner (Room.OwnerID, the host) and what it shows.
// Errors: not_found for a room that does not exist or that the user may
// not see. userID "" asks as the system (closeRoom's ended frame).
type roomFunc func(ctx context.Context, roomID, userID string) (Room, error)

// realtime is the room's chat at live scale: which sockets on this node
// watch which room, frames to everyone watching (over the bus, fanned out
// by each node to its own sockets), aggregated likes and the viewer count
// summed over nodes.
type realtime struct {
	s    *Service
	bus  *bus.Bus
	node string
	now  func() time.Time
	// room answers who may see a room; the core sets it (NewService).
	room roomFunc
	// limits is each viewer's comment rate here (comments.go).
	limits commentLimits

	mu        sync.RWMutex
	rooms     map[string]*roomSockets             // this node's watchers
	sockRooms map[chat.Socket]map[string]struct{} // for socket close
	gone      map[chat.Socket]time.Time           // closed sockets (tombstones)
	remote    map[string]map[string]*nodeView     // room → node → its viewers
	likes     map[string]*likeCount               // room → aggregate
	sent      map[string]int64                    // room → viewers last told
	peak      map[string]int64                    // room → peak written

	subs  []bus.Subscription
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
	dirty chan struct{} // a local join or leave: report soon
}

// roomSockets is one room's sockets on this node.
type roomSockets struct {
	socks map[chat.Socket]struct{}
	users map[string]int // sockets per user
}

// nodeView is what another node reported of one room.
type nodeView struct {
	n     int64
	users map[string]struct{}
	seen  time.Time
}

// likeCount is a room's likes: pending on this node, and the total as
// last flushed or heard.
type likeCount struct {
	pending, total int64
}

// frameHeader is the bus header line before a frame.
type frameHeader struct {
	Room  string   `json:"room"`
	Must  bool     `json:"must,omitempty"`
	To    []string `json:"to,omitempty"`
	Close bool     `json:"close,omitempty"`
	Likes int64    `json:"likes,omitempty"` // a likes frame's total
	Delta int64    `json:"delta,omitempty"` // and its likes since the last
}

// presence is a node's viewers of a room on the bus.
type presence struct {
	Node  string   `json:"node"`
	Room  string   `json:"room"`
	N     int64    `json:"n"`
	Full  bool     `json:"full,omitempty"`
	Users []string `json:"users,omitempty"` // full: every user watching there
	User  string   `json:"user,omitempty"`  // delta: who joined or left
	On    bool     `json:"on,omitempty"`
}

func newRealtime(s *Service, c Config) (*realtime, error) {
	r := &realtime{s: s, bus: c.Bus, node: c.NodeID, now: c.Now,
		rooms: map[string]*roomSockets{}, sockRooms: map[chat.Socket]map[string]struct{}{}, gone: map[chat.Socket]time.Time{},
		remote: map[string]map[string]*nodeView{}, likes: map[string]*likeCount{}, sent: map[string]int64{}, peak: map[string]int64{},
		stop: make(chan struct{}), done: make(chan struct{}), dirty: make(chan struct{}, 1)}
	if r.node == "" {
		r.node = ids.New("node")
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.bus != nil {
		sub, err := r.bus.Subscribe(liveFrameSubject, r.onFrame)
		if err != nil {
			return nil, err
		}
		r.subs = append(r.subs, sub)
		if sub, err = r.bus.Subscribe(livePresenceSubject, r.onPresence); err != nil {
			r.unsubscribe()
			return nil, err
		}
		r.subs = append(r.subs, sub)
		// The server knows the subscriptions before anything is published.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = r.bus.Flush(ctx)
		cancel()
		if err != nil {
			r.unsubscribe()
			return nil, err
		}
	}
	if c.Hub != nil {
		c.Hub.HandleFrame("live_join", r.joinFrame)
		c.Hub.HandleFrame("live_leave", r.leaveFrame)
		c.Hub.OnSocketClosed(r.socketClosed)
	}
	go r.loop()
	return r, nil
}

// roomRef is a client frame naming a room.
type roomRef struct {
	RoomID string `json:"room_id"`
}

func (r *realtime) joinFrame(ctx context.Context, s chat.Socket, raw json.RawMessage) error {
	var f roomRef
	if err := json.Unmarshal(raw, &f); err != nil || f.RoomID == "" {
		return errs.Field("room_id", "A live_join frame needs room_id.")
	}
	return r.join(ctx, s, f.RoomID)
}

func (r *realtime) leaveFrame(ctx context.Context, s chat.Socket, raw json.RawMessage) error {
	var f roomRef
	if err := json.Unmarshal(raw, &f); err != nil || f.RoomID == "" {
		return errs.Field("room_id", "A live_leave frame needs room_id.")
	}
	r.leave(s, f.RoomID)
	return nil
}

// join adds s to the room's watchers after checking the user may see it
// (not_found) and it has not ended (room_ended), and answers s with the
// "joined" frame.
func (r *realtime) join(ctx context.Context, s chat.Socket, roomID string) error {
	if r.room == nil {
		return errs.E(errs.Unavailable, "Live rooms are not available on this node.")
	}
	room, err := r.room(ctx, roomID, s.UserID())
	if err != nil {
		return err
	}
	if room.State == StateEnded {
		return errs.E(RoomEnded, "The room has ended.")
	}
	r.mu.Lock()
	if _, dead := r.gone[s]; dead {
		r.mu.Unlock()
		return nil // the socket closed while joining
	}
	rs := r.rooms[roomID]
	if rs == nil {
		rs = &roomSockets{socks: map[chat.Socket]struct{}{}, users: map[string]int{}}
		r.rooms[roomID] = rs
	}
	first := false
	if _, ok := rs.socks[s]; !ok {
		rs.socks[s] = struct{}{}
		rs.users[s.UserID()]++
		first = rs.users[s.UserID()] == 1
		set := r.sockRooms[s]
		if set == nil {
			set = map[string]struct{}{}
			r.sockRooms[s] = set
		}
		set[roomID] = struct{}{}
	}
	n := int64(len(rs.users))
	r.mu.Unlock()
	if first {
		r.publishPresence(presence{Node: r.node, Room: roomID, N: n, User: s.UserID(), On: true})
		if r.bus != nil {
			fctx, cancel := context.WithTimeout(ctx, time.Second)
			_ = r.bus.Flush(fctx) // the other nodes know before the joiner acts
			cancel()
		}
		r.poke()
	}
	room.Viewers, room.Likes = r.viewers(roomID), r.likesTotal(ctx, roomID)
	fields := map[string]any{"room": room, "viewers": room.Viewers, "likes": room.Likes,
		"showing": room.Showing, "pinned": nil, "comments": []Comment{}}
	if r.s != nil && r.s.db != nil {
		if p, err := r.s.pinnedComment(ctx, roomID); err == nil && p != nil {
			fields["pinned"] = p
		}
		if cs, err := r.s.recentComments(ctx, roomID, joinComments); err == nil {
			fields["comments"] = cs
		}
	}
	s.Send(encodeFrame(roomID, "joined", fields))
	return nil
}

// leave takes s out of the room (nothing when it was not in it).
func (r *realtime) leave(s chat.Socket, roomID string) {
	r.mu.Lock()
	last, n := r.removeLocked(s, roomID)
	r.mu.Unlock()
	if last {
		r.publishPresence(presence{Node: r.node, Room: roomID, N: n, User: s.UserID(), On: false})
		r.poke()
	}
}

// removeLocked takes s out of roomID; last reports its user has no other
// socket there, n is the room's users here after.
func (r *realtime) removeLocked(s chat.Socket, roomID string) (last bool, n int64) {
	rs := r.rooms[roomID]
	if rs == nil {
		return false, 0
	}
	if _, ok := rs.socks[s]; !ok {
		return false, int64(len(rs.users))
	}
	delete(rs.socks, s)
	u := s.UserID()
	if rs.users[u]--; rs.users[u] <= 0 {
		delete(rs.users, u)
		last = true
	}
	if len(rs.socks) == 0 {
		delete(r.rooms, roomID)
	}
	if set := r.sockRooms[s]; set != nil {
		delete(set, roomID)
		if len(set) == 0 {
			delete(r.sockRooms, s)
		}
	}
	return last, int64(len(rs.users))
}

// socketClosed takes a closed socket out of every room (the hub's
// OnSocketClosed) and remembers it, so a join racing the close does not
// keep it.
func (r *realtime) socketClosed(s chat.Socket) {
	type left struct {
		room string
		n    int64
	}
	var lefts []left
	r.mu.Lock()
	r.gone[s] = r.now()
	for roomID := range r.sockRooms[s] {
		if last, n := r.removeLocked(s, roomID); last {
			lefts = append(lefts, left{roomID, n})
		}
	}
	r.mu.Unlock()
	for _, l := range lefts {
		r.publishPresence(presence{Node: r.node, Room: l.room, N: l.n, User: s.UserID(), On: false})
	}
	if len(lefts) > 0 {
		r.poke()
	}
}

// encodeFrame is {"type":"live","room_id","event",…fields}, encoded once.
func encodeFrame(roomID, event string, fields map[string]any) []byte {
	m := make(map[string]any, len(fields)+3)
	for k, v := range fields {
		m[k] = v
	}
	m["type"], m["room_id"], m["event"] = "live", roomID, event
	b, _ := json.Marshal(m)
	return b
}

// broadcast sends a room event ({"type":"live","room_id","event",…}) to
// everyone watching the room on every node. must marks frames every
// viewer must get (showing, stock, ended, deleted, pinned); the others
// (comment, likes, viewers) a slow viewer may miss.
func (r *realtime) broadcast(roomID, event string, fields map[string]any, must bool) {
	r.publish(frameHeader{Room: roomID, Must: must}, encodeFrame(roomID, event, fields))
}

// toUsers sends a room event to these users' sockets watching the room
// (the host's sale frames, the muted viewer's "muted"); it must arrive.
func (r *realtime) toUsers(roomID, event string, fields map[string]any, users ...string) {
	if len(users) == 0 {
		return
	}
	r.publish(frameHeader{Room: roomID, Must: true, To: users}, encodeFrame(roomID, event, fields))
}

// publish puts a header and frame on the bus (every node, this one too,
// fans it out to its sockets); without a bus it delivers here.
func (r *realtime) publish(h frameHeader, frame []byte) {
	hb, _ := json.Marshal(h)
	if r.bus == nil {
		r.deliver(h, frame)
		return
	}
	data := make([]byte, 0, len(hb)+1+len(frame))
	data = append(append(append(data, hb...), '\n'), frame...)
	if err := r.bus.Publish(liveFrameSubject, data); err != nil && r.s != nil {
		r.s.log.Warn("live frame not published", "err", err, "room_id", h.Room)
	}
}

func (r *realtime) onFrame(m *bus.Message) {
	i := bytes.IndexByte(m.Data, '\n')
	if i < 0 {
		return
	}
	var h frameHeader
	if json.Unmarshal(m.Data[:i], &h) != nil || h.Room == "" {
		return
	}
	r.deliver(h, m.Data[i+1:])
}

// deliver hands one frame to this node's sockets in the room: Send for
// must-deliver frames, Offer for the rest.
func (r *realtime) deliver(h frameHeader, frame []byte) {
	if h.Likes > 0 {
		r.mu.Lock()
		lc := r.likeCountLocked(h.Room)
		lc.total = max(lc.total, h.Likes)
		known := lc.total
		r.mu.Unlock()
		if known > h.Likes {
			// Two nodes' flushes crossed on the bus: this frame's total
			// is older than one already told. Its likes still count (the
			// hearts), but the count a viewer sees never goes back.
			frame = likesFrame(h.Room, known, h.Delta)
		}
	}
	if h.Close {
		r.mu.Lock()
		rs := r.rooms[h.Room]
		delete(r.rooms, h.Room)
		if rs != nil {
			for s := range rs.socks {
				if set := r.sockRooms[s]; set != nil {
					delete(set, h.Room)
					if len(set) == 0 {
						delete(r.sockRooms, s)
					}
				}
			}
		}
		delete(r.likes, h.Room)
		delete(r.sent, h.Room)
		delete(r.peak, h.Room)
		delete(r.remote, h.Room)
		r.mu.Unlock()
		if rs != nil {
			for s := range rs.socks {
				s.Send(frame)
			}
		}
		return
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	rs := r.rooms[h.Room]
	if rs == nil {
		return
	}
	if len(h.To) > 0 {
		for s := range rs.socks {
			for _, u := range h.To {
				if s.UserID() == u {
					s.Send(frame)
					break
				}
			}
		}
		return
	}
	if h.Must {
		for s := range rs.socks {
			s.Send(frame)
		}
		return
	}
	for s := range rs.socks {
		s.Offer(frame)
	}
}

// viewers is the number watching the room across nodes, as last counted
// (users here, plus each other node's last report that is not stale).
func (r *realtime) viewers(roomID string) int64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.viewersLocked(roomID, r.now())
}

func (r *realtime) viewersLocked(roomID string, now time.Time) int64 {
	var n int64
	if rs := r.rooms[roomID]; rs != nil {
		n = int64(len(rs.users))
	}
	for _, v := range r.remote[roomID] {
		if now.Sub(v.seen) < staleAfter {
			n += v.n
		}
	}
	return n
}

// watching reports whether userID has a socket in the room on any node:
// this node's sockets, or another node's deltas and reports (a join is
// flushed to the bus before its joined frame is sent).
func (r *realtime) watching(roomID, userID string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if rs := r.rooms[roomID]; rs != nil && rs.users[userID] > 0 {
		return true
	}
	now := r.now()
	for _, v := range r.remote[roomID] {
		if _, ok := v.users[userID]; ok && now.Sub(v.seen) < staleAfter {
			return true
		}
	}
	return false
}

// closeRoom tells everyone watching that the room ended ({"event":"ended",
// "room"}) and lets go of it on every node.
func (r *realtime) closeRoom(roomID string) {
	fields := map[string]any{}
	if r.room != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if room, err := r.room(ctx, roomID, ""); err == nil {
			fields["room"] = room
		}
		cancel()
	}
	r.flushLikes() // the last likes count
	r.publish(frameHeader{Room: roomID, Must: true, Close: true}, encodeFrame(roomID, "ended", fields))
}

func (r *realtime) close() {
	r.once.Do(func() {
		close(r.stop)
		<-r.done
		r.flushLikes()
		// The other nodes stop counting this one's viewers now, not
		// when its reports go stale.
		r.mu.RLock()
		var left []string
		for roomID := range r.rooms {
			left = append(left, roomID)
		}
		r.mu.RUnlock()
		for _, roomID := range left {
			r.publishPresence(presence{Node: r.node, Room: roomID, Full: true})
		}
		if r.bus != nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_ = r.bus.Flush(ctx)
			cancel()
		}
		r.unsubscribe()
	})
}

func (r *realtime) unsubscribe() {
	for _, s := range r.subs {
		s.Unsubscribe()
	}
}

// poke asks the loop to report this node's viewers soon.
func (r *realtime) poke() {
	select {
	case r.dirty <- struct{}{}:
	default:
	}
}

func (r *realtime) publishPresence(p presence) {
	if r.bus == nil {
		return
	}
	b, _ := json.Marshal(p)
	if err := r.bus.Publish(livePresenceSubject, b); err != nil && r.s != nil {
		r.s.log.Warn("live presence not published", "err", err)
	}
}

func (r *realtime) onPresence(m *bus.Message) {
	var p presence
	if json.Unmarshal(m.Data, &p) != nil || p.Node == r.node || p.Room == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	nodes := r.remote[p.Room]
	if nodes == nil {
		nodes = map[string]*nodeView{}
		r.remote[p.Room] = nodes
	}
	v := nodes[p.Node]
	if v == nil {
		v = &nodeView{users: map[string]struct{}{}}
		nodes[p.Node] = v
	}
	v.n, v.seen = p.N, r.now()
	switch {
	case p.Full && (p.Users != nil || p.N == 0):
		v.users = make(map[string]struct{}, len(p.Users))
		for _, u := range p.Users {
			v.users[u] = struct{}{}
		}
	case p.User != "" && p.On:
		v.users[p.User] = struct{}{}
	case p.User != "":
		delete(v.users, p.User)
	}
	if p.N == 0 && len(v.users) == 0 {
		delete(nodes, p.Node)
		if len(nodes) == 0 {
			delete(r.remote, p.Room)
		}
	}
}

// loop flushes likes, sends "viewers" frames and reports this node's
// viewers (every reportEvery, and soon after a join or leave).
func (r *realtime) loop() {
	defer close(r.done)
	likesT := time.NewTicker(likesEvery)
	viewersT := time.NewTicker(viewersEvery)
	reportT := time.NewTicker(reportEvery)
	defer likesT.Stop()
	defer viewersT.Stop()
	defer reportT.Stop()
	reported := map[string]bool{} // rooms reported non-empty last time
	for {
		select {
		case <-r.stop:
			return
		case <-likesT.C:
			r.flushLikes()
		case <-viewersT.C:
			r.tellViewers()
		case <-r.dirty:
			// Coalesce: the deltas went out already; the counts follow
			// with the next viewers tick.
		case <-reportT.C:
			r.report(reported)
			r.prune()
		}
	}
}

// report publishes this node's full viewers of each room it has (and a
// last zero for rooms it no longer has).
func (r *realtime) report(reported map[string]bool) {
	var out []presence
	r.mu.RLock()
	for roomID, rs := range r.rooms {
		p := presence{Node: r.node, Room: roomID, N: int64(len(rs.users)), Full: true}
		if len(rs.users) <= maxReportUsers {
			p.Users = make([]string, 0, len(rs.users))
			for u := range rs.users {
				p.Users = append(p.Users, u)
			}
		}
		out = append(out, p)
	}
	r.mu.RUnlock()
	now := map[string]bool{}
	for _, p := range out {
		now[p.Room] = true
	}
	for roomID := range reported {
		if !now[roomID] {
			out = append(out, presence{Node: r.node, Room: roomID, Full: true})
		}
	}
	clear(reported)
	for k := range now {
		reported[k] = true
	}
	for _, p := range out {
		r.publishPresence(p)
	}
}

// prune forgets other nodes' stale reports and old tombstones.
func (r *realtime) prune() {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	for roomID, nodes := range r.remote {
		for n, v := range nodes {
			if now.Sub(v.seen) >= staleAfter {
				delete(nodes, n)
			}
		}
		if len(nodes) == 0 {
			delete(r.remote, roomID)
		}
	}
	for s, at := range r.gone {
		if now.Sub(at) >= tombstoneFor {
			delete(r.gone, s)
		}
	}
}

// tellViewers sends this node's sockets a "viewers" frame for each room
// whose total changed, and keeps the room's peak.
func (r *realtime) tellViewers() {
	type change struct {
		room string
		n    int64
		peak bool
	}
	var changes []change
	now := r.now()
	r.mu.Lock()
	for roomID := range r.rooms {
		n := r.viewersLocked(roomID, now)
		if last, ok := r.sent[roomID]; ok && last == n {
			continue
		}
		r.sent[roomID] = n
		c := change{room: roomID, n: n}
		if n > r.peak[roomID] {
			r.peak[roomID] = n
			c.peak = true
		}
		changes = append(changes, c)
	}
	for roomID := range r.sent {
		if r.rooms[roomID] == nil {
			delete(r.sent, roomID)
		}
	}
	r.mu.Unlock()
	for _, c := range changes {
		r.deliver(frameHeader{Room: c.room}, encodeFrame(c.room, "viewers", map[string]any{"viewers": c.n}))
		if c.peak && r.s != nil && r.s.db != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			if err := r.s.notePeak(ctx, c.room, c.n); err != nil {
				r.s.log.Warn("live peak viewers not stored", "err", err, "room_id", c.room)
			}
			cancel()
		}
	}
}

func (r *realtime) likeCountLocked(roomID string) *likeCount {
	lc := r.likes[roomID]
	if lc == nil {
		lc = &likeCount{total: -1}
		r.likes[roomID] = lc
	}
	return lc
}

// addLikes counts n likes on this node (flushed every likesEvery) and
// answers the room's total as this node knows it.
func (r *realtime) addLikes(ctx context.Context, roomID string, n int64) int64 {
	total := r.likesTotal(ctx, roomID)
	r.mu.Lock()
	lc := r.likeCountLocked(roomID)
	lc.pending += n
	total = max(total, lc.total) + lc.pending
	r.mu.Unlock()
	return total
}

// likesTotal is the room's flushed total (read once from the database,
// then kept by the flushes and the likes frames of every node).
func (r *realtime) likesTotal(ctx context.Context, roomID string) int64 {
	r.mu.RLock()
	lc := r.likes[roomID]
	known := lc != nil && lc.total >= 0
	var t int64
	if known {
		t = lc.total
	}
	r.mu.RUnlock()
	if known || r.s == nil || r.s.db == nil {
		return t
	}
	likes, _, err := r.s.chatCounts(ctx, roomID)
	if err != nil {
		return 0
	}
	r.mu.Lock()
	lc = r.likeCountLocked(roomID)
	lc.total = max(lc.total, likes)
	t = lc.total
	r.mu.Unlock()
	return t
}

// flushLikes adds each room's pending likes to its total in the database
// and broadcasts one "likes" frame {likes, delta} per room.
func (r *realtime) flushLikes() {
	type flush struct {
		room  string
		delta int64
	}
	var fs []flush
	r.mu.Lock()
	for roomID, lc := range r.likes {
		if lc.pending > 0 {
			fs = append(fs, flush{roomID, lc.pending})
			lc.pending = 0
		}
	}
	r.mu.Unlock()
	for _, f := range fs {
		total := f.delta
		if r.s != nil && r.s.db != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			t, err := r.s.addLikesTotal(ctx, f.room, f.delta)
			cancel()
			if err != nil {
				r.s.log.Warn("live likes not stored", "err", err, "room_id", f.room)
				r.mu.Lock()
				r.likeCountLocked(f.room).pending += f.delta // next flush tries again
				r.mu.Unlock()
				continue
			}
			total = t
		}
		r.mu.Lock()
		lc := r.likeCountLocked(f.room)
		lc.total = max(lc.total, total)
		r.mu.Unlock()
		r.publish(frameHeader{Room: f.room, Likes: total, Delta: f.delta}, likesFrame(f.room, total, f.delta))
	}
}

// likesFrame is a room's "likes" event: the total and the likes since
// the sending node's last.
func likesFrame(roomID string, total, delta int64) []byte {
	return encodeFrame(roomID, "likes", map[string]any{"likes": total, "delta": delta})
}

// peakViewers is the most viewers this node counted in the room (the
// stored peak, over every node, is in chatCounts' table).
func (r *realtime) peakViewers(roomID string) int64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.peak[roomID]
}
