package account

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/bus"
)

// UserChangedSubject carries a UserChanged whenever a user row changes
// (avatar, administrator, erasure) or their contacts or blocks do, once
// committed, so that every node forgets its cached copies (userCache,
// sessionCache, relCache).
const UserChangedSubject = "account.user_changed"

// UserChanged names a user whose row changed.
type UserChanged struct {
	UserID string `json:"user_id"`
}

// userCacheTTL bounds how long a cached user is believed without the
// database: the bus normally makes it forget a changed user at once, and a
// missed announcement (NATS restarting, a change made by `plaza admin`,
// which has no bus) is corrected within this time.
const userCacheTTL = 2 * time.Second

// userCacheMax bounds the cache; beyond it the whole cache is dropped
// (cheap, and rare: it holds only users read in the last userCacheTTL).
const userCacheMax = 100_000

// userCache keeps recently read user rows in memory: every request reads
// its caller's payee, party or region several times, and a transfer's
// reads around its job were most of its statements (issue 16). Only rows
// that exist are kept (a signup is never hidden by a cached miss).
type userCache struct {
	mu     sync.Mutex
	byID   map[string]cachedUser
	byName map[string]string // username → id
	// gen counts forgets: a read that began before one may not store what
	// it read, since the row may have changed under it.
	gen uint64
}

type cachedUser struct {
	u  User
	at time.Time
}

func newUserCache() *userCache {
	return &userCache{byID: map[string]cachedUser{}, byName: map[string]string{}}
}

// get returns the cached user by id, or by username when byName, if fresh.
func (c *userCache) get(key string, byName bool, now time.Time) (User, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id := key
	if byName {
		var ok bool
		if id, ok = c.byName[key]; !ok {
			return User{}, c.gen, false
		}
	}
	e, ok := c.byID[id]
	if !ok || now.Sub(e.at) >= userCacheTTL || now.Before(e.at) {
		return User{}, c.gen, false
	}
	return e.u, c.gen, true
}

// put stores u read from the database, unless a forget happened since gen.
func (c *userCache) put(u User, gen uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.byID) >= userCacheMax {
		c.byID, c.byName = map[string]cachedUser{}, map[string]string{}
	}
	if old, ok := c.byID[u.ID]; ok && old.u.Username != u.Username {
		delete(c.byName, old.u.Username)
	}
	c.byID[u.ID] = cachedUser{u: u, at: now}
	c.byName[u.Username] = u.ID
}

// forget drops a user (all users when id is "").
func (c *userCache) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if id == "" {
		c.byID, c.byName = map[string]cachedUser{}, map[string]string{}
		return
	}
	if e, ok := c.byID[id]; ok {
		delete(c.byName, e.u.Username)
		delete(c.byID, id)
	}
}

// cachedUser reads a user by id (or username when byName) through the
// cache. Errors: not_found.
func (s *Service) cachedUser(ctx context.Context, key string, byName bool) (User, error) {
	now := time.Now()
	u, gen, ok := s.users.get(key, byName, now)
	if ok {
		return u, nil
	}
	query := selectUserByID
	if byName {
		query = selectUserByUsername
	}
	u, err := getUser(ctx, s.db, query, key)
	if err == nil {
		s.users.put(u, gen, now)
	}
	return u, err
}

// changed forgets userID here and, through the bus, on every node, and
// tells this node's OnUserChanged hooks; call it once the change has
// committed.
func (s *Service) changed(userID string) {
	s.forgetHere(userID)
	if s.set.Bus == nil {
		return
	}
	data, _ := json.Marshal(UserChanged{UserID: userID})
	if err := s.set.Bus.Publish(UserChangedSubject, data); err != nil {
		s.log.Warn("announcing a changed user", "user_id", userID, "err", err)
	}
}

// forgetHere drops userID from this node's caches (its own and the
// OnUserChanged hooks').
func (s *Service) forgetHere(userID string) {
	s.users.forget(userID)
	s.sessions.forgetUser(userID)
	s.rels.forget(userID)
	for _, f := range s.onChange {
		f(userID)
	}
}

// UserChangedOnBus is the bus handler for UserChangedSubject (the node
// subscribes it): a node changed a user, so forget it here too.
func (s *Service) UserChangedOnBus(m *bus.Message) {
	var ev UserChanged
	if err := json.Unmarshal(m.Data, &ev); err != nil || ev.UserID == "" {
		s.users.forget("") // unreadable: forget everyone rather than guess
		s.sessions.forget(SessionsEnded{})
		s.rels.forget("")
		return
	}
	s.forgetHere(ev.UserID)
}
