package live

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/plaza-dev/plaza/internal/chat"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
	"github.com/plaza-dev/plaza/internal/platform/ids"
)

// tokenAuth signs in the user the bearer token names.
type tokenAuth struct{}

func (tokenAuth) Authenticate(ctx context.Context, token string) (httpx.Principal, error) {
	return httpx.Principal{UserID: token, SessionID: "s-" + token}, nil
}

// wsNode is a node for socket tests: a chat hub serving /api/v1/ws and
// the live routes, over the shared database and bus.
type wsNode struct {
	url string
	svc *Service
	hub *chat.Hub
}

func newWSNodes(t testing.TB, n int) ([]*wsNode, *rooms) {
	t.Helper()
	db := dbtest.SQLite(t, Migrations)
	rs := &rooms{m: map[string]Room{}}
	rs.set(Room{ID: "room1", OwnerID: "host", State: StateLive})
	prefix := "livews" + ids.Token(8)
	var out []*wsNode
	for i := 0; i < n; i++ {
		b := openBus(t, prefix)
		hub, err := chat.NewHub(chat.HubConfig{Bus: b})
		if err != nil {
			t.Fatal(err)
		}
		svc, err := NewService(Config{DB: db, Bus: b, Hub: hub, Accounts: accounts{}, CommentRate: 100})
		if err != nil {
			t.Fatal(err)
		}
		svc.rt.room = rs.get
		auth := &httpx.Auth{Authn: tokenAuth{}}
		mux := http.NewServeMux()
		(&chat.Handler{Hub: hub, Auth: auth}).Register(mux)
		(&Handler{Service: svc, Auth: auth}).Register(mux)
		srv := httptest.NewServer(mux)
		t.Cleanup(func() { srv.Close(); hub.Close(); svc.Close() })
		out = append(out, &wsNode{url: srv.URL, svc: svc, hub: hub})
	}
	return out, rs
}

// ws is a test socket.
type ws struct {
	c *websocket.Conn
}

func dialWS(t testing.TB, base, user string) *ws {
	t.Helper()
	url := "ws" + strings.TrimPrefix(base, "http") + "/api/v1/ws"
	c, _, err := websocket.Dial(context.Background(), url, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + user}}})
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(1 << 20)
	t.Cleanup(func() { c.CloseNow() })
	s := &ws{c: c}
	s.next(t, func(m map[string]any) bool { return m["type"] == "ready" })
	return s
}

func (s *ws) send(t testing.TB, v any) {
	t.Helper()
	b, _ := json.Marshal(v)
	if err := s.c.Write(context.Background(), websocket.MessageText, b); err != nil {
		t.Fatal(err)
	}
}

func (s *ws) next(t testing.TB, match func(map[string]any) bool) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	for {
		_, b, err := s.c.Read(ctx)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		var m map[string]any
		json.Unmarshal(b, &m)
		if m["type"] == "error" && strings.Contains(string(b), `Unknown frame type \"live_`) {
			t.Fatalf("the chat hub refused a live frame: %s", b)
		}
		if match(m) {
			return m
		}
	}
}

func liveEvent(e string) func(map[string]any) bool {
	return func(m map[string]any) bool { return m["type"] == "live" && m["event"] == e }
}

func call(t testing.TB, base, user, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+user)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, m
}

