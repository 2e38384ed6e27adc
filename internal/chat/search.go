package chat

import (
	"context"
	"database/sql"
	"embed"
	"encoding/base64"
	"errors"
	"io/fs"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Search: full text over the messages a user may read (search_store.go
// holds the SQL, search_names.go the contact and group names,
// search_http.go the routes, searchmigrations/ the index and the triggers
// that keep it in step with messages).

//go:embed searchmigrations/migrations
var searchFS embed.FS

// SearchMigrations is the message index: a set of its own, after
// Migrations, because its SQL differs by dialect (SQLite FTS5 trigram,
// PostgreSQL pg_trgm) where chat's own is shared.
var SearchMigrations = sqldb.Migrations{Component: "chat_search", FS: mustSub(searchFS, "searchmigrations")}

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

// Search limits.
const (
	MaxSearchQuery    = 100 // characters of a query
	maxSearchWords    = 8   // words of a query that count
	DefaultSearchPage = 20
	MaxSearchPage     = 50
	// snippetBefore and snippetLen shape the text shown around a hit.
	snippetBefore = 12
	snippetLen    = 64
)

// SearchHit is one message found: the message as the history shows it,
// and a snippet of its text around the hit, with the matched words at the
// rune offsets [start, end) of Highlights.
type SearchHit struct {
	ConversationID string   `json:"conversation_id"`
	Message        Message  `json:"message"`
	Snippet        string   `json:"snippet"`
	Highlights     [][2]int `json:"highlights"`
}

// searchQuery is a query as plain words: no operator of any engine means
// anything in it.
type searchQuery struct {
	words []string // distinct, in the order typed, without control characters
}

// parseSearchQuery reads q as plain words. Errors: invalid_argument
// (empty, not UTF-8, over MaxSearchQuery characters).
func parseSearchQuery(q string) (searchQuery, error) {
	if !utf8.ValidString(q) {
		return searchQuery{}, errs.Field("q", "The query is not valid UTF-8.")
	}
	if n := utf8.RuneCountInString(q); n > MaxSearchQuery {
		return searchQuery{}, errs.Field("q", "A search has at most %d characters; this one has %d.", MaxSearchQuery, n)
	}
	fields := strings.FieldsFunc(q, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError || !unicode.IsPrint(r)
	})
	var out searchQuery
	seen := map[string]bool{}
	for _, w := range fields {
		k := strings.ToLower(w)
		if seen[k] {
			continue
		}
		seen[k] = true
		out.words = append(out.words, w)
		if len(out.words) == maxSearchWords {
			break
		}
	}
	if len(out.words) == 0 {
		return searchQuery{}, errs.Field("q", "Type something to search for.")
	}
	return out, nil
}

// ftsMatch is the FTS5 query of the words of 3 or more characters (the
// trigram index finds nothing shorter): each a quoted phrase, so that no
// character is an operator; "" when there is none.
func (q searchQuery) ftsMatch() string {
	var parts []string
	for _, w := range q.words {
		if utf8.RuneCountInString(w) >= 3 {
			parts = append(parts, `"`+strings.ReplaceAll(w, `"`, `""`)+`"`)
		}
	}
	return strings.Join(parts, " AND ")
}

// shortWords are the words the trigram index cannot find.
func (q searchQuery) shortWords() []string {
	var out []string
	for _, w := range q.words {
		if utf8.RuneCountInString(w) < 3 {
			out = append(out, w)
		}
	}
	return out
}

// likePattern is "%w%" with LIKE's wildcards escaped (ESCAPE '\').
func likePattern(w string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(w) + "%"
}

// searchCursor is the opaque next_cursor: the document id to continue
// below.
func encodeSearchCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("s" + strconv.FormatInt(id, 10)))
}

