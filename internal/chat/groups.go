package chat

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/platform/text"
)

// Group roles, and what groups allow.
const (
	RoleOwner       = "owner"
	RoleAdmin       = "admin"
	RoleMember      = "member"
	MaxAnnouncement = 1000 // characters of a group announcement
	MaxMentions     = 50   // members one message mentions
	MentionAll      = "all"
)

// GroupUpdate is a change to a group's name or announcement (nil: keep).
type GroupUpdate struct {
	Title        *string `json:"title"`
	Announcement *string `json:"announcement"`
}

// Settings are a member's own settings of a conversation (nil: keep).
type Settings struct {
	Muted  *bool `json:"muted"`
	Pinned *bool `json:"pinned"`
}

func staffRole(r string) bool { return r == RoleOwner || r == RoleAdmin }

// groupStaff checks that userID may manage convID (its owner or an admin)
// and returns the conversation and their role. Errors: not_found,
// forbidden (a direct chat, or a plain member).
func groupStaff(ctx context.Context, tx *sqldb.Tx, convID, userID string, ownerOnly bool) (convRow, error) {
	r, err := role(ctx, tx, convID, userID)
	if err != nil {
		return convRow{}, err
	}
	c, err := getConversation(ctx, tx, convID)
	if err != nil {
		return convRow{}, err
	}
	if c.typ != GroupType {
		return convRow{}, errs.E(errs.Forbidden, "Only groups have owners and admins.")
	}
	if ownerOnly && r != RoleOwner {
		return convRow{}, errs.E(errs.Forbidden, "Only the group owner can do that.")
	}
	if !staffRole(r) {
		return convRow{}, errs.E(errs.Forbidden, "Only the group owner and admins can do that.")
	}
	return c, nil
}

// UpdateGroup renames a group or sets its announcement (owner and admins),
// each change with a system note. Errors: not_found, forbidden,
// invalid_argument.
func (s *Service) UpdateGroup(ctx context.Context, userID, convID string, in GroupUpdate) (Conversation, error) {
	if in.Title == nil && in.Announcement == nil {
		return Conversation{}, errs.Field("title", "Give a title or an announcement to change.")
	}
	var title, announcement string
	if in.Title != nil {
		t, err := text.Name("title", "A group title", *in.Title, MaxTitle)
		if err != nil {
			return Conversation{}, err
		}
		title = t
	}
	if in.Announcement != nil {
		announcement = strings.TrimSpace(*in.Announcement)
		if !utf8.ValidString(announcement) {
			return Conversation{}, errs.Field("announcement", "The announcement is not valid UTF-8.")
		}
		if n := utf8.RuneCountInString(announcement); n > MaxAnnouncement {
			return Conversation{}, errs.Field("announcement", "An announcement has at most %d characters; this one has %d.", MaxAnnouncement, n)
		}
	}
	actor, err := s.users.one(ctx, userID)
	if err != nil {
		return Conversation{}, err
	}
	var recipients []string
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		c, err := groupStaff(ctx, tx, convID, userID, false)
		if err != nil {
			return err
		}
		if in.Title != nil && title != c.title {
			if _, err := tx.Exec(ctx, updateTitle, title, convID); err != nil {
				return err
			}
			if recipients, err = s.systemNote(ctx, tx, convID, userID, actor.DisplayName+" renamed the group to “"+title+"”"); err != nil {
				return err
			}
		}
		if in.Announcement != nil {
			if _, err := tx.Exec(ctx, updateAnnounce, announcement, sqldb.Micro(s.now()), convID); err != nil {
				return err
			}
			note := actor.DisplayName + " updated the group announcement"
			if announcement == "" {
				note = actor.DisplayName + " removed the group announcement"
			}
			if recipients, err = s.systemNote(ctx, tx, convID, userID, note); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Conversation{}, err
	}
	s.announce(ctx, convID, recipients)
	return s.Get(ctx, userID, convID)
}

