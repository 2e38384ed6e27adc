package node_test

import (
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// Users are read from memory (account's user cache), kept current over the
// bus: an account erased on one node is gone at once on that node and,
// within the bus's delivery (well under the cache's 2 s bound), on the
// other, though both had it cached.
func TestUserCacheForgetsAcrossNodes(t *testing.T) {
	t.Parallel()
	n1, n2 := twoNodes(t)
	gone := nodetest.Signup(t, n1.URL(), "cachegone")
	here := nodetest.Signup(t, n1.URL(), "cachehere")
	there := nodetest.Signup(t, n2.URL(), "cachethere")
	for _, c := range []*nodetest.Client{here, there} {
		if r := c.Do(t, "GET", "/api/v1/users/cachegone", nil); r.Status != 200 {
			t.Fatalf("before: %d %s", r.Status, r.Body)
		}
	}
	if r := gone.Do(t, "DELETE", "/api/v1/me", map[string]string{"password": "correct horse"}); r.Status != 204 {
		t.Fatalf("erase: %d %s", r.Status, r.Body)
	}
	erased := time.Now()
	if r := here.Do(t, "GET", "/api/v1/users/cachegone", nil); r.Status != 404 {
		t.Fatalf("the erasing node still knows the user: %d %s", r.Status, r.Body)
	}
	var status int
	for time.Since(erased) < 1500*time.Millisecond {
		if status = there.Do(t, "GET", "/api/v1/users/cachegone", nil).Status; status == 404 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if status != 404 {
		t.Fatalf("the other node still served the erased user %v after the erasure: %d", time.Since(erased), status)
	}
	// A transfer to the erased name is refused on both nodes.
	for _, c := range []*nodetest.Client{here, there} {
		r := c.Do(t, "POST", "/api/v1/wallet/transfers", map[string]any{"username": "cachegone", "amount": 1, "currency": "CNY", "pin": "123456"},
			"Idempotency-Key", "k-"+c.Token[:8])
		if r.Status != 404 {
			t.Fatalf("transfer to the erased user: %d %s", r.Status, r.Body)
		}
	}
}

// Sessions, contacts and blocks are read from memory too (account's
// session and relation caches), forgotten over the bus on every node once
// a change commits: a signed-out token, a block and a removed contact hold
// at once on the node that made them and, well within the caches' 2 s
// bound, on the other node, though it had the old answer cached.
func TestSessionAndRelationCachesForgetAcrossNodes(t *testing.T) {
	t.Parallel()
	n1, n2 := twoNodes(t)
	ann := nodetest.Signup(t, n1.URL(), "relann")
	ben := nodetest.Signup(t, n1.URL(), "relben")
	nodetest.Befriend(t, ann, ben, "relben")
	on := func(c *nodetest.Client, n interface{ URL() string }) *nodetest.Client {
		o := nodetest.NewClient(n.URL())
		o.Token = c.Token
		return o
	}
	// eventually: cond holds within 1.5 s (the bus, not the cache's TTL).
	eventually := func(what string, cond func() bool) {
		t.Helper()
		began := time.Now()
		for !cond() {
			if time.Since(began) > 1500*time.Millisecond {
				t.Fatalf("%s: still not so %v after the change", what, time.Since(began))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	conv := ben.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "relann"})
	if conv.Status != 200 && conv.Status != 201 {
		t.Fatalf("conversation: %d %s", conv.Status, conv.Body)
	}
	convID := conv.Str("conversation.id")
	send := func(c *nodetest.Client, text string) int {
		return c.Do(t, "POST", "/api/v1/conversations/"+convID+"/messages", map[string]any{"kind": "text", "text": text, "client_id": text}).Status
	}
	benThere := on(ben, n2)
	// Both nodes have ben's session and "did ann block ben? no" cached.
	for i, c := range []*nodetest.Client{ben, benThere} {
		if s := send(c, "hello"+string(rune('a'+i))); s != 201 {
			t.Fatalf("send before the block: %d", s)
		}
	}
	if r := ann.Do(t, "POST", "/api/v1/blocks", map[string]any{"user_id": ben.Do(t, "GET", "/api/v1/me", nil).Str("user.id")}); r.Status != 200 {
		t.Fatalf("block: %d %s", r.Status, r.Body)
	}
	if s := send(ben, "after-block-here"); s != 403 {
		t.Fatalf("the blocking node still lets ben send: %d", s)
	}
	eventually("the other node refuses ben's send after the block", func() bool { return send(benThere, "after-block-there") == 403 })
	// Unblocked: the other node agrees at once too.
	benID := ben.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
	if r := ann.Do(t, "DELETE", "/api/v1/blocks/"+benID, nil); r.Status != 204 {
		t.Fatalf("unblock: %d %s", r.Status, r.Body)
	}
	eventually("the other node lets ben send after the unblock", func() bool { return send(benThere, "after-unblock") == 201 })
	// A signed-out token: refused at once here, and there within the bus.
	if s := benThere.Do(t, "GET", "/api/v1/me", nil).Status; s != 200 {
		t.Fatalf("me on the other node: %d", s)
	}
	if r := ben.Do(t, "POST", "/api/v1/auth/logout", nil); r.Status != 204 && r.Status != 200 {
		t.Fatalf("logout: %d %s", r.Status, r.Body)
	}
	if s := ben.Do(t, "GET", "/api/v1/me", nil).Status; s != 401 {
		t.Fatalf("the signed-out token still works on its node: %d", s)
	}
	eventually("the other node refuses the signed-out token", func() bool { return benThere.Do(t, "GET", "/api/v1/me", nil).Status == 401 })
}
