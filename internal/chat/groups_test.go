package chat_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

func uid(t *testing.T, c *nodetest.Client) string {
	t.Helper()
	r := c.Do(t, "GET", "/api/v1/me", nil)
	if r.Status != 200 {
		t.Fatalf("me: %d %s", r.Status, r.Body)
	}
	return r.Str("user.id")
}

func group(t *testing.T, owner *nodetest.Client, title string, usernames ...string) string {
	t.Helper()
	r := owner.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "group", "title": title, "usernames": usernames})
	if r.Status != 201 {
		t.Fatalf("group: %d %s", r.Status, r.Body)
	}
	return r.Str("conversation.id")
}

func lastText(t *testing.T, c *nodetest.Client, conv string) string {
	t.Helper()
	r := c.Do(t, "GET", "/api/v1/conversations/"+conv+"/messages?limit=1", nil)
	items, _ := r.Get("items").([]any)
	if r.Status != 200 || len(items) == 0 {
		t.Fatalf("messages: %d %s", r.Status, r.Body)
	}
	return items[len(items)-1].(map[string]any)["text"].(string)
}

func fget(f nodetest.Frame, obj, key string) any {
	m, _ := f[obj].(map[string]any)
	return m[key]
}

func strs(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func TestGroupRolesAndPermissions(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben", "cat", "dan")
		ann, ben, cat, dan := u[0], u[1], u[2], u[3]
		stranger := nodetest.Signup(t, n.URL(), "zed")
		annID, benID, catID, danID := uid(t, ann), uid(t, ben), uid(t, cat), uid(t, dan)
		conv := group(t, ann, "Hikers", "ben", "cat", "dan")
		base := "/api/v1/conversations/" + conv

		r := ben.Do(t, "GET", base, nil)
		if r.Str("conversation.owner_id") != annID || len(strs(r.Get("conversation.admins"))) != 0 {
			t.Fatalf("the creator owns the group: %s", r.Body)
		}
		dm := direct(t, ann, "ben")

		cases := []struct {
			name   string
			c      *nodetest.Client
			method string
			path   string
			body   any
			status int
			code   string
		}{
			{"member_cannot_rename", ben, "PATCH", base, map[string]any{"title": "Mine"}, 403, "forbidden"},
			{"member_cannot_announce", ben, "PATCH", base, map[string]any{"announcement": "hi"}, 403, "forbidden"},
			{"member_cannot_remove", ben, "DELETE", base + "/members/" + catID, nil, 403, "forbidden"},
			{"member_cannot_make_admin", ben, "PUT", base + "/members/" + catID + "/role", map[string]any{"role": "admin"}, 403, "forbidden"},
			{"stranger_rename_404", stranger, "PATCH", base, map[string]any{"title": "X"}, 404, "not_found"},
			{"stranger_settings_404", stranger, "PUT", base + "/settings", map[string]any{"muted": true}, 404, "not_found"},
			{"stranger_clear_404", stranger, "POST", base + "/clear", nil, 404, "not_found"},
			{"stranger_invite_404", stranger, "POST", base + "/invites", nil, 404, "not_found"},
			{"remove_non_member_404", ann, "DELETE", base + "/members/nobody", nil, 404, "not_found"},
			{"empty_title", ann, "PATCH", base, map[string]any{"title": "  "}, 400, "invalid_argument"},
			{"nothing_to_change", ann, "PATCH", base, map[string]any{}, 400, "invalid_argument"},
			{"unknown_field", ann, "PATCH", base, map[string]any{"owner_id": benID}, 400, "invalid_argument"},
			{"long_announcement", ann, "PATCH", base, map[string]any{"announcement": strings.Repeat("a", 1001)}, 400, "invalid_argument"},
			{"bad_role", ann, "PUT", base + "/members/" + benID + "/role", map[string]any{"role": "owner"}, 400, "invalid_argument"},
			{"owner_role_fixed", ann, "PUT", base + "/members/" + annID + "/role", map[string]any{"role": "member"}, 403, "forbidden"},
			{"rename_direct", ann, "PATCH", "/api/v1/conversations/" + dm, map[string]any{"title": "X"}, 403, "forbidden"},
			{"invite_direct", ann, "POST", "/api/v1/conversations/" + dm + "/invites", nil, 403, "forbidden"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := tc.c.Do(t, tc.method, tc.path, tc.body)
				if r.Status != tc.status || r.Code() != tc.code {
					t.Fatalf("%d %s, want %d %s", r.Status, r.Body, tc.status, tc.code)
				}
			})
		}
		if got := ann.Do(t, "GET", base, nil); got.Str("conversation.title") != "Hikers" || got.Str("conversation.announcement") != "" {
			t.Fatalf("refusals changed the group: %s", got.Body)
		}

		// The owner renames and announces; every member gets the notes.
		sock := ben.Dial(t)
		r = ann.Do(t, "PATCH", base, map[string]any{"title": "Hikers 2026", "announcement": "Meet at 8 at the north gate."})
		if r.Status != 200 || r.Str("conversation.title") != "Hikers 2026" || r.Str("conversation.announcement") != "Meet at 8 at the north gate." || r.Str("conversation.announcement_at") == "" {
			t.Fatalf("rename: %d %s", r.Status, r.Body)
		}
		sock.Next(t, 5*time.Second, func(f nodetest.Frame) bool {
			return f.Str("message.text") == "Ann renamed the group to “Hikers 2026”"
		})
		sock.Next(t, 5*time.Second, func(f nodetest.Frame) bool { return f.Str("message.text") == "Ann updated the group announcement" })
		sock.Next(t, 5*time.Second, func(f nodetest.Frame) bool {
			return f.Str("type") == "conversation" && f.Str("conversation.announcement") == "Meet at 8 at the north gate."
		})

		// Ben becomes admin: he may rename and remove members, not the owner
		// nor other admins.
		r = ann.Do(t, "PUT", base+"/members/"+benID+"/role", map[string]any{"role": "admin"})
		if r.Status != 200 || strings.Join(strs(r.Get("conversation.admins")), ",") != benID {
			t.Fatalf("make admin: %d %s", r.Status, r.Body)
		}
		if txt := lastText(t, cat, conv); txt != "Ann made Ben an admin" {
			t.Fatalf("note: %q", txt)
		}
		if r := ann.Do(t, "PUT", base+"/members/"+catID+"/role", map[string]any{"role": "admin"}); r.Status != 200 {
			t.Fatalf("second admin: %d %s", r.Status, r.Body)
		}
		for _, target := range []string{annID, catID} {
			if r := ben.Do(t, "DELETE", base+"/members/"+target, nil); r.Status != 403 || r.Code() != "forbidden" {
				t.Fatalf("admin removes %s: %d %s", target, r.Status, r.Body)
			}
		}
		if r := ben.Do(t, "PUT", base+"/members/"+danID+"/role", map[string]any{"role": "admin"}); r.Status != 403 {
			t.Fatalf("an admin makes admins: %d %s", r.Status, r.Body)
		}
		if r := ben.Do(t, "PATCH", base, map[string]any{"title": "Ben's hikers"}); r.Status != 200 {
			t.Fatalf("admin renames: %d %s", r.Status, r.Body)
		}
		danSock := dan.Dial(t)
		if r := ben.Do(t, "DELETE", base+"/members/"+danID, nil); r.Status != 200 || len(r.Get("conversation.members").([]any)) != 3 {
			t.Fatalf("admin removes a member: %d %s", r.Status, r.Body)
		}
		if txt := lastText(t, ann, conv); txt != "Ben removed Dan" {
			t.Fatalf("note: %q", txt)
		}
		danSock.Next(t, 5*time.Second, func(f nodetest.Frame) bool {
			return f.Str("type") == "conversation" && f.Str("conversation.id") == conv && len(fget(f, "conversation", "members").([]any)) == 0
		})
		if r := dan.Do(t, "GET", base+"/messages", nil); r.Status != 404 {
			t.Fatalf("a removed member reads on: %d", r.Status)
		}

		// The owner removes an admin, then transfers ownership.
		if r := ann.Do(t, "PUT", base+"/members/"+catID+"/role", map[string]any{"role": "member"}); r.Status != 200 || len(strs(r.Get("conversation.admins"))) != 1 {
			t.Fatalf("demote: %d %s", r.Status, r.Body)
		}
		if txt := lastText(t, ann, conv); txt != "Ann removed Cat as admin" {
			t.Fatalf("note: %q", txt)
		}
		if r := ben.Do(t, "POST", base+"/owner", map[string]any{"user_id": catID}); r.Status != 403 {
			t.Fatalf("an admin transfers: %d %s", r.Status, r.Body)
		}
		if r := ann.Do(t, "POST", base+"/owner", map[string]any{"user_id": danID}); r.Status != 404 {
			t.Fatalf("transfer to a non-member: %d %s", r.Status, r.Body)
		}
		r = ann.Do(t, "POST", base+"/owner", map[string]any{"user_id": catID})
		if r.Status != 200 || r.Str("conversation.owner_id") != catID {
			t.Fatalf("transfer: %d %s", r.Status, r.Body)
		}
		if r := ann.Do(t, "PATCH", base, map[string]any{"title": "Back"}); r.Status != 403 {
			t.Fatalf("the old owner still manages: %d %s", r.Status, r.Body)
		}
		// The owner leaving hands the group to the admin.
		if r := cat.Do(t, "DELETE", base+"/members/me", nil); r.Status != 204 {
			t.Fatalf("leave: %d %s", r.Status, r.Body)
		}
		if r := ann.Do(t, "GET", base, nil); r.Str("conversation.owner_id") != benID {
			t.Fatalf("hand over: %s", r.Body)
		}
	})
}