func TestSocketsAcrossNodesOverHTTP(t *testing.T) {
	nodes, _ := newWSNodes(t, 2)
	a, b := nodes[0], nodes[1]
	ann, ben := dialWS(t, a.url, "ann"), dialWS(t, b.url, "ben")
	ann.send(t, map[string]any{"type": "live_join", "room_id": "room1"})
	if j := ann.next(t, liveEvent("joined")); j["room_id"] != "room1" {
		t.Fatalf("joined %v", j)
	}
	ben.send(t, map[string]any{"type": "live_join", "room_id": "room1"})
	ben.next(t, liveEvent("joined"))
	// A room the user cannot see: an error frame.
	zed := dialWS(t, a.url, "stranger")
	zed.send(t, map[string]any{"type": "live_join", "room_id": "room1"})
	if f := zed.next(t, func(m map[string]any) bool { return m["type"] == "error" }); f["error"].(map[string]any)["code"] != "not_found" {
		t.Fatalf("error frame %v", f)
	}

	st, body := call(t, b.url, "ann", "POST", "/api/v1/live/rooms/room1/comments", `{"client_id":"k1","text":"hi from B"}`)
	if st != 201 || body["comment"].(map[string]any)["text"] != "hi from B" {
		t.Fatalf("post: %d %v", st, body)
	}
	for _, s := range []*ws{ann, ben} {
		if f := s.next(t, liveEvent("comment")); f["comment"].(map[string]any)["text"] != "hi from B" {
			t.Fatalf("comment frame %v", f)
		}
	}
	for _, tc := range []struct {
		user, method, path, body string
		status                   int
		code                     string
	}{
		{"zoe", "POST", "/comments", `{"text":"x"}`, 403, NotInRoom},
		{"ann", "POST", "/comments", `{"text":""}`, 400, "invalid_argument"},
		{"ann", "POST", "/likes", `{"count":0}`, 400, "invalid_argument"},
		{"ann", "POST", "/pin", `{"comment_id":""}`, 403, "forbidden"},
		{"stranger", "GET", "/comments", ``, 404, "not_found"},
		{"host", "DELETE", "/comments/lc_nope", ``, 404, "not_found"},
	} {
		st, body := call(t, a.url, tc.user, tc.method, "/api/v1/live/rooms/room1"+tc.path, tc.body)
		if st != tc.status || body["error"].(map[string]any)["code"] != tc.code {
			t.Fatalf("%s %s %s: %d %v", tc.user, tc.method, tc.path, st, body)
		}
	}
	if st, body := call(t, a.url, "ann", "POST", "/api/v1/live/rooms/room1/likes", `{"count":3}`); st != 202 || body["likes"].(float64) != 3 {
		t.Fatalf("likes %d %v", st, body)
	}
	if f := ben.next(t, liveEvent("likes")); f["likes"].(float64) != 3 {
		t.Fatalf("likes frame %v", f)
	}
	if st, body := call(t, a.url, "ben", "GET", "/api/v1/live/rooms/room1/comments?limit=10", ``); st != 200 || len(body["items"].([]any)) != 1 {
		t.Fatalf("list %d %v", st, body)
	}
	if st, _ := call(t, a.url, "host", "POST", "/api/v1/live/rooms/room1/mutes", `{"user_id":"ben"}`); st != 204 {
		t.Fatalf("mute %d", st)
	}
	ben.next(t, liveEvent("muted"))
	if st, body := call(t, b.url, "ben", "POST", "/api/v1/live/rooms/room1/comments", `{"text":"x"}`); st != 403 || body["error"].(map[string]any)["code"] != Muted {
		t.Fatalf("muted post %d %v", st, body)
	}
	if st, _ := call(t, a.url, "host", "DELETE", "/api/v1/live/rooms/room1/mutes/ben", ``); st != 204 {
		t.Fatalf("unmute %d", st)
	}
	// Leaving: ben's node counts one viewer less.
	ben.send(t, map[string]any{"type": "live_leave", "room_id": "room1"})
	eventually(t, "ben left", func() bool { return !a.svc.rt.watching("room1", "ben") })
	// Closing the socket leaves the room too.
	ann.c.Close(websocket.StatusNormalClosure, "")
	eventually(t, "ann's socket gone", func() bool { return !b.svc.rt.watching("room1", "ann") })
}

// TestSlowSocketKeepsItsConnection floods a real socket that does not read
// for a while: it loses comments, stays open, and then gets the
// must-deliver frame.
func TestSlowSocketKeepsItsConnection(t *testing.T) {
	nodes, _ := newWSNodes(t, 1)
	n := nodes[0]
	slow := dialWS(t, n.url, "slow")
	slow.send(t, map[string]any{"type": "live_join", "room_id": "room1"})
	slow.next(t, liveEvent("joined"))
	pad := strings.Repeat("x", 32<<10)
	for i := 0; i < 1000; i++ { // 32 MB of comments, more than the socket buffers hold
		n.svc.rt.broadcast("room1", "comment", map[string]any{"comment": map[string]any{"text": pad}, "i": i}, false)
	}
	n.svc.rt.broadcast("room1", "pinned", map[string]any{"comment": nil}, true)
	time.Sleep(2 * time.Second) // not reading
	comments := 0
	f := slow.next(t, func(m map[string]any) bool {
		if m["event"] == "comment" {
			comments++
		}
		return m["event"] == "pinned"
	})
	if f["comment"] != nil || comments == 0 || comments >= 1000 {
		t.Fatalf("pinned %v after %d comments", f, comments)
	}
	t.Logf("the slow socket got %d of 1000 comments, then the pinned frame", comments)
	if !n.svc.rt.watching("room1", "slow") {
		t.Fatal("the slow socket left the room")
	}
}

