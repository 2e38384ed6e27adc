package chat_test

import (
	"testing"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// A member added to a group sees it from the system message of their
// joining on, as in WeChat: earlier messages are not listed, synced,
// counted as unread or delivered, and their media do not open. Members who
// were there keep everything.
func TestNewMembersSeeHistoryFromJoining(t *testing.T) {
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben", "cat")
		ann, ben, cat := u[0], u[1], u[2]
		r := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "group", "title": "Before", "usernames": []string{"ben"}})
		if r.Status != 201 {
			t.Fatalf("group: %d %s", r.Status, r.Body)
		}
		g := r.Str("conversation.id")
		send(t, ann, g, "old-1", "before cat")
		send(t, ben, g, "old-2", "still before cat")
		mid := upload(t, ann, "dot.png", "image/png", pngBytes(t)).Str("media_id")
		if r := ann.Do(t, "POST", "/api/v1/conversations/"+g+"/messages", map[string]any{"client_id": "old-img", "kind": "image", "media_id": mid}); r.Status != 201 {
			t.Fatalf("image: %d %s", r.Status, r.Body)
		}
		catSocket := cat.Dial(t)
		if r := ann.Do(t, "POST", "/api/v1/conversations/"+g+"/members", map[string]any{"usernames": []string{"cat"}}); r.Status != 200 {
			t.Fatalf("add cat: %d %s", r.Status, r.Body)
		}
		joinSeq := int64(5) // system 1, three messages, then the join note
		if f := catSocket.Next(t, wait, nodetest.IsMessage(g)); f.Num("message.seq") != joinSeq || f.Str("message.kind") != "system" {
			t.Fatalf("cat's first frame of the group: %v", f)
		}
		send(t, ben, g, "new-1", "welcome cat")
		if f := catSocket.Next(t, wait, nodetest.IsMessage(g)); f.Num("message.seq") != joinSeq+1 {
			t.Fatalf("cat's next frame: %v", f)
		}

		seqs := func(r *nodetest.Response) []int64 {
			var out []int64
			items, _ := r.JSON["items"].([]any)
			for _, it := range items {
				out = append(out, int64(it.(map[string]any)["seq"].(float64)))
			}
			return out
		}
		for name, q := range map[string]string{"latest": "", "sync_from_start": "?after_seq=0", "before": "?before_seq=6", "before_join": "?before_seq=5"} {
			t.Run(name, func(t *testing.T) {
				r := cat.Do(t, "GET", "/api/v1/conversations/"+g+"/messages"+q, nil)
				if r.Status != 200 {
					t.Fatalf("%d %s", r.Status, r.Body)
				}
				for _, s := range seqs(r) {
					if s < joinSeq {
						t.Fatalf("cat sees seq %d from before joining (%v)", s, seqs(r))
					}
				}
				if name == "sync_from_start" && len(seqs(r)) != 2 {
					t.Fatalf("cat's sync: %v, want [5 6]", seqs(r))
				}
			})
		}
		if r := ben.Do(t, "GET", "/api/v1/conversations/"+g+"/messages?after_seq=0", nil); len(seqs(r)) != 6 {
			t.Fatalf("ben, there from the start, sees %v", seqs(r))
		}
		c := cat.Do(t, "GET", "/api/v1/conversations/"+g, nil)
		if c.Get("conversation.unread").(float64) != 2 { // the join note and ben's welcome, nothing older
			t.Fatalf("cat's unread: %v", c.Get("conversation.unread"))
		}
		if r := cat.Do(t, "GET", "/api/v1/media/"+mid, nil); r.Status != 404 {
			t.Fatalf("cat opened an image sent before joining: %d", r.Status)
		}
		if r := ben.Do(t, "GET", "/api/v1/media/"+mid, nil); r.Status != 200 {
			t.Fatalf("ben lost the image: %d", r.Status)
		}
		// Sent again after cat joined, the same upload opens for cat.
		ann.Do(t, "POST", "/api/v1/conversations/"+g+"/messages", map[string]any{"client_id": "new-img", "kind": "image", "media_id": mid})
		if r := cat.Do(t, "GET", "/api/v1/media/"+mid, nil); r.Status != 200 {
			t.Fatalf("cat cannot open an image sent after joining: %d", r.Status)
		}
	})
}
