package account

import (
	"context"
	"database/sql"
	"encoding/json"
	"sync"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/bus"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Every request authenticates its caller, and reading the session row was
// the one statement every API call paid before doing anything (issue 16).
// sessionCache keeps the sessions read in the last userCacheTTL in memory.
// An ended session is forgotten on every node at once: each end is
// announced on SessionsEndedSubject (the same announcement that closes
// sockets), and this node forgets it before announcing. A missed
// announcement (NATS restarting, a session deleted by `plaza admin`) is
// corrected within userCacheTTL. Expiry is checked on every use, from the
// cached expiry.

// sessionCacheMax bounds the cache; beyond it the whole cache is dropped.
const sessionCacheMax = 100_000

type sessionCache struct {
	mu    sync.Mutex
	byKey map[string]cachedSession // token hash → session
	gen   uint64
}

type cachedSession struct {
	p       httpx.Principal
	expires int64 // µs
	seen    int64 // µs, last_seen_at as read or last written
	at      time.Time
}

func newSessionCache() *sessionCache {
	return &sessionCache{byKey: map[string]cachedSession{}}
}

func (c *sessionCache) get(key string, now time.Time) (cachedSession, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[key]
	if !ok || now.Sub(e.at) >= userCacheTTL || now.Before(e.at) {
		return cachedSession{}, c.gen, false
	}
	return e, c.gen, true
}

// put stores a session read from the database unless a forget happened
// since gen (the read may predate the end of the session).
func (c *sessionCache) put(key string, e cachedSession, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.byKey) >= sessionCacheMax {
		c.byKey = map[string]cachedSession{}
	}
	c.byKey[key] = e
}

// touched records that the session's last use was written at seen.
func (c *sessionCache) touched(key string, seen int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[key]; ok {
		e.seen = seen
		c.byKey[key] = e
	}
}

// forget drops the sessions ev names: one session, all of a user's, or
// every session when ev names none (an unreadable announcement).
func (c *sessionCache) forget(ev SessionsEnded) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if ev.SessionID == "" && ev.UserID == "" {
		c.byKey = map[string]cachedSession{}
		return
	}
	for k, e := range c.byKey {
		if (ev.SessionID != "" && e.p.SessionID == ev.SessionID) || (ev.SessionID == "" && e.p.UserID == ev.UserID) {
			delete(c.byKey, k)
		}
	}
}

// drop forgets one token's session.
func (c *sessionCache) drop(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.byKey, key)
}

// forgetUser drops every session of userID (its user row changed: the
// cached username, region or administrator flag may be stale).
func (c *sessionCache) forgetUser(userID string) {
	c.forget(SessionsEnded{UserID: userID})
}

// AuthenticateFresh is Authenticate from the database, not the cache (and
// caching what it read): a socket's periodic check of its session, the
// backstop for an end whose announcement was missed, must see the row.
func (s *Service) AuthenticateFresh(ctx context.Context, token string) (httpx.Principal, error) {
	s.sessions.drop(hashToken(token))
	return s.Authenticate(ctx, token)
}

// SessionsEndedOnBus is the bus handler for SessionsEndedSubject (the node
// subscribes it): sessions ended on some node, so forget them here too.
func (s *Service) SessionsEndedOnBus(m *bus.Message) {
	var ev SessionsEnded
	if err := json.Unmarshal(m.Data, &ev); err != nil {
		ev = SessionsEnded{}
	}
	s.sessions.forget(ev)
}

// selectLiveSessions + inList(n) + "AND expires_at > ?": which of these
// sessions still hold (their user not erased).
const selectLiveSessions = `SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id
	WHERE u.deleted_at IS NULL AND s.id IN `

// LiveSessions reads from the database, past the cache, which of the
// session ids still hold (not signed out, expired, or their user erased):
// the backstop for a missed bus announcement, asked for many sockets in
// one query (the hub's ping wheel) instead of one query a socket.
func (s *Service) LiveSessions(ctx context.Context, sessionIDs []string) (map[string]bool, error) {
	live := make(map[string]bool, len(sessionIDs))
	now := sqldb.Micro(s.now())
	for start := 0; start < len(sessionIDs); start += 500 {
		chunk := sessionIDs[start:min(start+500, len(sessionIDs))]
		args := make([]any, 0, len(chunk)+1)
		for _, id := range chunk {
			args = append(args, id)
		}
		args = append(args, now)
		rows, err := s.db.Query(ctx, selectLiveSessions+inList(len(chunk))+` AND s.expires_at > ?`, args...)
		if err != nil {
			return nil, err
		}
		ids, err := sqldb.ScanAll(rows, func(r *sql.Rows) (string, error) {
			var id string
			return id, r.Scan(&id)
		})
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			live[id] = true
		}
	}
	return live, nil
}
