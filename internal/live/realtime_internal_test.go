package live

import (
	"context"
	"encoding/json"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/chat"
	"github.com/plaza-dev/plaza/internal/platform/bus"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

const wait = 5 * time.Second

// fakeSocket is a chat.Socket with a bounded queue, as the hub's: Offer
// drops at half full, Send on a full queue closes it.
type fakeSocket struct {
	user   string
	q      chan []byte
	closed atomic.Bool
	shed   atomic.Int64
}

func newSocket(user string, queue int) *fakeSocket {
	return &fakeSocket{user: user, q: make(chan []byte, queue)}
}

func (f *fakeSocket) UserID() string { return f.user }

func (f *fakeSocket) Send(b []byte) {
	if f.closed.Load() {
		return
	}
	select {
	case f.q <- b:
	default:
		f.closed.Store(true)
	}
}

func (f *fakeSocket) Offer(b []byte) bool {
	if f.closed.Load() || len(f.q) >= cap(f.q)/2 {
		f.shed.Add(1)
		return false
	}
	select {
	case f.q <- b:
		return true
	default:
		f.shed.Add(1)
		return false
	}
}

// next waits for the socket's next frame of event (others are skipped).
func (f *fakeSocket) next(t testing.TB, event string) map[string]any {
	t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case b := <-f.q:
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("bad frame %s: %v", b, err)
			}
			if m["type"] != "live" {
				t.Fatalf("frame type %v", m["type"])
			}
			if m["event"] == event {
				return m
			}
		case <-deadline:
			t.Fatalf("%s: no %q frame within %v", f.user, event, wait)
		}
	}
}

// drain takes every queued frame of event now.
func (f *fakeSocket) drain(event string) []map[string]any {
	var out []map[string]any
	for {
		select {
		case b := <-f.q:
			var m map[string]any
			json.Unmarshal(b, &m)
			if m["event"] == event {
				out = append(out, m)
			}
		default:
			return out
		}
	}
}

var _ chat.Socket = (*fakeSocket)(nil)

// rooms is the core's part in tests: the rooms, their hosts and states;
// user "stranger" may see none of them.
type rooms struct {
	mu sync.Mutex
	m  map[string]Room
}

func (rs *rooms) get(ctx context.Context, roomID, userID string) (Room, error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	r, ok := rs.m[roomID]
	if !ok || userID == "stranger" {
		return Room{}, errs.E(errs.NotFound, "No such room.")
	}
	return r, nil
}

func (rs *rooms) set(r Room) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.m[r.ID] = r
}

type accounts struct{}

func (accounts) User(ctx context.Context, id string) (account.User, error) {
	return account.User{ID: id, DisplayName: "Name of " + id}, nil
}

// cluster is n live services (nodes) over one database and one NATS.
type cluster struct {
	db    *sqldb.DB
	rooms *rooms
	nodes []*Service
}

func openBus(t testing.TB, prefix string) *bus.Bus {
	t.Helper()
	url := os.Getenv("PLAZA_TEST_NATS")
	if url == "" {
		url = "nats://127.0.0.1:4222"
	}
	b, err := bus.Open(context.Background(), bus.Config{URL: url, Prefix: prefix, Name: "live-test"})
	if err != nil {
		dbtest.Require(t, "nats", "no NATS: "+err.Error())
	}
	t.Cleanup(b.Close)
	return b
}

func newCluster(t testing.TB, n int, rate float64) *cluster {
	t.Helper()
	return newClusterOn(t, dbtest.SQLite(t, Migrations), n, rate)
}

func newClusterOn(t testing.TB, db *sqldb.DB, n int, rate float64) *cluster {
	t.Helper()
	c := &cluster{db: db, rooms: &rooms{m: map[string]Room{}}}
	prefix := "livetest" + ids.Token(8)
	for i := 0; i < n; i++ {
		s, err := NewService(Config{DB: c.db, Bus: openBus(t, prefix), Accounts: accounts{}, CommentRate: rate, NodeID: ids.New("node")})
		if err != nil {
			t.Fatal(err)
		}
		s.rt.room = c.rooms.get
		t.Cleanup(s.Close)
		c.nodes = append(c.nodes, s)
	}
	c.rooms.set(Room{ID: "room1", OwnerID: "host", State: StateLive, Title: "Nova 12 launch"})
	c.rooms.set(Room{ID: "room2", OwnerID: "host2", State: StateLive})
	return c
}

