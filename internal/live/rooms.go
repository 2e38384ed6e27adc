package live

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/trust"
)

// NewRoom is the body of POST /live/rooms.
type NewRoom struct {
	MchID        string `json:"mchid"`
	Title        string `json:"title"`
	CoverMediaID string `json:"cover_media_id"`
	// ScheduledAt is an RFC 3339 time; empty is now.
	ScheduledAt string `json:"scheduled_at"`
	// NotifyURL (ours) is where the merchant's backend hears of the
	// room's orders; empty: the merchant's most recent order's.
	NotifyURL string `json:"notify_url"`
}

// RoomFilter is a directory query.
type RoomFilter struct {
	State  string // "", live or scheduled
	MchID  string // one merchant's rooms (all states for its owner)
	Cursor string
	Limit  int
}

// CreateRoom creates a scheduled room for a merchant userID owns.
// Errors: not_found (not the caller's merchant), invalid_argument.
func (s *Service) CreateRoom(ctx context.Context, userID string, in NewRoom) (Room, error) {
	m, err := s.merchants.Owned(ctx, userID, in.MchID)
	if err != nil {
		return Room{}, err
	}
	title := strings.TrimSpace(in.Title)
	if n := utf8.RuneCountInString(title); n < 1 || n > 100 {
		return Room{}, errs.Field("title", "A title has 1 to 100 characters.")
	}
	if hasControl(title) {
		return Room{}, errs.Field("title", "A title must not contain control characters (line breaks, tabs, …).")
	}
	if len(in.CoverMediaID) > 64 || hasControl(in.CoverMediaID) || strings.ContainsAny(in.CoverMediaID, "/?#") {
		return Room{}, errs.Field("cover_media_id", "cover_media_id is a media id from POST /api/v1/media.")
	}
	if len(in.NotifyURL) > 255 || hasControl(in.NotifyURL) || (in.NotifyURL != "" && !strings.HasPrefix(in.NotifyURL, "https://") && !strings.HasPrefix(in.NotifyURL, "http://")) {
		return Room{}, errs.Field("notify_url", "notify_url is an absolute http(s) URL of at most 255 characters.")
	}
	now := s.now()
	at := now
	if in.ScheduledAt != "" {
		if at, err = time.Parse(time.RFC3339, in.ScheduledAt); err != nil {
			return Room{}, errs.Field("scheduled_at", "scheduled_at is an RFC 3339 time, such as 2026-12-03T20:00:00+08:00.")
		}
	}
	if err := s.keepImage(ctx, userID, in.CoverMediaID, "cover_media_id"); err != nil {
		return Room{}, err
	}
	r := Room{ID: ids.New("lr"), MchID: m.MchID, MerchantName: m.Name, Title: title, State: StateScheduled,
		ScheduledAt: at.UTC().Truncate(time.Microsecond), OwnerID: m.OwnerID, NotifyURL: in.NotifyURL, Host: true}
	r.CoverURL = coverURL(r.ID, in.CoverMediaID)
	if _, err := s.db.Exec(ctx, insertRoom, r.ID, r.MchID, r.MerchantName, r.OwnerID, r.Title, in.CoverMediaID, r.NotifyURL,
		sqldb.Micro(r.ScheduledAt), sqldb.Micro(r.ScheduledAt), sqldb.Micro(now)); err != nil {
		return Room{}, err
	}
	return r, nil
}

// hasControl reports control characters, invalid UTF-8 and bidi controls.
func hasControl(v string) bool {
	if !utf8.ValidString(v) {
		return true
	}
	for _, r := range v {
		switch {
		case r < 0x20, r >= 0x7f && r < 0xa0, r == 0x2028, r == 0x2029, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return true
		}
	}
	return false
}

type roomRow struct {
	Room
	cover      string
	showingSKU string
	rank       int
	sortKey    int64
}

func scanRoom(row interface{ Scan(...any) error }) (roomRow, error) {
	var r roomRow
	var sched int64
	var started, ended sql.NullInt64
	err := row.Scan(&r.ID, &r.MchID, &r.MerchantName, &r.OwnerID, &r.Title, &r.cover, &r.NotifyURL, &r.State, &sched, &started, &ended,
		&r.showingSKU, &r.Likes, &r.rank, &r.sortKey)
	if err != nil {
		return r, err
	}
	r.ScheduledAt = sqldb.FromMicro(sched)
	if started.Valid {
		t := sqldb.FromMicro(started.Int64)
		r.StartedAt = &t
	}
	if ended.Valid {
		t := sqldb.FromMicro(ended.Int64)
		r.EndedAt = &t
	}
	r.CoverURL = coverURL(r.ID, r.cover)
	return r, nil
}

