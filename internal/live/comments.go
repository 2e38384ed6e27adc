package live

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Comment limits.
const (
	// MaxCommentRunes is the longest comment, in characters, once trimmed.
	MaxCommentRunes = 200
	// MaxLikes is the most likes one request may add.
	MaxLikes = 100
	// commentBurst is how many comments a viewer may post at once before
	// CommentRate applies.
	commentBurst = 5
)

// The chat's SQL (its tables are in migrations/shared/00002_live_chat.sql).
const (
	commentColumns    = `id, room_id, user_id, client_id, text, created_at`
	insertComment     = `INSERT INTO live_comments (` + commentColumns + `, deleted) VALUES (?, ?, ?, ?, ?, ?, 0)`
	selectCommentByCl = `SELECT ` + commentColumns + ` FROM live_comments WHERE room_id = ? AND user_id = ? AND client_id = ?`
	selectComment     = `SELECT ` + commentColumns + ` FROM live_comments WHERE id = ? AND room_id = ? AND deleted = 0`
	selectRecent      = `SELECT ` + commentColumns + ` FROM live_comments WHERE room_id = ? AND deleted = 0
		ORDER BY created_at DESC, id DESC LIMIT ?`
	deleteComment  = `UPDATE live_comments SET deleted = 1 WHERE id = ? AND room_id = ? AND deleted = 0`
	upsertCounters = `INSERT INTO live_room_counters (room_id, likes, comments) VALUES (?, ?, ?)
		ON CONFLICT (room_id) DO UPDATE SET likes = live_room_counters.likes + excluded.likes,
		comments = live_room_counters.comments + excluded.comments`
	selectCounters = `SELECT likes, comments, peak_viewers, pinned_id FROM live_room_counters WHERE room_id = ?`
	upsertPeak     = `INSERT INTO live_room_counters (room_id, peak_viewers) VALUES (?, ?)
		ON CONFLICT (room_id) DO UPDATE SET peak_viewers = CASE WHEN live_room_counters.peak_viewers < excluded.peak_viewers
		THEN excluded.peak_viewers ELSE live_room_counters.peak_viewers END`
	upsertPinned = `INSERT INTO live_room_counters (room_id, pinned_id) VALUES (?, ?)
		ON CONFLICT (room_id) DO UPDATE SET pinned_id = excluded.pinned_id`
	unpinIf    = `UPDATE live_room_counters SET pinned_id = '' WHERE room_id = ? AND pinned_id = ?`
	insertMute = `INSERT INTO live_mutes (room_id, user_id, muted_by, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (room_id, user_id) DO NOTHING`
	deleteMute = `DELETE FROM live_mutes WHERE room_id = ? AND user_id = ?`
	selectMute = `SELECT 1 FROM live_mutes WHERE room_id = ? AND user_id = ?`
)

// NewComment is a comment a viewer posts.
type NewComment struct {
	ClientID string `json:"client_id"`
	Text     string `json:"text"`
}

// chatRoom is the room as userID sees it (not_found when they may not).
func (s *Service) chatRoom(ctx context.Context, roomID, userID string) (Room, error) {
	if s.rt.room == nil {
		return Room{}, errs.E(errs.Unavailable, "Live rooms are not available on this node.")
	}
	return s.rt.room(ctx, roomID, userID)
}

// hostRoom is the room if userID hosts it: not_found when they may not see
// it, forbidden when they see it but do not own it.
func (s *Service) hostRoom(ctx context.Context, roomID, userID string) (Room, error) {
	room, err := s.chatRoom(ctx, roomID, userID)
	if err != nil {
		return Room{}, err
	}
	if room.OwnerID != userID {
		return Room{}, errs.E(errs.Forbidden, "Only the room's host may do that.")
	}
	return room, nil
}