func TestGroupSettingsPinMuteClear(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben", "cat")
		ann, ben := u[0], u[1]
		g := group(t, ann, "Book club", "ben", "cat")
		dm := direct(t, ann, "cat")
		for i := 0; i < 3; i++ {
			send(t, ann, g, fmt.Sprint("g", i), fmt.Sprint("group ", i))
		}
		send(t, ann, dm, "d1", "direct one") // the direct chat is now the most recent

		order := func(c *nodetest.Client) []string {
			r := c.Do(t, "GET", "/api/v1/conversations", nil)
			var ids []string
			for _, it := range r.Get("items").([]any) {
				ids = append(ids, it.(map[string]any)["id"].(string))
			}
			return ids
		}
		if o := order(ann); o[0] != dm {
			t.Fatalf("before pinning: %v", o)
		}
		r := ann.Do(t, "PUT", "/api/v1/conversations/"+g+"/settings", map[string]any{"pinned": true, "muted": true})
		if r.Status != 200 || r.Get("conversation.pinned") != true || r.Get("conversation.muted") != true {
			t.Fatalf("settings: %d %s", r.Status, r.Body)
		}
		if o := order(ann); len(o) != 2 || o[0] != g || o[1] != dm {
			t.Fatalf("pinned first: %v", o)
		}
		r = ann.Do(t, "GET", "/api/v1/conversations?limit=1", nil)
		next := r.Str("next_cursor")
		r2 := ann.Do(t, "GET", "/api/v1/conversations?limit=1&cursor="+next, nil)
		// Paged: pinned chats come first on the first page, each chat once.
		if first := r.Get("items").([]any); len(first) != 2 || first[0].(map[string]any)["id"] != g || first[1].(map[string]any)["id"] != dm {
			t.Fatalf("page 1: %s", r.Body)
		}
		if items := r2.Get("items").([]any); len(items) != 0 {
			t.Fatalf("page 2 repeats the pinned chat: %s", r2.Body)
		}
		// Settings are the caller's own.
		if r := ben.Do(t, "GET", "/api/v1/conversations/"+g, nil); r.Get("conversation.muted") != false || r.Get("conversation.pinned") != false {
			t.Fatalf("ben's settings changed: %s", r.Body)
		}
		if r := ann.Do(t, "PUT", "/api/v1/conversations/"+g+"/settings", map[string]any{"pinned": "yes"}); r.Status != 400 {
			t.Fatalf("mistyped setting: %d", r.Status)
		}
		if o := order(ann); o[0] != g {
			t.Fatalf("a refused change unpinned: %v", o)
		}
		ann.Do(t, "PUT", "/api/v1/conversations/"+g+"/settings", map[string]any{"pinned": false})
		if o := order(ann); o[0] != dm {
			t.Fatalf("unpinned: %v", o)
		}

		// Ben clears his history: gone for him, not for Ann; sync goes on.
		r = ben.Do(t, "POST", "/api/v1/conversations/"+g+"/clear", nil)
		if r.Status != 200 || r.Get("conversation.last_message") != nil || r.Get("conversation.unread").(float64) != 0 || r.Get("conversation.first_seq").(float64) != 5 {
			t.Fatalf("clear: %d %s", r.Status, r.Body)
		}
		for _, q := range []string{"", "?after_seq=0", "?before_seq=4", "?after_seq=2"} {
			if r := ben.Do(t, "GET", "/api/v1/conversations/"+g+"/messages"+q, nil); r.Status != 200 || len(r.Get("items").([]any)) != 0 {
				t.Fatalf("ben's history %q after clearing: %s", q, r.Body)
			}
		}
		if r := ann.Do(t, "GET", "/api/v1/conversations/"+g+"/messages", nil); len(r.Get("items").([]any)) != 4 {
			t.Fatalf("ann's history: %s", r.Body)
		}
		sock := ben.Dial(t)
		send(t, ann, g, "g9", "after the clear")
		sock.Next(t, 5*time.Second, func(f nodetest.Frame) bool { return f.Str("message.text") == "after the clear" })
		r = ben.Do(t, "GET", "/api/v1/conversations/"+g+"/messages?after_seq=0", nil)
		if items := r.Get("items").([]any); len(items) != 1 || items[0].(map[string]any)["seq"].(float64) != 5 {
			t.Fatalf("sync after clearing: %s", r.Body)
		}
		if r := ben.Do(t, "GET", "/api/v1/conversations/"+g, nil); r.Get("conversation.unread").(float64) != 1 {
			t.Fatalf("unread after clearing: %s", r.Body)
		}
		// Direct chats clear too.
		if r := ann.Do(t, "POST", "/api/v1/conversations/"+dm+"/clear", nil); r.Status != 200 {
			t.Fatalf("clear direct: %d %s", r.Status, r.Body)
		}
		if r := u[2].Do(t, "GET", "/api/v1/conversations/"+dm+"/messages", nil); len(r.Get("items").([]any)) != 1 {
			t.Fatalf("cat's direct history: %s", r.Body)
		}
	})
}