func decodeSearchCursor(c string) (int64, error) {
	if c == "" {
		return 1 << 62, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil && len(b) > 1 && b[0] == 's' {
		if id, err := strconv.ParseInt(string(b[1:]), 10, 64); err == nil && id > 0 {
			return id, nil
		}
	}
	return 0, errs.Field("cursor", "The cursor is not one this search returned.")
}

// Search finds messages whose text holds every word of q, in the
// conversations userID is in (only convID when it is not ""), from their
// joining on, newest first, limit at a time after cursor. Erased,
// recalled and system messages are never found, nor those the user
// deleted for themself. Errors: invalid_argument (q, cursor), not_found
// (convID is not the user's).
func (s *Service) Search(ctx context.Context, userID, q, convID, cursor string, limit int) ([]SearchHit, string, error) {
	query, err := parseSearchQuery(q)
	if err != nil {
		return nil, "", err
	}
	below, err := decodeSearchCursor(cursor)
	if err != nil {
		return nil, "", err
	}
	limit = min(max(limit, 1), MaxSearchPage)
	scope, err := s.searchScope(ctx, userID, convID)
	if err != nil {
		return nil, "", err
	}
	if p, ok := ctx.Value(searchPathKey{}).(int64); ok {
		scope = p // a test's choice of path
	}
	stmt, args := searchStatement(s.db.Dialect, query, userID, convID, below, limit+1, scope)
	rows, err := s.db.Query(ctx, stmt, args...)
	if err != nil {
		return nil, "", err
	}
	var docs []int64
	ms, err := sqldb.ScanAll(rows, func(rows *sql.Rows) (Message, error) {
		var doc int64
		var m Message
		var media, ref sql.NullString
		var created int64
		if err := rows.Scan(&doc, &m.ID, &m.ConversationID, &m.Seq, &m.Sender.ID, &m.Kind, &m.Text, &m.ClientID, &media, &ref, &created); err != nil {
			return Message{}, err
		}
		m.CreatedAt = sqldb.FromMicro(created)
		m.MediaID, m.refID = media.String, ref.String
		docs = append(docs, doc)
		return m, nil
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(ms) > limit {
		ms = ms[:limit]
		next = encodeSearchCursor(docs[limit-1])
	}
	filled, err := s.fill(ctx, ms)
	if err != nil {
		return nil, "", err
	}
	out := make([]SearchHit, len(filled))
	for i, m := range filled {
		snip, marks := snippet(m.Text, query.words)
		out[i] = SearchHit{ConversationID: m.ConversationID, Message: m, Snippet: snip, Highlights: marks}
	}
	return out, next, nil
}

// searchPathKey lets tests take either SQLite path: its value stands for
// the scope.
type searchPathKey struct{}

// searchScope is about how many messages the search may look at: what
// picks, on SQLite, between scanning them and asking the index. Its error
// is not_found when convID is given and not the user's.
func (s *Service) searchScope(ctx context.Context, userID, convID string) (int64, error) {
	var n int64
	if convID == "" {
		err := s.db.QueryRow(ctx, selectSearchScope, userID).Scan(&n)
		return n, err
	}
	err := s.db.QueryRow(ctx, selectSearchScopeOne, userID, convID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errNoConversation
	}
	return n, err
}

// snippet is up to snippetLen characters of text around the first hit of
// any word (a few characters before it; "…" where text was cut), with
// every hit inside it as rune offsets [start, end).
func snippet(text string, words []string) (string, [][2]int) {
	text = strings.Join(strings.Fields(text), " ") // one line
	rs := []rune(text)
	lower := make([]rune, len(rs))
	for i, r := range rs {
		lower[i] = unicode.ToLower(r)
	}
	var needles [][]rune
	for _, w := range words {
		n := []rune(w)
		for i, r := range n {
			n[i] = unicode.ToLower(r)
		}
		needles = append(needles, n)
	}
	// Every hit, leftmost first; longer words win where hits overlap.
	var hits [][2]int
	for i := 0; i < len(lower); {
		best := 0
		for _, n := range needles {
			if len(n) > best && hasAt(lower, n, i) {
				best = len(n)
			}
		}
		if best == 0 {
			i++
			continue
		}
		hits = append(hits, [2]int{i, i + best})
		i += best
	}
	start := 0
	if len(hits) > 0 && hits[0][0] > snippetBefore {
		start = hits[0][0] - snippetBefore
	}
	end := min(len(rs), start+snippetLen)
	if end-start < snippetLen && end == len(rs) {
		start = max(0, end-snippetLen)
		if len(hits) > 0 {
			start = min(start, hits[0][0])
		}
	}
	var b strings.Builder
	shift := -start
	if start > 0 {
		b.WriteString("…")
		shift++
	}
	b.WriteString(string(rs[start:end]))
	if end < len(rs) {
		b.WriteString("…")
	}
	marks := [][2]int{}
	for _, h := range hits {
		if h[0] >= start && h[1] <= end {
			marks = append(marks, [2]int{h[0] + shift, h[1] + shift})
		}
	}
	return b.String(), marks
}

func hasAt(s, sub []rune, i int) bool {
	if i+len(sub) > len(s) {
		return false
	}
	for k, r := range sub {
		if s[i+k] != r {
			return false
		}
	}
	return true
}
