package chat

import (
	"context"
	"database/sql"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-unidecode"
	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Names search: the caller's contacts and groups by name, username and
// pinyin ("zs" and "zhangsan" find 张三).

// NameHit is one contact or group found by name. Type is "contact" (User
// set; ConversationID is the direct conversation with them, if there is
// one) or "conversation" (a group; Conversation set).
type NameHit struct {
	Type           string        `json:"type"`
	User           *account.User `json:"user,omitempty"`
	ConversationID string        `json:"conversation_id,omitempty"`
	Conversation   *Conversation `json:"conversation,omitempty"`
}

// maxNameHits bounds each kind of name hit.
const maxNameHits = 20

// contactLister is what the names search needs of accounts beyond
// Accounts (account.Service has it); without it, contacts are not searched.
type contactLister interface {
	Contacts(ctx context.Context, userID, cursor string, limit int) ([]account.User, string, error)
}

const (
	selectUserGroups = `SELECT c.id, c.type, c.title, c.created_by, c.updated_at, c.last_seq, m.read_seq, m.joined_seq
		FROM members m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.user_id = ? AND c.type = 'group' ORDER BY c.updated_at DESC, c.id DESC`
	selectUserDirects = `SELECT c.id, c.direct_key FROM members m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.user_id = ? AND c.type = 'direct'`
)

// SearchNames finds the caller's contacts (display name, username,
// pinyin) and groups (title, pinyin), contacts first. Errors:
// invalid_argument (q as for Search).
func (s *Service) SearchNames(ctx context.Context, userID, q string) ([]NameHit, error) {
	query, err := parseSearchQuery(q)
	if err != nil {
		return nil, err
	}
	needle := strings.ToLower(strings.Join(query.words, ""))
	out := []NameHit{}
	if cl, ok := s.accounts.(contactLister); ok {
		directs, err := s.directsOf(ctx, userID)
		if err != nil {
			return nil, err
		}
		cursor, n := "", 0
		for page := 0; page < 50 && n < maxNameHits; page++ {
			users, next, err := cl.Contacts(ctx, userID, cursor, 200)
			if err != nil {
				return nil, err
			}
			for _, u := range users {
				if n < maxNameHits && nameMatches(needle, u.DisplayName, u.Username) {
					u := u
					out = append(out, NameHit{Type: "contact", User: &u, ConversationID: directs[u.ID]})
					n++
				}
			}
			if next == "" {
				break
			}
			cursor = next
		}
	}
	rows, err := s.db.Query(ctx, selectUserGroups, userID)
	if err != nil {
		return nil, err
	}
	var convs []convRow
	var reads []member
	err = sqldb.Each(rows, func(rows *sql.Rows) error {
		var c convRow
		var me member
		if err := rows.Scan(&c.id, &c.typ, &c.title, &c.createdBy, &c.updatedAt, &c.lastSeq, &me.readSeq, &me.joinedSeq); err != nil {
			return err
		}
		if len(convs) < maxNameHits && nameMatches(needle, c.title) {
			convs, reads = append(convs, c), append(reads, me)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	views, err := s.views(ctx, userID, convs, reads)
	if err != nil {
		return nil, err
	}
	for i := range views {
		out = append(out, NameHit{Type: "conversation", Conversation: &views[i]})
	}
	return out, nil
}

// directsOf maps each user the caller has a direct conversation with to
// its id.
func (s *Service) directsOf(ctx context.Context, userID string) (map[string]string, error) {
	rows, err := s.db.Query(ctx, selectUserDirects, userID)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	err = sqldb.Each(rows, func(rows *sql.Rows) error {
		var id string
		var key sql.NullString
		if err := rows.Scan(&id, &key); err != nil {
			return err
		}
		for _, u := range strings.Split(key.String, ":") {
			if u != userID && u != "" {
				out[u] = id
			}
		}
		return nil
	})
	return out, err
}

// nameMatches reports whether needle (lower case, no spaces) is in one of
// names, or starts at a syllable of its pinyin ("zhangsan", "sanfeng"),
// or is in its initials ("zs", "zsf").
func nameMatches(needle string, names ...string) bool {
	if needle == "" {
		return false
	}
	for _, name := range names {
		lower := strings.ToLower(name)
		if strings.Contains(strings.ReplaceAll(lower, " ", ""), needle) || strings.Contains(lower, needle) {
			return true
		}
		syllables := romanize(name)
		if len(syllables) == 0 {
			continue
		}
		var initials strings.Builder
		for _, s := range syllables {
			initials.WriteByte(s[0])
		}
		if strings.Contains(initials.String(), needle) {
			return true
		}
		for i := range syllables {
			if strings.HasPrefix(strings.Join(syllables[i:], ""), needle) {
				return true
			}
		}
	}
	return false
}

// romanize splits name into lower-case ASCII syllables: one per Han
// character (its pinyin, by unidecode), one per run of other letters and
// digits ("Alice 王" → alice, wang).
func romanize(name string) []string {
	var out []string
	var word strings.Builder
	flush := func() {
		if word.Len() > 0 {
			out = append(out, word.String())
			word.Reset()
		}
	}
	for _, r := range name {
		switch {
		case unicode.Is(unicode.Han, r):
			flush()
			for _, f := range strings.Fields(strings.ToLower(unidecode.Unidecode(string(r)))) {
				if f = asciiAlnum(f); f != "" {
					out = append(out, f)
				}
			}
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			word.WriteRune(unicode.ToLower(r))
		case unicode.IsLetter(r):
			// Other scripts: their ASCII spelling, as part of the word.
			word.WriteString(asciiAlnum(strings.ToLower(unidecode.Unidecode(string(r)))))
		default:
			flush()
		}
	}
	flush()
	return out
}

func asciiAlnum(s string) string {
	return strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			return r
		}
		return -1
	}, s)
}
