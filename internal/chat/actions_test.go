package chat_test

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/ids"
)

func items(r *nodetest.Response) []map[string]any {
	raw, _ := r.Get("items").([]any)
	out := make([]map[string]any, len(raw))
	for i, v := range raw {
		out[i], _ = v.(map[string]any)
	}
	return out
}

func history(t *testing.T, c *nodetest.Client, conv string) []map[string]any {
	t.Helper()
	r := c.Do(t, "GET", "/api/v1/conversations/"+conv+"/messages?after_seq=0&limit=200", nil)
	if r.Status != 200 {
		t.Fatalf("history: %d %s", r.Status, r.Body)
	}
	return items(r)
}

func lastSeq(t *testing.T, n *node.Node, conv string) int64 {
	t.Helper()
	var seq int64
	if err := n.DB.QueryRow(context.Background(), "SELECT last_seq FROM conversations WHERE id = ?", conv).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	return seq
}

func sent(t *testing.T, r *nodetest.Response) string {
	t.Helper()
	if r.Status != 201 {
		t.Fatalf("send: %d %s", r.Status, r.Body)
	}
	return r.Str("message.id")
}

// A reply quotes a message of its own conversation, over HTTP and the
// socket; a forged id (another conversation's, one the sender cannot see,
// nonsense) is refused and writes nothing; a quote of a message recalled
// since shows the recall and no text.
func TestQuoteReply(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben", "cat")
		ann, ben, cat := u[0], u[1], u[2]
		ab, ac := direct(t, ann, "ben"), direct(t, ann, "cat")
		first := sent(t, send(t, ann, ab, "q1", "Lunch at noon? "+strings.Repeat("long words ", 40)))
		secret := sent(t, send(t, ann, ab, "q2", "for ben only"))

		r := ben.Do(t, "POST", "/api/v1/conversations/"+ab+"/messages", map[string]any{"client_id": "r1", "text": "Yes!", "reply_to": first})
		if r.Status != 201 || r.Str("message.reply_to.id") != first || r.Str("message.reply_to.sender.username") != "ann" || r.Str("message.reply_to.kind") != "text" {
			t.Fatalf("reply: %d %s", r.Status, r.Body)
		}
		if q := r.Str("message.reply_to.text"); !strings.HasPrefix(q, "Lunch at noon?") || !strings.HasSuffix(q, "…") || len([]rune(q)) > 141 {
			t.Fatalf("quoted text %q: want the start, cut with an ellipsis", q)
		}
		// The retry returns the same message, quote and all.
		if again := ben.Do(t, "POST", "/api/v1/conversations/"+ab+"/messages", map[string]any{"client_id": "r1", "text": "Yes!", "reply_to": first}); again.Status != 200 || again.Str("message.reply_to.id") != first {
			t.Fatalf("retry: %d %s", again.Status, again.Body)
		}

		before := lastSeq(t, n, ac)
		for _, tc := range []struct {
			name    string
			c       *nodetest.Client
			conv    string
			replyTo string
			status  int
		}{
			{"other_conversations_message", ann, ac, secret, 400},
			{"unknown_id", ann, ac, "m_forged", 400},
			{"outsider_into_theirs", cat, ab, first, 404},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := tc.c.Do(t, "POST", "/api/v1/conversations/"+tc.conv+"/messages", map[string]any{"client_id": "f-" + tc.name, "text": "hi", "reply_to": tc.replyTo})
				if r.Status != tc.status {
					t.Fatalf("%d %s, want %d", r.Status, r.Body, tc.status)
				}
			})
		}
		if got := lastSeq(t, n, ac); got != before {
			t.Fatalf("a refused reply wrote: last_seq %d → %d", before, got)
		}

		// Over the socket.
		s := ann.Dial(t)
		s.Send(t, map[string]any{"type": "send", "conversation_id": ab, "client_id": "ws1", "kind": "text", "text": "see above", "reply_to": first})
		ack := s.Next(t, wait, func(f nodetest.Frame) bool { return f["type"] == "ack" || f["type"] == "error" })
		if ack["type"] != "ack" || ack.Str("message.reply_to.id") != first {
			t.Fatalf("socket reply: %v", ack)
		}
		s.Send(t, map[string]any{"type": "send", "conversation_id": ac, "client_id": "ws2", "kind": "text", "text": "x", "reply_to": secret})
		if e := s.Next(t, wait, func(f nodetest.Frame) bool { return f["client_id"] == "ws2" }); e["type"] != "error" || e.Str("error.code") != "invalid_argument" {
			t.Fatalf("socket forged reply: %v", e)
		}

		// The quoted message recalled: the quote shows that, without text.
		if r := ann.Do(t, "POST", "/api/v1/messages/"+first+"/recall", nil); r.Status != 200 {
			t.Fatalf("recall: %d %s", r.Status, r.Body)
		}
		for _, m := range history(t, ben, ab) {
			if m["client_id"] == "r1" {
				q := m["reply_to"].(map[string]any)
				if q["kind"] != "recalled" || q["text"] != "" {
					t.Fatalf("quote of a recalled message: %v", q)
				}
			}
		}
		// Nothing left to quote.
		if r := ben.Do(t, "POST", "/api/v1/conversations/"+ab+"/messages", map[string]any{"client_id": "r2", "text": "?", "reply_to": first}); r.Status != 400 {
			t.Fatalf("reply to a recalled message: %d %s", r.Status, r.Body)
		}
	})
}

