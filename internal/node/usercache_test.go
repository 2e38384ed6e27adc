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
