package chat

import (
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Search's statements, beside the index in searchmigrations/.
const (
	// selectSearchScope is how many messages a user may search, all their
	// conversations together; selectSearchScopeOne in one of them (no row:
	// not theirs).
	selectSearchScope = `SELECT COALESCE(SUM(c.last_seq - m.joined_seq), 0)
		FROM members m JOIN conversations c ON c.id = m.conversation_id WHERE m.user_id = ?`
	selectSearchScopeOne = `SELECT c.last_seq - m.joined_seq
		FROM members m JOIN conversations c ON c.id = m.conversation_id WHERE m.user_id = ? AND m.conversation_id = ?`

	searchColumns = `d.id, g.id, g.conversation_id, g.seq, g.sender_id, g.kind, g.text, g.client_id, g.media_id, g.ref_id, g.created_at`
	// searchVisible is what every search adds: the message is still
	// searchable (the triggers keep search_docs so; this says it again),
	// and the caller has not deleted it for themself. Its one argument is
	// the caller's id.
	searchVisible = ` AND g.kind IN ('text', 'image') AND g.text <> ''
		AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.message_id = d.message_id AND h.user_id = ?)`

	// SQLite, through the trigram index: its hits newest first (FTS5 walks
	// rowids downward itself), each checked for membership, until a page
	// is full. CROSS JOIN fixes that order of the loops.
	searchFTSHead = `SELECT ` + searchColumns + `
		FROM search_fts f CROSS JOIN search_docs d CROSS JOIN members m CROSS JOIN messages g
		WHERE search_fts MATCH ? AND f.rowid < ? AND d.id = f.rowid
		  AND m.conversation_id = d.conversation_id AND m.user_id = ? AND d.seq >= m.joined_seq
		  AND g.id = d.message_id`
	searchFTSOrder = ` ORDER BY f.rowid DESC LIMIT ?`
	// SQLite, through the short-word index (search_short.go), for queries
	// whose every word has one or two characters; the same shape.
	searchShortHead = `SELECT ` + searchColumns + `
		FROM search_short f CROSS JOIN search_docs d CROSS JOIN members m CROSS JOIN messages g
		WHERE search_short MATCH ? AND f.rowid < ? AND d.id = f.rowid
		  AND m.conversation_id = d.conversation_id AND m.user_id = ? AND d.seq >= m.joined_seq
		  AND g.id = d.message_id`

	// Scanning the caller's own messages: on SQLite where they are few or
	// every word is too short for the index; on PostgreSQL always, where
	// the planner picks between the trigram index (lower(text)) and the
	// conversations' ranges.
	searchScanSQLite = `SELECT ` + searchColumns + `
		FROM members m CROSS JOIN search_docs d CROSS JOIN messages g
		WHERE m.user_id = ? AND d.conversation_id = m.conversation_id AND d.id < ? AND d.seq >= m.joined_seq
		  AND g.id = d.message_id`
	searchScanPostgres = `SELECT ` + searchColumns + `
		FROM search_docs d JOIN members m ON m.conversation_id = d.conversation_id AND m.user_id = ?
		JOIN messages g ON g.id = d.message_id
		WHERE d.id < ? AND d.seq >= m.joined_seq`
	searchScanOrder = ` ORDER BY d.id DESC LIMIT ?`
)

// searchScanBelow is the number of messages under which SQLite scans the
// caller's messages rather than ask the index: a scan costs about 10 µs a
// message (BenchmarkSearch), the index a few ms whatever the size.
const searchScanBelow = 2000

// pgScanBelow is the same on PostgreSQL, where a scan costs about 1 µs
// a message.
const pgScanBelow = 20000

// searchStatement builds the search for the dialect: the statement and its
// arguments. scope is about how many messages the caller may search.
func searchStatement(d sqldb.Dialect, q searchQuery, userID, convID string, below int64, limit int, scope int64) (string, []any) {
	var b strings.Builder
	var args []any
	likes := func(words []string, column string, lower bool) {
		for _, w := range words {
			if lower {
				w = strings.ToLower(w)
			}
			b.WriteString(` AND ` + column + ` LIKE ? ESCAPE '\'`)
			args = append(args, likePattern(w))
		}
	}
	conv := func(column string) {
		if convID != "" {
			b.WriteString(` AND ` + column + ` = ?`)
			args = append(args, convID)
		}
	}
	switch match := q.ftsMatch(); {
	case d == sqldb.Postgres:
		b.WriteString(searchScanPostgres)
		args = append(args, userID, below)
		conv("d.conversation_id")
		column := "lower(d.text)" // the trigram index
		if scope < pgScanBelow {
			// Not the index: its bitmap of a common word costs more than
			// the caller's few messages (the planner ANDs it per
			// conversation), and this expression is not the index's.
			column = "lower(d.text || '')"
		}
		likes(q.words, column, true)
		b.WriteString(searchVisible)
		args = append(args, userID)
		b.WriteString(searchScanOrder)
	case match != "" && scope >= searchScanBelow:
		b.WriteString(searchFTSHead)
		args = append(args, match, below, userID)
		conv("d.conversation_id")
		likes(q.shortWords(), "g.text", false)
		b.WriteString(searchVisible)
		args = append(args, userID)
		b.WriteString(searchFTSOrder)
	case match == "" && scope >= searchScanBelow && q.shortMatch() != "":
		b.WriteString(searchShortHead)
		args = append(args, q.shortMatch(), below, userID)
		conv("d.conversation_id")
		likes(q.words, "g.text", false)
		b.WriteString(searchVisible)
		args = append(args, userID)
		b.WriteString(searchFTSOrder)
	default:
		b.WriteString(searchScanSQLite)
		args = append(args, userID, below)
		conv("m.conversation_id")
		likes(q.words, "g.text", false)
		b.WriteString(searchVisible)
		args = append(args, userID)
		b.WriteString(searchScanOrder)
	}
	args = append(args, limit)
	if d == sqldb.Postgres {
		// Planned for these words each time (an unnamed statement): a
		// cached statement's generic plan, blind to the pattern, walked
		// the whole index for a word no one wrote (37 s on 1,000,000).
		args = append([]any{pgx.QueryExecModeExec}, args...)
	}
	return b.String(), args
}
