package chat

import (
	"context"
	"database/sql"
	"net/http"
	"strings"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// MaxPresenceQuery is how many users one GET /presence may ask about.
const MaxPresenceQuery = 200

const (
	// The other members of userID's direct conversations.
	selectDirectPartners = `SELECT o.user_id FROM members m
		JOIN conversations c ON c.id = m.conversation_id AND c.type = 'direct'
		JOIN members o ON o.conversation_id = m.conversation_id AND o.user_id <> m.user_id
		WHERE m.user_id = ?`
	selectMemberReads = `SELECT user_id, read_seq, joined_seq FROM members WHERE conversation_id = ? ORDER BY joined_at, user_id`
)

// DirectPartners are the other members of userID's direct conversations.
func (s *Service) DirectPartners(ctx context.Context, userID string) ([]string, error) {
	rows, err := s.db.Query(ctx, selectDirectPartners, userID)
	if err != nil {
		return nil, err
	}
	return sqldb.ScanAll(rows, scanString)
}

// registerPresence adds the presence and read-state routes.
func (h *Handler) registerPresence(mux *http.ServeMux) {
	a := h.Auth.Required
	mux.Handle("GET /api/v1/presence", a(h.presence))
	mux.Handle("GET /api/v1/conversations/{id}/reads", a(h.reads))
	mux.Handle("GET /api/v1/conversations/{id}/messages/{seq}/reads", a(h.messageReads))
}

// presence answers GET /api/v1/presence?user_ids=a,b with the presence
// of those of them who are the caller's contacts or direct-chat partners
// (the others are left out: an id reveals nothing). A user who hides
// their last seen shows offline with last_seen null, and so do all to a
// caller who hides theirs.
func (h *Handler) presence(w http.ResponseWriter, r *http.Request) error {
	raw := r.URL.Query().Get("user_ids")
	var asked []string
	seen := map[string]bool{}
	for _, id := range strings.Split(raw, ",") {
		if id = strings.TrimSpace(id); id != "" && !seen[id] {
			seen[id] = true
			asked = append(asked, id)
		}
	}
	if len(asked) == 0 {
		return errs.Field("user_ids", "Name the users: ?user_ids=a,b (comma-separated ids).")
	}
	if len(asked) > MaxPresenceQuery {
		return errs.Field("user_ids", "Ask about at most %d users at a time.", MaxPresenceQuery)
	}
	items, err := h.Hub.presenceFor(r.Context(), httpx.Caller(r).UserID, asked)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

// presenceFor is asked's presence as viewer may see it.
func (h *Hub) presenceFor(ctx context.Context, viewer string, asked []string) ([]PresenceItem, error) {
	l := h.live
	items := []PresenceItem{}
	if l == nil || l.p == nil {
		return items, nil
	}
	aud, err := l.audience(ctx, viewer)
	if err != nil {
		return nil, err
	}
	allowed := map[string]bool{}
	for _, u := range aud {
		allowed[u] = true
	}
	var users []string
	for _, u := range asked {
		if allowed[u] {
			users = append(users, u)
		}
	}
	if len(users) == 0 {
		return items, nil
	}
	mine, err := l.accounts.PresenceInfos(ctx, []string{viewer})
	if err != nil {
		return nil, err
	}
	if !mine[viewer].ShowLastSeen { // reciprocal: hide yours, see no one's
		for _, u := range users {
			items = append(items, PresenceItem{UserID: u})
		}
		return items, nil
	}
	return l.state(ctx, users)
}

// MemberRead is how far one member has read, and from where they see the
// conversation (the seq of their joining; 0 for the founders).
type MemberRead struct {
	UserID    string `json:"user_id"`
	ReadSeq   int64  `json:"read_seq"`
	JoinedSeq int64  `json:"joined_seq"`
}

// Reads is every member's read position in a conversation the caller is
// in. Errors: not_found.
func (s *Service) Reads(ctx context.Context, userID, convID string) ([]MemberRead, error) {
	if _, err := membership(ctx, s.db, convID, userID); err != nil {
		return nil, err
	}
	return memberReads(ctx, s.db, convID)
}

func memberReads(ctx context.Context, q sqldb.Querier, convID string) ([]MemberRead, error) {
	rows, err := q.Query(ctx, selectMemberReads, convID)
	if err != nil {
		return nil, err
	}
	return sqldb.ScanAll(rows, func(rows *sql.Rows) (MemberRead, error) {
		var m MemberRead
		err := rows.Scan(&m.UserID, &m.ReadSeq, &m.JoinedSeq)
		return m, err
	})
}

// MessageReads is who of the members who can see message seq (joined at
// or before it; its sender left out) has read it, and who not. Any member
// who sees the message may ask: read frames reach every member anyway.
// Errors: not_found (not a member, a message before the caller joined,
// no such seq).
func (s *Service) MessageReads(ctx context.Context, userID, convID string, seq int64) (read, unread []Sender, err error) {
	me, err := membership(ctx, s.db, convID, userID)
	if err != nil {
		return nil, nil, err
	}
	if seq < me.joinedSeq {
		return nil, nil, errs.E(errs.NotFound, "No such message.")
	}
	ms, err := queryMessages(ctx, s.db, selectAtSeq, convID, seq)
	if err != nil {
		return nil, nil, err
	}
	if len(ms) == 0 {
		return nil, nil, errs.E(errs.NotFound, "No such message.")
	}
	members, err := memberReads(ctx, s.db, convID)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]string, 0, len(members))
	for _, m := range members {
		ids = append(ids, m.UserID)
	}
	users, err := s.users.many(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	read, unread = []Sender{}, []Sender{}
	for _, m := range members {
		if m.UserID == ms[0].Sender.ID || m.JoinedSeq > seq {
			continue
		}
		u := users[m.UserID]
		who := Sender{ID: m.UserID, Username: u.Username, DisplayName: u.DisplayName}
		if m.ReadSeq >= seq {
			read = append(read, who)
		} else {
			unread = append(unread, who)
		}
	}
	return read, unread, nil
}

func (h *Handler) reads(w http.ResponseWriter, r *http.Request) error {
	items, err := h.Service.Reads(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

func (h *Handler) messageReads(w http.ResponseWriter, r *http.Request) error {
	seq, err := parseSeq(r.PathValue("seq"))
	if err != nil {
		return err
	}
	read, unread, err := h.Service.MessageReads(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"), seq)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"read": read, "unread": unread})
	return nil
}

func parseSeq(s string) (int64, error) {
	var n int64
	if s == "" || len(s) > 18 {
		return 0, errs.Field("seq", "seq must be a whole number, 1 or more.")
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, errs.Field("seq", "seq must be a whole number, 1 or more.")
		}
		n = n*10 + int64(c-'0')
	}
	if n < 1 {
		return 0, errs.Field("seq", "seq must be a whole number, 1 or more.")
	}
	return n, nil
}