func (c *cluster) join(t testing.TB, node int, room string, s *fakeSocket) map[string]any {
	t.Helper()
	if err := c.nodes[node].rt.join(context.Background(), s, room); err != nil {
		t.Fatalf("join %s: %v", s.user, err)
	}
	return s.next(t, "joined")
}

func (c *cluster) rows(t testing.TB) int {
	t.Helper()
	var n int
	if err := c.db.QueryRow(context.Background(), `SELECT COUNT(*) FROM live_comments`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func eventually(t testing.TB, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", wait, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestCommentPostedOnOneNodeReachesViewersOnAnother(t *testing.T) {
	c := newCluster(t, 2, 10)
	ctx := context.Background()
	onA, onB := newSocket("ann", 64), newSocket("ben", 64)
	j := c.join(t, 0, "room1", onA)
	if j["room_id"] != "room1" || j["room"].(map[string]any)["title"] != "Nova 12 launch" || j["comments"] == nil {
		t.Fatalf("joined frame: %v", j)
	}
	c.join(t, 1, "room1", onB)
	// ann joined on A, posts on B: B knows she watches (over the bus).
	cm, err := c.nodes[1].PostComment(ctx, "ann", "room1", NewComment{ClientID: "c1", Text: "  hello from A  "})
	if err != nil {
		t.Fatal(err)
	}
	if cm.Text != "hello from A" || cm.User.DisplayName != "Name of ann" {
		t.Fatalf("comment: %+v", cm)
	}
	for _, s := range []*fakeSocket{onA, onB} {
		f := s.next(t, "comment")
		if f["comment"].(map[string]any)["id"] != cm.ID || f["room_id"] != "room1" {
			t.Fatalf("%s got %v", s.user, f)
		}
	}
	// A viewer of another room hears nothing; a late joiner sees it in
	// the joined frame.
	other := newSocket("cat", 8)
	c.join(t, 1, "room2", other)
	late := newSocket("dan", 8)
	j = c.join(t, 0, "room1", late)
	if cs := j["comments"].([]any); len(cs) != 1 || cs[0].(map[string]any)["text"] != "hello from A" {
		t.Fatalf("joined comments: %v", j["comments"])
	}
	if got := other.drain("comment"); len(got) != 0 {
		t.Fatalf("room2's viewer got %v", got)
	}
	items, err := c.nodes[1].Comments(ctx, "ben", "room1", 50)
	if err != nil || len(items) != 1 || items[0].ID != cm.ID {
		t.Fatalf("comments %v %v", items, err)
	}
}

// Two nodes' flushes may cross on the bus: a frame whose total is older
// than one a node has already told its viewers still brings its likes
// (the delta), under the newer total; the count never goes back.
func TestLikesCountNeverGoesBack(t *testing.T) {
	c := newCluster(t, 1, 10)
	viewer := newSocket("ann", 128)
	c.join(t, 0, "room1", viewer)
	rt := c.nodes[0].rt
	rt.deliver(frameHeader{Room: "room1", Likes: 100, Delta: 50}, likesFrame("room1", 100, 50))
	rt.deliver(frameHeader{Room: "room1", Likes: 50, Delta: 50}, likesFrame("room1", 50, 50))
	var got []map[string]any
	eventually(t, "two likes frames", func() bool {
		got = append(got, viewer.drain("likes")...)
		return len(got) >= 2
	})
	if got[0]["likes"] != 100.0 || got[1]["likes"] != 100.0 || got[1]["delta"] != 50.0 {
		t.Fatalf("frames %v: want 100 (+50), then 100 (+50)", got)
	}
}

func TestLikesAreAggregated(t *testing.T) {
	c := newCluster(t, 2, 10)
	ctx := context.Background()
	viewer := newSocket("ann", 128)
	c.join(t, 0, "room1", viewer)
	c.join(t, 1, "room1", newSocket("ben", 128))
	eventually(t, "ben seen on A", func() bool { return c.nodes[0].rt.watching("room1", "ben") })
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			who, node := "ann", 0
			if i%2 == 1 {
				who, node = "ben", 1
			}
			if _, err := c.nodes[node].Like(ctx, who, "room1", 1); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	var frames []map[string]any
	eventually(t, "likes total 100", func() bool {
		frames = append(frames, viewer.drain("likes")...)
		return len(frames) > 0 && frames[len(frames)-1]["likes"].(float64) == 100
	})
	var delta, shown float64
	for _, f := range frames {
		delta += f["delta"].(float64)
		if f["likes"].(float64) < shown {
			t.Fatalf("the count went back: %v", frames)
		}
		shown = f["likes"].(float64)
	}
	if len(frames) > 8 || delta != 100 {
		t.Fatalf("%d likes frames for 100 likes, deltas sum %v", len(frames), delta)
	}
	if likes, _, _ := c.nodes[1].chatCounts(ctx, "room1"); likes != 100 {
		t.Fatalf("stored likes %d", likes)
	}
	if total, err := c.nodes[1].Like(ctx, "ben", "room1", 5); err != nil || total != 105 {
		t.Fatalf("like answer %d %v", total, err)
	}
	for _, n := range []int64{0, 101, -1} {
		if _, err := c.nodes[0].Like(ctx, "ann", "room1", n); !errs.Is(err, errs.InvalidArgument) {
			t.Fatalf("count %d: %v", n, err)
		}
	}
	if _, err := c.nodes[0].Like(ctx, "zed", "room1", 1); !errs.Is(err, NotInRoom) {
		t.Fatalf("like without joining: %v", err)
	}
}

func TestViewersAreCountedOverNodes(t *testing.T) {
	c := newCluster(t, 2, 10)
	var socks []*fakeSocket
	for i, u := range []string{"a1", "a2", "a3", "b1", "b2"} {
		s := newSocket(u, 128)
		socks = append(socks, s)
		c.join(t, i/3, "room1", s)
	}
	// A second socket of a1 is the same viewer.
	c.join(t, 0, "room1", newSocket("a1", 128))
	for i, n := range c.nodes {
		eventually(t, "5 viewers on every node", func() bool { return n.rt.viewers("room1") == 5 })
		if !n.rt.watching("room1", "a1") || !n.rt.watching("room1", "b2") || n.rt.watching("room1", "zed") {
			t.Fatalf("node %d: watching is wrong", i)
		}
	}
	f := socks[3].next(t, "viewers")
	for f["viewers"].(float64) != 5 {
		f = socks[3].next(t, "viewers")
	}
	c.nodes[1].rt.leave(socks[4], "room1")
	c.nodes[0].rt.socketClosed(socks[0]) // a1's other socket stays
	eventually(t, "4 viewers on A", func() bool { return c.nodes[0].rt.viewers("room1") == 4 })
	if c.nodes[0].rt.watching("room1", "b2") || !c.nodes[1].rt.watching("room1", "a1") {
		t.Fatal("watching after leave is wrong")
	}
	st, err := c.nodes[0].chatStats(context.Background(), "room1")
	if err != nil || st.Viewers != 4 || st.PeakViewers != 5 {
		t.Fatalf("stats %+v %v", st, err)
	}
}

func TestSlowViewerLosesCommentsNotTheSocket(t *testing.T) {
	c := newCluster(t, 1, 10)
	ctx := context.Background()
	slow := newSocket("slow", 16) // never read
	fast := newSocket("fast", 1024)
	c.join(t, 0, "room1", slow)
	c.join(t, 0, "room1", fast)
	var last Comment
	for i := 0; i < 40; i++ {
		cm, err := c.nodes[0].PostComment(ctx, "host", "room1", NewComment{Text: "flood"})
		if err != nil {
			t.Fatal(err)
		}
		last = cm
	}
	eventually(t, "fast viewer got 40 comments", func() bool { return len(fast.q) >= 40 })
	if slow.closed.Load() || slow.shed.Load() == 0 || len(slow.q) > cap(slow.q)/2 {
		t.Fatalf("slow: closed %v shed %d queued %d", slow.closed.Load(), slow.shed.Load(), len(slow.q))
	}
	// Must-deliver frames still arrive.
	if _, err := c.nodes[0].Pin(ctx, "host", "room1", last.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "slow viewer got pinned", func() bool { return len(slow.q) == cap(slow.q)/2+1 })
	if slow.closed.Load() {
		t.Fatal("slow socket closed")
	}
	if got := slow.drain("pinned"); len(got) != 1 || got[0]["comment"].(map[string]any)["id"] != last.ID {
		t.Fatalf("pinned: %v", got)
	}
}

func TestCommentsRefusedLeaveNoRow(t *testing.T) {
	c := newCluster(t, 2, 1)
	ctx := context.Background()
	c.join(t, 0, "room1", newSocket("ann", 64))
	c.join(t, 0, "room1", newSocket("bob", 64))
	a := c.nodes[1]
	cases := []struct {
		name, user, room, text, code string
	}{
		{"empty", "ann", "room1", "   ", errs.InvalidArgument},
		{"too long", "ann", "room1", string(make([]rune, 201)), errs.InvalidArgument},
		{"control", "ann", "room1", "line\nbreak", errs.InvalidArgument},
		{"bad utf8", "ann", "room1", "\xff\xfe", errs.InvalidArgument},
		{"not in room", "zed", "room1", "hi", NotInRoom},
		{"in another room", "ann", "room2", "hi", NotInRoom},
		{"no such room", "ann", "nope", "hi", errs.NotFound},
		{"room hidden", "stranger", "room1", "hi", errs.NotFound},
	}
	for _, tc := range cases {
		if _, err := a.PostComment(ctx, tc.user, tc.room, NewComment{Text: tc.text}); !errs.Is(err, tc.code) {
			t.Fatalf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	if n := c.rows(t); n != 0 {
		t.Fatalf("%d rows after refusals", n)
	}
	// 200 characters is fine; the host mutes bob.
	long := []rune{}
	for i := 0; i < 200; i++ {
		long = append(long, '字')
	}
	if _, err := a.PostComment(ctx, "ann", "room1", NewComment{Text: string(long)}); err != nil {
		t.Fatal(err)
	}
	if err := a.Mute(ctx, "ann", "room1", "bob"); !errs.Is(err, errs.Forbidden) {
		t.Fatalf("viewer mutes: %v", err)
	}
	if err := a.Mute(ctx, "host", "room1", "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.PostComment(ctx, "bob", "room1", NewComment{Text: "hi"}); !errs.Is(err, Muted) {
		t.Fatalf("muted: %v", err)
	}
	if err := a.Unmute(ctx, "host", "room1", "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.PostComment(ctx, "bob", "room1", NewComment{Text: "back"}); err != nil {
		t.Fatalf("unmuted: %v", err)
	}
	// Rate: burst 5 (ann has used 1), then rate_limited.
	for i := 0; i < 4; i++ {
		if _, err := a.PostComment(ctx, "ann", "room1", NewComment{Text: "burst"}); err != nil {
			t.Fatalf("burst %d: %v", i, err)
		}
	}
	if _, err := a.PostComment(ctx, "ann", "room1", NewComment{Text: "one too many"}); !errs.Is(err, errs.RateLimited) {
		t.Fatalf("rate: %v", err)
	}
	if n := c.rows(t); n != 6 {
		t.Fatalf("%d rows, want 6", n)
	}
	// An ended room.
	c.rooms.set(Room{ID: "room1", OwnerID: "host", State: StateEnded})
	if _, err := a.PostComment(ctx, "host", "room1", NewComment{Text: "late"}); !errs.Is(err, RoomEnded) {
		t.Fatalf("ended: %v", err)
	}
	if err := c.nodes[0].rt.join(ctx, newSocket("eve", 8), "room1"); !errs.Is(err, RoomEnded) {
		t.Fatalf("join ended: %v", err)
	}
	if n := c.rows(t); n != 6 {
		t.Fatalf("%d rows, want 6", n)
	}
}

func TestCommentClientIDDedups(t *testing.T) {
	c := newCluster(t, 2, 10)
	ctx := context.Background()
	s := newSocket("ann", 64)
	c.join(t, 0, "room1", s)
	var wg sync.WaitGroup
	got := make([]Comment, 6)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cm, err := c.nodes[i%2].PostComment(ctx, "ann", "room1", NewComment{ClientID: "same", Text: "once"})
			if err != nil {
				t.Error(err)
			}
			got[i] = cm
		}()
	}
	wg.Wait()
	for _, cm := range got {
		if cm.ID != got[0].ID || cm.ClientID != "same" {
			t.Fatalf("dedup answers differ: %+v vs %+v", cm, got[0])
		}
	}
	s.next(t, "comment")
	time.Sleep(300 * time.Millisecond)
	if more := s.drain("comment"); len(more) != 0 {
		t.Fatalf("second frame: %v", more)
	}
	if c.rows(t) != 1 {
		t.Fatal("two rows")
	}
	// Another user's same client_id is another comment.
	c.join(t, 1, "room1", newSocket("ben", 64))
	if cm, err := c.nodes[0].PostComment(ctx, "ben", "room1", NewComment{ClientID: "same", Text: "mine"}); err != nil || cm.ID == got[0].ID {
		t.Fatalf("ben's comment %+v %v", cm, err)
	}
}

func TestHostModeration(t *testing.T) {
	c := newCluster(t, 2, 10)
	ctx := context.Background()
	viewer, bob := newSocket("ann", 64), newSocket("bob", 64)
	c.join(t, 0, "room1", viewer)
	c.join(t, 1, "room1", bob)
	c.join(t, 1, "room2", newSocket("cat", 64))
	cm, err := c.nodes[1].PostComment(ctx, "ann", "room1", NewComment{Text: "buy!"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := c.nodes[1].PostComment(ctx, "cat", "room2", NewComment{Text: "elsewhere"})
	if err != nil {
		t.Fatal(err)
	}
	// Not the host: forbidden; a room they cannot see: not_found; another
	// room's comment: not_found.
	if err := c.nodes[0].DeleteComment(ctx, "ann", "room1", cm.ID); !errs.Is(err, errs.Forbidden) {
		t.Fatalf("viewer deletes: %v", err)
	}
	if _, err := c.nodes[0].Pin(ctx, "stranger", "room1", cm.ID); !errs.Is(err, errs.NotFound) {
		t.Fatalf("stranger pins: %v", err)
	}
	if err := c.nodes[0].DeleteComment(ctx, "host", "room1", other.ID); !errs.Is(err, errs.NotFound) {
		t.Fatalf("other room's comment: %v", err)
	}
	if _, err := c.nodes[0].Pin(ctx, "host", "room1", other.ID); !errs.Is(err, errs.NotFound) {
		t.Fatalf("pin other room's comment: %v", err)
	}
	p, err := c.nodes[0].Pin(ctx, "host", "room1", cm.ID)
	if err != nil || p.ID != cm.ID {
		t.Fatalf("pin %v %v", p, err)
	}
	if f := viewer.next(t, "pinned"); f["comment"].(map[string]any)["id"] != cm.ID {
		t.Fatalf("pinned frame %v", f)
	}
	late := newSocket("dan", 64)
	if j := c.join(t, 1, "room1", late); j["pinned"].(map[string]any)["id"] != cm.ID {
		t.Fatalf("joined pinned %v", j["pinned"])
	}
	if err := c.nodes[0].DeleteComment(ctx, "host", "room1", cm.ID); err != nil {
		t.Fatal(err)
	}
	if f := viewer.next(t, "deleted"); f["comment_id"] != cm.ID {
		t.Fatalf("deleted frame %v", f)
	}
	if f := viewer.next(t, "pinned"); f["comment"] != nil {
		t.Fatalf("unpinned frame %v", f)
	}
	if err := c.nodes[0].DeleteComment(ctx, "host", "room1", cm.ID); !errs.Is(err, errs.NotFound) {
		t.Fatalf("delete twice: %v", err)
	}
	if items, _ := c.nodes[0].Comments(ctx, "ann", "room1", 50); len(items) != 0 {
		t.Fatalf("deleted comment listed: %v", items)
	}
	// The muted viewer alone hears of it, on their node.
	if err := c.nodes[0].Mute(ctx, "host", "room1", "bob"); err != nil {
		t.Fatal(err)
	}
	if f := bob.next(t, "muted"); f["user_id"] != "bob" {
		t.Fatalf("muted frame %v", f)
	}
	time.Sleep(200 * time.Millisecond)
	if got := viewer.drain("muted"); len(got) != 0 {
		t.Fatalf("others heard the mute: %v", got)
	}
	if err := c.nodes[0].Mute(ctx, "host", "room1", "host"); !errs.Is(err, errs.InvalidArgument) {
		t.Fatalf("host mutes self: %v", err)
	}
	// Ending: everyone gets ended, and the room is let go.
	c.nodes[1].rt.closeRoom("room1")
	viewer.next(t, "ended")
	bob.next(t, "ended")
	eventually(t, "room let go", func() bool {
		c.nodes[0].rt.mu.RLock()
		defer c.nodes[0].rt.mu.RUnlock()
		return c.nodes[0].rt.rooms["room1"] == nil
	})
}

// TestJoinsRaceSocketClose joins, leaves and closes sockets at once (run
// with -race): no closed socket stays in a room, and the counts come back
// to zero.
func TestJoinsRaceSocketClose(t *testing.T) {
	c := newCluster(t, 1, 10)
	rt := c.nodes[0].rt
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := 0; i < 200; i++ {
		s := newSocket(ids.Token(4), 64)
		wg.Add(3)
		go func() { defer wg.Done(); rt.join(ctx, s, "room1"); rt.join(ctx, s, "room2") }()
		go func() { defer wg.Done(); rt.leave(s, "room2") }()
		go func() { defer wg.Done(); time.Sleep(time.Duration(i%3) * time.Millisecond); rt.socketClosed(s) }()
	}
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rt.broadcast("room1", "comment", map[string]any{"n": i}, false)
			rt.viewers("room1")
		}()
	}
	wg.Wait()
	rt.mu.RLock()
	defer rt.mu.RUnlock()
	if len(rt.rooms) != 0 || len(rt.sockRooms) != 0 {
		t.Fatalf("closed sockets left: %d rooms, %d sockets", len(rt.rooms), len(rt.sockRooms))
	}
}

// TestChatOnPostgres runs the chat's statements on PostgreSQL
// (PLAZA_TEST_POSTGRES): a comment, its dedup, likes flushed, a pin, a
// mute, the peak of viewers.
func TestChatOnPostgres(t *testing.T) {
	c := newClusterOn(t, dbtest.Postgres(t, Migrations), 1, 10)
	ctx := context.Background()
	s := c.nodes[0]
	v := newSocket("ann", 64)
	c.join(t, 0, "room1", v)
	cm, err := s.PostComment(ctx, "ann", "room1", NewComment{ClientID: "x", Text: "pg"})
	if err != nil {
		t.Fatal(err)
	}
	if again, err := s.PostComment(ctx, "ann", "room1", NewComment{ClientID: "x", Text: "pg"}); err != nil || again.ID != cm.ID {
		t.Fatalf("dedup %v %v", again, err)
	}
	s.Like(ctx, "ann", "room1", 7)
	s.Like(ctx, "ann", "room1", 3)
	eventually(t, "likes flushed", func() bool { l, _, _ := s.chatCounts(ctx, "room1"); return l == 10 })
	if _, err := s.Pin(ctx, "host", "room1", cm.ID); err != nil {
		t.Fatal(err)
	}
	if p, err := s.pinnedComment(ctx, "room1"); err != nil || p == nil || p.ID != cm.ID {
		t.Fatalf("pinned %v %v", p, err)
	}
	if err := s.Mute(ctx, "host", "room1", "ann"); err != nil {
		t.Fatal(err)
	}
	if err := s.Mute(ctx, "host", "room1", "ann"); err != nil {
		t.Fatalf("mute twice: %v", err)
	}
	if _, err := s.PostComment(ctx, "ann", "room1", NewComment{Text: "x"}); !errs.Is(err, Muted) {
		t.Fatalf("muted: %v", err)
	}
	if err := s.DeleteComment(ctx, "host", "room1", cm.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "peak stored", func() bool {
		var peak int64
		s.db.QueryRow(ctx, `SELECT peak_viewers FROM live_room_counters WHERE room_id = ?`, "room1").Scan(&peak)
		return peak == 1
	})
	st, err := s.chatStats(ctx, "room1")
	if err != nil || st.Likes != 10 || st.Comments != 1 || st.PeakViewers != 1 {
		t.Fatalf("stats %+v %v", st, err)
	}
}

// TestNodeGoneStopsCounting: a node that closes takes its viewers with
// it (at once when it closes cleanly; a silent one after staleAfter).
func TestNodeGoneStopsCounting(t *testing.T) {
	c := newCluster(t, 2, 10)
	c.join(t, 0, "room1", newSocket("ann", 64))
	c.join(t, 1, "room1", newSocket("ben", 64))
	eventually(t, "2 viewers on A", func() bool { return c.nodes[0].rt.viewers("room1") == 2 })
	c.nodes[1].Close()
	eventually(t, "1 viewer on A", func() bool { return c.nodes[0].rt.viewers("room1") == 1 })
	if c.nodes[0].rt.watching("room1", "ben") {
		t.Fatal("ben still watching")
	}
	// A silent node's report goes stale.
	rt := c.nodes[0].rt
	rt.onPresence(&bus.Message{Data: []byte(`{"node":"ghost","room":"room1","n":5,"full":true,"users":["g"]}`)})
	if rt.viewers("room1") != 6 || !rt.watching("room1", "g") {
		t.Fatal("ghost's report not counted")
	}
	rt.mu.Lock()
	rt.remote["room1"]["ghost"].seen = time.Now().Add(-staleAfter)
	rt.mu.Unlock()
	if rt.viewers("room1") != 1 || rt.watching("room1", "g") {
		t.Fatal("a stale report still counts")
	}
}
