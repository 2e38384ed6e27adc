package chat_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"strings"
	"sync"
	"testing"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// people signs up users named names, all contacts of the first.
func people(t *testing.T, n *node.Node, names ...string) []*nodetest.Client {
	out := make([]*nodetest.Client, len(names))
	for i, name := range names {
		out[i] = nodetest.Signup(t, n.URL(), name)
		if i > 0 {
			nodetest.Befriend(t, out[0], out[i], name)
		}
	}
	return out
}

func direct(t *testing.T, a *nodetest.Client, username string) string {
	t.Helper()
	r := a.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": username})
	if r.Status != 201 && r.Status != 200 {
		t.Fatalf("direct: %d %s", r.Status, r.Body)
	}
	return r.Str("conversation.id")
}

func send(t *testing.T, c *nodetest.Client, conv, clientID, text string) *nodetest.Response {
	t.Helper()
	return c.Do(t, "POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"client_id": clientID, "kind": "text", "text": text})
}

func rowCount(t *testing.T, n *node.Node, table string) int {
	t.Helper()
	var c int
	if err := n.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConversations(t *testing.T) {
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben", "cat")
		ann, ben, cat := u[0], u[1], u[2]
		stranger := nodetest.Signup(t, n.URL(), "zed")

		r := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "ben"})
		if r.Status != 201 || r.Str("conversation.type") != "direct" || r.Str("conversation.title") != "Ben" {
			t.Fatalf("direct: %d %s", r.Status, r.Body)
		}
		id := r.Str("conversation.id")
		again := ben.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "ann"})
		if again.Status != 200 || again.Str("conversation.id") != id || again.Str("conversation.title") != "Ann" {
			t.Fatalf("second direct from the other side: %d %s", again.Status, again.Body)
		}
		cases := []struct {
			name   string
			c      *nodetest.Client
			method string
			path   string
			body   any
			status int
			code   string
		}{
			{"direct_with_stranger", ann, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "zed"}, 403, "forbidden"},
			{"direct_with_self", ann, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "ann"}, 400, "invalid_argument"},
			{"direct_with_nobody", ann, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "ghost"}, 404, "not_found"},
			{"bad_type", ann, "POST", "/api/v1/conversations", map[string]any{"type": "channel"}, 400, "invalid_argument"},
			{"group_without_title", ann, "POST", "/api/v1/conversations", map[string]any{"type": "group", "title": " ", "usernames": []string{"ben"}}, 400, "invalid_argument"},
			{"group_with_stranger", ann, "POST", "/api/v1/conversations", map[string]any{"type": "group", "title": "G", "usernames": []string{"zed"}}, 403, "forbidden"},
			{"others_conversation", stranger, "GET", "/api/v1/conversations/" + id, nil, 404, "not_found"},
			{"others_messages", stranger, "GET", "/api/v1/conversations/" + id + "/messages?after_seq=0", nil, 404, "not_found"},
			{"post_to_others", stranger, "POST", "/api/v1/conversations/" + id + "/messages", map[string]any{"client_id": "x", "text": "hi"}, 404, "not_found"},
			{"unknown_conversation", ann, "GET", "/api/v1/conversations/c_nope", nil, 404, "not_found"},
			{"leave_direct", ann, "DELETE", "/api/v1/conversations/" + id + "/members/me", nil, 403, "forbidden"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := tc.c.Do(t, tc.method, tc.path, tc.body)
				if r.Status != tc.status || r.Code() != tc.code {
					t.Fatalf("got %d %s, want %d %s", r.Status, r.Body, tc.status, tc.code)
				}
			})
		}
		if got := rowCount(t, n, "conversations"); got != 1 {
			t.Fatalf("%d conversations after refusals, want 1", got)
		}

		g := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "group", "title": "Book club", "usernames": []string{"ben"}})
		if g.Status != 201 || len(g.Get("conversation.members").([]any)) != 2 || g.Str("conversation.last_message.kind") != "system" {
			t.Fatalf("group: %d %s", g.Status, g.Body)
		}
		gid := g.Str("conversation.id")
		if r := ben.Do(t, "POST", "/api/v1/conversations/"+gid+"/members", map[string]any{"usernames": []string{"cat"}}); r.Status != 403 {
			t.Fatalf("ben added cat, who is not his contact: %d %s", r.Status, r.Body)
		}
		if r := ann.Do(t, "POST", "/api/v1/conversations/"+gid+"/members", map[string]any{"usernames": []string{"cat"}}); r.Status != 200 || len(r.Get("conversation.members").([]any)) != 3 {
			t.Fatalf("add: %d %s", r.Status, r.Body)
		}
		if r := cat.Do(t, "DELETE", "/api/v1/conversations/"+gid+"/members/me", nil); r.Status != 204 {
			t.Fatalf("leave: %d %s", r.Status, r.Body)
		}
		if r := cat.Do(t, "GET", "/api/v1/conversations/"+gid+"/messages", nil); r.Status != 404 {
			t.Fatalf("reading after leaving: %d", r.Status)
		}
		msgs := ann.Do(t, "GET", "/api/v1/conversations/"+gid+"/messages?after_seq=0", nil)
		var texts []string
		for i, it := range msgs.Get("items").([]any) {
			m := it.(map[string]any)
			if int(m["seq"].(float64)) != i+1 || m["kind"] != "system" {
				t.Fatalf("system message %d: %v", i, m)
			}
			texts = append(texts, m["text"].(string))
		}
		want := []string{"Ann created the group “Book club” with Ben", "Ann added Cat", "Cat left the group"}
		if strings.Join(texts, "|") != strings.Join(want, "|") {
			t.Fatalf("system messages %q, want %q", texts, want)
		}
		list := ann.Do(t, "GET", "/api/v1/conversations", nil)
		items := list.Get("items").([]any)
		if len(items) != 2 || items[0].(map[string]any)["id"] != gid {
			t.Fatalf("list is not most recent first: %s", list.Body)
		}
	})
}

