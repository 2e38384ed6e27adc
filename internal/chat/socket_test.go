package chat_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/chat"
	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/ids"
)

const wait = 5 * time.Second

func TestSocketDeliversToEveryDevice(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben")
		ann, ben := u[0], u[1]
		conv := direct(t, ann, "ben")
		annPhone, annLaptop, benPhone := ann.Dial(t), ann.Dial(t), ben.Dial(t)

		annPhone.Send(t, map[string]any{"type": "send", "conversation_id": conv, "client_id": "s-1", "kind": "text", "text": "over the socket"})
		ack := annPhone.Next(t, wait, func(f nodetest.Frame) bool { return f["type"] == "ack" })
		if ack.Str("client_id") != "s-1" || ack.Num("message.seq") != 1 {
			t.Fatalf("ack: %v", ack)
		}
		for name, s := range map[string]*nodetest.Socket{"ann's laptop": annLaptop, "ben's phone": benPhone, "ann's phone": annPhone} {
			f := s.Next(t, wait, nodetest.IsMessage(conv))
			if f.Str("message.text") != "over the socket" || f.Str("message.sender.username") != "ann" {
				t.Fatalf("%s got %v", name, f)
			}
		}
		// REST sends reach sockets too; read receipts go to every member.
		send(t, ben, conv, "r-1", "over REST")
		if f := annLaptop.Next(t, wait, nodetest.IsMessage(conv)); f.Num("message.seq") != 2 {
			t.Fatalf("laptop: %v", f)
		}
		annPhone.Send(t, map[string]any{"type": "read", "conversation_id": conv, "seq": 2})
		r := benPhone.Next(t, wait, func(f nodetest.Frame) bool { return f["type"] == "read" })
		if r.Str("user_id") == "" || r.Num("seq") != 2 || r.Str("conversation_id") != conv {
			t.Fatalf("read frame: %v", r)
		}
		// A conversation change is announced.
		nodetest.Befriend(t, ann, nodetest.Signup(t, n.URL(), "cat"), "cat")
		ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "group", "title": "Trio", "usernames": []string{"ben", "cat"}})
		// (The direct conversation's own announcement may still be in flight:
		// wait for the group's.)
		if f := benPhone.Next(t, wait, func(f nodetest.Frame) bool {
			return f["type"] == "conversation" && f.Str("conversation.type") == "group"
		}); f.Str("conversation.title") != "Trio" {
			t.Fatalf("conversation frame: %v", f)
		}
		sys := benPhone.Next(t, wait, func(f nodetest.Frame) bool { return f["type"] == "message" && f.Str("message.kind") == "system" })
		if sys.Str("message.sender.username") != "ann" || !strings.Contains(sys.Str("message.text"), "Trio") {
			t.Fatalf("system message frame: %v", sys)
		}
	})
}

func TestSocketRefusesBadFrames(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben")
		ann := u[0]
		conv := direct(t, ann, "ben")
		stranger := nodetest.Signup(t, n.URL(), "zed")
		s := ann.Dial(t)
		cases := []struct {
			name  string
			frame string
			code  string
		}{
			{"not_json", `hello`, "invalid_argument"},
			{"no_type", `{"text":"x"}`, "invalid_argument"},
			{"unknown_type", `{"type":"shout"}`, "invalid_argument"},
			{"send_without_conversation", `{"type":"send","client_id":"a","text":"x"}`, "invalid_argument"},
			{"oversize_text", `{"type":"send","conversation_id":"` + conv + `","client_id":"big","text":"` + strings.Repeat("a", 4001) + `"}`, "invalid_argument"},
			{"unknown_conversation", `{"type":"send","conversation_id":"c_nope","client_id":"u","text":"x"}`, "not_found"},
			{"read_beyond_end", `{"type":"read","conversation_id":"` + conv + `","seq":99}`, "invalid_argument"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				s.SendRaw(t, []byte(tc.frame))
				f := s.Next(t, wait, func(f nodetest.Frame) bool { return f["type"] == "error" })
				if f.Str("error.code") != tc.code {
					t.Fatalf("error frame %v, want %s", f, tc.code)
				}
			})
		}
		t.Run("strangers_conversation", func(t *testing.T) {
			z := stranger.Dial(t)
			z.Send(t, map[string]any{"type": "send", "conversation_id": conv, "client_id": "z", "text": "let me in"})
			if f := z.Next(t, wait, func(f nodetest.Frame) bool { return f["type"] == "error" }); f.Str("error.code") != "not_found" {
				t.Fatalf("%v", f)
			}
		})
		if got := rowCount(t, n, "messages"); got != 0 {
			t.Fatalf("refused frames wrote %d messages", got)
		}
		t.Run("ping", func(t *testing.T) {
			s.Send(t, map[string]any{"type": "ping"})
			s.Next(t, wait, func(f nodetest.Frame) bool { return f["type"] == "pong" })
		})
		t.Run("flood_is_rate_limited", func(t *testing.T) {
			f := ann.Dial(t)
			for range 120 {
				f.SendRaw(t, []byte(`{"type":"ping"}`))
			}
			f.Next(t, wait, func(fr nodetest.Frame) bool { return fr["type"] == "error" && fr.Str("error.code") == "rate_limited" })
		})
		t.Run("unauthenticated_socket", func(t *testing.T) {
			bad := nodetest.NewClient(n.URL())
			bad.Token = "forged-token-forged-token-forged"
			r := bad.Do(t, "GET", "/api/v1/ws", nil)
			if r.Status != 401 {
				t.Fatalf("socket without a session: %d", r.Status)
			}
		})
	})
}