// room loads a room as stored, for no one in particular. Errors: not_found.
func (s *Service) room(ctx context.Context, id string) (roomRow, error) {
	r, err := scanRoom(s.db.QueryRow(ctx, selectRoom, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, errs.E(errs.NotFound, "No such live room.")
	}
	return r, err
}

// check asks trust whether userID may use the room's merchant for scope;
// nil when allowed.
func (s *Service) check(ctx context.Context, userID, mchid string, scope trust.Scope) error {
	if s.policies == nil {
		return nil
	}
	return s.policies.Check(ctx, trust.Question{UserID: userID, Target: trust.Target{Type: trust.TargetMerchant, ID: mchid},
		MerchantID: mchid, Scope: scope})
}

// visible loads room id as userID may see it: not_found for a room that
// does not exist or whose merchant is withheld from the caller's region
// (distribution). The host always sees their own.
func (s *Service) visible(ctx context.Context, userID, id string) (roomRow, error) {
	r, err := s.room(ctx, id)
	if err != nil {
		return r, err
	}
	if r.OwnerID == userID {
		return r, nil
	}
	if err := s.check(ctx, userID, r.MchID, trust.ScopeDistribution); err != nil {
		if errs.Is(err, trust.BlockedByPolicy) {
			return r, errs.E(errs.NotFound, "No such live room.")
		}
		return r, err
	}
	return r, nil
}

// hosted loads room id for its host: not_found for another's room (so
// that ids of other merchants' rooms tell nothing beyond GET), forbidden
// when the caller can see it but is not its host.
func (s *Service) hosted(ctx context.Context, userID, id string) (roomRow, error) {
	r, err := s.visible(ctx, userID, id)
	if err != nil {
		return r, err
	}
	if r.OwnerID != userID {
		return r, errs.E(errs.Forbidden, "Only the room's host may do this.")
	}
	return r, nil
}

// view is the room as userID sees it.
func (s *Service) view(ctx context.Context, userID string, r roomRow) Room {
	out := r.Room
	out.Host = r.OwnerID == userID
	out.Viewers = s.rt.viewers(r.ID)
	if st, err := s.chatStats(ctx, r.ID); err == nil {
		out.Likes = max(out.Likes, st.Likes)
	}
	if c, err := s.pinnedComment(ctx, r.ID); err == nil {
		out.Pinned = c
	}
	if r.showingSKU != "" {
		if it, err := s.item(ctx, r.ID, r.showingSKU, false); err == nil {
			out.Showing = &it
		}
	}
	if userID != "" {
		var one int
		out.Reminded = s.db.QueryRow(ctx, selectReminded, r.ID, userID).Scan(&one) == nil
	}
	return out
}

// watchRoom is the room as the realtime side asks for it: as userID may
// see it, or ("" userID) as the system reads it (the ended frame's room).
func (s *Service) watchRoom(ctx context.Context, id, userID string) (Room, error) {
	if userID == "" {
		r, err := s.room(ctx, id)
		if err != nil {
			return Room{}, err
		}
		return s.view(ctx, "", r), nil
	}
	return s.Room(ctx, userID, id)
}

// Room is room id as userID sees it. Errors: not_found (also when a
// policy withholds its merchant from the caller's region).
func (s *Service) Room(ctx context.Context, userID, id string) (Room, error) {
	r, err := s.visible(ctx, userID, id)
	if err != nil {
		return Room{}, err
	}
	return s.view(ctx, userID, r), nil
}

// Rooms lists the directory: live rooms (newest start first), then
// scheduled ones (soonest first); with MchID, one merchant's, and its
// owner sees its ended rooms too (last). Rooms of merchants a policy
// withholds from the caller's region are left out.
func (s *Service) Rooms(ctx context.Context, userID string, f RoomFilter) ([]Room, string, error) {
	lo, hi := 0, 1
	switch f.State {
	case "":
	case StateLive:
		hi = 0
	case StateScheduled:
		lo = 1
	case StateEnded:
		if f.MchID == "" {
			return nil, "", errs.Field("state", "state is live or scheduled.")
		}
		lo, hi = 2, 2
	default:
		return nil, "", errs.Field("state", "state is live or scheduled.")
	}
	owner := false
	if f.MchID != "" {
		if _, err := s.merchants.Owned(ctx, userID, f.MchID); err == nil {
			owner = true
			if f.State == "" {
				hi = 2
			}
		} else if f.State == StateEnded {
			return nil, "", errs.Field("state", "Only the merchant's owner lists its ended rooms.")
		}
	}
	cr, ck, cid, err := decodeCursor(f.Cursor)
	if err != nil {
		return nil, "", err
	}
	if cr < lo {
		cr, ck, cid = lo, -1<<62, ""
	}
	if f.Limit <= 0 {
		f.Limit = 20
	}
	var rows *sql.Rows
	if f.MchID != "" {
		rows, err = s.db.Query(ctx, listMerchantRooms, f.MchID, lo, hi, cr, ck, cid, f.Limit+1)
	} else {
		rows, err = s.db.Query(ctx, listRooms, lo, hi, cr, ck, cid, f.Limit+1)
	}
	if err != nil {
		return nil, "", err
	}
	list, err := sqldb.ScanAll(rows, func(r *sql.Rows) (roomRow, error) { return scanRoom(r) })
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(list) > f.Limit {
		last := list[f.Limit-1]
		next = encodeCursor(last.rank, last.sortKey, last.ID)
		list = list[:f.Limit]
	}
	out := make([]Room, 0, len(list))
	for _, r := range list {
		if !owner && r.OwnerID != userID {
			err := s.check(ctx, userID, r.MchID, trust.ScopeDistribution)
			if errs.Is(err, trust.BlockedByPolicy) {
				continue
			}
			if err != nil {
				return nil, "", err
			}
		}
		out = append(out, s.view(ctx, userID, r))
	}
	return out, next, nil
}

func encodeCursor(rank int, key int64, id string) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d|%d|%s", rank, key, id))
}

