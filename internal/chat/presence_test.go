package chat_test

import (
	"os"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/chat"
	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/ids"
)

// fast presence: a flap shorter than 300 ms is no flap; a silent node's
// users leave a second after its last beat.
var fastPresence = chat.PresenceTiming{Grace: 300 * time.Millisecond, Beat: 200 * time.Millisecond, TTL: time.Second}

func isPresence(userID string) func(nodetest.Frame) bool {
	return func(f nodetest.Frame) bool { return f["type"] == "presence" && f.Str("user_id") == userID }
}

func online(want bool) func(nodetest.Frame) bool {
	return func(f nodetest.Frame) bool { return f["online"] == want }
}

// reveals: a presence frame of userID that says more than "hidden".
func reveals(userID string) func(nodetest.Frame) bool {
	return func(f nodetest.Frame) bool {
		return isPresence(userID)(f) && (f["online"] != false || f["last_seen"] != nil)
	}
}

func both(a, b func(nodetest.Frame) bool) func(nodetest.Frame) bool {
	return func(f nodetest.Frame) bool { return a(f) && b(f) }
}

// presenceOf asks GET /presence about one user: (online, last_seen,
// listed).
func presenceOf(t *testing.T, c *nodetest.Client, id string) (bool, string, bool) {
	t.Helper()
	r := c.Do(t, "GET", "/api/v1/presence?user_ids="+id, nil)
	if r.Status != 200 {
		t.Fatalf("presence: %d %s", r.Status, r.Body)
	}
	items, _ := r.Get("items").([]any)
	for _, it := range items {
		m := it.(map[string]any)
		if m["user_id"] == id {
			seen, _ := m["last_seen"].(string)
			return m["online"] == true, seen, true
		}
	}
	return false, "", false
}

