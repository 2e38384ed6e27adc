package account

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// relCache keeps users' recent contact lists and block lists, which answer
// "are a and b contacts?" and "did a block b?", asked before every send and
// every transfer (issue 16). A list is kept per user rather than an answer
// per pair: between random pairs of 300 users, per-pair answers missed on
// nearly every transfer, while 300 users have 600 lists. Every change to
// contacts or blocks goes through changed for both users once committed,
// which forgets them here and, over the bus, on every node; a list is
// believed for at most userCacheTTL without the database, as with users.
type relCache struct {
	mu    sync.Mutex
	lists map[relKey]relList
	// userGen counts each user's forgets; a list holds only while its
	// owner's count is what it was when the list was read.
	userGen map[string]uint64
	epoch   uint64 // counts forgets of everyone
	size    int    // ids held in lists, at most relCacheMaxIDs
}

// relKey names one user's list: kind 'c' (their contacts) or 'b' (the
// users they blocked).
type relKey struct {
	kind  byte
	owner string
}

type relList struct {
	ids   map[string]struct{}
	gen   uint64
	epoch uint64
	at    time.Time
}

// relStamp is what a read saw before asking the database.
type relStamp struct{ gen, epoch uint64 }

// relListMax is the longest list kept (a longer one is read each time);
// relCacheMaxIDs bounds the ids held in all lists together.
const (
	relListMax     = 5_000
	relCacheMaxIDs = 1_000_000
)

func newRelCache() *relCache {
	return &relCache{lists: map[relKey]relList{}, userGen: map[string]uint64{}}
}

// has reports whether k's list holds other, when the list is here and
// current; otherwise found is false and st stamps the read to make.
func (c *relCache) has(k relKey, other string, now time.Time) (v bool, st relStamp, found bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st = relStamp{c.userGen[k.owner], c.epoch}
	l, ok := c.lists[k]
	if !ok {
		return false, st, false
	}
	if l.gen != st.gen || l.epoch != st.epoch || now.Sub(l.at) >= userCacheTTL || now.Before(l.at) {
		delete(c.lists, k)
		c.size -= len(l.ids)
		return false, st, false
	}
	_, v = l.ids[other]
	return v, st, true
}

func (c *relCache) put(k relKey, ids map[string]struct{}, st relStamp, now time.Time) {
	if len(ids) > relListMax {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st != (relStamp{c.userGen[k.owner], c.epoch}) {
		return // a change came while it was read
	}
	if old, ok := c.lists[k]; ok {
		c.size -= len(old.ids)
	}
	if len(c.lists) >= userCacheMax || c.size+len(ids) > relCacheMaxIDs {
		c.lists, c.size = map[relKey]relList{}, 0
	}
	c.lists[k] = relList{ids: ids, gen: st.gen, epoch: st.epoch, at: now}
	c.size += len(ids)
}

// forget drops every list of userID ("" : of everyone).
func (c *relCache) forget(userID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if userID == "" || len(c.userGen) >= userCacheMax {
		c.epoch++
		c.lists, c.size = map[relKey]relList{}, 0
		c.userGen = map[string]uint64{}
		return
	}
	c.userGen[userID]++
	for _, kind := range []byte{'b', 'c'} {
		k := relKey{kind, userID}
		if l, ok := c.lists[k]; ok {
			delete(c.lists, k)
			c.size -= len(l.ids)
		}
	}
}

// selectRelationLists reads a user's block list ('b', $1) and another's
// (or the same user's) contact list ('c', $2) in one statement.
const selectRelationLists = `SELECT 'b', blocked_id FROM blocks WHERE user_id = ?
	UNION ALL SELECT 'c', contact_id FROM contacts WHERE user_id = ?`

// PairRelation is Blocked(b, a) and AreContacts(a, b) in one read (both
// from memory when recent): what a transfer from a to b asks before
// posting in their conversation.
func (s *Service) PairRelation(ctx context.Context, a, b string) (blockedByB, contacts bool, err error) {
	return s.relations(ctx, b, a, a, b)
}

// Blocked reports whether a has blocked b (for chat and pay: a message or
// a request from b to a is refused).
func (s *Service) Blocked(ctx context.Context, a, b string) (bool, error) {
	v, _, err := s.relations(ctx, a, b, "", "")
	return v, err
}

// AreContacts reports whether two users are contacts (for chat and pay).
func (s *Service) AreContacts(ctx context.Context, a, b string) (bool, error) {
	_, v, err := s.relations(ctx, "", "", a, b)
	return v, err
}

// relations answers whether blocker blocked blocked and whether a has b as
// a contact (either pair may be empty, and is then not asked), from the
// lists in memory, reading the missing ones in one statement.
func (s *Service) relations(ctx context.Context, blocker, blocked, a, b string) (isBlocked, isContact bool, err error) {
	now := time.Now()
	bk, ck := relKey{'b', blocker}, relKey{'c', a}
	bFound, cFound := blocker == "", a == ""
	var bst, cst relStamp
	if !bFound {
		isBlocked, bst, bFound = s.rels.has(bk, blocked, now)
	}
	if !cFound {
		isContact, cst, cFound = s.rels.has(ck, b, now)
	}
	if bFound && cFound {
		return isBlocked, isContact, nil
	}
	// One statement reads whichever lists are missing ("" matches none).
	qb, qc := blocker, a
	if bFound {
		qb = ""
	}
	if cFound {
		qc = ""
	}
	rows, err := s.db.Query(ctx, selectRelationLists, qb, qc)
	if err != nil {
		return false, false, err
	}
	bl, cl := map[string]struct{}{}, map[string]struct{}{}
	_, err = sqldb.ScanAll(rows, func(rows *sql.Rows) (struct{}, error) {
		var kind, id string
		if err := rows.Scan(&kind, &id); err != nil {
			return struct{}{}, err
		}
		if kind == "b" {
			bl[id] = struct{}{}
		} else {
			cl[id] = struct{}{}
		}
		return struct{}{}, nil
	})
	if err != nil {
		return false, false, err
	}
	if !bFound {
		_, isBlocked = bl[blocked]
		s.rels.put(bk, bl, bst, now)
	}
	if !cFound {
		_, isContact = cl[b]
		s.rels.put(ck, cl, cst, now)
	}
	return isBlocked, isContact, nil
}
