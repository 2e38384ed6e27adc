package chat_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/chat"
	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// With the conversation's writer busy and its queue full, a send is
// refused at once with 429 rate_limited — over HTTP and over the socket —
// and writes nothing; once the queue drains, the same client_id sends the
// message once.
func TestSendIsShedWhenTheWriterIsFull(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "shed_ann", "shed_ben")
		ann := u[0]
		conv := direct(t, ann, "shed_ben")
		before := rowCount(t, n, "messages")
		b := chat.BatcherOf(n.Chat)
		ctx := context.Background()

		// Hold the writer inside a job, then fill its queue.
		in, release := make(chan struct{}), make(chan struct{})
		held := make(chan error, 1)
		go func() {
			held <- b.DoChecked(ctx, conv, func(context.Context, *sqldb.Tx) error {
				close(in)
				<-release
				return nil
			})
		}()
		<-in
		_, capacity := b.Queued(conv)
		fillers := make(chan error, capacity)
		for range capacity {
			go func() { fillers <- b.DoChecked(ctx, conv, func(context.Context, *sqldb.Tx) error { return nil }) }()
		}
		deadline := time.Now().Add(20 * time.Second)
		for q, _ := b.Queued(conv); q < capacity; q, _ = b.Queued(conv) {
			if time.Now().After(deadline) {
				t.Fatalf("the queue holds %d of %d", q, capacity)
			}
			time.Sleep(5 * time.Millisecond)
		}

		began := time.Now()
		r := send(t, ann, conv, "shed-1", "busy?")
		if r.Status != 429 || r.Code() != "rate_limited" {
			t.Fatalf("send with a full writer: %d %s, want 429 rate_limited", r.Status, r.Body)
		}
		if waited := time.Since(began); waited > 5*time.Second {
			t.Fatalf("the refusal took %v: it waited for the queue", waited)
		}
		ws := ann.Dial(t)
		defer ws.Close()
		ws.Send(t, map[string]any{"type": "send", "conversation_id": conv, "client_id": "shed-2", "kind": "text", "text": "busy too?"})
		f := ws.Next(t, 10*time.Second, func(f nodetest.Frame) bool { return f.Str("type") == "error" && f.Str("client_id") == "shed-2" })
		if f.Str("error.code") != "rate_limited" {
			t.Fatalf("socket send with a full writer: %v, want an error frame rate_limited", f)
		}
		if got := n.Chat.SendsShed(); got < 2 {
			t.Fatalf("SendsShed = %d, want at least 2", got)
		}
		// A shed send is the node's doing, not a refused frame: more of
		// them than a socket may have refused frames (100) leave it open.
		const many = 105
		for i := range many {
			ws.Send(t, map[string]any{"type": "send", "conversation_id": conv, "client_id": fmt.Sprintf("shed-m%d", i), "kind": "text", "text": "still busy?"})
			time.Sleep(40 * time.Millisecond) // under the frame rate (30 a second)
		}
		shedFrames := ws.TakeN(20*time.Second, many, func(f nodetest.Frame) bool {
			return f.Str("type") == "error" && strings.HasPrefix(f.Str("client_id"), "shed-m")
		})
		for _, f := range shedFrames {
			if f.Str("error.code") != "rate_limited" {
				t.Fatalf("a send with a full writer: %v", f)
			}
		}
		if len(shedFrames) != many {
			t.Fatalf("%d of %d shed sends answered", len(shedFrames), many)
		}
		ws.Send(t, map[string]any{"type": "ping"})
		ws.Next(t, 10*time.Second, func(f nodetest.Frame) bool { return f.Str("type") == "pong" })

		close(release)
		if err := <-held; err != nil {
			t.Fatal(err)
		}
		for range capacity {
			if err := <-fillers; err != nil {
				t.Fatal(err)
			}
		}
		if got := rowCount(t, n, "messages"); got != before {
			t.Fatalf("%d messages written by refused sends", got-before)
		}
		for range 2 { // the client's retry, twice: one message
			if r := send(t, ann, conv, "shed-1", "busy?"); r.Status != 201 && r.Status != 200 {
				t.Fatalf("retry after the overload: %d %s", r.Status, r.Body)
			}
		}
		if got := rowCount(t, n, "messages"); got != before+1 {
			t.Fatalf("%d messages after the retries, want 1", got-before)
		}
	})
}