// Forward copies text and images into several chats at once, as the
// forwarder's messages, and an image stays visible to the new chat's
// members; a retry with the same Idempotency-Key posts nothing twice;
// others' messages, chats the caller is not in, system messages and
// oversize requests are refused and write nothing.
func TestForward(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben", "cat", "dan")
		ann, ben, cat, dan := u[0], u[1], u[2], u[3]
		ab, ac := direct(t, ann, "ben"), direct(t, ann, "cat")
		g := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "group", "title": "Team", "usernames": []string{"cat", "dan"}})
		group := g.Str("conversation.id")
		txt := sent(t, send(t, ben, ab, "t1", "The address is 12 Main St"))
		up := upload(t, ann, "a.png", "image/png", pngBytes(t))
		mid := up.Str("media_id")
		img := sent(t, ann.Do(t, "POST", "/api/v1/conversations/"+ab+"/messages", map[string]any{"client_id": "i1", "kind": "image", "media_id": mid}))
		if r := dan.Do(t, "GET", "/api/v1/media/"+mid, nil); r.Status != 404 {
			t.Fatalf("dan sees the image before the forward: %d", r.Status)
		}

		body := map[string]any{"message_ids": []string{img, txt}, "conversation_ids": []string{ac, group}}
		r := ann.Do(t, "POST", "/api/v1/messages/forward", body, "Idempotency-Key", "k1")
		if r.Status != 201 || len(items(r)) != 4 {
			t.Fatalf("forward: %d %s", r.Status, r.Body)
		}
		got := items(r)
		// Oldest first in each chat; the forwarder is the sender.
		if got[0]["kind"] != "text" || got[1]["kind"] != "image" || got[1]["media_id"] != mid {
			t.Fatalf("forwarded order or content: %v", got)
		}
		for _, m := range got {
			if m["sender"].(map[string]any)["username"] != "ann" || m["reply_to"] != nil {
				t.Fatalf("forwarded as: %v", m)
			}
		}
		if r := dan.Do(t, "GET", "/api/v1/media/"+mid, nil); r.Status != 200 {
			t.Fatalf("dan cannot open the forwarded image: %d", r.Status)
		}
		again := ann.Do(t, "POST", "/api/v1/messages/forward", body, "Idempotency-Key", "k1")
		if again.Status != 200 || len(items(again)) != 4 || items(again)[0]["id"] != got[0]["id"] {
			t.Fatalf("retry: %d %s", again.Status, again.Body)
		}
		if h := history(t, cat, ac); len(h) != 2 {
			t.Fatalf("cat's chat has %d messages after a forward and its retry, want 2", len(h))
		}

		seqs := map[string]int64{ab: lastSeq(t, n, ab), ac: lastSeq(t, n, ac), group: lastSeq(t, n, group)}
		sys := history(t, ann, group)[0]["id"].(string)
		for _, tc := range []struct {
			name   string
			c      *nodetest.Client
			body   map[string]any
			status int
		}{
			{"others_message", cat, map[string]any{"message_ids": []string{txt}, "conversation_ids": []string{ac}}, 404},
			{"chat_not_mine", ben, map[string]any{"message_ids": []string{txt}, "conversation_ids": []string{ac}}, 404},
			{"one_bad_target_of_two", ann, map[string]any{"message_ids": []string{txt}, "conversation_ids": []string{ac, "c_" + ids.Token(8)}}, 404},
			{"system_message", ann, map[string]any{"message_ids": []string{sys}, "conversation_ids": []string{ac}}, 400},
			{"none", ann, map[string]any{"message_ids": []string{}, "conversation_ids": []string{ac}}, 400},
			{"too_many", ann, map[string]any{"message_ids": make([]string, 0), "conversation_ids": []string{ac}}, 400},
			{"unknown_field", ann, map[string]any{"message_ids": []string{txt}, "conversation_ids": []string{ac}, "as": "ben"}, 400},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if tc.name == "too_many" {
					var many []string
					for i := 0; i < 21; i++ {
						many = append(many, txt+string(rune('a'+i)))
					}
					tc.body["message_ids"] = many
				}
				r := tc.c.Do(t, "POST", "/api/v1/messages/forward", tc.body)
				if r.Status != tc.status {
					t.Fatalf("%d %s, want %d", r.Status, r.Body, tc.status)
				}
			})
		}
		for conv, seq := range seqs {
			if got := lastSeq(t, n, conv); got != seq {
				t.Fatalf("a refused forward wrote into %s: last_seq %d → %d", conv, seq, got)
			}
		}
	})
}