// SetRole makes a member an admin or a plain member again (the owner
// only). Errors: not_found (no such member), forbidden, invalid_argument.
func (s *Service) SetRole(ctx context.Context, userID, convID, targetID, newRole string) (Conversation, error) {
	if newRole != RoleAdmin && newRole != RoleMember {
		return Conversation{}, errs.Field("role", "role must be admin or member.")
	}
	return s.staffChange(ctx, userID, convID, targetID, true, func(tx *sqldb.Tx, actor, target account.User, targetRole string) (string, error) {
		if targetID == userID {
			return "", errs.E(errs.Forbidden, "The owner's role changes only by transferring ownership.")
		}
		if targetRole == newRole {
			return "", nil
		}
		if _, err := tx.Exec(ctx, updateRole, newRole, convID, targetID); err != nil {
			return "", err
		}
		if newRole == RoleAdmin {
			return actor.DisplayName + " made " + target.DisplayName + " an admin", nil
		}
		return actor.DisplayName + " removed " + target.DisplayName + " as admin", nil
	})
}

// TransferOwnership hands the group to another member (the owner only);
// the old owner becomes a plain member. Errors: not_found, forbidden.
func (s *Service) TransferOwnership(ctx context.Context, userID, convID, targetID string) (Conversation, error) {
	return s.staffChange(ctx, userID, convID, targetID, true, func(tx *sqldb.Tx, actor, target account.User, _ string) (string, error) {
		if targetID == userID {
			return "", nil
		}
		if _, err := tx.Exec(ctx, updateRole, RoleOwner, convID, targetID); err != nil {
			return "", err
		}
		if _, err := tx.Exec(ctx, updateRole, RoleMember, convID, userID); err != nil {
			return "", err
		}
		return actor.DisplayName + " transferred group ownership to " + target.DisplayName, nil
	})
}

// RemoveMember takes targetID out of a group (owner and admins; admins
// cannot remove the owner or other admins). Errors: not_found, forbidden.
func (s *Service) RemoveMember(ctx context.Context, userID, convID, targetID string) (Conversation, error) {
	return s.staffChange(ctx, userID, convID, targetID, false, func(tx *sqldb.Tx, actor, target account.User, targetRole string) (string, error) {
		if targetID == userID {
			return "", errs.E(errs.Forbidden, "To leave the group, use Leave group.")
		}
		myRole, err := role(ctx, tx, convID, userID)
		if err != nil {
			return "", err
		}
		if myRole != RoleOwner && staffRole(targetRole) {
			return "", errs.E(errs.Forbidden, "Admins cannot remove the owner or other admins.")
		}
		if _, err := tx.Exec(ctx, deleteMember, convID, targetID); err != nil {
			return "", err
		}
		return actor.DisplayName + " removed " + target.DisplayName, nil
	}, targetID)
}

// staffChange runs change in a transaction after checking that userID
// manages the group and targetID is in it; change returns the system note
// to post ("" for none). also are users to tell besides the members.
func (s *Service) staffChange(ctx context.Context, userID, convID, targetID string, ownerOnly bool,
	change func(tx *sqldb.Tx, actor, target account.User, targetRole string) (string, error), also ...string) (Conversation, error) {
	users, err := s.users.many(ctx, []string{userID, targetID})
	if err != nil {
		return Conversation{}, err
	}
	actor, target := users[userID], users[targetID]
	var recipients []string
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		if _, err := groupStaff(ctx, tx, convID, userID, ownerOnly); err != nil {
			return err
		}
		targetRole, err := role(ctx, tx, convID, targetID)
		if errs.Is(err, errs.NotFound) {
			return errs.E(errs.NotFound, "That user is not a member of this group.")
		}
		if err != nil {
			return err
		}
		if target.DisplayName == "" {
			target.DisplayName = target.Username
		}
		note, err := change(tx, actor, target, targetRole)
		if err != nil || note == "" {
			return err
		}
		recipients, err = s.systemNote(ctx, tx, convID, userID, note)
		return err
	})
	if err != nil {
		return Conversation{}, err
	}
	s.announce(ctx, convID, append(recipients, also...))
	return s.Get(ctx, userID, convID)
}

// handOver gives a group whose owner leaves to an admin, else to the
// member who joined first. It runs inside the leaving transaction.
func (s *Service) handOver(ctx context.Context, tx *sqldb.Tx, convID, leaverID string) error {
	r, err := role(ctx, tx, convID, leaverID)
	if errs.Is(err, errs.NotFound) {
		return nil // left already
	}
	if err != nil || r != RoleOwner {
		return err
	}
	var next string
	if err := tx.QueryRow(ctx, selectNextOwner, convID, leaverID).Scan(&next); err != nil {
		return nil // the last member leaves: no one to hand over to
	}
	_, err = tx.Exec(ctx, updateRole, RoleOwner, convID, next)
	return err
}

