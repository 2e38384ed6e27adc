package account_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/bus"
	"github.com/plaza-dev/plaza/internal/platform/ids"
)

func money(t *testing.T, c *nodetest.Client, path string, body any) *nodetest.Response {
	t.Helper()
	return c.Do(t, "POST", path, body, "Idempotency-Key", ids.New("k"))
}

// M8: erasure refuses while Plaza holds money for the user (a balance, an
// open red packet), takes them out of their groups with the system
// message of leaving, and ends their sessions.
func TestEraseSettlesMoneyGroupsAndSessions(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		eve := nodetest.Signup(t, n.URL(), "eve")
		fay := nodetest.Signup(t, n.URL(), "fay")
		gus := nodetest.Signup(t, n.URL(), "gus")
		nodetest.Befriend(t, eve, fay, "fay")
		nodetest.Befriend(t, eve, gus, "gus")
		if r := eve.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": "135790", "password": "correct horse"}); r.Status != 204 {
			t.Fatalf("pin: %d %s", r.Status, r.Body)
		}
		g := eve.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "group", "title": "Hikers 山友", "usernames": []string{"fay", "gus"}})
		if g.Status != 201 {
			t.Fatalf("group: %d %s", g.Status, g.Body)
		}
		gid := g.Str("conversation.id")
		erase := func() *nodetest.Response {
			return eve.Do(t, "DELETE", "/api/v1/me", map[string]string{"password": "correct horse"})
		}

		if r := money(t, eve, "/api/v1/wallet/topups", map[string]any{"amount": 1_500, "currency": "CNY"}); r.Status != 201 {
			t.Fatalf("top-up: %d %s", r.Status, r.Body)
		}
		r := erase()
		if r.Status != 409 || r.Code() != "balance_not_zero" || !strings.Contains(string(r.Body), "Withdraw your balance of ¥15.00 first") {
			t.Fatalf("erasing with ¥15 in the wallet: %d %s", r.Status, r.Body)
		}
		if r := money(t, eve, "/api/v1/wallet/withdrawals", map[string]any{"amount": 1_000, "currency": "CNY", "pin": "135790"}); r.Status != 201 {
			t.Fatalf("withdraw: %d %s", r.Status, r.Body)
		}
		rp := money(t, eve, "/api/v1/conversations/"+gid+"/red-packets", map[string]any{"total": 500, "count": 1, "currency": "CNY", "pin": "135790"})
		if rp.Status != 201 {
			t.Fatalf("red packet: %d %s", rp.Status, rp.Body)
		}
		if r := erase(); r.Status != 409 || r.Code() != "balance_not_zero" || !strings.Contains(string(r.Body), "red packet") {
			t.Fatalf("erasing with an open red packet: %d %s", r.Status, r.Body)
		}
		if r := fay.Do(t, "POST", "/api/v1/red-packets/"+rp.Str("red_packet.id")+"/claim", nil); r.Status != 200 {
			t.Fatalf("claim: %d %s", r.Status, r.Body)
		}
		if r := eve.Do(t, "GET", "/api/v1/me", nil); r.Status != 200 {
			t.Fatalf("refusals ended the session: %d", r.Status)
		}
		if r := erase(); r.Status != 204 {
			t.Fatalf("erase with nothing held: %d %s", r.Status, r.Body)
		}
		if r := eve.Do(t, "GET", "/api/v1/me", nil); r.Status != 401 {
			t.Fatalf("erased account still signed in: %d", r.Status)
		}
		c := fay.Do(t, "GET", "/api/v1/conversations/"+gid, nil)
		members, _ := c.Get("conversation.members").([]any)
		if c.Status != 200 || len(members) != 2 {
			t.Fatalf("the group after erasure: %d %s", c.Status, c.Body)
		}
		for _, m := range members {
			if m.(map[string]any)["username"] == "eve" {
				t.Fatalf("eve is still a member: %s", c.Body)
			}
		}
		ms := fay.Do(t, "GET", "/api/v1/conversations/"+gid+"/messages?after_seq=0&limit=50", nil)
		if !strings.Contains(string(ms.Body), "left the group") {
			t.Fatalf("no system message of leaving: %s", ms.Body)
		}
	})
}