// Recall: the sender only, within two minutes; the content is gone from
// the database (text, media row); everyone reads kind "recalled"; a
// recalled message recalled again answers the same.
func TestRecall(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben", "cat")
		ann, ben, cat := u[0], u[1], u[2]
		ab := direct(t, ann, "ben")
		m := sent(t, send(t, ann, ab, "c1", "oops, wrong chat"))
		old := sent(t, send(t, ann, ab, "c2", "from long ago"))
		if _, err := n.DB.Exec(context.Background(), "UPDATE messages SET created_at = created_at - ? WHERE id = ?", int64(3*time.Minute/time.Microsecond), old); err != nil {
			t.Fatal(err)
		}
		mid := upload(t, ann, "a.png", "image/png", pngBytes(t)).Str("media_id")
		img := sent(t, ann.Do(t, "POST", "/api/v1/conversations/"+ab+"/messages", map[string]any{"client_id": "c3", "kind": "image", "media_id": mid}))

		for _, tc := range []struct {
			name   string
			c      *nodetest.Client
			id     string
			status int
			code   string
		}{
			{"someone_elses", ben, m, 403, "forbidden"},
			{"outsider", cat, m, 404, "not_found"},
			{"unknown", ann, "m_nope", 404, "not_found"},
			{"too_old", ann, old, 422, "recall_window_passed"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := tc.c.Do(t, "POST", "/api/v1/messages/"+tc.id+"/recall", nil)
				if r.Status != tc.status || r.Code() != tc.code {
					t.Fatalf("%d %s, want %d %s", r.Status, r.Body, tc.status, tc.code)
				}
			})
		}
		if h := history(t, ben, ab); h[0]["text"] != "oops, wrong chat" || h[1]["text"] != "from long ago" {
			t.Fatalf("a refused recall changed the messages: %v", h)
		}

		for _, id := range []string{m, img} {
			r := ann.Do(t, "POST", "/api/v1/messages/"+id+"/recall", nil)
			if r.Status != 200 || r.Str("message.kind") != "recalled" || r.Str("message.text") != "" || r.Str("message.media_id") != "" {
				t.Fatalf("recall: %d %s", r.Status, r.Body)
			}
		}
		// Gone from the database, not just hidden.
		var kind, text string
		var media sql.NullString
		var recalledAt sql.NullInt64
		for _, id := range []string{m, img} {
			if err := n.DB.QueryRow(context.Background(), "SELECT kind, text, media_id, recalled_at FROM messages WHERE id = ?", id).Scan(&kind, &text, &media, &recalledAt); err != nil {
				t.Fatal(err)
			}
			if kind != "recalled" || text != "" || media.Valid || !recalledAt.Valid {
				t.Fatalf("row after recall: %q %q %v %v", kind, text, media, recalledAt)
			}
		}
		var left int
		if err := n.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM media WHERE id = ?", mid).Scan(&left); err != nil || left != 0 {
			t.Fatalf("the recalled image's upload is still there (%d, %v)", left, err)
		}
		if r := ben.Do(t, "GET", "/api/v1/media/"+mid, nil); r.Status != 404 {
			t.Fatalf("the recalled image still opens: %d", r.Status)
		}
		for _, c := range []*nodetest.Client{ann, ben} {
			h := history(t, c, ab)
			if h[0]["kind"] != "recalled" || h[0]["text"] != "" || h[2]["kind"] != "recalled" || h[2]["media_url"] != nil {
				t.Fatalf("history after recall: %v", h)
			}
		}
		if r := ann.Do(t, "POST", "/api/v1/messages/"+m+"/recall", nil); r.Status != 200 || r.Str("message.kind") != "recalled" {
			t.Fatalf("recall again: %d %s", r.Status, r.Body)
		}
		// Recalled messages are not forwarded.
		if r := ann.Do(t, "POST", "/api/v1/messages/forward", map[string]any{"message_ids": []string{m}, "conversation_ids": []string{ab}}); r.Status != 400 {
			t.Fatalf("forwarding a recalled message: %d %s", r.Status, r.Body)
		}
	})
}

