package miniapp

import (
	"container/list"
	"strconv"
	"sync"
)

// Parsed packages, kept so that pages are not re-inflated on every request.
// A version's package never changes once uploaded (appid and code name it
// for good), so entries are never stale; the cache is bounded by the bytes
// of the files it holds and drops the least recently used first.
const (
	CacheBytes   = 64 << 20 // the files of every cached package together
	CacheEntries = 256
)

type pkgCache struct {
	maxBytes   int64
	maxEntries int

	mu    sync.Mutex // guards all below
	bytes int64
	order *list.List // of *cacheEntry, most recently used first
	byKey map[string]*list.Element
}

type cacheEntry struct {
	key  string
	pkg  *Package
	size int64
}

func newPkgCache(maxBytes int64, maxEntries int) *pkgCache {
	return &pkgCache{maxBytes: maxBytes, maxEntries: maxEntries, order: list.New(), byKey: map[string]*list.Element{}}
}

func cacheKey(appid string, code int64) string { return appid + "@" + strconv.FormatInt(code, 10) }

func pkgSize(p *Package) int64 {
	var n int64
	for name, b := range p.Files {
		n += int64(len(name) + len(b))
	}
	return n
}

func (c *pkgCache) get(key string) *Package {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[key]
	if !ok {
		return nil
	}
	c.order.MoveToFront(e)
	return e.Value.(*cacheEntry).pkg
}

// put keeps p under key, evicting the least recently used until it fits. A
// package larger than the whole cache is not kept.
func (c *pkgCache) put(key string, p *Package) {
	n := pkgSize(p)
	if n > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byKey[key]; ok {
		return
	}
	c.byKey[key] = c.order.PushFront(&cacheEntry{key: key, pkg: p, size: n})
	c.bytes += n
	for c.bytes > c.maxBytes || c.order.Len() > c.maxEntries {
		last := c.order.Back()
		e := last.Value.(*cacheEntry)
		c.order.Remove(last)
		delete(c.byKey, e.key)
		c.bytes -= e.size
	}
}

// len and size are for tests.
func (c *pkgCache) stats() (entries int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len(), c.bytes
}