func TestMessages(t *testing.T) {
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben")
		ann, ben := u[0], u[1]
		conv := direct(t, ann, "ben")
		r := send(t, ann, conv, "c-1", "hello ben")
		if r.Status != 201 || r.Get("message.seq").(float64) != 1 || r.Str("message.sender.username") != "ann" || r.Str("message.client_id") != "c-1" {
			t.Fatalf("send: %d %s", r.Status, r.Body)
		}
		first := r.Str("message.id")
		again := send(t, ann, conv, "c-1", "hello ben")
		if again.Status != 200 || again.Str("message.id") != first {
			t.Fatalf("same client_id again: %d %s", again.Status, again.Body)
		}
		cases := []struct {
			name   string
			body   string
			status int
			code   string
		}{
			{"no_client_id", `{"kind":"text","text":"hi"}`, 400, "invalid_argument"},
			{"empty_text", `{"client_id":"e","kind":"text","text":"  "}`, 400, "invalid_argument"},
			{"too_long", `{"client_id":"l","kind":"text","text":"` + strings.Repeat("字", 4001) + `"}`, 400, "invalid_argument"},
			{"unknown_kind", `{"client_id":"k","kind":"red_packet","text":"x"}`, 400, "invalid_argument"},
			{"image_without_media", `{"client_id":"i","kind":"image"}`, 400, "invalid_argument"},
			{"someone_elses_media", `{"client_id":"j","kind":"image","media_id":"med_x"}`, 400, "invalid_argument"},
			{"wrong_type", `{"client_id":"w","kind":"text","text":5}`, 400, "invalid_argument"},
			{"malformed", `{"client_id":`, 400, "invalid_argument"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := ann.Do(t, "POST", "/api/v1/conversations/"+conv+"/messages", tc.body)
				if r.Status != tc.status || r.Code() != tc.code {
					t.Fatalf("got %d %s, want %d %s", r.Status, r.Body, tc.status, tc.code)
				}
			})
		}
		if got := rowCount(t, n, "messages"); got != 1 {
			t.Fatalf("%d messages after refusals, want 1", got)
		}
		if r := send(t, ann, conv, "c-4000", strings.Repeat("字", 4000)); r.Status != 201 {
			t.Fatalf("4000 characters refused: %d %s", r.Status, r.Body)
		}
		for i := 3; i <= 6; i++ {
			send(t, ben, conv, fmt.Sprintf("b-%d", i), fmt.Sprintf("reply %d", i))
		}
		after := ben.Do(t, "GET", "/api/v1/conversations/"+conv+"/messages?after_seq=2&limit=2", nil)
		items := after.Get("items").([]any)
		if len(items) != 2 || items[0].(map[string]any)["seq"].(float64) != 3 || after.Str("next_cursor") != "4" {
			t.Fatalf("after_seq page: %s", after.Body)
		}
		next := ben.Do(t, "GET", "/api/v1/conversations/"+conv+"/messages?cursor="+after.Str("next_cursor")+"&limit=2", nil)
		if items := next.Get("items").([]any); len(items) != 2 || items[0].(map[string]any)["seq"].(float64) != 5 {
			t.Fatalf("the next page by cursor: %s", next.Body)
		}
		latest := ben.Do(t, "GET", "/api/v1/conversations/"+conv+"/messages?limit=2", nil)
		items = latest.Get("items").([]any)
		if len(items) != 2 || items[1].(map[string]any)["seq"].(float64) != 6 {
			t.Fatalf("latest page: %s", latest.Body)
		}
		before := ben.Do(t, "GET", "/api/v1/conversations/"+conv+"/messages?before_seq=3", nil)
		if len(before.Get("items").([]any)) != 2 {
			t.Fatalf("before page: %s", before.Body)
		}
		// Unread and read state.
		c := ann.Do(t, "GET", "/api/v1/conversations/"+conv, nil)
		if c.Get("conversation.unread").(float64) != 4 || c.Get("conversation.last_seq").(float64) != 6 {
			t.Fatalf("ann's unread: %s", c.Body)
		}
		if r := ann.Do(t, "POST", "/api/v1/conversations/"+conv+"/read", map[string]any{"seq": 7}); r.Status != 400 {
			t.Fatalf("read beyond last_seq: %d", r.Status)
		}
		if r := ann.Do(t, "POST", "/api/v1/conversations/"+conv+"/read", map[string]any{"seq": 6}); r.Status != 204 {
			t.Fatalf("read: %d %s", r.Status, r.Body)
		}
		ann.Do(t, "POST", "/api/v1/conversations/"+conv+"/read", map[string]any{"seq": 3}) // never backwards
		if c := ann.Do(t, "GET", "/api/v1/conversations/"+conv, nil); c.Get("conversation.unread").(float64) != 0 {
			t.Fatalf("unread after reading: %s", c.Body)
		}
	})
}