// Delete for me hides a message from the caller's history only (as kind
// "hidden", keeping the seqs gapless), tells the caller's other devices,
// and is 404 for messages the caller cannot see.
func TestDeleteForMe(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben", "cat")
		ann, ben, cat := u[0], u[1], u[2]
		ab := direct(t, ann, "ben")
		m := sent(t, send(t, ann, ab, "d1", "a private thought"))
		sent(t, send(t, ann, ab, "d2", "the next one"))
		other := ben.Dial(t)
		if r := cat.Do(t, "DELETE", "/api/v1/messages/"+m, nil); r.Status != 404 {
			t.Fatalf("outsider delete: %d", r.Status)
		}
		for i := 0; i < 2; i++ { // twice: the same answer
			if r := ben.Do(t, "DELETE", "/api/v1/messages/"+m, nil); r.Status != 204 {
				t.Fatalf("delete for me: %d %s", r.Status, r.Body)
			}
		}
		f := other.Next(t, wait, func(f nodetest.Frame) bool { return f["type"] == "hidden" })
		if f.Str("message_id") != m || f.Num("seq") != 1 {
			t.Fatalf("hidden frame: %v", f)
		}
		h := history(t, ben, ab)
		if len(h) != 2 || h[0]["kind"] != "hidden" || h[0]["text"] != "" || h[0]["seq"].(float64) != 1 || h[1]["text"] != "the next one" {
			t.Fatalf("ben's history: %v", h)
		}
		if h := history(t, ann, ab); h[0]["text"] != "a private thought" {
			t.Fatalf("ann's history changed: %v", h)
		}
		// Hiding the last message hides it from the chat list's preview too.
		last := sent(t, send(t, ann, ab, "d3", "the last word"))
		if r := ben.Do(t, "DELETE", "/api/v1/messages/"+last, nil); r.Status != 204 {
			t.Fatalf("delete the last: %d", r.Status)
		}
		preview := func(c *nodetest.Client) (kind, text string) {
			r := c.Do(t, "GET", "/api/v1/conversations/"+ab, nil)
			return r.Str("conversation.last_message.kind"), r.Str("conversation.last_message.text")
		}
		if k, txt := preview(ben); k != "hidden" || txt != "" {
			t.Fatalf("ben's preview: %s %q", k, txt)
		}
		if k, txt := preview(ann); k != "text" || txt != "the last word" {
			t.Fatalf("ann's preview: %s %q", k, txt)
		}
	})
}