// UpdateSettings changes the caller's own settings of a conversation
// (direct or group); only their devices hear of it. Errors: not_found.
func (s *Service) UpdateSettings(ctx context.Context, userID, convID string, in Settings) (Conversation, error) {
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		if _, err := membership(ctx, tx, convID, userID); err != nil {
			return err
		}
		if in.Muted != nil {
			if _, err := tx.Exec(ctx, updateMuted, boolInt(*in.Muted), convID, userID); err != nil {
				return err
			}
		}
		if in.Pinned != nil {
			at := int64(0)
			if *in.Pinned {
				at = sqldb.Micro(s.now())
			}
			if _, err := tx.Exec(ctx, updatePinned, at, convID, userID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Conversation{}, err
	}
	s.announce(ctx, convID, []string{userID})
	return s.Get(ctx, userID, convID)
}

// ClearHistory hides every message up to now from the caller only: their
// cleared_seq is the last seq, and their joined_seq (from which history,
// sync, media and the unread count see the conversation) moves past it, so
// the conversation's first_seq tells clients where their history starts.
// Errors: not_found.
func (s *Service) ClearHistory(ctx context.Context, userID, convID string) (Conversation, error) {
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		c, err := s.memberConversation(ctx, tx, convID, userID)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, updateCleared, c.lastSeq, c.lastSeq+1, c.lastSeq, convID, userID)
		return err
	})
	if err != nil {
		return Conversation{}, err
	}
	s.announce(ctx, convID, []string{userID})
	return s.Get(ctx, userID, convID)
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// checkMentions validates a message's mentions: a group's members (not the
// sender), or "all" from its owner and admins. Errors: not_found (the
// sender is no member), invalid_argument.
func (s *Service) checkMentions(ctx context.Context, userID, convID string, mentions []string) ([]string, error) {
	if len(mentions) == 0 {
		return nil, nil
	}
	if len(mentions) > MaxMentions {
		return nil, errs.Field("mentions", "A message mentions at most %d members.", MaxMentions)
	}
	roles, err := memberRoles(ctx, s.db, convID)
	if err != nil {
		return nil, err
	}
	mine, ok := roles[userID]
	if !ok {
		return nil, errNoConversation
	}
	c, err := getConversation(ctx, s.db, convID)
	if err != nil {
		return nil, err
	}
	if c.typ != GroupType {
		return nil, errs.Field("mentions", "Mentions are for group chats.")
	}
	var out []string
	for _, id := range mentions {
		switch {
		case id == MentionAll:
			if !staffRole(mine) {
				return nil, errs.Field("mentions", "Only the group owner and admins can mention everyone.")
			}
		case id == userID:
			continue
		default:
			if _, ok := roles[id]; !ok {
				return nil, errs.Field("mentions", "Only members of this group can be mentioned.")
			}
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// saveMentions writes m's mentions in the transaction that appends it.
func (s *Service) saveMentions(ctx context.Context, tx *sqldb.Tx, m *Message, mentions []string) error {
	for _, u := range mentions {
		if _, err := tx.Exec(ctx, insertMention, m.ID, m.ConversationID, m.Seq, m.Sender.ID, u); err != nil {
			return err
		}
	}
	if len(mentions) > 0 {
		m.Mentions = mentions
	}
	return nil
}

// fillMentions adds the mentions of text messages.
func (s *Service) fillMentions(ctx context.Context, ms []Message) error {
	var idList []string
	for _, m := range ms {
		if m.Kind == KindText && m.Mentions == nil {
			idList = append(idList, m.ID)
		}
	}
	if len(idList) == 0 {
		return nil
	}
	found, err := mentionsOf(ctx, s.db, idList)
	if err != nil || len(found) == 0 {
		return err
	}
	for i := range ms {
		if list, ok := found[ms[i].ID]; ok {
			ms[i].Mentions = list
		}
	}
	return nil
}

// decorate adds to a viewer's conversations what groups and settings give
// them: announcement, owner and admins, muted, pinned, an unread mention,
// and where their history starts.
func (s *Service) decorate(ctx context.Context, viewer string, out []Conversation) error {
	if len(out) == 0 {
		return nil
	}
	idList := make([]string, len(out))
	for i, c := range out {
		idList[i] = c.ID
	}
	ex, err := viewerExtras(ctx, s.db, viewer, idList)
	if err != nil {
		return err
	}
	owners, admins, err := staff(ctx, s.db, idList)
	if err != nil {
		return err
	}
	mentioned, err := mentionedAt(ctx, s.db, viewer, idList)
	if err != nil {
		return err
	}
	for i := range out {
		c := &out[i]
		e := ex[c.ID]
		c.Muted, c.Pinned, c.pinnedAt = e.muted, e.pinnedAt > 0, e.pinnedAt
		c.FirstSeq = max(1, e.joinedSeq)
		c.Admins = []string{}
		if c.Type == GroupType {
			c.Announcement, c.OwnerID = e.announcement, owners[c.ID]
			if e.announcementAt > 0 {
				at := sqldb.FromMicro(e.announcementAt)
				c.AnnouncementAt = &at
			}
			if a := admins[c.ID]; a != nil {
				c.Admins = a
			}
		}
		if seq, ok := mentioned[c.ID]; ok && seq > c.ReadSeq && seq >= c.FirstSeq {
			c.Mentioned = true
		}
	}
	return nil
}

// pinnedFirst puts the caller's pinned conversations first on the list's
// first page and leaves them out of every page.
func (s *Service) pinnedFirst(ctx context.Context, userID string, first bool, convs []convRow, reads []member) ([]convRow, []member, error) {
	pinned, pinnedReads, err := pinnedConversations(ctx, s.db, userID)
	if err != nil || len(pinned) == 0 {
		return convs, reads, err
	}
	isPinned := map[string]bool{}
	for _, c := range pinned {
		isPinned[c.id] = true
	}
	var outC []convRow
	var outR []member
	if first {
		outC, outR = pinned, pinnedReads
	}
	for i, c := range convs {
		if !isPinned[c.id] {
			outC, outR = append(outC, c), append(outR, reads[i])
		}
	}
	return outC, outR, nil
}

// announceGroup is announce for a group with many members: the shared
// part of the view (members, title, last message, roles) is computed once
// and each member's own part from one row each, instead of a Get per
// member. It returns false when convID is not such a group (announce then
// does it the plain way).
func (s *Service) announceGroup(ctx context.Context, convID string, userIDs []string) bool {
	if len(userIDs) < 8 {
		return false
	}
	c, err := getConversation(ctx, s.db, convID)
	if err != nil || c.typ != GroupType {
		return false
	}
	views, err := memberViews(ctx, s.db, convID)
	if err != nil {
		return false
	}
	maxima, err := mentionMaxima(ctx, s.db, convID)
	if err != nil {
		return false
	}
	// The shared part, as a founder (who sees every message) sees it.
	base, err := s.views(ctx, c.createdBy, []convRow{c}, []member{{}})
	if err != nil {
		return false
	}
	alike, convs := map[string][]string{}, map[string]Conversation{}
	var order []string
	for _, u := range userIDs {
		v, ok := views[u]
		if !ok {
			s.publish([]string{u}, frame{Type: "conversation", Conversation: &Conversation{ID: convID, Members: []account.User{}}})
			continue
		}
		mine := base[0]
		read := max(v.readSeq, v.joinedSeq-1)
		mine.ReadSeq, mine.Unread = v.readSeq, max(0, c.lastSeq-read)
		mine.Muted, mine.Pinned, mine.pinnedAt = v.muted, v.pinnedAt > 0, v.pinnedAt
		mine.FirstSeq = max(1, v.joinedSeq)
		if c.lastSeq < v.joinedSeq {
			mine.LastMessage = nil
		}
		mine.Mentioned = false
		for _, m := range maxima {
			if (m.user == u || m.user == MentionAll) && m.sender != u && m.seq > v.readSeq && m.seq >= mine.FirstSeq {
				mine.Mentioned = true
				break
			}
		}
		// Members whose views are alike (most of a big group) share one
		// publication.
		key, err := json.Marshal(&mine)
		if err != nil {
			return false
		}
		if _, ok := alike[string(key)]; !ok {
			order = append(order, string(key))
			convs[string(key)] = mine
		}
		alike[string(key)] = append(alike[string(key)], u)
	}
	for _, k := range order {
		c := convs[k]
		s.publish(alike[k], frame{Type: "conversation", Conversation: &c})
	}
	return true
}
