package account

import (
	"context"
	"sync"
	"time"
)

// relCache keeps recent answers to "are a and b contacts?" and "did a
// block b?", asked before every send and every transfer (issue 16: two of
// a transfer's statements). Every change to contacts or blocks goes
// through changed for both users once committed, which forgets them here
// and, over the bus, on every node; an answer is believed for at most
// userCacheTTL without the database, as with users.
type relCache struct {
	mu      sync.Mutex
	entries map[relKey]relEntry
	// userGen counts each user's forgets; an answer holds only while both
	// of its users' counts are what they were when it was read.
	userGen map[string]uint64
	epoch   uint64 // counts forgets of everyone
}

type relKey struct {
	kind byte // 'c' contacts, 'b' a blocked b
	a, b string
}

type relEntry struct {
	v      bool
	ga, gb uint64
	epoch  uint64
	at     time.Time
}

// relStamp is what a read saw before asking the database.
type relStamp struct{ ga, gb, epoch uint64 }

func newRelCache() *relCache {
	return &relCache{entries: map[relKey]relEntry{}, userGen: map[string]uint64{}}
}

func (c *relCache) get(k relKey, now time.Time) (bool, relStamp, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := relStamp{c.userGen[k.a], c.userGen[k.b], c.epoch}
	e, ok := c.entries[k]
	if !ok {
		return false, st, false
	}
	if e.ga != st.ga || e.gb != st.gb || e.epoch != st.epoch || now.Sub(e.at) >= userCacheTTL || now.Before(e.at) {
		delete(c.entries, k)
		return false, st, false
	}
	return e.v, st, true
}

func (c *relCache) put(k relKey, v bool, st relStamp, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st != (relStamp{c.userGen[k.a], c.userGen[k.b], c.epoch}) {
		return // a change came while it was read
	}
	if len(c.entries) >= userCacheMax {
		c.entries = map[relKey]relEntry{}
	}
	c.entries[k] = relEntry{v: v, ga: st.ga, gb: st.gb, epoch: st.epoch, at: now}
}

// forget drops every answer about userID ("" : about everyone).
func (c *relCache) forget(userID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if userID == "" || len(c.userGen) >= userCacheMax {
		c.epoch++
		c.entries = map[relKey]relEntry{}
		c.userGen = map[string]uint64{}
		return
	}
	c.userGen[userID]++
}

// selectPairRelation reads, in one statement, whether b blocked a and
// whether a and b are contacts.
const selectPairRelation = `SELECT
	EXISTS (SELECT 1 FROM blocks WHERE user_id = ? AND blocked_id = ?),
	EXISTS (SELECT 1 FROM contacts WHERE user_id = ? AND contact_id = ?)`

// PairRelation is Blocked(b, a) and AreContacts(a, b) in one read (both
// from memory when recent): what a transfer from a to b asks before
// posting in their conversation.
func (s *Service) PairRelation(ctx context.Context, a, b string) (blockedByB, contacts bool, err error) {
	now := time.Now()
	bk, ck := relKey{'b', b, a}, relKey{'c', a, b}
	bv, bst, bok := s.rels.get(bk, now)
	cv, cst, cok := s.rels.get(ck, now)
	if bok && cok {
		return bv, cv, nil
	}
	if err := s.db.QueryRow(ctx, selectPairRelation, b, a, a, b).Scan(&bv, &cv); err != nil {
		return false, false, err
	}
	s.rels.put(bk, bv, bst, now)
	s.rels.put(ck, cv, cst, now)
	return bv, cv, nil
}

// cachedRelation answers k through the cache, read reads the database.
func (s *Service) cachedRelation(ctx context.Context, k relKey, read func() (bool, error)) (bool, error) {
	now := time.Now()
	v, st, ok := s.rels.get(k, now)
	if ok {
		return v, nil
	}
	v, err := read()
	if err == nil {
		s.rels.put(k, v, st, now)
	}
	return v, err
}