// GET /users/{name} shows the region to the user and their contacts only.
func TestUserLookupHidesAStrangersRegion(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		ann := nodetest.Signup(t, n.URL(), "ann")
		ben := nodetest.Signup(t, n.URL(), "ben")
		zed := nodetest.Signup(t, n.URL(), "zed")
		nodetest.Befriend(t, ann, ben, "ben")
		for _, tc := range []struct {
			name   string
			c      *nodetest.Client
			region string
		}{{"self", ann, "US"}, {"contact", ben, "US"}, {"stranger", zed, ""}} {
			t.Run(tc.name, func(t *testing.T) {
				r := tc.c.Do(t, "GET", "/api/v1/users/ann", nil)
				if r.Status != 200 || r.Str("user.username") != "ann" || r.Str("user.region") != tc.region {
					t.Fatalf("%d %s; want region %q", r.Status, r.Body, tc.region)
				}
			})
		}
		// Nor does a contact request tell a stranger where its recipient is.
		req := zed.Do(t, "POST", "/api/v1/contacts/requests", map[string]string{"username": "ann", "message": "hi"})
		if req.Status != 201 || req.Str("request.to.region") != "" {
			t.Fatalf("request: %d %s", req.Status, req.Body)
		}
	})
}

// M6: a stolen session cannot guess the password through PUT /wallet/pin
// or DELETE /me: those checks count toward the sign-in lockout.
func TestPasswordChecksBehindASessionAreLimited(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		thief := nodetest.Signup(t, n.URL(), "victim")
		for i := range 5 {
			var r *nodetest.Response
			if i%2 == 0 {
				r = thief.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": "123456", "password": "guess-" + string(rune('a'+i))})
			} else {
				r = thief.Do(t, "DELETE", "/api/v1/me", map[string]string{"password": "guess-" + string(rune('a'+i))})
			}
			if r.Status != 403 || r.Code() != "wrong_password" {
				t.Fatalf("guess %d: %d %s", i, r.Status, r.Body)
			}
		}
		for _, r := range []*nodetest.Response{
			thief.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": "123456", "password": "correct horse"}),
			thief.Do(t, "DELETE", "/api/v1/me", map[string]string{"password": "correct horse"}),
			nodetest.NewClient(n.URL()).Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": "victim", "password": "correct horse"}),
		} {
			if r.Status != 429 || r.Code() != "rate_limited" {
				t.Fatalf("after five wrong passwords the right one got %d %s, want 429", r.Status, r.Body)
			}
		}
	})
}

// An erasure is announced on the bus: the user's sessions ended (erased)
// and, through the outbox, the user erased, each heard by a plain
// subscriber of the node's bus.
func TestErasureIsAnnouncedOnTheBus(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		var mu sync.Mutex
		heard := map[string][]map[string]any{}
		for _, subject := range []string{account.SessionsEndedSubject, account.UserErasedSubject} {
			sub, err := n.Bus.Subscribe(subject, func(m *bus.Message) {
				var v map[string]any
				_ = json.Unmarshal(m.Data, &v)
				mu.Lock()
				heard[m.Subject] = append(heard[m.Subject], v)
				mu.Unlock()
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { sub.Unsubscribe() })
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := n.Bus.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		eve := nodetest.Signup(t, n.URL(), "eve")
		id := eve.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
		if r := eve.Do(t, "DELETE", "/api/v1/me", map[string]string{"password": "correct horse"}); r.Status != 204 {
			t.Fatalf("erase: %d %s", r.Status, r.Body)
		}
		nodetest.WaitFor(t, 10*time.Second, func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(heard[account.SessionsEndedSubject]) > 0 && len(heard[account.UserErasedSubject]) > 0
		})
		mu.Lock()
		defer mu.Unlock()
		if ev := heard[account.SessionsEndedSubject]; len(ev) != 1 || ev[0]["user_id"] != id || ev[0]["erased"] != true {
			t.Fatalf("sessions ended: %v", ev)
		}
		if ev := heard[account.UserErasedSubject]; ev[0]["user_id"] != id || ev[0]["erased_at"] == "" {
			t.Fatalf("user erased: %v", ev)
		}
	})
}
