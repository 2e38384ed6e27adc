package chat_test

import (
	"context"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/plaza-dev/plaza/internal/chat"
	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// An account holds at most MaxSocketsPerUser sockets on a node: one more
// closes the oldest, with a reason that says so.
func TestSocketCapPerAccount(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		ann := nodetest.Signup(t, n.URL(), "ann")
		ben := nodetest.Signup(t, n.URL(), "ben")
		var socks []*nodetest.Socket
		for range chat.MaxSocketsPerUser {
			socks = append(socks, ann.Dial(t))
		}
		other := ben.Dial(t)
		newest := ann.Dial(t)
		if !socks[0].Closed(wait) {
			t.Fatal("the oldest socket stayed open past the cap")
		}
		if got := socks[0].CloseStatus(); got != websocket.StatusPolicyViolation {
			t.Fatalf("oldest closed with %v, want %v", got, websocket.StatusPolicyViolation)
		}
		for i, s := range append(socks[1:], newest, other) {
			s.Send(t, map[string]any{"type": "ping"})
			if _, ok := s.Wait(wait, func(f nodetest.Frame) bool { return f["type"] == "pong" }); !ok {
				t.Fatalf("socket %d was closed too", i)
			}
		}
		if got := n.Hub.Connections(); got != chat.MaxSocketsPerUser+1 {
			t.Fatalf("%d sockets open, want %d", got, chat.MaxSocketsPerUser+1)
		}
	})
}

// socketPing is the ping interval of the session-check tests: long enough
// for a pong on a busy machine, short enough for the test to be quick.
const socketPing = 250 * time.Millisecond

// A socket re-checks its session on every ping tick: once the session has
// expired it is closed at the next tick with CloseSessionEnded, while the
// sockets of sessions that still hold stay open.
func TestSocketClosesWhenItsSessionExpires(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{Tune: func(c *node.Config) { c.Test.SocketPing = socketPing }}, func(t *testing.T, n *node.Node) {
		ann := nodetest.Signup(t, n.URL(), "ann")
		ben := nodetest.Signup(t, n.URL(), "ben")
		annSock, benSock := ann.Dial(t), ben.Dial(t)
		if annSock.Closed(4 * socketPing) {
			t.Fatalf("closed (%v) over ping ticks while the session held", annSock.CloseStatus())
		}
		// Ann's session expires (the clock of the database moves past it).
		past := time.Now().Add(-time.Second).UnixMicro()
		if _, err := n.DB.Exec(context.Background(), `UPDATE sessions SET expires_at = ? WHERE user_id = ?`, past, userID(t, ann)); err != nil {
			t.Fatal(err)
		}
		if !annSock.Closed(8 * socketPing) {
			t.Fatalf("the socket is still open %v after its session expired", 8*socketPing)
		}
		if got := annSock.CloseStatus(); got != chat.CloseSessionEnded {
			t.Fatalf("closed with %v, want %d", got, chat.CloseSessionEnded)
		}
		benSock.Send(t, map[string]any{"type": "ping"})
		if _, ok := benSock.Wait(wait, func(f nodetest.Frame) bool { return f["type"] == "pong" }); !ok {
			t.Fatalf("the socket of a session that holds was closed too (%v)", benSock.CloseStatus())
		}
	})
}

// A session that ends without its announcement reaching the hub (here its
// row is deleted behind the account component's back, as a lost bus
// message would leave it) is still closed at the next ping tick.
func TestSocketClosesAtPingWhenItsEndWasNotAnnounced(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{Tune: func(c *node.Config) { c.Test.SocketPing = socketPing }}, func(t *testing.T, n *node.Node) {
		ann := nodetest.Signup(t, n.URL(), "ann")
		s := ann.Dial(t)
		if _, err := n.DB.Exec(context.Background(), `DELETE FROM sessions WHERE user_id = ?`, userID(t, ann)); err != nil {
			t.Fatal(err)
		}
		if !s.Closed(8 * socketPing) {
			t.Fatalf("the socket is still open %v after its session ended", 8*socketPing)
		}
		if got := s.CloseStatus(); got != chat.CloseSessionEnded {
			t.Fatalf("closed with %v, want %d", got, chat.CloseSessionEnded)
		}
	})
}

func userID(t *testing.T, c *nodetest.Client) string {
	t.Helper()
	r := c.Do(t, "GET", "/api/v1/me", nil)
	if r.Status != 200 || r.Str("user.id") == "" {
		t.Fatalf("me: %d %s", r.Status, r.Body)
	}
	return r.Str("user.id")
}