// A recall reaches every device of both users on two nodes, after the
// message it recalls and once.
func TestRecalledFrameAcrossNodes(t *testing.T) {
	t.Parallel()
	natsURL := os.Getenv("PLAZA_TEST_NATS")
	if natsURL == "" {
		dbtest.Require(t, "nats", "PLAZA_TEST_NATS is not set")
	}
	db := dbtest.PostgresURL(t)
	prefix := "recall" + ids.Token(5)
	nA := nodetest.Start(t, nodetest.Options{DBURL: db, NATS: natsURL, Prefix: prefix})
	nB := nodetest.Start(t, nodetest.Options{DBURL: db, NATS: natsURL, Prefix: prefix})
	ann := nodetest.Signup(t, nA.URL(), "ann")
	ben := nodetest.Signup(t, nA.URL(), "ben")
	nodetest.Befriend(t, ann, ben, "ben")
	conv := direct(t, ann, "ben")
	onB := func(c *nodetest.Client) *nodetest.Client {
		return &nodetest.Client{Base: nB.URL(), Token: c.Token, HTTP: c.HTTP}
	}
	sockets := map[string]*nodetest.Socket{"ann@A": ann.Dial(t), "ann@B": onB(ann).Dial(t), "ben@A": ben.Dial(t), "ben@B": onB(ben).Dial(t)}
	m1 := sent(t, send(t, ann, conv, "x1", "first"))
	// Recalled on the other node, at once.
	if r := onB(ann).Do(t, "POST", "/api/v1/messages/"+m1+"/recall", nil); r.Status != 200 {
		t.Fatalf("recall on B: %d %s", r.Status, r.Body)
	}
	sent(t, send(t, ann, conv, "x2", "second"))
	of := func(f nodetest.Frame) bool {
		return (f["type"] == "message" && f.Str("message.conversation_id") == conv) || f["type"] == "recalled"
	}
	for name, s := range sockets {
		got := s.TakeN(wait, 3, of)
		if len(got) != 3 {
			t.Fatalf("%s: %d frames, want 3: %v", name, len(got), got)
		}
		if got[0]["type"] != "message" || got[0].Num("message.seq") != 1 {
			t.Fatalf("%s: first frame %v, want message 1", name, got[0])
		}
		var rec nodetest.Frame
		for _, f := range got[1:] {
			if f["type"] == "recalled" {
				rec = f
			}
		}
		if rec == nil || rec.Str("message_id") != m1 || rec.Num("seq") != 1 || rec.Str("conversation_id") != conv {
			t.Fatalf("%s: recalled frame %v", name, got)
		}
		if extra, ok := s.Wait(200*time.Millisecond, func(f nodetest.Frame) bool { return f["type"] == "recalled" }); ok {
			t.Fatalf("%s: a second recalled frame %v", name, extra)
		}
	}
	// A device that syncs afterwards reads the recall.
	if h := history(t, onB(ben), conv); h[0]["kind"] != "recalled" || h[0]["text"] != "" {
		t.Fatalf("sync after the recall: %v", h)
	}
}