// A user with sockets on two nodes is online until both close; the
// offline frame then carries last_seen; a crashed node's users go offline
// once its beats stop, and a node that shuts down takes its users with it
// within the grace.
func TestPresenceAcrossNodes(t *testing.T) {
	t.Parallel()
	natsURL := os.Getenv("PLAZA_TEST_NATS")
	if natsURL == "" {
		dbtest.Require(t, "nats", "PLAZA_TEST_NATS is not set")
	}
	db := dbtest.PostgresURL(t)
	prefix := "pres" + ids.Token(5)
	start := func() *node.Node {
		n := nodetest.Start(t, nodetest.Options{DBURL: db, NATS: natsURL, Prefix: prefix})
		n.Hub.SetPresenceTiming(fastPresence)
		return n
	}
	nA, nB := start(), start()
	onNode := func(c *nodetest.Client, n *node.Node) *nodetest.Client {
		return &nodetest.Client{Base: n.URL(), Token: c.Token, HTTP: c.HTTP}
	}
	u := people(t, nA, "ann", "ben")
	ann, ben := u[0], u[1]
	annID := userID(t, ann)
	zed := nodetest.Signup(t, nA.URL(), "zed")
	benS := onNode(ben, nB).Dial(t)

	annOnA := ann.Dial(t)
	f := benS.Next(t, wait, isPresence(annID))
	if f["online"] != true || f.Str("last_seen") == "" {
		t.Fatalf("online frame: %v", f)
	}
	for _, n := range []*node.Node{nA, nB} {
		nodetest.WaitFor(t, wait, func() bool { on, _, _ := presenceOf(t, onNode(ben, n), annID); return on })
	}
	annOnB := onNode(ann, nB).Dial(t)
	annOnA.Close()
	// Past the grace, and past a TTL: ann is still online (her socket on
	// B), and ben is told nothing: not offline, nor online again.
	if f, ok := benS.Wait(1500*time.Millisecond, isPresence(annID)); ok {
		t.Fatalf("a frame while ann stayed online on node B: %v", f)
	}
	if on, _, _ := presenceOf(t, onNode(ben, nA), annID); !on {
		t.Fatal("node A sees ann offline while her socket on node B is open")
	}
	closedAt := time.Now()
	annOnB.Close()
	f = benS.Next(t, wait, both(isPresence(annID), online(false)))
	seen, err := time.Parse(time.RFC3339, f.Str("last_seen"))
	if err != nil || seen.Before(closedAt.Add(-2*time.Second)) || seen.After(time.Now()) {
		t.Fatalf("offline frame's last_seen: %v (%v)", f, err)
	}
	for _, n := range []*node.Node{nA, nB} {
		on, last, listed := presenceOf(t, onNode(ben, n), annID)
		if on || last == "" || !listed {
			t.Fatalf("GET presence after both closed: online %v, last_seen %q", on, last)
		}
	}
	// Strangers learn nothing: ann is left out.
	if _, _, listed := presenceOf(t, zed, annID); listed {
		t.Fatal("a stranger got ann's presence")
	}
	if r := zed.Do(t, "GET", "/api/v1/presence", nil); r.Status != 400 || r.Code() != "invalid_argument" {
		t.Fatalf("no user_ids: %d %s", r.Status, r.Body)
	}

	t.Run("crashed_node", func(t *testing.T) {
		nC := start()
		annOnC := onNode(ann, nC).Dial(t)
		benS.Next(t, wait, both(isPresence(annID), online(true)))
		nC.Hub.CrashPresence() // stops beating, says nothing; the socket stays
		benS.Next(t, 5*time.Second, both(isPresence(annID), online(false)))
		annOnC.Close()
	})

	t.Run("node_shut_down", func(t *testing.T) {
		nD := start()
		onNode(ann, nD).Dial(t)
		benS.Next(t, wait, both(isPresence(annID), online(true)))
		nD.Hub.Close() // what a shutdown does first: sockets closed, "gone" said
		benS.Next(t, wait, both(isPresence(annID), online(false)))
	})

	t.Run("reconnect_within_grace_is_no_flap", func(t *testing.T) {
		// Each change so far was told once: nothing is left over.
		if stale := benS.Take(isPresence(annID)); len(stale) > 0 {
			t.Fatalf("presence frames left from before: %v", stale)
		}
		s := ann.Dial(t)
		benS.Next(t, wait, both(isPresence(annID), online(true)))
		s.Close()
		s = onNode(ann, nB).Dial(t) // back at once, on the other node
		if f, ok := benS.Wait(1500*time.Millisecond, isPresence(annID)); ok {
			t.Fatalf("a reconnect within the grace flapped: %v", f)
		}
		s.Close()
		benS.Next(t, wait, both(isPresence(annID), online(false)))
	})
}

