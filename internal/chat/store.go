package chat

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// The chat component's statements, beside its schema in migrations/.
const (
	insertConversation = `INSERT INTO conversations (id, type, title, direct_key, created_by, created_at, updated_at, last_seq)
		VALUES (?, ?, ?, ?, ?, ?, ?, 0)`
	selectConversation = `SELECT id, type, title, created_by, updated_at, last_seq FROM conversations WHERE id = ?`
	selectDirectByKey  = `SELECT id FROM conversations WHERE direct_key = ?`
	nextSeq            = `UPDATE conversations SET last_seq = last_seq + 1, updated_at = ? WHERE id = ? RETURNING last_seq`

	insertMember       = `INSERT INTO members (conversation_id, user_id, read_seq, joined_at, joined_seq) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`
	deleteMember       = `DELETE FROM members WHERE conversation_id = ? AND user_id = ?`
	selectMembership   = `SELECT read_seq, joined_seq FROM members WHERE conversation_id = ? AND user_id = ?`
	selectMemberJoins  = `SELECT user_id, joined_seq FROM members WHERE conversation_id = ?`
	selectUserLastSeqs = `SELECT c.id, c.last_seq FROM members m JOIN conversations c ON c.id = m.conversation_id WHERE m.user_id = ?`
	selectMemberIDs    = `SELECT user_id FROM members WHERE conversation_id = ? ORDER BY joined_at, user_id`
	countMembers       = `SELECT COUNT(*) FROM members WHERE conversation_id = ?`
	// selectMembersOf + inList(n) + membersOfOrder: the members of n
	// conversations.
	selectMembersOf         = `SELECT conversation_id, user_id FROM members WHERE conversation_id IN `
	membersOfOrder          = ` ORDER BY joined_at, user_id`
	advanceRead             = `UPDATE members SET read_seq = ? WHERE conversation_id = ? AND user_id = ? AND read_seq < ?`
	selectUserConversations = `SELECT c.id, c.type, c.title, c.created_by, c.updated_at, c.last_seq, m.read_seq, m.joined_seq
		FROM members m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.user_id = ? AND (c.updated_at < ? OR (c.updated_at = ? AND c.id < ?))
		ORDER BY c.updated_at DESC, c.id DESC LIMIT ?`

	messageColumns = `id, conversation_id, seq, sender_id, kind, text, client_id, media_id, ref_id, created_at, reply_to_id` + voiceFileColumns
	insertMessage  = `INSERT INTO messages (` + messageColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?` + voiceFilePlaceholders + `)`
	selectByClient = `SELECT ` + messageColumns + ` FROM messages WHERE conversation_id = ? AND sender_id = ? AND client_id = ?`
	// One round trip for a send's two checks: is the sender a member, and
	// did they already send this client_id?
	selectSendCheck = `SELECT m.user_id, g.id, g.seq, g.kind, g.text, g.media_id, g.ref_id, g.created_at, g.reply_to_id,
		g.duration_ms, g.media_name, g.media_size, g.media_type
		FROM members m LEFT JOIN messages g
		  ON g.conversation_id = m.conversation_id AND g.sender_id = m.user_id AND g.client_id = ?
		WHERE m.conversation_id = ? AND m.user_id = ?`
	selectAtSeq  = `SELECT ` + messageColumns + ` FROM messages WHERE conversation_id = ? AND seq = ?`
	selectAfter  = `SELECT ` + messageColumns + ` FROM messages WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?`
	selectBefore = `SELECT ` + messageColumns + ` FROM messages WHERE conversation_id = ? AND seq < ? AND seq >= ? ORDER BY seq DESC LIMIT ?`

	insertMedia = `INSERT INTO media (id, owner_id, content_type, size, sha256, created_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)`
	selectMedia = `SELECT owner_id, content_type, size, sha256, created_at, data FROM media WHERE id = ?`
	// A member sees the media of messages from their joining on.
	mediaVisibleTo = `SELECT 1 FROM messages g JOIN members m ON m.conversation_id = g.conversation_id
		WHERE g.media_id = ? AND m.user_id = ? AND g.seq >= m.joined_seq LIMIT 1`
	selectMediaOwner = `SELECT owner_id FROM media WHERE id = ?`
	// The red packet's message, from the member's joining on.
	selectSeesRedPacket = `SELECT 1 FROM messages g JOIN members m ON m.conversation_id = g.conversation_id AND m.user_id = ?
		WHERE g.conversation_id = ? AND g.ref_id = ? AND g.kind = 'red_packet' AND g.seq >= m.joined_seq LIMIT 1`
	markMediaSent = `UPDATE media SET sent_at = COALESCE(sent_at, ?) WHERE id = ?`
	keepOwnMedia  = `UPDATE media SET sent_at = COALESCE(sent_at, ?) WHERE id = ? AND owner_id = ?`
	// Uploads not yet sent, for the quota; and those to delete.
	selectUnsentMedia = `SELECT COUNT(*), COALESCE(SUM(size), 0) FROM media WHERE owner_id = ? AND sent_at IS NULL`
	selectStaleMedia  = `SELECT id, sha256 FROM media WHERE sent_at IS NULL AND created_at < ? ORDER BY created_at LIMIT ?`
	deleteStaleMedia  = `DELETE FROM media WHERE id = ? AND sent_at IS NULL`
	countMediaBySum   = `SELECT COUNT(*) FROM media WHERE sha256 = ?`
)

type scanner interface{ Scan(dest ...any) error }

func scanMessage(row scanner) (Message, error) {
	var m Message
	var media, ref, reply sql.NullString
	var created int64
	var vf voiceFileScan
	dest := []any{&m.ID, &m.ConversationID, &m.Seq, &m.Sender.ID, &m.Kind, &m.Text, &m.ClientID, &media, &ref, &created, &reply}
	if err := row.Scan(append(dest, vf.dest()...)...); err != nil {
		return Message{}, err
	}
	vf.set(&m)
	m.CreatedAt = sqldb.FromMicro(created)
	m.MediaID, m.refID = media.String, ref.String
	m.replyToID = reply.String
	return m, nil
}

func scanMessageRow(rows *sql.Rows) (Message, error) { return scanMessage(rows) }

func queryMessages(ctx context.Context, q sqldb.Querier, query string, args ...any) ([]Message, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return sqldb.ScanAll(rows, scanMessageRow)
}

// convRow is a conversation's own row.
type convRow struct {
	id, typ, title, createdBy string
	updatedAt, lastSeq        int64
}

func getConversation(ctx context.Context, q sqldb.Querier, id string) (convRow, error) {
	var c convRow
	err := q.QueryRow(ctx, selectConversation, id).Scan(&c.id, &c.typ, &c.title, &c.createdBy, &c.updatedAt, &c.lastSeq)
	if errors.Is(err, sql.ErrNoRows) {
		return convRow{}, errNoConversation
	}
	return c, err
}

var errNoConversation = errs.E(errs.NotFound, "No such conversation.")

// member is a member's own row: what they read, and the seq from which
// they see the conversation (that of their joining's system message; 0 for
// the founders).
type member struct{ readSeq, joinedSeq int64 }

// membership returns the member's row, or not_found when userID is not a
// member (so that others' conversations look like no conversation).
func membership(ctx context.Context, q sqldb.Querier, convID, userID string) (member, error) {
	var m member
	err := q.QueryRow(ctx, selectMembership, convID, userID).Scan(&m.readSeq, &m.joinedSeq)
	if errors.Is(err, sql.ErrNoRows) {
		return member{}, errNoConversation
	}
	return m, err
}

type memberJoin struct {
	user   string
	joined int64
}

func memberJoins(ctx context.Context, q sqldb.Querier, convID string) ([]memberJoin, error) {
	rows, err := q.Query(ctx, selectMemberJoins, convID)
	if err != nil {
		return nil, err
	}
	return sqldb.ScanAll(rows, func(rows *sql.Rows) (memberJoin, error) {
		var m memberJoin
		err := rows.Scan(&m.user, &m.joined)
		return m, err
	})
}

func memberIDs(ctx context.Context, q sqldb.Querier, convID string) ([]string, error) {
	rows, err := q.Query(ctx, selectMemberIDs, convID)
	if err != nil {
		return nil, err
	}
	return sqldb.ScanAll(rows, scanString)
}

func scanString(rows *sql.Rows) (string, error) {
	var s string
	err := rows.Scan(&s)
	return s, err
}

// inList is "(?, ?, …)" for n arguments (n ≥ 1).
func inList(n int) string { return "(?" + strings.Repeat(",?", n-1) + ")" }

// membersOf returns the member ids of many conversations in one query.
func membersOf(ctx context.Context, q sqldb.Querier, convIDs []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(convIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(convIDs))
	for i, id := range convIDs {
		args[i] = id
	}
	rows, err := q.Query(ctx, selectMembersOf+inList(len(convIDs))+membersOfOrder, args...)
	if err != nil {
		return nil, err
	}
	err = sqldb.Each(rows, func(rows *sql.Rows) error {
		var c, u string
		if err := rows.Scan(&c, &u); err != nil {
			return err
		}
		out[c] = append(out[c], u)
		return nil
	})
	return out, err
}

// userConversations is one page of the conversations userID is in, with
// their membership, most recent activity first, before (at, id).
func userConversations(ctx context.Context, q sqldb.Querier, userID string, at int64, id string, limit int) ([]convRow, []member, error) {
	return queryConversations(ctx, q, selectUserConversations, userID, at, at, id, limit)
}

// queryConversations reads rows of (conversation, the caller's membership)
// as selectUserConversations and selectPinnedOf give them.
func queryConversations(ctx context.Context, q sqldb.Querier, query string, args ...any) ([]convRow, []member, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, nil, err
	}
	var convs []convRow
	var reads []member
	err = sqldb.Each(rows, func(rows *sql.Rows) error {
		var c convRow
		var me member
		if err := rows.Scan(&c.id, &c.typ, &c.title, &c.createdBy, &c.updatedAt, &c.lastSeq, &me.readSeq, &me.joinedSeq); err != nil {
			return err
		}
		convs, reads = append(convs, c), append(reads, me)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return convs, reads, nil
}

// userLastSeqs is the last_seq of every conversation userID is in.
func userLastSeqs(ctx context.Context, q sqldb.Querier, userID string) (map[string]int64, error) {
	rows, err := q.Query(ctx, selectUserLastSeqs, userID)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	err = sqldb.Each(rows, func(rows *sql.Rows) error {
		var id string
		var seq int64
		if err := rows.Scan(&id, &seq); err != nil {
			return err
		}
		out[id] = seq
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// staleMedia is an unsent upload due for deletion.
type staleMedia struct{ id, sum string }

// staleMediaBefore is up to limit uploads never sent and made before
// cutoff, oldest first.
func staleMediaBefore(ctx context.Context, q sqldb.Querier, cutoff int64, limit int) ([]staleMedia, error) {
	rows, err := q.Query(ctx, selectStaleMedia, cutoff, limit)
	if err != nil {
		return nil, err
	}
	return sqldb.ScanAll(rows, func(rows *sql.Rows) (staleMedia, error) {
		var st staleMedia
		err := rows.Scan(&st.id, &st.sum)
		return st, err
	})
}

// sendCheck returns the message the sender already sent with clientID, if
// any; not_found when they are not a member.
func sendCheck(ctx context.Context, q sqldb.Querier, convID, userID, clientID string) (*Message, error) {
	var member string
	var id, kind, text, media, ref, reply sql.NullString
	var seq, created sql.NullInt64
	var vf voiceFileScan
	err := q.QueryRow(ctx, selectSendCheck, clientID, convID, userID).Scan(append([]any{&member, &id, &seq, &kind, &text, &media, &ref, &created, &reply}, vf.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoConversation
	}
	if err != nil || !id.Valid {
		return nil, err
	}
	m := &Message{ID: id.String, ConversationID: convID, Seq: seq.Int64, Sender: Sender{ID: userID}, Kind: kind.String,
		Text: text.String, ClientID: clientID, MediaID: media.String, refID: ref.String, CreatedAt: sqldb.FromMicro(created.Int64),
		replyToID: reply.String}
	vf.set(m)
	return m, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
