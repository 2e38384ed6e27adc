package account

import (
	"testing"
	"time"
)

// A read that began before a forget may not store what it read; an entry
// is believed for userCacheTTL only; a renamed user is found by the new
// name only.
func TestUserCacheRules(t *testing.T) {
	c := newUserCache()
	now := time.Now()
	_, gen, ok := c.get("u1", false, now)
	if ok {
		t.Fatal("empty cache hit")
	}
	c.forget("u1") // the row changed while it was being read
	c.put(User{ID: "u1", Username: "ann"}, gen, now)
	if _, _, ok := c.get("u1", false, now); ok {
		t.Fatal("a read older than a forget was stored")
	}
	_, gen, _ = c.get("u1", false, now)
	c.put(User{ID: "u1", Username: "ann"}, gen, now)
	if u, _, ok := c.get("ann", true, now); !ok || u.ID != "u1" {
		t.Fatalf("by name: %v %v", u, ok)
	}
	if _, _, ok := c.get("u1", false, now.Add(userCacheTTL)); ok {
		t.Fatal("an entry outlived its TTL")
	}
	_, gen, _ = c.get("u1", false, now)
	c.put(User{ID: "u1", Username: "deleted_u1"}, gen, now)
	if _, _, ok := c.get("ann", true, now); ok {
		t.Fatal("the old name still finds the renamed user")
	}
	c.forget("u1")
	if _, _, ok := c.get("deleted_u1", true, now); ok {
		t.Fatal("a forgotten user is still found by name")
	}
}
