package chat

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// selectDirectKey is a conversation's direct_key (NULL for groups).
const selectDirectKey = `SELECT direct_key FROM conversations WHERE id = ?`

// errBlocked is what a blocked user is told: it does not say they were
// blocked.
func errBlocked() error {
	return errs.E(errs.Forbidden, "You cannot send messages in this chat.")
}

// refuseBlocked refuses userID's message into a direct conversation whose
// other member has blocked them (account.Blocked), before anything is
// written; groups, and conversations userID is not in (refused later as
// not_found), pass. Errors: forbidden.
func (s *Service) refuseBlocked(ctx context.Context, q sqldb.Querier, convID, userID string) error {
	key, err := s.directKeys.of(ctx, q, convID)
	if err != nil || key == "" {
		return err
	}
	a, b, _ := strings.Cut(key, ":")
	other := a
	switch userID {
	case a:
		other = b
	case b:
	default:
		return nil
	}
	return s.refuseIfBlocked(ctx, other, userID)
}

// refuseIfBlocked refuses when recipient has blocked sender. Errors:
// forbidden.
func (s *Service) refuseIfBlocked(ctx context.Context, recipient, sender string) error {
	blocked, err := s.accounts.Blocked(ctx, recipient, sender)
	if err != nil {
		return err
	}
	if blocked {
		return errBlocked()
	}
	return nil
}

// directKeyCache keeps conversations' direct_key ("user:user" for a direct
// conversation, "" for a group), which never changes once the
// conversation exists, so that a send reads no row to learn whom it goes
// to before asking whether they blocked the sender.
type directKeyCache struct {
	mu sync.RWMutex // guards m and ids
	m  map[string]string
	// ids is the other way round: a direct key's conversation, once it
	// exists (a direct conversation is never deleted).
	ids map[string]string
}

// idOf is the direct conversation of key ("" if there is none yet: not
// remembered, it may be made any moment).
func (c *directKeyCache) idOf(ctx context.Context, q sqldb.Querier, key string) (string, error) {
	c.mu.RLock()
	id, ok := c.ids[key]
	c.mu.RUnlock()
	if ok {
		return id, nil
	}
	err := q.QueryRow(ctx, selectDirectByKey, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	if c.ids == nil || len(c.ids) > 100_000 {
		c.ids = map[string]string{}
	}
	c.ids[key] = id
	c.mu.Unlock()
	return id, nil
}

// of is convID's direct key; "" for a group or no such conversation (not
// remembered: it may be being made).
func (c *directKeyCache) of(ctx context.Context, q sqldb.Querier, convID string) (string, error) {
	c.mu.RLock()
	key, ok := c.m[convID]
	c.mu.RUnlock()
	if ok {
		return key, nil
	}
	var k sql.NullString
	err := q.QueryRow(ctx, selectDirectKey, convID).Scan(&k)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) > 100_000 {
		c.m = map[string]string{}
	}
	c.m[convID] = k.String
	c.mu.Unlock()
	return k.String, nil
}
