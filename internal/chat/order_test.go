package chat_test

import (
	"fmt"
	"math"
	"math/rand/v2"
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

// The property: every acknowledged message reaches every open socket of
// its conversation once and in seq order. Many concurrent senders over
// REST into many conversations; every user has sockets (on one node, or
// spread over two nodes that share PostgreSQL and NATS); each socket must
// see, per conversation, exactly the acknowledged seqs, strictly
// increasing, none missing, none twice.
func TestEverySocketGetsEveryMessageOnceInOrder(t *testing.T) {
	t.Parallel()
	t.Run("one_node", func(t *testing.T) {
		nodetest.Run(t, nodetest.Options{Tune: noRateLimits}, func(t *testing.T, n *node.Node) {
			orderProperty(t, []*node.Node{n})
		})
	})
	t.Run("two_nodes", func(t *testing.T) {
		t.Parallel()
		natsURL := os.Getenv("PLAZA_TEST_NATS")
		if natsURL == "" {
			dbtest.Require(t, "nats", "PLAZA_TEST_NATS is not set")
		}
		db := dbtest.PostgresURL(t)
		prefix := "order" + ids.Token(5)
		n1 := nodetest.Start(t, nodetest.Options{DBURL: db, NATS: natsURL, Prefix: prefix, Tune: noRateLimits})
		n2 := nodetest.Start(t, nodetest.Options{DBURL: db, NATS: natsURL, Prefix: prefix, Tune: noRateLimits})
		orderProperty(t, []*node.Node{n1, n2})
	})
}

func noRateLimits(c *node.Config) { c.RateAccount = 0 }

func orderProperty(t *testing.T, nodes []*node.Node) {
	const (
		pairs      = 8  // direct conversations
		groupSize  = 6  // and one group of the first groupSize users
		senders    = 24 // concurrent REST senders
		perSender  = 40
		socketsPer = 2 // sockets per user, on alternating nodes
	)
	on := func(c *nodetest.Client, i int) *nodetest.Client {
		return &nodetest.Client{Base: nodes[i%len(nodes)].URL(), Token: c.Token, HTTP: c.HTTP}
	}
	users := make([]*nodetest.Client, 2*pairs)
	names := make([]string, len(users))
	for i := range users {
		names[i] = fmt.Sprintf("u%02d", i)
		users[i] = nodetest.Signup(t, nodes[0].URL(), names[i])
	}
	var convs []string
	members := map[string][]int{} // conversation → user indexes
	for p := range pairs {
		a, b := 2*p, 2*p+1
		nodetest.Befriend(t, users[a], users[b], names[b])
		c := direct(t, users[a], names[b])
		convs, members[c] = append(convs, c), []int{a, b}
	}
	for i := 1; i < groupSize; i++ {
		if i != 1 { // u00 and u01 are contacts already
			nodetest.Befriend(t, users[0], users[i], names[i])
		}
	}
	r := users[0].Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "group", "title": "Order", "usernames": names[1:groupSize]})
	if r.Status != 201 {
		t.Fatalf("group: %d %s", r.Status, r.Body)
	}
	group := r.Str("conversation.id")
	convs = append(convs, group)
	for i := range groupSize {
		members[group] = append(members[group], i)
	}
	// What each conversation already holds (the group's system message):
	// sockets opened after it see from the next seq on.
	base := map[string]int64{group: 1}

	type sock struct {
		user int
		s    *nodetest.Socket
	}
	var socks []sock
	for ui, u := range users {
		for k := range socketsPer {
			socks = append(socks, sock{ui, on(u, ui+k).Dial(t)})
		}
	}

	var mu sync.Mutex
	acked := map[string]map[int64]bool{}
	var wg sync.WaitGroup
	for w := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for i := range perSender {
				conv := convs[rng.IntN(len(convs))]
				ms := members[conv]
				who := ms[rng.IntN(len(ms))]
				c := on(users[who], rng.IntN(len(nodes)))
				r := send(t, c, conv, fmt.Sprintf("w%d-%d", w, i), "property")
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
	wg.Wait()
	if t.Failed() {
		return
	}

	// Collect every socket's message frames until each has as many as were
	// acknowledged in its conversations (or the wait ends).
	reordered, duplicated, lost := 0, 0, 0
	for _, sk := range socks {
		got := map[string][]int64{}
		want := 0
		for _, conv := range convs {
			if slices.Contains(members[conv], sk.user) {
				want += len(acked[conv])
			}
		}
		isMessage := func(f nodetest.Frame) bool { return f["type"] == "message" }
		frames := sk.s.TakeN(15*time.Second, want, isMessage)
		// A little longer, to catch duplicates that trail.
		frames = append(frames, sk.s.TakeN(20*time.Millisecond, math.MaxInt, isMessage)...)
		for _, f := range frames {
			c := f.Str("message.conversation_id")
			got[c] = append(got[c], f.Num("message.seq"))
		}
		for _, conv := range convs {
			if !slices.Contains(members[conv], sk.user) {
				if len(got[conv]) > 0 {
					t.Errorf("user %d got frames of conversation %s they are not in", sk.user, conv)
				}
				continue
			}
			seen := map[int64]bool{}
			var last int64
			for _, seq := range got[conv] {
				if seen[seq] {
					duplicated++
					continue
				}
				seen[seq] = true
				if seq < last {
					reordered++
				}
				last = max(last, seq)
			}
			for seq := range acked[conv] {
				if !seen[seq] {
					lost++
				}
			}
			for seq := range seen {
				if !acked[conv][seq] {
					t.Errorf("socket got seq %d of %s, which was never acknowledged", seq, conv)
				}
			}
			// No gaps: the acknowledged seqs are exactly base+1…base+n.
			for seq := base[conv] + 1; seq <= base[conv]+int64(len(acked[conv])); seq++ {
				if !acked[conv][seq] {
					t.Errorf("conversation %s: seq %d was never acknowledged (a gap)", conv, seq)
				}
			}
		}
	}
	t.Logf("%d sockets, %d messages: %d frames out of order, %d duplicated, %d lost", len(socks), senders*perSender, reordered, duplicated, lost)
	if reordered+duplicated+lost > 0 {
		t.Fatalf("%d frames out of order, %d duplicated, %d lost", reordered, duplicated, lost)
	}
}