// Many senders; receivers that drop their sockets at random and resync by
// after_seq. Every receiver must end with the same gapless sequence, each
// message once.
func TestDisconnectsAndResyncLoseNothing(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		names := []string{"hub", "pa", "pb", "pc", "pd"}
		for i := range names[1:] {
			names[i+1] = "peer_" + names[i+1]
		}
		u := people(t, n, names...)
		g := u[0].Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "group", "title": "Storm", "usernames": names[1:]})
		gid := g.Str("conversation.id")
		const perSender = 25
		rng := rand.New(rand.NewPCG(1, 2))
		seeds := make([]uint64, len(u))
		for i := range seeds {
			seeds[i] = rng.Uint64()
		}

		var senders sync.WaitGroup
		stop := make(chan struct{})
		results := make([][]int64, len(u))
		var receivers sync.WaitGroup
		for i, c := range u {
			receivers.Add(1)
			go func() {
				defer receivers.Done()
				results[i] = receive(t, c, gid, seeds[i], stop)
			}()
		}
		for i, c := range u {
			senders.Add(1)
			go func() {
				defer senders.Done()
				for k := range perSender {
					if r := send(t, c, gid, fmt.Sprintf("%d-%d", i, k), "x"); r.Status != 201 {
						t.Errorf("send: %d %s", r.Status, r.Body)
					}
				}
			}()
		}
		senders.Wait()
		close(stop)
		receivers.Wait()
		want := int64(1 + len(u)*perSender)
		for i, seqs := range results {
			if int64(len(seqs)) != want {
				t.Fatalf("receiver %d has %d messages, want %d", i, len(seqs), want)
			}
			for k, s := range seqs {
				if s != int64(k+1) {
					t.Fatalf("receiver %d: seq %d at %d", i, s, k+1)
				}
			}
		}
	})
}

// receive plays a flaky client: it listens on a socket, drops it now and
// then, and on every reconnect syncs what it missed, keeping each seq once.
func receive(t *testing.T, c *nodetest.Client, conv string, seed uint64, stop chan struct{}) []int64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	have := map[int64]bool{}
	var high int64
	sync := func() {
		for {
			r := c.Do(t, "GET", fmt.Sprintf("/api/v1/conversations/%s/messages?after_seq=%d&limit=200", conv, high), nil)
			items, _ := r.Get("items").([]any)
			for _, it := range items {
				s := int64(it.(map[string]any)["seq"].(float64))
				have[s] = true
				high = max(high, s)
			}
			if r.Str("next_cursor") == "" {
				return
			}
		}
	}
	for {
		s := c.Dial(t)
		sync()
		deadline := time.After(time.Duration(20+rng.IntN(80)) * time.Millisecond)
	listen:
		for {
			select {
			case <-stop:
				s.Close()
				// Every send was acknowledged before stop: the sync reads
				// whatever the socket had not brought.
				sync()
				out := make([]int64, 0, len(have))
				for k := int64(1); have[k]; k++ {
					out = append(out, k)
				}
				if len(out) != len(have) {
					t.Errorf("a gap: %d in order of %d held", len(out), len(have))
				}
				return out
			case <-deadline:
				break listen
			default:
			}
			if f, ok := s.Wait(10*time.Millisecond, nodetest.IsMessage(conv)); ok {
				seq := f.Num("message.seq")
				if seq > high+1 {
					sync() // a gap: fetch what came between
				}
				have[seq] = true
				high = max(high, seq)
			}
		}
		s.Close()
	}
}