func TestMentions(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben", "cat")
		ann, ben, cat := u[0], u[1], u[2]
		stranger := nodetest.Signup(t, n.URL(), "zed")
		benID, catID, zedID := uid(t, ben), uid(t, cat), uid(t, stranger)
		g := group(t, ann, "Mentions", "ben", "cat")
		dm := direct(t, ann, "ben")
		path := "/api/v1/conversations/" + g + "/messages"
		msg := func(c *nodetest.Client, conv, id string, mentions ...string) *nodetest.Response {
			return c.Do(t, "POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"client_id": id, "kind": "text", "text": "@someone hi", "mentions": mentions})
		}
		before := rowCount(t, n, "messages")
		for name, r := range map[string]*nodetest.Response{
			"non_member":    msg(ann, g, "x1", zedID),
			"unknown":       msg(ann, g, "x2", "nobody"),
			"all_by_member": msg(ben, g, "x3", "all"),
			"in_direct":     msg(ann, dm, "x4", benID),
		} {
			if r.Status != 400 || r.Code() != "invalid_argument" {
				t.Fatalf("%s: %d %s", name, r.Status, r.Body)
			}
		}
		if rowCount(t, n, "messages") != before {
			t.Fatal("a refused mention wrote a message")
		}

		ann.Do(t, "PUT", "/api/v1/conversations/"+g+"/settings", map[string]any{"muted": true})
		ben.Do(t, "PUT", "/api/v1/conversations/"+g+"/settings", map[string]any{"muted": true})
		sock := ben.Dial(t)
		r := msg(ann, g, "m1", benID, benID)
		if r.Status != 201 || strings.Join(strs(r.Get("message.mentions")), ",") != benID {
			t.Fatalf("mention: %d %s", r.Status, r.Body)
		}
		f := sock.Next(t, 5*time.Second, func(f nodetest.Frame) bool { return f.Str("message.client_id") == "m1" })
		if !strings.Contains(fmt.Sprint(fget(f, "message", "mentions")), benID) {
			t.Fatalf("frame without mentions: %v", f)
		}
		got := ben.Do(t, "GET", "/api/v1/conversations/"+g, nil)
		if got.Get("conversation.mentioned") != true || got.Get("conversation.muted") != true {
			t.Fatalf("ben is mentioned in a muted group: %s", got.Body)
		}
		if r := cat.Do(t, "GET", "/api/v1/conversations/"+g, nil); r.Get("conversation.mentioned") != false {
			t.Fatalf("cat is not mentioned: %s", r.Body)
		}
		if r := ben.Do(t, "GET", path+"?limit=1", nil); !strings.Contains(string(r.Body), benID) {
			t.Fatalf("history keeps mentions: %s", r.Body)
		}
		seq := int64(r.Get("message.seq").(float64))
		if r := ben.Do(t, "POST", "/api/v1/conversations/"+g+"/read", map[string]any{"seq": seq}); r.Status != 204 {
			t.Fatalf("read: %d", r.Status)
		}
		if r := ben.Do(t, "GET", "/api/v1/conversations/"+g, nil); r.Get("conversation.mentioned") != false {
			t.Fatalf("a read mention still shows: %s", r.Body)
		}
		// The owner mentions all; a socket send carries mentions too.
		if r := msg(ann, g, "m2", "all"); r.Status != 201 {
			t.Fatalf("@all: %d %s", r.Status, r.Body)
		}
		if r := cat.Do(t, "GET", "/api/v1/conversations/"+g, nil); r.Get("conversation.mentioned") != true {
			t.Fatalf("@all mentions cat: %s", r.Body)
		}
		if r := ann.Do(t, "GET", "/api/v1/conversations/"+g, nil); r.Get("conversation.mentioned") != false {
			t.Fatalf("one's own mention: %s", r.Body)
		}
		catSock := cat.Dial(t)
		catSock.Send(t, map[string]any{"type": "send", "conversation_id": g, "client_id": "s1", "kind": "text", "text": "@Ben", "mentions": []string{benID}})
		ack := catSock.Next(t, 5*time.Second, func(f nodetest.Frame) bool { return f.Str("type") == "ack" || f.Str("type") == "error" })
		if ack.Str("type") != "ack" || !strings.Contains(fmt.Sprint(fget(ack, "message", "mentions")), benID) {
			t.Fatalf("socket send with mentions: %v", ack)
		}
		catSock.Send(t, map[string]any{"type": "send", "conversation_id": g, "client_id": "s2", "kind": "text", "text": "@Zed", "mentions": []string{zedID}})
		bad := catSock.Next(t, 5*time.Second, func(f nodetest.Frame) bool { return f.Str("client_id") == "s2" })
		if bad.Str("type") != "error" || bad.Str("error.code") != "invalid_argument" {
			t.Fatalf("socket mention of a stranger: %v", bad)
		}
		_ = catID
	})
}

// An owner who erases their account hands the group to an admin.
func TestErasedOwnerHandsOverTheGroup(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben", "cat")
		ann, cat := u[0], u[2]
		catID := uid(t, cat)
		g := group(t, ann, "Handover", "ben", "cat")
		if r := ann.Do(t, "PUT", "/api/v1/conversations/"+g+"/members/"+catID+"/role", map[string]any{"role": "admin"}); r.Status != 200 {
			t.Fatalf("admin: %d %s", r.Status, r.Body)
		}
		if r := ann.Do(t, "DELETE", "/api/v1/me", map[string]any{"password": "correct horse"}); r.Status/100 != 2 {
			t.Fatalf("erase: %d %s", r.Status, r.Body)
		}
		nodetest.WaitFor(t, 10*time.Second, func() bool {
			r := cat.Do(t, "GET", "/api/v1/conversations/"+g, nil)
			return r.Str("conversation.owner_id") == catID && len(r.Get("conversation.members").([]any)) == 2
		})
	})
}
