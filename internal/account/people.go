package account

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/platform/text"
)

// Limits on what a user notes about a contact.
const (
	MaxRemarkRunes = 32
	MaxTags        = 10
	MaxTagRunes    = 16
)

// ContactNote is what a user notes about one of their contacts; only they
// see it.
type ContactNote struct {
	Remark string   `json:"remark"`
	Tags   []string `json:"tags"`
}

// Profile is another user as the caller sees them (GET /users/{id}).
// Contact is the caller's note when they are contacts (nil otherwise).
type Profile struct {
	User      User         `json:"user"`
	Contact   *ContactNote `json:"contact"`
	Blocked   bool         `json:"blocked"`
	IsContact bool         `json:"is_contact"`
}

// ContactItem is one of GET /contacts' items: the contact, with the
// caller's remark and tags beside the user's fields.
type ContactItem struct {
	User
	Remark string   `json:"remark,omitempty"`
	Tags   []string `json:"tags,omitempty"`
}

// findUser resolves a user id, or else a username (the profile route takes
// either, as links carry ids and people type names). Errors: not_found.
func (s *Service) findUser(ctx context.Context, idOrName string) (User, error) {
	u, err := s.cachedUser(ctx, idOrName, false)
	if !errs.Is(err, errs.NotFound) {
		return u, err
	}
	name, nerr := normalizeUsername(idOrName)
	if nerr != nil {
		return User{}, errs.E(errs.NotFound, "No such user.")
	}
	return s.cachedUser(ctx, name, true)
}

// Profile is GET /users/{id}: the user (by id or username) as viewerID
// may see them (UserFor's rules), whether they are the viewer's contact,
// with the viewer's note, and whether the viewer has blocked them. Any
// signed-in user may look anyone up. Errors: not_found.
func (s *Service) Profile(ctx context.Context, viewerID, idOrName string) (Profile, error) {
	u, err := s.findUser(ctx, idOrName)
	if err != nil {
		return Profile{}, err
	}
	if u.ID == viewerID {
		return Profile{User: u}, nil
	}
	p := Profile{User: u.Public()}
	note, ok, err := contactNote(ctx, s.db, viewerID, u.ID)
	if err != nil {
		return Profile{}, err
	}
	if ok {
		p.User, p.Contact, p.IsContact = u.ContactView(), &note, true
	}
	if p.Blocked, err = s.Blocked(ctx, viewerID, u.ID); err != nil {
		return Profile{}, err
	}
	return p, nil
}

// SetContactNote sets the remark and tags userID gives their contact
// contactID (by id or username); an empty remark clears it. Errors:
// invalid_argument (too long, too many tags, a tag repeated or empty, a
// name Plaza refuses), not_found (no such user, or not a contact).
func (s *Service) SetContactNote(ctx context.Context, userID, contactID string, in ContactNote) (ContactNote, error) {
	note, err := cleanNote(in)
	if err != nil {
		return ContactNote{}, err
	}
	other, err := s.findUser(ctx, contactID)
	if err != nil {
		return ContactNote{}, err
	}
	tags, _ := json.Marshal(note.Tags)
	res, err := s.db.Exec(ctx, updateContactNote, note.Remark, string(tags), userID, other.ID)
	if err != nil {
		return ContactNote{}, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ContactNote{}, errs.E(errs.NotFound, "%s is not your contact.", other.Username)
	}
	return note, nil
}

func cleanNote(in ContactNote) (ContactNote, error) {
	out := ContactNote{Tags: []string{}}
	if r := strings.TrimSpace(in.Remark); r != "" {
		if utf8.RuneCountInString(r) > MaxRemarkRunes {
			return out, errs.Field("remark", "A remark has at most %d characters.", MaxRemarkRunes)
		}
		remark, err := text.Name("remark", "A remark", r, MaxRemarkRunes)
		if err != nil {
			return out, err
		}
		out.Remark = remark
	}
	if len(in.Tags) > MaxTags {
		return out, errs.Field("tags", "A contact has at most %d tags.", MaxTags)
	}
	seen := map[string]bool{}
	for _, t := range in.Tags {
		tag, err := text.Name("tags", "A tag", strings.TrimSpace(t), MaxTagRunes)
		if err != nil {
			return out, err
		}
		key := strings.ToLower(tag)
		if seen[key] {
			return out, errs.Field("tags", "The tag %q is given twice.", tag)
		}
		seen[key] = true
		out.Tags = append(out.Tags, tag)
	}
	return out, nil
}

// ContactItems lists a user's contacts as Contacts does, each with the
// user's remark and tags.
func (s *Service) ContactItems(ctx context.Context, userID, cursor string, limit int) ([]ContactItem, string, error) {
	rows, err := s.db.Query(ctx, selectContactItems, userID, cursor, limit+1)
	if err != nil {
		return nil, "", err
	}
	out, err := sqldb.ScanAll(rows, func(rows *sql.Rows) (ContactItem, error) {
		var it ContactItem
		var tags string
		u, err := scanUser(rows, &it.Remark, &tags)
		if err != nil {
			return it, err
		}
		it.User = u.ContactView()
		it.Tags = decodeTags(tags)
		return it, nil
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].Username
	}
	return out, next, nil
}

// contactNote is userID's note on contactID; ok false when they are not
// contacts.
func contactNote(ctx context.Context, q sqldb.Querier, userID, contactID string) (ContactNote, bool, error) {
	var n ContactNote
	var tags string
	err := q.QueryRow(ctx, selectContactNote, userID, contactID).Scan(&n.Remark, &tags)
	if errors.Is(err, sql.ErrNoRows) {
		return ContactNote{}, false, nil
	}
	if err != nil {
		return ContactNote{}, false, err
	}
	n.Tags = decodeTags(tags)
	return n, true, nil
}

func decodeTags(s string) []string {
	var tags []string
	if json.Unmarshal([]byte(s), &tags) != nil || tags == nil {
		return []string{}
	}
	return tags
}

// The notes' statements (contacts.remark, contacts.tags).
const (
	selectContactNote  = `SELECT remark, tags FROM contacts WHERE user_id = ? AND contact_id = ?`
	updateContactNote  = `UPDATE contacts SET remark = ?, tags = ? WHERE user_id = ? AND contact_id = ?`
	selectContactItems = `SELECT ` + userColumns + `, c.remark, c.tags FROM contacts c JOIN users u ON u.id = c.contact_id
		WHERE c.user_id = ? AND u.deleted_at IS NULL AND u.username > ? ORDER BY u.username LIMIT ?`
)
