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

// A user's contact or block list answers for every other user; a read
// that began before a forget of its owner may not store what it read; a
// forget drops both of the owner's lists; a list is believed for
// userCacheTTL only; a list too long to keep is not kept.
func TestRelationCacheRules(t *testing.T) {
	c := newRelCache()
	now := time.Now()
	k := relKey{'c', "ann"}
	_, st, ok := c.has(k, "ben", now)
	if ok {
		t.Fatal("empty cache hit")
	}
	c.forget("ann") // a contact was added while the list was read
	c.put(k, map[string]struct{}{"ben": {}}, st, now)
	if _, _, ok := c.has(k, "ben", now); ok {
		t.Fatal("a list read before a forget was stored")
	}
	_, st, _ = c.has(k, "ben", now)
	c.put(k, map[string]struct{}{"ben": {}}, st, now)
	if v, _, ok := c.has(k, "ben", now); !ok || !v {
		t.Fatalf("ben in ann's contacts: %v %v", v, ok)
	}
	if v, _, ok := c.has(k, "cat", now); !ok || v {
		t.Fatalf("cat in ann's contacts: %v %v (the list answers for everyone)", v, ok)
	}
	c.forget("ben") // ben's lists, not ann's
	if _, _, ok := c.has(k, "ben", now); !ok {
		t.Fatal("forgetting ben dropped ann's list")
	}
	if _, _, ok := c.has(k, "ben", now.Add(userCacheTTL)); ok {
		t.Fatal("a list outlived its TTL")
	}
	_, st, _ = c.has(k, "ben", now)
	c.put(k, map[string]struct{}{"ben": {}}, st, now)
	bk := relKey{'b', "ann"}
	_, bst, _ := c.has(bk, "cat", now)
	c.put(bk, map[string]struct{}{}, bst, now)
	c.forget("ann")
	if _, _, ok := c.has(k, "ben", now); ok {
		t.Fatal("ann's contacts outlived a forget of ann")
	}
	if _, _, ok := c.has(bk, "cat", now); ok {
		t.Fatal("ann's blocks outlived a forget of ann")
	}
	long := map[string]struct{}{}
	for i := range relListMax + 1 {
		long[string(rune('a'+i%26))+time.Duration(i).String()] = struct{}{}
	}
	_, st, _ = c.has(k, "ben", now)
	c.put(k, long, st, now)
	if _, _, ok := c.has(k, "ben", now); ok {
		t.Fatal("a list longer than relListMax was kept")
	}
	if c.size != 0 {
		t.Fatalf("size %d with no list kept", c.size)
	}
}