// Hiding last seen hides online state and time by frame and by HTTP, and
// (reciprocally) hides everyone else's from the hider.
func TestPresenceHiddenLastSeen(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		n.Hub.SetPresenceTiming(fastPresence)
		u := people(t, n, "ben", "ann", "cat") // ben's contacts: ann, cat
		ben, ann, cat := u[0], u[1], u[2]
		annID, benID, catID := userID(t, ann), userID(t, ben), userID(t, cat)

		t.Run("settings_api", func(t *testing.T) {
			if r := ann.Do(t, "GET", "/api/v1/me/settings", nil); r.Status != 200 || r.Get("show_last_seen") != true {
				t.Fatalf("default settings: %d %s", r.Status, r.Body)
			}
			for name, body := range map[string]any{
				"missing":       map[string]any{},
				"unknown_field": map[string]any{"show_last_seen": false, "hide": true},
				"wrong_type":    map[string]any{"show_last_seen": "no"},
			} {
				if r := ann.Do(t, "PUT", "/api/v1/me/settings", body); r.Status != 400 || r.Code() != "invalid_argument" {
					t.Fatalf("%s: %d %s", name, r.Status, r.Body)
				}
			}
			if r := ann.Do(t, "GET", "/api/v1/me/settings", nil); r.Get("show_last_seen") != true {
				t.Fatalf("a refused PUT changed the settings: %s", r.Body)
			}
			if r := nodetest.NewClient(n.URL()).Do(t, "GET", "/api/v1/me/settings", nil); r.Status != 401 {
				t.Fatalf("settings without a session: %d", r.Status)
			}
		})

		if r := ann.Do(t, "PUT", "/api/v1/me/settings", map[string]any{"show_last_seen": false}); r.Status != 200 || r.Get("show_last_seen") != false {
			t.Fatalf("hide: %d %s", r.Status, r.Body)
		}
		benS := ben.Dial(t)
		annS := ann.Dial(t)
		catS := cat.Dial(t) // the sentinel: cat's online frame comes after ann's would have
		benS.Next(t, wait, both(isPresence(catID), online(true)))
		if got := benS.Take(reveals(annID)); len(got) != 0 {
			t.Fatalf("ann hides her last seen, yet ben got %v", got)
		}
		if on, last, listed := presenceOf(t, ben, annID); on || last != "" || !listed {
			t.Fatalf("GET presence of a hider: online %v, last_seen %q, listed %v", on, last, listed)
		}
		// Reciprocal: ann sees no one's.
		if on, last, _ := presenceOf(t, ann, benID); on || last != "" {
			t.Fatalf("the hider sees ben: online %v, last_seen %q", on, last)
		}
		if got := annS.Take(func(f nodetest.Frame) bool { return f["type"] == "presence" }); len(got) != 0 {
			t.Fatalf("the hider got presence frames: %v", got)
		}
		// Going offline while hidden: no frame, no time. Cat leaves only
		// once this node has heard ann leave, so cat's frame, queued
		// after hers, is the sentinel that her change was handled.
		annS.Close()
		for deadline := time.Now().Add(wait); chat.OnlineHere(n.Hub, annID); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("ann's going offline was not heard within %v", wait)
			}
		}
		catS.Close()
		benS.Next(t, wait, both(isPresence(catID), online(false)))
		if got := benS.Take(reveals(annID)); len(got) != 0 {
			t.Fatalf("ann's going offline leaked: %v", got)
		}
		if _, last, _ := presenceOf(t, ben, annID); last != "" {
			t.Fatalf("ann's last seen leaked over HTTP: %q", last)
		}
		// Shown again: ben hears her state at once.
		annS = ann.Dial(t)
		ann.Do(t, "PUT", "/api/v1/me/settings", map[string]any{"show_last_seen": true})
		benS.Next(t, wait, both(isPresence(annID), online(true)))
		if on, _, _ := presenceOf(t, ann, benID); !on {
			t.Fatal("ann shows hers again but still does not see ben")
		}
		// Hidden while online: ben is told she is (for him) offline, no time.
		ann.Do(t, "PUT", "/api/v1/me/settings", map[string]any{"show_last_seen": false})
		f := benS.Next(t, wait, both(isPresence(annID), online(false)))
		if f["last_seen"] != nil {
			t.Fatalf("hidden frame carries a time: %v", f)
		}
		if r := ann.Do(t, "GET", "/api/v1/me/export?format=json", nil); r.Status != 200 || r.Get("parts.account/settings.show_last_seen") != false {
			t.Fatalf("export's settings: %d %.300s", r.Status, r.Body)
		}
	})
}

