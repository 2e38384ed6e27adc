package chat

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
)

// Typing: a client says {"type":"typing","conversation_id"} while its
// user types; the other members' sockets, on every node, get
// {"type":"typing","conversation_id","user_id"}. Typing is ephemeral: it
// is never stored, passes no sequencer (so it cannot hold up or reorder
// message frames), and is relayed at most once per typingEvery per user
// and conversation on a node — the rest are dropped silently, before any
// database work, so a flood costs a map lookup each (and the socket's own
// frame rate limit bounds it further).

// typingEvery is how often a user's typing in one conversation is
// relayed at most.
const typingEvery = 2 * time.Second

// typing relays a typing frame of c's user. Errors: not_found (not a
// member, as for sending).
func (h *Handler) typing(ctx context.Context, c *client, f clientFrame) error {
	if !h.Hub.live.typing.allow(c.userID, f.ConversationID, time.Now()) {
		return nil
	}
	members, err := memberIDs(ctx, h.Service.db, f.ConversationID)
	if err != nil {
		return err
	}
	if !slices.Contains(members, c.userID) {
		return errNoConversation
	}
	// Someone who blocked the typist does not see them type (nor is told why).
	if err := h.Service.refuseBlocked(ctx, h.Service.db, f.ConversationID, c.userID); err != nil {
		if errs.CodeOf(err) == errs.Forbidden {
			return nil
		}
		return err
	}
	to := slices.DeleteFunc(members, func(u string) bool { return u == c.userID })
	h.Service.publish(to, frame{Type: "typing", ConversationID: f.ConversationID, UserID: c.userID})
	return nil
}

// typingLimiter remembers when each user's typing in each conversation
// was last relayed.
type typingLimiter struct {
	every time.Duration
	mu    sync.Mutex // guards last and pruned
	last  map[string]time.Time
	// pruned is when last was last swept of old entries.
	pruned time.Time
}

func (t *typingLimiter) init(every time.Duration) {
	t.every, t.last = every, map[string]time.Time{}
}

// allow reports whether a typing frame may be relayed now, and if so
// counts it.
func (t *typingLimiter) allow(user, conv string, now time.Time) bool {
	key := user + "\x00" + conv
	t.mu.Lock()
	defer t.mu.Unlock()
	if at, ok := t.last[key]; ok && now.Sub(at) < t.every {
		return false
	}
	t.last[key] = now
	if len(t.last) > 4096 && now.Sub(t.pruned) > t.every {
		t.pruned = now
		for k, at := range t.last {
			if now.Sub(at) >= t.every {
				delete(t.last, k)
			}
		}
	}
	return true
}