// Concurrent senders in one group never produce a gap or a duplicate seq.
func TestConcurrentSendersGetGaplessSeqs(t *testing.T) {
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		names := []string{"own", "snd1", "snd2", "snd3", "snd4", "snd5"}
		u := people(t, n, names...)
		g := u[0].Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "group", "title": "Race", "usernames": names[1:]})
		gid := g.Str("conversation.id")
		const each = 30
		var wg sync.WaitGroup
		for i, c := range u {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := range each {
					// every third message is retried with its client_id
					for range 1 + k%3/2 {
						if r := send(t, c, gid, fmt.Sprintf("%d-%d", i, k), "m"); r.Status != 201 && r.Status != 200 {
							t.Errorf("send: %d %s", r.Status, r.Body)
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		total := 1 + len(u)*each // the system message, then everyone's
		var seqs []int64
		rows, err := n.DB.Query(context.Background(), `SELECT seq FROM messages WHERE conversation_id = ? ORDER BY seq`, gid)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s int64
			rows.Scan(&s)
			seqs = append(seqs, s)
		}
		rows.Close()
		if len(seqs) != total {
			t.Fatalf("%d messages, want %d", len(seqs), total)
		}
		for i, s := range seqs {
			if s != int64(i+1) {
				t.Fatalf("seq %d at position %d: a gap or a duplicate", s, i+1)
			}
		}
	})
}

func pngBytes(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for x := range 8 {
		img.Set(x, x, color.RGBA{7, 193, 96, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func upload(t *testing.T, c *nodetest.Client, name, contentType string, data []byte) *nodetest.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	h := make(map[string][]string)
	h["Content-Disposition"] = []string{`form-data; name="file"; filename="` + name + `"`}
	h["Content-Type"] = []string{contentType}
	part, _ := w.CreatePart(h)
	part.Write(data)
	w.Close()
	return c.Do(t, "POST", "/api/v1/media", body.Bytes(), "Content-Type", w.FormDataContentType())
}

func TestImages(t *testing.T) {
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben")
		ann, ben := u[0], u[1]
		stranger := nodetest.Signup(t, n.URL(), "zed")
		conv := direct(t, ann, "ben")
		img := pngBytes(t)

		if r := upload(t, ann, "evil.png", "image/png", []byte("<script>alert(1)</script>")); r.Status != 400 || r.Code() != "invalid_argument" {
			t.Fatalf("forged image: %d %s", r.Status, r.Body)
		}
		if r := upload(t, ann, "x.jpg", "image/jpeg", img); r.Status != 400 {
			t.Fatalf("PNG claiming to be JPEG: %d %s", r.Status, r.Body)
		}
		if r := upload(t, ann, "big.png", "image/png", append(img, make([]byte, 10<<20)...)); r.Status != 413 {
			t.Fatalf("oversize: %d %s", r.Status, r.Body)
		}
		if got := rowCount(t, n, "media"); got != 0 {
			t.Fatalf("refused uploads left %d rows", got)
		}
		up := upload(t, ann, "dot.png", "image/png", img)
		if up.Status != 201 || up.Str("media_id") == "" {
			t.Fatalf("upload: %d %s", up.Status, up.Body)
		}
		mid := up.Str("media_id")
		if r := ben.Do(t, "GET", "/api/v1/media/"+mid, nil); r.Status != 404 {
			t.Fatalf("ben saw an image not yet sent to him: %d", r.Status)
		}
		if r := ben.Do(t, "POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"client_id": "steal", "kind": "image", "media_id": mid}); r.Status != 400 {
			t.Fatalf("ben sent ann's upload: %d %s", r.Status, r.Body)
		}
		m := ann.Do(t, "POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"client_id": "img", "kind": "image", "media_id": mid})
		if m.Status != 201 || m.Str("message.media_url") != "/api/v1/media/"+mid {
			t.Fatalf("image message: %d %s", m.Status, m.Body)
		}
		got := ben.Do(t, "GET", "/api/v1/media/"+mid, nil)
		if got.Status != 200 || !bytes.Equal(got.Body, img) || got.Header.Get("Content-Type") != "image/png" || got.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("ben's download: %d %v", got.Status, got.Header)
		}
		if r := stranger.Do(t, "GET", "/api/v1/media/"+mid, nil); r.Status != 404 {
			t.Fatalf("a stranger downloaded it: %d", r.Status)
		}
		if r := ann.Do(t, "POST", "/api/v1/media", "not multipart"); r.Status != 400 {
			t.Fatalf("not multipart: %d", r.Status)
		}
	})
}