// PostComment posts a comment to a room the user watches (or hosts) and
// sends it to everyone watching. A repeat of client_id by the same user
// answers the first comment and sends nothing. Errors: invalid_argument
// (text empty, over MaxCommentRunes, or holding control characters),
// not_found, room_ended, not_in_room, muted, rate_limited.
func (s *Service) PostComment(ctx context.Context, userID, roomID string, in NewComment) (Comment, error) {
	text := strings.TrimSpace(in.Text)
	if n := utf8.RuneCountInString(text); n == 0 || n > MaxCommentRunes || !utf8.ValidString(text) {
		return Comment{}, errs.Field("text", "A comment is 1 to %d characters.", MaxCommentRunes)
	}
	if strings.IndexFunc(text, unicode.IsControl) >= 0 {
		return Comment{}, errs.Field("text", "A comment may not hold control characters (line breaks, tabs…).")
	}
	if len(in.ClientID) > 64 {
		return Comment{}, errs.Field("client_id", "client_id is at most 64 characters.")
	}
	room, err := s.chatRoom(ctx, roomID, userID)
	if err != nil {
		return Comment{}, err
	}
	if room.State == StateEnded {
		return Comment{}, errs.E(RoomEnded, "The room has ended.")
	}
	host := room.OwnerID == userID
	if !host {
		if !s.watchingSoon(ctx, roomID, userID) {
			return Comment{}, errs.E(NotInRoom, "Join the room before commenting.")
		}
		if muted, err := s.muted(ctx, roomID, userID); err != nil {
			return Comment{}, err
		} else if muted {
			return Comment{}, errs.E(Muted, "The host muted you in this room.")
		}
	}
	if in.ClientID != "" {
		if c, err := s.commentByClient(ctx, roomID, userID, in.ClientID); err == nil {
			return c, nil
		} else if !errs.Is(err, errs.NotFound) {
			return Comment{}, err
		}
	}
	if !host && !s.rt.limits.allow(roomID+"\x00"+userID, s.cfg.CommentRate, s.now()) {
		return Comment{}, errs.E(errs.RateLimited, "Too many comments; slow down.")
	}
	c := Comment{ID: ids.New("lc"), RoomID: roomID, ClientID: in.ClientID, Text: text, CreatedAt: s.now().UTC().Truncate(time.Millisecond)}
	key := in.ClientID
	if key == "" {
		key = c.ID
	}
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, insertComment, c.ID, roomID, userID, key, text, c.CreatedAt.UnixMilli()); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, upsertCounters, roomID, 0, 1)
		return err
	})
	if sqldb.IsUniqueViolation(err) { // the same client_id, at the same moment
		return s.commentByClient(ctx, roomID, userID, in.ClientID)
	}
	if err != nil {
		return Comment{}, err
	}
	c.User = s.author(ctx, userID)
	s.rt.broadcast(roomID, "comment", map[string]any{"comment": c}, false)
	return c, nil
}

// watchingSoon is watching, asked once more after a moment when the
// answer is no: a join on another node reaches this one over the bus.
func (s *Service) watchingSoon(ctx context.Context, roomID, userID string) bool {
	for i := 0; i < 3; i++ {
		if s.rt.watching(roomID, userID) {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(50 * time.Millisecond):
		}
	}
	return s.rt.watching(roomID, userID)
}

// Like adds count likes (1 to MaxLikes) from a viewer of the room and
// answers the room's total as this node knows it; likes are aggregated
// and flushed into the total every ~250 ms, one "likes" frame each.
// Errors: invalid_argument, not_found, room_ended, not_in_room.
func (s *Service) Like(ctx context.Context, userID, roomID string, count int64) (int64, error) {
	if count < 1 || count > MaxLikes {
		return 0, errs.Field("count", "count is 1 to %d.", MaxLikes)
	}
	room, err := s.chatRoom(ctx, roomID, userID)
	if err != nil {
		return 0, err
	}
	if room.State == StateEnded {
		return 0, errs.E(RoomEnded, "The room has ended.")
	}
	if room.OwnerID != userID && !s.watchingSoon(ctx, roomID, userID) {
		return 0, errs.E(NotInRoom, "Join the room before liking it.")
	}
	return s.rt.addLikes(ctx, roomID, count), nil
}

// Comments is the room's latest limit comments that are not deleted,
// oldest first. Errors: not_found.
func (s *Service) Comments(ctx context.Context, userID, roomID string, limit int) ([]Comment, error) {
	if _, err := s.chatRoom(ctx, roomID, userID); err != nil {
		return nil, err
	}
	return s.recentComments(ctx, roomID, limit)
}

