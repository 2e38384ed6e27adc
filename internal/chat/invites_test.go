package chat_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/chat"
	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

func invite(t *testing.T, c *nodetest.Client, conv string) string {
	t.Helper()
	r := c.Do(t, "POST", "/api/v1/conversations/"+conv+"/invites", nil)
	if r.Status != 201 || len(r.Str("invite.code")) < 22 || r.Str("invite.url") != "/g/"+r.Str("invite.code") {
		t.Fatalf("invite: %d %s", r.Status, r.Body)
	}
	exp, err := time.Parse(time.RFC3339, r.Str("invite.expires_at"))
	if err != nil || exp.Before(time.Now().Add(7*24*time.Hour-time.Minute)) || exp.After(time.Now().Add(7*24*time.Hour+time.Minute)) {
		t.Fatalf("expires_at %q, want in 7 days", r.Str("invite.expires_at"))
	}
	return r.Str("invite.code")
}

func TestGroupInvites(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben")
		ann, ben := u[0], u[1]
		bob := nodetest.Signup(t, n.URL(), "bob") // nobody's contact
		g := group(t, ann, "Hikers", "ben")
		code := invite(t, ben, g) // any member may share the group

		r := bob.Do(t, "GET", "/api/v1/group-invites/"+code, nil)
		if r.Status != 200 || r.Str("invite.title") != "Hikers" || r.Str("invite.conversation_id") != g ||
			r.Get("invite.member_count").(float64) != 2 || len(r.Get("invite.members_preview").([]any)) != 2 || r.Get("invite.joined") != false {
			t.Fatalf("preview: %d %s", r.Status, r.Body)
		}
		if r := bob.Do(t, "GET", "/api/v1/conversations/"+g, nil); r.Status != 404 {
			t.Fatalf("previewing let bob in: %d", r.Status)
		}
		sock := ann.Dial(t)
		r = bob.Do(t, "POST", "/api/v1/group-invites/"+code+"/join", nil)
		if r.Status != 200 || r.Str("conversation.id") != g || len(r.Get("conversation.members").([]any)) != 3 {
			t.Fatalf("join: %d %s", r.Status, r.Body)
		}
		sock.Next(t, 5*time.Second, func(f nodetest.Frame) bool { return f.Str("message.text") == "Bob joined via Ben's QR code" })
		// Bob sees the group from his joining on.
		if r := bob.Do(t, "GET", "/api/v1/conversations/"+g+"/messages", nil); len(r.Get("items").([]any)) != 1 {
			t.Fatalf("bob's history: %s", r.Body)
		}
		again := bob.Do(t, "POST", "/api/v1/group-invites/"+code+"/join", nil)
		if again.Status != 200 || again.Str("conversation.id") != g || len(again.Get("conversation.members").([]any)) != 3 {
			t.Fatalf("second join: %d %s", again.Status, again.Body)
		}
		if r := bob.Do(t, "GET", "/api/v1/group-invites/"+code, nil); r.Get("invite.joined") != true {
			t.Fatalf("joined: %s", r.Body)
		}

		// One character changed: never to the one already there (a code
		// ending in B made "forged" the real code once in CI).
		last := "B"
		if strings.HasSuffix(code, last) {
			last = "C"
		}
		forged := []string{"", "x", strings.Repeat("A", 24), code[:23] + last, code + "A", "../../conversations", strings.Repeat("z", 5000)}
		for _, f := range forged {
			for _, m := range []string{"GET", "POST"} {
				path := "/api/v1/group-invites/" + f
				if m == "POST" {
					path += "/join"
				}
				if r := bob.Do(t, m, path, nil); r.Status != 404 {
					t.Fatalf("%s forged %q: %d %s", m, f, r.Status, r.Body)
				}
			}
		}
		if r := ann.Do(t, "POST", "/api/v1/conversations/"+direct(t, ann, "ben")+"/invites", nil); r.Status != 403 {
			t.Fatalf("invite to a direct chat: %d", r.Status)
		}

		// Expired: 410, and nobody joins.
		old := invite(t, ann, g)
		if _, err := n.DB.Exec(context.Background(), "UPDATE group_invites SET expires_at = 1"); err != nil {
			t.Fatal(err)
		}
		carl := nodetest.Signup(t, n.URL(), "carl")
		for _, m := range []string{"GET", "POST"} {
			path := "/api/v1/group-invites/" + old
			if m == "POST" {
				path += "/join"
			}
			if r := carl.Do(t, m, path, nil); r.Status != 410 || r.Code() != "invite_expired" {
				t.Fatalf("%s expired: %d %s", m, r.Status, r.Body)
			}
		}
		if r := carl.Do(t, "GET", "/api/v1/conversations/"+g, nil); r.Status != 404 {
			t.Fatalf("an expired invite let carl in: %d", r.Status)
		}
	})
}

// Racing joins of a nearly full group: never more than MaxGroup members.
func TestGroupInviteRacingJoins(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		ann := nodetest.Signup(t, n.URL(), "ann")
		g := group(t, ann, "Full house")
		code := invite(t, ann, g)
		ctx := context.Background()
		// Fill to two places short with placeholder members.
		err := n.DB.Tx(ctx, func(tx *sqldb.Tx) error {
			for i := 1; i < chat.MaxGroup-2; i++ {
				id := fmt.Sprintf("u_fill%03d", i)
				if _, err := tx.Exec(ctx, "INSERT INTO users (id, username, display_name, region, password_hash, created_at) VALUES (?, ?, ?, 'US', 'x', 0)", id, id, "Filler "+id); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, "INSERT INTO members (conversation_id, user_id, read_seq, joined_at, joined_seq) VALUES (?, ?, 0, 0, 0)", g, id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		const racers = 6
		clients := make([]*nodetest.Client, racers)
		for i := range clients {
			clients[i] = nodetest.Signup(t, n.URL(), fmt.Sprintf("racer%d", i))
			// Six joins of a group near 500 members, serialised by the
			// group's lock, can take more than the usual 30 s on a loaded
			// CI machine; this test asserts who gets in, not how fast.
			clients[i].HTTP.Timeout = 3 * time.Minute
		}
		statuses := make([]int, racers)
		var wg sync.WaitGroup
		for i, c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := c.Do(t, "POST", "/api/v1/group-invites/"+code+"/join", nil)
				statuses[i] = r.Status
				if r.Status == 422 && r.Code() != "group_full" {
					t.Errorf("full: %s", r.Body)
				}
			}()
		}
		wg.Wait()
		ok := 0
		for _, s := range statuses {
			switch s {
			case 200:
				ok++
			case 422:
			default:
				t.Fatalf("statuses %v", statuses)
			}
		}
		var members int
		if err := n.DB.QueryRow(ctx, "SELECT COUNT(*) FROM members WHERE conversation_id = ?", g).Scan(&members); err != nil {
			t.Fatal(err)
		}
		if ok != 2 || members != chat.MaxGroup {
			t.Fatalf("%d joined, %d members; want 2 and %d (statuses %v)", ok, members, chat.MaxGroup, statuses)
		}
	})
}
