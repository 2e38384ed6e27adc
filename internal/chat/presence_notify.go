package chat

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"time"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/platform/bus"
)

// PresenceAccounts is what presence needs of the account component
// (*account.Service): a user's contacts, their "show last seen" setting
// and last seen time, and recording it.
type PresenceAccounts interface {
	ContactIDs(ctx context.Context, userID string) ([]string, error)
	// BlockRelations is who userID blocked or was blocked by: they see
	// nothing of each other's presence.
	BlockRelations(ctx context.Context, userID string) ([]string, error)
	PresenceInfos(ctx context.Context, ids []string) (map[string]account.PresenceInfo, error)
	TouchLastSeen(ctx context.Context, userID string, at time.Time) error
}

// directPartners is what presence needs of the chat service: the other
// members of a user's direct conversations (they see each other's
// presence even when no longer contacts).
type directPartners interface {
	DirectPartners(ctx context.Context, userID string) ([]string, error)
}

// presenceFrame is {"type":"presence","user_id","online","last_seen"}:
// last_seen is null when the user hides it (then online is false too) or
// was never seen.
type presenceFrame struct {
	Type     string     `json:"type"`
	UserID   string     `json:"user_id"`
	Online   bool       `json:"online"`
	LastSeen *time.Time `json:"last_seen"`
}

// PresenceItem is one user's presence as GET /api/v1/presence answers it.
type PresenceItem struct {
	UserID   string     `json:"user_id"`
	Online   bool       `json:"online"`
	LastSeen *time.Time `json:"last_seen"`
}

// live is the hub's ephemeral state beside message delivery: presence,
// typing's rate limit and the coalescing of read frames. Nothing of it
// is stored but last_seen; none of it passes the message sequencers.
type live struct {
	hub      *Hub
	p        *presence // nil without HubConfig.Presence
	accounts PresenceAccounts
	partners directPartners
	log      *slog.Logger
	changes  chan presenceChange
	// told is the users whose last change handled here was "online"
	// (work's goroutine alone touches it).
	told   map[string]bool
	subs   []bus.Subscription
	stop   chan struct{}
	typing typingLimiter
	reads  readCoalescer
}

// startLive sets up h.live; presence runs only when c.Presence is set.
func (h *Hub) startLive(c HubConfig) error {
	l := &live{hub: h, accounts: c.Presence, log: c.Log, stop: make(chan struct{}), changes: make(chan presenceChange, 4096), told: map[string]bool{}}
	l.typing.init(typingEvery)
	l.reads.init(readWindow)
	h.live = l
	if c.Presence == nil || c.Bus == nil {
		return nil
	}
	l.partners, _ = c.Chat.(directPartners)
	p, err := newPresence(c.Bus, c.Log, l.changed, l.touch)
	if err != nil {
		return err
	}
	l.p = p
	sub, err := c.Bus.Subscribe(account.SettingsChangedSubject, l.onSettings)
	if err != nil {
		p.close(true)
		return err
	}
	l.subs = append(l.subs, sub)
	go l.work()
	return nil
}

// SetPresenceTiming changes presence's timing (tests shorten it).
func (h *Hub) SetPresenceTiming(t PresenceTiming) {
	if h.live != nil && h.live.p != nil {
		h.live.p.setTiming(t)
	}
}

// CrashPresence stops this node's presence without a word to the others,
// as a crash would (tests).
func (h *Hub) CrashPresence() { h.live.close(true) }

// Online reports whether user is online on any node, as this node sees it.
func (h *Hub) Online(user string) bool { return h.live != nil && h.live.p.online(user) }

func (l *live) connected(user string) {
	if l != nil {
		l.p.connected(user)
	}
}

func (l *live) disconnected(user string) {
	if l != nil {
		l.p.disconnected(user)
	}
}

func (l *live) close(crash bool) {
	if l == nil || l.p == nil {
		return
	}
	select {
	case <-l.stop:
		return
	default:
	}
	for _, s := range l.subs {
		s.Unsubscribe()
	}
	l.p.close(crash)
	close(l.stop)
}

func (l *live) touch(user string, at time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := l.accounts.TouchLastSeen(ctx, user, at); err != nil {
		l.log.Warn("recording last seen", "err", err, "user_id", user)
	}
}

// changed queues a user's change for this node's sockets; when the queue
// is full the change is dropped (clients ask GET /presence on opening a
// chat, and the next change corrects them).
func (l *live) changed(user string, online bool, at time.Time) {
	select {
	case l.changes <- presenceChange{user, online, at}:
	default:
		l.log.Warn("presence queue full: a change was not pushed", "user_id", user)
	}
}