// DeleteComment deletes a comment of the host's room and tells everyone
// watching ("deleted" {comment_id}, and "pinned" null when it was the
// pinned one). Errors: not_found (also another room's comment),
// forbidden (not the host).
func (s *Service) DeleteComment(ctx context.Context, userID, roomID, commentID string) error {
	if _, err := s.hostRoom(ctx, roomID, userID); err != nil {
		return err
	}
	var unpinned bool
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, deleteComment, commentID, roomID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "No such comment in this room.")
		}
		res, err = tx.Exec(ctx, unpinIf, roomID, commentID)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		unpinned = n > 0
		return nil
	})
	if err != nil {
		return err
	}
	s.rt.broadcast(roomID, "deleted", map[string]any{"comment_id": commentID}, true)
	if unpinned {
		s.rt.broadcast(roomID, "pinned", map[string]any{"comment": nil}, true)
	}
	return nil
}

// Pin pins a comment of the host's room for every viewer ("" unpins) and
// answers it (nil when unpinned). Errors: not_found, forbidden.
func (s *Service) Pin(ctx context.Context, userID, roomID, commentID string) (*Comment, error) {
	if _, err := s.hostRoom(ctx, roomID, userID); err != nil {
		return nil, err
	}
	var c *Comment
	if commentID != "" {
		got, err := s.comment(ctx, roomID, commentID)
		if err != nil {
			return nil, err
		}
		c = &got
	}
	if _, err := s.db.Exec(ctx, upsertPinned, roomID, commentID); err != nil {
		return nil, err
	}
	s.rt.broadcast(roomID, "pinned", map[string]any{"comment": c}, true)
	return c, nil
}

// Mute stops a viewer commenting in the host's room; the viewer's sockets
// there get "muted" {user_id}. Errors: invalid_argument (no user, or the
// host), not_found, forbidden.
func (s *Service) Mute(ctx context.Context, userID, roomID, target string) error {
	room, err := s.hostRoom(ctx, roomID, userID)
	if err != nil {
		return err
	}
	if target == "" || target == room.OwnerID {
		return errs.Field("user_id", "Name a viewer to mute (not the host).")
	}
	if _, err := s.db.Exec(ctx, insertMute, roomID, target, userID, s.now().UnixMilli()); err != nil {
		return err
	}
	s.rt.toUsers(roomID, "muted", map[string]any{"user_id": target}, target)
	return nil
}

// Unmute lets a muted viewer comment again ("unmuted" {user_id} to them).
// Errors: not_found, forbidden.
func (s *Service) Unmute(ctx context.Context, userID, roomID, target string) error {
	if _, err := s.hostRoom(ctx, roomID, userID); err != nil {
		return err
	}
	if _, err := s.db.Exec(ctx, deleteMute, roomID, target); err != nil {
		return err
	}
	s.rt.toUsers(roomID, "unmuted", map[string]any{"user_id": target}, target)
	return nil
}

func (s *Service) muted(ctx context.Context, roomID, userID string) (bool, error) {
	var one int
	err := s.db.QueryRow(ctx, selectMute, roomID, userID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

func (s *Service) author(ctx context.Context, userID string) Author {
	a := Author{ID: userID}
	if s.accounts == nil {
		return a
	}
	if u, err := s.accounts.User(ctx, userID); err == nil {
		a.DisplayName, a.AvatarURL = u.DisplayName, u.AvatarURL
	}
	return a
}

func scanComment(row interface{ Scan(...any) error }) (Comment, string, error) {
	var c Comment
	var userID string
	var at int64
	if err := row.Scan(&c.ID, &c.RoomID, &userID, &c.ClientID, &c.Text, &at); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return c, "", errs.E(errs.NotFound, "No such comment in this room.")
		}
		return c, "", err
	}
	if c.ClientID == c.ID {
		c.ClientID = ""
	}
	c.CreatedAt = time.UnixMilli(at).UTC()
	return c, userID, nil
}

func (s *Service) commentByClient(ctx context.Context, roomID, userID, clientID string) (Comment, error) {
	c, uid, err := scanComment(s.db.QueryRow(ctx, selectCommentByCl, roomID, userID, clientID))
	if err != nil {
		return c, err
	}
	c.User = s.author(ctx, uid)
	return c, nil
}

