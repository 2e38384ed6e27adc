package chat

import (
	"context"
	"database/sql"
	"errors"

	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Statements of groups: roles, the announcement, members' own settings,
// mentions and invites (schema: migrations/shared/00007_groups.sql).
const (
	selectRole        = `SELECT role FROM members WHERE conversation_id = ? AND user_id = ?`
	updateRole        = `UPDATE members SET role = ? WHERE conversation_id = ? AND user_id = ?`
	selectNextOwner   = `SELECT user_id FROM members WHERE conversation_id = ? AND user_id <> ? ORDER BY CASE role WHEN 'admin' THEN 0 ELSE 1 END, joined_at, user_id LIMIT 1`
	updateTitle       = `UPDATE conversations SET title = ? WHERE id = ?`
	updateAnnounce    = `UPDATE conversations SET announcement = ?, announcement_at = ? WHERE id = ?`
	lockConversation  = `UPDATE conversations SET last_seq = last_seq WHERE id = ?`
	updateMuted       = `UPDATE members SET muted = ? WHERE conversation_id = ? AND user_id = ?`
	updatePinned      = `UPDATE members SET pinned_at = ? WHERE conversation_id = ? AND user_id = ?`
	updateCleared     = `UPDATE members SET cleared_seq = ?, joined_seq = ?, read_seq = ? WHERE conversation_id = ? AND user_id = ?`
	selectMemberRoles = `SELECT user_id, role FROM members WHERE conversation_id = ?`
	// + inList(n): the viewer's own rows and the groups' announcements.
	selectExtras = `SELECT c.id, c.announcement, c.announcement_at, m.role, m.muted, m.pinned_at, m.joined_seq
		FROM conversations c JOIN members m ON m.conversation_id = c.id AND m.user_id = ? WHERE c.id IN `
	// + inList(n): who owns and administers n conversations.
	selectStaff = `SELECT conversation_id, user_id, role FROM members WHERE role <> 'member' AND conversation_id IN `
	// + inList(n) + mentionsGroup: the newest mention of the viewer (or
	// of all) by someone else, per conversation.
	selectMentionedAt = `SELECT conversation_id, MAX(seq) FROM message_mentions
		WHERE user_id IN (?, 'all') AND sender_id <> ? AND conversation_id IN `
	mentionsGroup    = ` GROUP BY conversation_id`
	insertMention    = `INSERT INTO message_mentions (message_id, conversation_id, seq, sender_id, user_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`
	selectMentionsOf = `SELECT message_id, user_id FROM message_mentions WHERE message_id IN `
	selectPinnedOf   = `SELECT c.id, c.type, c.title, c.created_by, c.updated_at, c.last_seq, m.read_seq, m.joined_seq
		FROM members m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.user_id = ? AND m.pinned_at > 0 ORDER BY c.updated_at DESC, c.id DESC LIMIT 100`
	insertInvite         = `INSERT INTO group_invites (code_hash, conversation_id, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`
	selectInvite         = `SELECT conversation_id, created_by, expires_at FROM group_invites WHERE code_hash = ?`
	selectMembersPreview = `SELECT user_id FROM members WHERE conversation_id = ? ORDER BY joined_at, user_id LIMIT 9`
	deleteExpiredInvites = `DELETE FROM group_invites WHERE expires_at < ?`
)

// role is userID's role in convID, or not_found when they are no member.
func role(ctx context.Context, q sqldb.Querier, convID, userID string) (string, error) {
	var r string
	err := q.QueryRow(ctx, selectRole, convID, userID).Scan(&r)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errNoConversation
	}
	return r, err
}

// extras is what a viewer's conversation adds for groups and settings.
type extras struct {
	announcement   string
	announcementAt int64
	role           string
	muted          bool
	pinnedAt       int64
	joinedSeq      int64
}

func argsOf(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}

func viewerExtras(ctx context.Context, q sqldb.Querier, viewer string, convIDs []string) (map[string]extras, error) {
	rows, err := q.Query(ctx, selectExtras+inList(len(convIDs)), append([]any{viewer}, argsOf(convIDs)...)...)
	if err != nil {
		return nil, err
	}
	out := map[string]extras{}
	err = sqldb.Each(rows, func(rows *sql.Rows) error {
		var id string
		var e extras
		var muted int64
		if err := rows.Scan(&id, &e.announcement, &e.announcementAt, &e.role, &muted, &e.pinnedAt, &e.joinedSeq); err != nil {
			return err
		}
		e.muted = muted != 0
		out[id] = e
		return nil
	})
	return out, err
}

