package chat_test

import (
	"fmt"
	"math"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/ids"
)

func isTyping(conv string) func(nodetest.Frame) bool {
	return func(f nodetest.Frame) bool { return f["type"] == "typing" && f.Str("conversation_id") == conv }
}

// Typing reaches the other members (not the typist's own sockets), once
// per two seconds however fast it is sent, and never from a stranger.
func TestTypingIsRelayedToOtherMembers(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben", "cat")
		ann, ben, cat := u[0], u[1], u[2]
		annID := userID(t, ann)
		g := group(t, ann, "Trio", "ben", "cat")
		zed := nodetest.Signup(t, n.URL(), "zed")
		annPhone, annLaptop, benS, catS, zedS := ann.Dial(t), ann.Dial(t), ben.Dial(t), cat.Dial(t), zed.Dial(t)

		annPhone.Send(t, map[string]any{"type": "typing", "conversation_id": g})
		for name, s := range map[string]*nodetest.Socket{"ben": benS, "cat": catS} {
			f := s.Next(t, wait, isTyping(g))
			if f.Str("user_id") != annID {
				t.Fatalf("%s got %v", name, f)
			}
		}
		// A flood within the two seconds is dropped silently: no error,
		// nothing relayed. A message sent after it is the sentinel (frames
		// from one socket are handled in order).
		for range 40 {
			annPhone.Send(t, map[string]any{"type": "typing", "conversation_id": g})
		}
		annPhone.Send(t, map[string]any{"type": "send", "conversation_id": g, "client_id": "after-flood", "kind": "text", "text": "hi"})
		benS.Next(t, wait, nodetest.IsMessage(g))
		if got := benS.Take(isTyping(g)); len(got) != 0 {
			t.Fatalf("the flood relayed %d typing frames", len(got))
		}
		if errs := annPhone.Take(func(f nodetest.Frame) bool { return f["type"] == "error" }); len(errs) != 0 {
			t.Fatalf("the flood was answered with errors: %v", errs)
		}
		annLaptop.Next(t, wait, nodetest.IsMessage(g))
		if got := annLaptop.Take(isTyping(g)); len(got) != 0 {
			t.Fatalf("the typist's own device got typing frames: %v", got)
		}

		t.Run("stranger", func(t *testing.T) {
			zedS.Send(t, map[string]any{"type": "typing", "conversation_id": g})
			if f := zedS.Next(t, wait, func(f nodetest.Frame) bool { return f["type"] == "error" }); f.Str("error.code") != "not_found" {
				t.Fatalf("stranger's typing: %v", f)
			}
			zedS.Send(t, map[string]any{"type": "typing", "conversation_id": "c_nope"})
			if f := zedS.Next(t, wait, func(f nodetest.Frame) bool { return f["type"] == "error" }); f.Str("error.code") != "not_found" {
				t.Fatalf("unknown conversation's typing: %v", f)
			}
			zedS.Send(t, map[string]any{"type": "typing"})
			if f := zedS.Next(t, wait, func(f nodetest.Frame) bool { return f["type"] == "error" }); f.Str("error.code") != "invalid_argument" {
				t.Fatalf("typing without a conversation: %v", f)
			}
			send(t, ben, g, "sentinel-2", "still here")
			catS.Next(t, wait, func(f nodetest.Frame) bool {
				return f["type"] == "message" && f.Str("message.client_id") == "sentinel-2"
			})
			if got := catS.Take(isTyping(g)); len(got) != 0 {
				t.Fatalf("a stranger's typing was relayed: %v", got)
			}
		})
		if got := rowCount(t, n, "messages"); got != 3 { // the system note and the two sentinels
			t.Fatalf("typing wrote messages: %d rows", got)
		}
	})
}