// comment is one comment of the room, not deleted (not_found otherwise).
func (s *Service) comment(ctx context.Context, roomID, commentID string) (Comment, error) {
	c, uid, err := scanComment(s.db.QueryRow(ctx, selectComment, commentID, roomID))
	if err != nil {
		return c, err
	}
	c.User = s.author(ctx, uid)
	return c, nil
}

// recentComments is the room's latest limit comments, oldest first.
func (s *Service) recentComments(ctx context.Context, roomID string, limit int) ([]Comment, error) {
	rows, err := s.db.Query(ctx, selectRecent, roomID, limit)
	if err != nil {
		return nil, err
	}
	var users []string
	out, err := sqldb.ScanAll(rows, func(rows *sql.Rows) (Comment, error) {
		c, uid, err := scanComment(rows)
		users = append(users, uid)
		return c, err
	})
	if err != nil {
		return nil, err
	}
	authors := map[string]Author{}
	for i := range out {
		a, ok := authors[users[i]]
		if !ok {
			a = s.author(ctx, users[i])
			authors[users[i]] = a
		}
		out[i].User = a
	}
	slices.Reverse(out)
	if out == nil {
		out = []Comment{}
	}
	return out, nil
}

// pinnedComment is the room's pinned comment, nil when there is none.
func (s *Service) pinnedComment(ctx context.Context, roomID string) (*Comment, error) {
	var likes, comments, peak int64
	var pinned string
	err := s.db.QueryRow(ctx, selectCounters, roomID).Scan(&likes, &comments, &peak, &pinned)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && pinned == "") {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c, err := s.comment(ctx, roomID, pinned)
	if errs.Is(err, errs.NotFound) {
		return nil, nil
	}
	return &c, err
}

// chatStats is the room's chat figures for the host's stats.
type chatStats struct {
	Viewers, PeakViewers, Likes, Comments int64
}

// chatStats is the room's viewers now (over every node), their peak, its
// likes (flushed, plus this node's pending) and its comments.
func (s *Service) chatStats(ctx context.Context, roomID string) (chatStats, error) {
	var st chatStats
	var pinned string
	err := s.db.QueryRow(ctx, selectCounters, roomID).Scan(&st.Likes, &st.Comments, &st.PeakViewers, &pinned)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return st, err
	}
	st.Viewers = s.rt.viewers(roomID)
	st.PeakViewers = max(st.PeakViewers, s.rt.peakViewers(roomID), st.Viewers)
	s.rt.mu.RLock()
	if lc := s.rt.likes[roomID]; lc != nil {
		st.Likes = max(st.Likes, lc.total) + lc.pending
	}
	s.rt.mu.RUnlock()
	return st, nil
}

// chatCounts is the room's stored likes and comments.
func (s *Service) chatCounts(ctx context.Context, roomID string) (likes, comments int64, err error) {
	var peak int64
	var pinned string
	err = s.db.QueryRow(ctx, selectCounters, roomID).Scan(&likes, &comments, &peak, &pinned)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	return likes, comments, err
}

// addLikesTotal adds delta to the room's stored likes and answers the
// total.
func (s *Service) addLikesTotal(ctx context.Context, roomID string, delta int64) (int64, error) {
	var total int64
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, upsertCounters, roomID, delta, 0); err != nil {
			return err
		}
		var comments, peak int64
		var pinned string
		return tx.QueryRow(ctx, selectCounters, roomID).Scan(&total, &comments, &peak, &pinned)
	})
	return total, err
}

// notePeak raises the room's stored peak of viewers to n.
func (s *Service) notePeak(ctx context.Context, roomID string, n int64) error {
	_, err := s.db.Exec(ctx, upsertPeak, roomID, n)
	return err
}

// commentLimits is each viewer's comment rate on this node (a token
// bucket of commentBurst refilled at Config.CommentRate a second).
type commentLimits struct {
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func (l *commentLimits) allow(key string, rate float64, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = map[string]*bucket{}
	}
	if len(l.buckets) > 100000 { // forget the idle (full) buckets
		for k, b := range l.buckets {
			if now.Sub(b.last).Seconds()*rate >= commentBurst {
				delete(l.buckets, k)
			}
		}
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: commentBurst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(commentBurst, b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