// staff is the owner and admins of each conversation.
func staff(ctx context.Context, q sqldb.Querier, convIDs []string) (owners map[string]string, admins map[string][]string, err error) {
	rows, err := q.Query(ctx, selectStaff+inList(len(convIDs)), argsOf(convIDs)...)
	if err != nil {
		return nil, nil, err
	}
	owners, admins = map[string]string{}, map[string][]string{}
	err = sqldb.Each(rows, func(rows *sql.Rows) error {
		var c, u, r string
		if err := rows.Scan(&c, &u, &r); err != nil {
			return err
		}
		switch r {
		case RoleOwner:
			owners[c] = u
		case RoleAdmin:
			admins[c] = append(admins[c], u)
		}
		return nil
	})
	return owners, admins, err
}

func mentionedAt(ctx context.Context, q sqldb.Querier, viewer string, convIDs []string) (map[string]int64, error) {
	rows, err := q.Query(ctx, selectMentionedAt+inList(len(convIDs))+mentionsGroup, append([]any{viewer, viewer}, argsOf(convIDs)...)...)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	err = sqldb.Each(rows, func(rows *sql.Rows) error {
		var c string
		var seq int64
		if err := rows.Scan(&c, &seq); err != nil {
			return err
		}
		out[c] = seq
		return nil
	})
	return out, err
}

func mentionsOf(ctx context.Context, q sqldb.Querier, messageIDs []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(messageIDs) == 0 {
		return out, nil
	}
	rows, err := q.Query(ctx, selectMentionsOf+inList(len(messageIDs)), argsOf(messageIDs)...)
	if err != nil {
		return nil, err
	}
	err = sqldb.Each(rows, func(rows *sql.Rows) error {
		var m, u string
		if err := rows.Scan(&m, &u); err != nil {
			return err
		}
		out[m] = append(out[m], u)
		return nil
	})
	return out, err
}

func pinnedConversations(ctx context.Context, q sqldb.Querier, userID string) ([]convRow, []member, error) {
	return queryConversations(ctx, q, selectPinnedOf, userID)
}

func memberRoles(ctx context.Context, q sqldb.Querier, convID string) (map[string]string, error) {
	rows, err := q.Query(ctx, selectMemberRoles, convID)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	err = sqldb.Each(rows, func(rows *sql.Rows) error {
		var u, r string
		if err := rows.Scan(&u, &r); err != nil {
			return err
		}
		out[u] = r
		return nil
	})
	return out, err
}

// The rows a group's announcement to all its members needs, in two queries.
const (
	selectMemberViews   = `SELECT user_id, read_seq, joined_seq, muted, pinned_at FROM members WHERE conversation_id = ?`
	selectMentionMaxima = `SELECT user_id, sender_id, MAX(seq) FROM message_mentions WHERE conversation_id = ? GROUP BY user_id, sender_id`
)

type memberView struct {
	member
	muted    bool
	pinnedAt int64
}

func memberViews(ctx context.Context, q sqldb.Querier, convID string) (map[string]memberView, error) {
	rows, err := q.Query(ctx, selectMemberViews, convID)
	if err != nil {
		return nil, err
	}
	out := map[string]memberView{}
	err = sqldb.Each(rows, func(rows *sql.Rows) error {
		var u string
		var v memberView
		var muted int64
		if err := rows.Scan(&u, &v.readSeq, &v.joinedSeq, &muted, &v.pinnedAt); err != nil {
			return err
		}
		v.muted = muted != 0
		out[u] = v
		return nil
	})
	return out, err
}

type mentionMax struct {
	user, sender string
	seq          int64
}

func mentionMaxima(ctx context.Context, q sqldb.Querier, convID string) ([]mentionMax, error) {
	rows, err := q.Query(ctx, selectMentionMaxima, convID)
	if err != nil {
		return nil, err
	}
	return sqldb.ScanAll(rows, func(rows *sql.Rows) (mentionMax, error) {
		var m mentionMax
		err := rows.Scan(&m.user, &m.sender, &m.seq)
		return m, err
	})
}