// Two nodes on one PostgreSQL and one NATS: a user on node 1 gets at once
// what a user on node 2 sends.
func TestNodesDeliverToEachOther(t *testing.T) {
	t.Parallel()
	natsURL := os.Getenv("PLAZA_TEST_NATS")
	if natsURL == "" {
		dbtest.Require(t, "nats", "PLAZA_TEST_NATS is not set")
	}
	db := dbtest.PostgresURL(t)
	prefix := "multi" + ids.Token(5)
	n1 := nodetest.Start(t, nodetest.Options{DBURL: db, NATS: natsURL, Prefix: prefix})
	n2 := nodetest.Start(t, nodetest.Options{DBURL: db, NATS: natsURL, Prefix: prefix})
	ann := nodetest.Signup(t, n1.URL(), "ann")
	ben := nodetest.Signup(t, n2.URL(), "ben")
	nodetest.Befriend(t, ann, ben, "ben")
	conv := direct(t, ann, "ben")
	annSocket := ann.Dial(t) // on node 1
	benOn2 := &nodetest.Client{Base: n2.URL(), Token: ben.Token, HTTP: ben.HTTP}
	for i := range 20 {
		send(t, benOn2, conv, fmt.Sprintf("n2-%d", i), "from node 2")
	}
	for i := range 20 {
		f := annSocket.Next(t, wait, nodetest.IsMessage(conv))
		if f.Num("message.seq") != int64(i+1) {
			t.Fatalf("node 1 got seq %d, want %d", f.Num("message.seq"), i+1)
		}
	}
	// And the other way, socket to socket.
	benSocket := benOn2.Dial(t)
	annSocket.Send(t, map[string]any{"type": "send", "conversation_id": conv, "client_id": "n1", "text": "from node 1"})
	if f := benSocket.Next(t, wait, nodetest.IsMessage(conv)); f.Str("message.text") != "from node 1" {
		t.Fatalf("node 2 got %v", f)
	}
}

// A socket that stops reading is closed once its queue is full, and the
// others keep getting everything.
func TestSlowSocketIsDisconnected(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben")
		ann, ben := u[0], u[1]
		conv := direct(t, ann, "ben")
		// A small window, so that the kernel's buffers hold little and the
		// queue fills after a few hundred frames, not thousands.
		stalled := ben.DialSmallWindow(t)
		stalled.StopReading()
		live := ben.Dial(t)
		big := strings.Repeat("長", 4000) // 12 KB a frame
		const most = 900                 // ~11 MB: more than any buffer between them
		sent := 0
		for sent < most && n.Hub.Connections() == 2 {
			if r := send(t, ann, conv, fmt.Sprintf("b-%d", sent), big); r.Status != 201 {
				t.Fatalf("send %d: %d", sent, r.Status)
			}
			sent++
		}
		// (WaitFor fails if the stalled one stays open.)
		nodetest.WaitFor(t, wait, func() bool { return n.Hub.Connections() == 1 })
		if sent <= chat.SendQueue {
			t.Fatalf("the stalled socket was closed after %d frames, fewer than its queue holds", sent)
		}
		// The live socket got every one, in order.
		for i := range sent {
			f := live.Next(t, wait, nodetest.IsMessage(conv))
			if got := f.Str("message.client_id"); got != fmt.Sprintf("b-%d", i) {
				t.Fatalf("the live socket's message %d is %s", i, got)
			}
		}
		t.Logf("the stalled socket was closed after %d frames", sent)
	})
}