func (l *live) work() {
	for {
		select {
		case <-l.stop:
			return
		case ch := <-l.changes:
			l.notify(ch)
		}
	}
}

// notify tells this node's sockets of the user's audience who show their
// own last seen (the setting is reciprocal) that the user came online or
// went offline, unless the user hides it.
func (l *live) notify(ch presenceChange) {
	if !l.p.current(ch) {
		// Stale: the user came back (or left) since; that later change
		// is queued behind this one. Telling this one now would be a
		// lie under the setting of now, not of then.
		return
	}
	if ch.online {
		if l.told[ch.user] {
			// Online again with no offline told between (the offline
			// went stale, the user back before it was told): the
			// audience already knows.
			return
		}
		l.told[ch.user] = true
	} else {
		delete(l.told, ch.user)
	}
	if l.hub.Connections() == 0 { // no one here to tell
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	infos, err := l.accounts.PresenceInfos(ctx, []string{ch.user})
	if err != nil {
		l.log.Warn("presence settings", "err", err)
		return
	}
	if !infos[ch.user].ShowLastSeen {
		return
	}
	to, err := l.showingAudience(ctx, ch.user)
	if err != nil || len(to) == 0 {
		return
	}
	at := ch.at.UTC()
	l.push(to, presenceFrame{Type: "presence", UserID: ch.user, Online: ch.online, LastSeen: &at})
}

// showingAudience is the user's audience with sockets here who show their
// own last seen.
func (l *live) showingAudience(ctx context.Context, user string) ([]string, error) {
	aud, err := l.audience(ctx, user)
	if err != nil {
		l.log.Warn("presence audience", "err", err)
		return nil, err
	}
	here := l.hub.present(aud)
	if len(here) == 0 {
		return nil, nil
	}
	infos, err := l.accounts.PresenceInfos(ctx, here)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(here, func(u string) bool { return !infos[u].ShowLastSeen }), nil
}

func (l *live) push(to []string, f presenceFrame) {
	b, _ := json.Marshal(f)
	l.hub.fanOut(to, b)
}

// audience is who may see user's presence: their contacts and the other
// members of their direct conversations.
func (l *live) audience(ctx context.Context, user string) ([]string, error) {
	out, err := l.accounts.ContactIDs(ctx, user)
	if err != nil {
		return nil, err
	}
	if l.partners != nil {
		more, err := l.partners.DirectPartners(ctx, user)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	blocks, err := l.accounts.BlockRelations(ctx, user)
	if err != nil {
		return nil, err
	}
	slices.Sort(out)
	out = slices.Compact(out)
	return slices.DeleteFunc(out, func(u string) bool { return u == user || slices.Contains(blocks, u) }), nil
}

// onSettings tells the audience here at once when a user hides their
// last seen (offline, no time) or shows it again (their state now).
func (l *live) onSettings(m *bus.Message) {
	var ev account.SettingsChanged
	if err := json.Unmarshal(m.Data, &ev); err != nil || ev.UserID == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if !ev.ShowLastSeen {
		aud, err := l.audience(ctx, ev.UserID)
		if err != nil {
			return
		}
		l.push(l.hub.present(aud), presenceFrame{Type: "presence", UserID: ev.UserID})
		return
	}
	to, err := l.showingAudience(ctx, ev.UserID)
	if err != nil || len(to) == 0 {
		return
	}
	items, err := l.state(ctx, []string{ev.UserID})
	if err != nil || len(items) == 0 {
		return
	}
	l.push(to, presenceFrame{Type: "presence", UserID: ev.UserID, Online: items[0].Online, LastSeen: items[0].LastSeen})
}

// state is the presence of users as a viewer who may see it sees it.
func (l *live) state(ctx context.Context, users []string) ([]PresenceItem, error) {
	infos, err := l.accounts.PresenceInfos(ctx, users)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	out := make([]PresenceItem, 0, len(users))
	for _, u := range users {
		it := PresenceItem{UserID: u}
		switch info := infos[u]; {
		case !info.ShowLastSeen:
		case l.p.online(u):
			it.Online, it.LastSeen = true, &now
		case !info.LastSeen.IsZero():
			seen := info.LastSeen.UTC()
			it.LastSeen = &seen
		}
		out = append(out, it)
	}
	return out, nil
}

// present is those of users with a socket on this node.
func (h *Hub) present(users []string) []string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var out []string
	for _, u := range users {
		if len(h.conns[u]) > 0 {
			out = append(out, u)
		}
	}
	return out
}