func decodeCursor(c string) (int, int64, string, error) {
	if c == "" {
		return 0, -1 << 62, "", nil
	}
	bad := errs.Field("cursor", "cursor is a next_cursor from an earlier page.")
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, 0, "", bad
	}
	parts := strings.SplitN(string(raw), "|", 3)
	if len(parts) != 3 {
		return 0, 0, "", bad
	}
	rank, err1 := strconv.Atoi(parts[0])
	key, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || rank < 0 || rank > 2 {
		return 0, 0, "", bad
	}
	return rank, key, parts[2], nil
}

// EndRoom ends the host's room: its video stops, everyone watching gets
// "ended". Ending an ended room answers it as it is.
func (s *Service) EndRoom(ctx context.Context, userID, id string) (Room, error) {
	r, err := s.hosted(ctx, userID, id)
	if err != nil {
		return Room{}, err
	}
	if _, err := s.end(ctx, id, ""); err != nil {
		return Room{}, err
	}
	if r, err = s.room(ctx, id); err != nil {
		return Room{}, err
	}
	return s.view(ctx, userID, r), nil
}

// end ends room id (only if publication session is still gone, when
// session is not empty); true when this call ended it.
func (s *Service) end(ctx context.Context, id, goneSession string) (bool, error) {
	now := s.now()
	var res sql.Result
	var err error
	if goneSession == "" {
		res, err = s.db.Exec(ctx, endRoom, sqldb.Micro(now), -sqldb.Micro(now), id)
	} else {
		res, err = s.db.Exec(ctx, endRoomIfGone, sqldb.Micro(now), -sqldb.Micro(now), id, goneSession, sqldb.Micro(now.Add(-s.cfg.HostGrace)))
	}
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if s.media != nil {
		s.media.EndRoom(id)
	}
	if s.cfg.Observe != nil {
		s.cfg.Observe(Frame{RoomID: id, Event: "ended", Must: true})
	}
	s.rt.closeRoom(id)
	return true, nil
}

// Remind records (on) or forgets that userID wants to hear when a
// scheduled room goes live. Errors: not_found, room_ended.
func (s *Service) Remind(ctx context.Context, userID, id string, on bool) error {
	r, err := s.visible(ctx, userID, id)
	if err != nil {
		return err
	}
	if !on {
		_, err := s.db.Exec(ctx, deleteReminder, id, userID)
		return err
	}
	if r.State == StateEnded {
		return errs.E(RoomEnded, "This live room has ended.")
	}
	_, err = s.db.Exec(ctx, insertReminder, id, userID, sqldb.Micro(s.now()))
	if sqldb.IsUniqueViolation(err) {
		return nil
	}
	return err
}

// Reminded is who asked to be reminded of room id.
func (s *Service) Reminded(ctx context.Context, id string) ([]string, error) {
	rows, err := s.db.Query(ctx, selectReminders, id)
	if err != nil {
		return nil, err
	}
	return sqldb.ScanAll(rows, func(r *sql.Rows) (string, error) {
		var u string
		return u, r.Scan(&u)
	})
}

// mayWatch is nil when userID may play the room's video (hosting), else
// blocked_by_policy answered 403.
func (s *Service) mayWatch(ctx context.Context, userID string, r roomRow) error {
	if r.OwnerID == userID {
		return nil
	}
	if err := s.check(ctx, userID, r.MchID, trust.ScopeHosting); err != nil {
		return errs.WithStatus(err, http.StatusForbidden)
	}
	return nil
}