// Read receipts: the other member of a direct chat hears reads across
// nodes; read frames are coalesced; groups answer who read a message,
// to members only.
func TestReadState(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben", "cat", "dan")
		ann, ben, cat, dan := u[0], u[1], u[2], u[3]
		benID, catID := userID(t, ben), userID(t, cat)
		zed := nodetest.Signup(t, n.URL(), "zed")
		g := group(t, ann, "Readers", "ben", "cat") // seq 1: the system note
		send(t, ann, g, "m2", "two")
		send(t, ann, g, "m3", "three")
		if r := ben.Do(t, "POST", "/api/v1/conversations/"+g+"/read", map[string]any{"seq": 3}); r.Status != 204 {
			t.Fatalf("read: %d %s", r.Status, r.Body)
		}
		cat.Do(t, "POST", "/api/v1/conversations/"+g+"/read", map[string]any{"seq": 2})
		ann.Do(t, "POST", "/api/v1/conversations/"+g+"/members", map[string]any{"usernames": []string{"dan"}}) // seq 4

		reads := func(c *nodetest.Client, seq string) *nodetest.Response {
			return c.Do(t, "GET", "/api/v1/conversations/"+g+"/messages/"+seq+"/reads", nil)
		}
		ids := func(r *nodetest.Response, key string) []string {
			var out []string
			list, _ := r.Get(key).([]any)
			for _, x := range list {
				out = append(out, x.(map[string]any)["id"].(string))
			}
			return out
		}
		r := reads(ann, "3")
		if r.Status != 200 || len(ids(r, "read")) != 1 || ids(r, "read")[0] != benID || len(ids(r, "unread")) != 1 || ids(r, "unread")[0] != catID {
			t.Fatalf("reads of seq 3: %d %s", r.Status, r.Body)
		}
		r = reads(ben, "2") // any member may ask; dan joined later and is in neither list
		if r.Status != 200 || len(ids(r, "read")) != 2 || len(ids(r, "unread")) != 0 {
			t.Fatalf("reads of seq 2: %d %s", r.Status, r.Body)
		}
		for name, tc := range map[string]struct {
			c      *nodetest.Client
			seq    string
			status int
		}{
			"stranger":           {zed, "3", 404},
			"before_joining":     {dan, "3", 404},
			"no_such_seq":        {ann, "99", 404},
			"not_a_number":       {ann, "x", 400},
			"zero":               {ann, "0", 400},
			"joiner_own_message": {dan, "4", 200},
		} {
			if r := reads(tc.c, tc.seq); r.Status != tc.status {
				t.Fatalf("%s: %d %s", name, r.Status, r.Body)
			}
		}
		if r := zed.Do(t, "GET", "/api/v1/conversations/"+g+"/reads", nil); r.Status != 404 {
			t.Fatalf("stranger's read state: %d", r.Status)
		}
		r = ann.Do(t, "GET", "/api/v1/conversations/"+g+"/reads", nil)
		if items, _ := r.Get("items").([]any); r.Status != 200 || len(items) != 4 {
			t.Fatalf("read state: %d %s", r.Status, r.Body)
		}

		t.Run("coalesced_read_frames", func(t *testing.T) {
			d := direct(t, ann, "ben")
			for i := range 5 {
				send(t, ann, d, "d"+string(rune('a'+i)), "hello")
			}
			annS, benS := ann.Dial(t), ben.Dial(t)
			for seq := 1; seq <= 5; seq++ {
				benS.Send(t, map[string]any{"type": "read", "conversation_id": d, "seq": seq})
			}
			last := annS.Next(t, wait, func(f nodetest.Frame) bool { return f["type"] == "read" && f.Num("seq") == 5 })
			if last.Str("user_id") != benID {
				t.Fatalf("read frame: %v", last)
			}
			all := annS.Take(func(f nodetest.Frame) bool { return f["type"] == "read" })
			if len(all) > 1 { // the first, applied at once, and the coalesced 5
				t.Fatalf("5 read frames within a second relayed %d + 1", len(all))
			}
		})
	})
}

// The other member of a direct chat hears its read receipt on another
// node.
func TestReadFrameCrossesNodes(t *testing.T) {
	t.Parallel()
	natsURL := os.Getenv("PLAZA_TEST_NATS")
	if natsURL == "" {
		dbtest.Require(t, "nats", "PLAZA_TEST_NATS is not set")
	}
	db := dbtest.PostgresURL(t)
	prefix := "read" + ids.Token(5)
	nA := nodetest.Start(t, nodetest.Options{DBURL: db, NATS: natsURL, Prefix: prefix})
	nB := nodetest.Start(t, nodetest.Options{DBURL: db, NATS: natsURL, Prefix: prefix})
	u := people(t, nA, "ann", "ben")
	ann, ben := u[0], u[1]
	d := direct(t, ann, "ben")
	send(t, ann, d, "x", "read me")
	annS := ann.Dial(t)
	benS := (&nodetest.Client{Base: nB.URL(), Token: ben.Token, HTTP: ben.HTTP}).Dial(t)
	benS.Send(t, map[string]any{"type": "read", "conversation_id": d, "seq": 1})
	if f := annS.Next(t, wait, func(f nodetest.Frame) bool { return f["type"] == "read" }); f.Num("seq") != 1 || f.Str("user_id") != userID(t, ben) {
		t.Fatalf("read frame on node A: %v", f)
	}
}