// TestFanoutWebSockets is TestFanout over real sockets
// (PLAZA_LIVE_FANOUT=1): PLAZA_LIVE_FANOUT_WS members (2,000) on one node,
// read by clients in this process.
func TestFanoutWebSockets(t *testing.T) {
	if os.Getenv("PLAZA_LIVE_FANOUT") != "1" {
		t.Skip("set PLAZA_LIVE_FANOUT=1 to measure comment fan-out")
	}
	members := envInt("PLAZA_LIVE_FANOUT_WS", 2000)
	rate := envInt("PLAZA_LIVE_FANOUT_RATE", 50)
	secs := envInt("PLAZA_LIVE_FANOUT_SECONDS", 5)
	total := rate * secs
	nodes, _ := newWSNodes(t, 1)
	n := nodes[0]
	starts := make([]atomic.Int64, total)
	lat := make([]int64, members*total)
	var count, last atomic.Int64
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); wg.Wait() }()
	t0 := time.Now()
	for i := 0; i < members; i++ {
		s := dialWS(t, n.url, fmt.Sprintf("v%05d", i))
		s.send(t, map[string]any{"type": "live_join", "room_id": "room1"})
		s.next(t, liveEvent("joined"))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				_, f, err := s.c.Read(ctx)
				if err != nil {
					return
				}
				i := bytes.Index(f, marker)
				if i < 0 {
					continue
				}
				j := i + len(marker)
				k := bytes.IndexByte(f[j:], '"')
				seq, err := strconv.Atoi(string(f[j : j+k]))
				if err != nil || seq >= total {
					continue
				}
				now := time.Now().UnixNano()
				if x := count.Add(1) - 1; int(x) < len(lat) {
					lat[x] = now - starts[seq].Load()
				}
				last.Store(now)
			}
		}()
	}
	t.Logf("%d sockets joined in %v", members, time.Since(t0).Round(time.Millisecond))
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	begin := time.Now()
	for i := 0; i < total; i++ {
		<-tick.C
		starts[i].Store(time.Now().UnixNano())
		if _, err := n.svc.PostComment(ctx, "host", "room1", NewComment{Text: fmt.Sprintf("fanout-%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	want := int64(members * total)
	deadline := time.Now().Add(30 * time.Second)
	for count.Load() < want && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	got := count.Load()
	elapsed := time.Duration(last.Load() - begin.UnixNano())
	l := lat[:min(int(got), len(lat))]
	slices.Sort(l)
	pct := func(p float64) time.Duration {
		if len(l) == 0 {
			return 0
		}
		return time.Duration(l[min(len(l)-1, int(float64(len(l))*p))])
	}
	t.Logf("websocket fan-out: %d sockets, %d comments at %d/s: %d of %d delivered (%.1f%%) in %v = %.0f deliveries/s; publish→receipt p50 %v p99 %v max %v",
		members, total, rate, got, want, 100*float64(got)/float64(want), elapsed.Round(time.Millisecond), float64(got)/elapsed.Seconds(),
		pct(0.5).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), pct(1).Round(time.Microsecond))
}

// TestHTTPRoutes answers the chat's routes with their statuses and error
// codes (viewers joined on the realtime directly, no hub needed).
func TestHTTPRoutes(t *testing.T) {
	nodes, rs := newWSNodes(t, 2)
	a, b := nodes[0], nodes[1]
	ann, ben := newSocket("ann", 64), newSocket("ben", 64)
	for _, j := range []struct {
		n *wsNode
		s *fakeSocket
	}{{a, ann}, {b, ben}} {
		if err := j.n.svc.rt.join(context.Background(), j.s, "room1"); err != nil {
			t.Fatal(err)
		}
		j.s.next(t, "joined")
	}
	st, body := call(t, b.url, "ann", "POST", "/api/v1/live/rooms/room1/comments", `{"client_id":"k1","text":"hi from B"}`)
	if st != 201 || body["comment"].(map[string]any)["text"] != "hi from B" {
		t.Fatalf("post: %d %v", st, body)
	}
	id := body["comment"].(map[string]any)["id"].(string)
	if st, again := call(t, a.url, "ann", "POST", "/api/v1/live/rooms/room1/comments", `{"client_id":"k1","text":"hi again"}`); st != 201 || again["comment"].(map[string]any)["id"] != id {
		t.Fatalf("repeat: %d %v", st, again)
	}
	ann.next(t, "comment")
	for _, tc := range []struct {
		user, method, path, body string
		status                   int
		code                     string
	}{
		{"zoe", "POST", "/comments", `{"text":"x"}`, 403, NotInRoom},
		{"ann", "POST", "/comments", `{"text":""}`, 400, "invalid_argument"},
		{"ann", "POST", "/comments", `{"text":5}`, 400, "invalid_argument"},
		{"ann", "POST", "/likes", `{"count":0}`, 400, "invalid_argument"},
		{"ann", "POST", "/likes", `{"count":101}`, 400, "invalid_argument"},
		{"ann", "POST", "/pin", `{"comment_id":""}`, 403, "forbidden"},
		{"ann", "POST", "/mutes", `{"user_id":"ben"}`, 403, "forbidden"},
		{"ann", "DELETE", "/comments/" + id, ``, 403, "forbidden"},
		{"stranger", "GET", "/comments", ``, 404, "not_found"},
		{"stranger", "POST", "/pin", `{"comment_id":""}`, 404, "not_found"},
		{"host", "DELETE", "/comments/lc_nope", ``, 404, "not_found"},
		{"host", "POST", "/pin", `{"comment_id":"lc_nope"}`, 404, "not_found"},
		{"host", "GET", "/comments?limit=0", ``, 400, "invalid_argument"},
	} {
		st, body := call(t, a.url, tc.user, tc.method, "/api/v1/live/rooms/room1"+tc.path, tc.body)
		e, _ := body["error"].(map[string]any)
		if st != tc.status || e["code"] != tc.code {
			t.Fatalf("%s %s %s: %d %v", tc.user, tc.method, tc.path, st, body)
		}
	}
	if st, body := call(t, a.url, "ann", "POST", "/api/v1/live/rooms/room1/likes", `{"count":3}`); st != 202 || body["likes"].(float64) != 3 {
		t.Fatalf("likes %d %v", st, body)
	}
	if f := ben.next(t, "likes"); f["likes"].(float64) != 3 || f["delta"].(float64) != 3 {
		t.Fatalf("likes frame %v", f)
	}
	if st, body := call(t, a.url, "ben", "GET", "/api/v1/live/rooms/room1/comments?limit=10", ``); st != 200 || len(body["items"].([]any)) != 1 {
		t.Fatalf("list %d %v", st, body)
	}
	if st, body := call(t, a.url, "host", "POST", "/api/v1/live/rooms/room1/pin", `{"comment_id":"`+id+`"}`); st != 200 || body["comment"].(map[string]any)["id"] != id {
		t.Fatalf("pin %d %v", st, body)
	}
	if st, body := call(t, a.url, "host", "POST", "/api/v1/live/rooms/room1/pin", `{"comment_id":""}`); st != 200 || body["comment"] != nil {
		t.Fatalf("unpin %d %v", st, body)
	}
	if st, _ := call(t, a.url, "host", "POST", "/api/v1/live/rooms/room1/mutes", `{"user_id":"ben"}`); st != 204 {
		t.Fatalf("mute %d", st)
	}
	ben.next(t, "muted")
	if st, body := call(t, b.url, "ben", "POST", "/api/v1/live/rooms/room1/comments", `{"text":"x"}`); st != 403 || body["error"].(map[string]any)["code"] != Muted {
		t.Fatalf("muted post %d %v", st, body)
	}
	if st, _ := call(t, a.url, "host", "DELETE", "/api/v1/live/rooms/room1/mutes/ben", ``); st != 204 {
		t.Fatalf("unmute %d", st)
	}
	if st, _ := call(t, a.url, "host", "DELETE", "/api/v1/live/rooms/room1/comments/"+id, ``); st != 204 {
		t.Fatalf("delete %d", st)
	}
	if f := ben.next(t, "deleted"); f["comment_id"] != id {
		t.Fatalf("deleted frame %v", f)
	}
	rs.set(Room{ID: "room1", OwnerID: "host", State: StateEnded})
	if st, body := call(t, a.url, "ann", "POST", "/api/v1/live/rooms/room1/comments", `{"text":"late"}`); st != 409 || body["error"].(map[string]any)["code"] != RoomEnded {
		t.Fatalf("ended %d %v", st, body)
	}
}

// TestSocketsJoinAndCloseAtOnce joins and closes real sockets at once
// (run with -race): every closed socket leaves its room.
func TestSocketsJoinAndCloseAtOnce(t *testing.T) {
	nodes, _ := newWSNodes(t, 1)
	n := nodes[0]
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		s := dialWS(t, n.url, fmt.Sprintf("u%02d", i%10))
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, _ := json.Marshal(map[string]any{"type": "live_join", "room_id": "room1"})
			s.c.Write(context.Background(), websocket.MessageText, b)
			if i%2 == 0 {
				s.c.Write(context.Background(), websocket.MessageText, []byte(`{"type":"live_leave","room_id":"room1"}`))
			}
			time.Sleep(time.Duration(i%4) * time.Millisecond)
			s.c.CloseNow()
		}()
	}
	wg.Wait()
	eventually(t, "every socket gone", func() bool {
		n.svc.rt.mu.RLock()
		defer n.svc.rt.mu.RUnlock()
		return len(n.svc.rt.rooms) == 0 && len(n.svc.rt.sockRooms) == 0 && n.hub.Connections() == 0
	})
}