// A peer that stops answering pings is closed as dead.
func TestDeadSocketIsClosedByHeartbeat(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{Tune: func(c *node.Config) {
		// Pinged often; a pong may take 2 s, so a live socket on a loaded
		// machine is not mistaken for the dead one.
		c.Test.SocketPing, c.Test.SocketPongWait = 100*time.Millisecond, 2*time.Second
	}}, func(t *testing.T, n *node.Node) {
		ann := nodetest.Signup(t, n.URL(), "ann")
		alive, dead := ann.Dial(t), ann.Dial(t)
		dead.StopReading()
		// One frame back lets its reader reach the stall: from then on no reads, no pongs.
		dead.Send(t, map[string]any{"type": "ping"})
		// (WaitFor fails if the dead one stays open.)
		nodetest.WaitFor(t, wait, func() bool { return n.Hub.Connections() == 1 })
		alive.Send(t, map[string]any{"type": "ping"}) // the live one still answers
		alive.Next(t, wait, func(f nodetest.Frame) bool { return f["type"] == "pong" })
	})
}

// A socket keeps several sends in flight (the read loop does not wait for
// each commit), yet each conversation's messages take their seqs in the
// order they were sent, and the socket's answers — acks, a refusal, a
// repeated client_id's same message — come back in the order of the
// frames.
func TestSocketPipelinedSendsKeepTheirOrder(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "pipe_ann", "pipe_ben", "pipe_cat")
		ann, ben := u[0], u[1]
		convs := []string{direct(t, ann, "pipe_ben"), direct(t, ann, "pipe_cat")}
		ws, benWS := ann.Dial(t), ben.Dial(t)
		var order []string // client ids in the order sent
		for i := range 40 {
			id := fmt.Sprintf("p-%d", i)
			switch i {
			case 17:
				ws.Send(t, map[string]any{"type": "send", "conversation_id": "c_nosuch", "client_id": id, "kind": "text", "text": "lost?"})
			case 25:
				id = "p-3" // sent again: the same message, answered again
				ws.Send(t, map[string]any{"type": "send", "conversation_id": convs[1], "client_id": id, "kind": "text", "text": "3"})
			default:
				ws.Send(t, map[string]any{"type": "send", "conversation_id": convs[i%2], "client_id": id, "kind": "text", "text": fmt.Sprint(i)})
			}
			order = append(order, id)
		}
		answers := ws.TakeN(20*time.Second, len(order), func(f nodetest.Frame) bool {
			return (f.Str("type") == "ack" || f.Str("type") == "error") && strings.HasPrefix(f.Str("client_id"), "p-")
		})
		if len(answers) != len(order) {
			t.Fatalf("%d answers to %d sends", len(answers), len(order))
		}
		last := map[string]int64{}
		seqOf := map[string]int64{}
		for i, f := range answers {
			if f.Str("client_id") != order[i] {
				t.Fatalf("answer %d is for %s, sent %s: answers out of order", i, f.Str("client_id"), order[i])
			}
			if i == 17 {
				if f.Str("type") != "error" || f.Str("error.code") != "not_found" {
					t.Fatalf("the send to no conversation: %v", f)
				}
				continue
			}
			if f.Str("type") != "ack" {
				t.Fatalf("answer %d: %v", i, f)
			}
			conv, seq := f.Str("message.conversation_id"), f.Num("message.seq")
			if i == 25 {
				if seq != seqOf["p-3"] {
					t.Fatalf("the repeated client_id got seq %d, first %d", seq, seqOf["p-3"])
				}
				continue
			}
			if seq != last[conv]+1 {
				t.Fatalf("%s took seq %d after %d in its conversation", order[i], seq, last[conv])
			}
			last[conv], seqOf[order[i]] = seq, seq
		}
		// Ben's socket has the messages of his conversation in the order sent.
		got := benWS.TakeN(20*time.Second, 20, nodetest.IsMessage(convs[0]))
		for i, f := range got {
			if want := fmt.Sprint(2 * i); f.Str("message.text") != want || f.Num("message.seq") != int64(i+1) {
				t.Fatalf("ben's message %d: %v, want text %s seq %d", i, f, want, i+1)
			}
		}
		if len(got) != 20 {
			t.Fatalf("ben got %d of 20 messages", len(got))
		}
	})
}