// The order property with typing floods on top, over two nodes: every
// acknowledged message reaches every socket once and in seq order while
// every member types as fast as the socket lets them; typing crosses
// nodes and stays within its rate.
func TestTypingFloodsKeepMessageOrderAcrossNodes(t *testing.T) {
	t.Parallel()
	natsURL := os.Getenv("PLAZA_TEST_NATS")
	if natsURL == "" {
		dbtest.Require(t, "nats", "PLAZA_TEST_NATS is not set")
	}
	db := dbtest.PostgresURL(t)
	prefix := "typing" + ids.Token(5)
	nodes := []*node.Node{
		nodetest.Start(t, nodetest.Options{DBURL: db, NATS: natsURL, Prefix: prefix, Tune: noRateLimits}),
		nodetest.Start(t, nodetest.Options{DBURL: db, NATS: natsURL, Prefix: prefix, Tune: noRateLimits}),
	}
	on := func(c *nodetest.Client, i int) *nodetest.Client {
		return &nodetest.Client{Base: nodes[i%2].URL(), Token: c.Token, HTTP: c.HTTP}
	}
	u := people(t, nodes[0], "ann", "ben", "cat", "dan")
	g := group(t, u[0], "Flood", "ben", "cat", "dan")
	d := direct(t, u[0], "ben")
	convs := []string{g, d}
	members := map[string][]int{g: {0, 1, 2, 3}, d: {0, 1}}
	base := map[string]int64{g: 1}

	type sock struct {
		user int
		s    *nodetest.Socket
	}
	var socks []sock
	for i, c := range u {
		socks = append(socks, sock{i, on(c, 0).Dial(t)}, sock{i, on(c, 1).Dial(t)})
	}
	stop := make(chan struct{})
	var typers sync.WaitGroup
	start := time.Now()
	for _, sk := range socks {
		typers.Add(1)
		go func() {
			defer typers.Done()
			tick := time.NewTicker(50 * time.Millisecond) // 20 a second: under the socket's frame limit
			defer tick.Stop()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				conv := g
				if i%2 == 1 && slices.Contains(members[d], sk.user) {
					conv = d
				}
				sk.s.Send(t, map[string]any{"type": "typing", "conversation_id": conv})
			}
		}()
	}
	var mu sync.Mutex
	acked := map[string]map[int64]bool{}
	var senders sync.WaitGroup
	for w := range 8 {
		senders.Add(1)
		go func() {
			defer senders.Done()
			for i := range 25 {
				conv := convs[(w+i)%2]
				who := members[conv][(w+i)%len(members[conv])]
				r := send(t, on(u[who], w+i), conv, fmt.Sprintf("w%d-%d", w, i), "flooded")
				if r.Status != 201 {
					t.Errorf("send: %d %s", r.Status, r.Body)
					return
				}
				mu.Lock()
				if acked[conv] == nil {
					acked[conv] = map[int64]bool{}
				}
				acked[conv][int64(r.Get("message.seq").(float64))] = true
				mu.Unlock()
			}
		}()
	}
	senders.Wait()
	close(stop)
	typers.Wait()
	elapsed := time.Since(start)
	if t.Failed() {
		return
	}
	bad := 0
	for _, sk := range socks {
		want := 0
		for _, c := range convs {
			if slices.Contains(members[c], sk.user) {
				want += len(acked[c])
			}
		}
		isMessage := func(f nodetest.Frame) bool { return f["type"] == "message" }
		frames := sk.s.TakeN(15*time.Second, want, isMessage)
		frames = append(frames, sk.s.TakeN(20*time.Millisecond, math.MaxInt, isMessage)...)
		got := map[string][]int64{}
		for _, f := range frames {
			got[f.Str("message.conversation_id")] = append(got[f.Str("message.conversation_id")], f.Num("message.seq"))
		}
		for _, c := range convs {
			if !slices.Contains(members[c], sk.user) {
				continue
			}
			var wantSeqs []int64
			for seq := base[c] + 1; seq <= base[c]+int64(len(acked[c])); seq++ {
				wantSeqs = append(wantSeqs, seq)
			}
			if !slices.Equal(got[c], wantSeqs) {
				bad++
				t.Errorf("user %d, conversation %s: got seqs %v, want %v", sk.user, c, got[c], wantSeqs)
			}
		}
		// Typing: each other member's typing per conversation, at most one
		// relay per 2 s per node it types on (two sockets, two nodes).
		typing := sk.s.Take(func(f nodetest.Frame) bool { return f["type"] == "typing" })
		per := map[string]int{}
		for _, f := range typing {
			per[f.Str("conversation_id")+"/"+f.Str("user_id")]++
		}
		limit := 2 * (int(elapsed/(2*time.Second)) + 2)
		for k, n := range per {
			if n > limit {
				t.Errorf("user %d got %d typing frames of %s in %v (limit %d)", sk.user, n, k, elapsed, limit)
			}
		}
		if len(per) == 0 {
			t.Errorf("user %d got no typing frames at all", sk.user)
		}
	}
	if bad > 0 {
		t.Fatalf("%d sockets lost, duplicated or reordered messages", bad)
	}
}

// Someone who blocked a user sees nothing of them: not their typing in
// the direct chat, not their presence (by frame or by asking), and the
// blocked user sees nothing of the blocker's.
func TestBlockedSeeNoTypingOrPresence(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben")
		ann, ben := u[0], u[1]
		annID, benID := userID(t, ann), userID(t, ben)
		r := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "ben"})
		d := r.Str("conversation.id")
		annS := ann.Dial(t)
		// Before the block each sees the other.
		benS := ben.Dial(t)
		if p := ann.Do(t, "GET", "/api/v1/presence?user_ids="+benID, nil); len(p.Get("items").([]any)) != 1 {
			t.Fatalf("presence before the block: %s", p.Body)
		}
		if b := ann.Do(t, "POST", "/api/v1/blocks", map[string]any{"user_id": benID}); b.Status != 200 && b.Status != 201 {
			t.Fatalf("block: %d %s", b.Status, b.Body)
		}
		for _, c := range []struct {
			who   *nodetest.Client
			about string
		}{{ann, benID}, {ben, annID}} {
			if p := c.who.Do(t, "GET", "/api/v1/presence?user_ids="+c.about, nil); p.Status != 200 || len(p.Get("items").([]any)) != 0 {
				t.Fatalf("presence across a block: %d %s", p.Status, p.Body)
			}
		}
		// Ben's typing (his first: the limiter would pass it) is dropped
		// silently; a message Ann sends him afterwards is the sentinel.
		benS.Send(t, map[string]any{"type": "typing", "conversation_id": d})
		send(t, ann, d, "sentinel", "still writing to you")
		annS.Next(t, wait, func(f nodetest.Frame) bool { return f["type"] == "message" && f.Str("message.client_id") == "sentinel" })
		benS.Next(t, wait, func(f nodetest.Frame) bool { return f["type"] == "message" && f.Str("message.client_id") == "sentinel" })
		if got := annS.Take(isTyping(d)); len(got) != 0 {
			t.Fatalf("the blocked user's typing reached the blocker: %v", got)
		}
		if errs := benS.Take(func(f nodetest.Frame) bool { return f["type"] == "error" }); len(errs) != 0 {
			t.Fatalf("the blocked user was told: %v", errs)
		}
	})
}
