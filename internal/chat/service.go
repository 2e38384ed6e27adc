package chat

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/platform/text"
)

// CreateDirect returns the caller's direct conversation with username,
// creating it if needed (created tells which). Errors: not_found (no such
// user), forbidden (not a contact), invalid_argument (oneself).
func (s *Service) CreateDirect(ctx context.Context, userID, username string) (Conversation, bool, error) {
	other, err := s.accounts.UserByUsername(ctx, username)
	if err != nil {
		return Conversation{}, false, err
	}
	if other.ID == userID {
		return Conversation{}, false, errs.Field("username", "You cannot start a conversation with yourself.")
	}
	if ok, err := s.accounts.AreContacts(ctx, userID, other.ID); err != nil || !ok {
		if err == nil {
			err = errs.E(errs.Forbidden, "%s is not your contact; add them in Contacts first.", other.Username)
		}
		return Conversation{}, false, err
	}
	pair := []string{userID, other.ID}
	sort.Strings(pair)
	key := pair[0] + ":" + pair[1]
	var id string
	if err := s.db.QueryRow(ctx, selectDirectByKey, key).Scan(&id); err == nil {
		c, err := s.Get(ctx, userID, id)
		return c, false, err
	}
	id = ids.New("c")
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		now := sqldb.Micro(s.now())
		if _, err := tx.Exec(ctx, insertConversation, id, DirectType, "", key, userID, now, now); err != nil {
			return err
		}
		for _, u := range pair {
			if _, err := tx.Exec(ctx, insertMember, id, u, 0, now, 0); err != nil {
				return err
			}
		}
		return nil
	})
	if sqldb.IsUniqueViolation(err) { // created meanwhile by the other side
		if err := s.db.QueryRow(ctx, selectDirectByKey, key).Scan(&id); err != nil {
			return Conversation{}, false, err
		}
		c, err := s.Get(ctx, userID, id)
		return c, false, err
	}
	if err != nil {
		return Conversation{}, false, err
	}
	s.announce(ctx, id, pair)
	c, err := s.Get(ctx, userID, id)
	return c, true, err
}

// CreateGroup makes a group of the caller and usernames (all the caller's
// contacts). Errors: invalid_argument (title, too many members), not_found
// (no such user), forbidden (not a contact).
func (s *Service) CreateGroup(ctx context.Context, userID, title string, usernames []string) (Conversation, error) {
	title, err := text.Name("title", "A group title", title, MaxTitle)
	if err != nil {
		return Conversation{}, err
	}
	users, err := s.resolveContacts(ctx, userID, usernames)
	if err != nil {
		return Conversation{}, err
	}
	if len(users)+1 > MaxGroup {
		return Conversation{}, errs.Field("usernames", "A group has at most %d members.", MaxGroup)
	}
	creator, err := s.users.one(ctx, userID)
	if err != nil {
		return Conversation{}, err
	}
	id := ids.New("c")
	var recipients []string
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		now := sqldb.Micro(s.now())
		if _, err := tx.Exec(ctx, insertConversation, id, GroupType, title, nil, userID, now, now); err != nil {
			return err
		}
		for _, u := range append([]string{userID}, userIDs(users)...) {
			if _, err := tx.Exec(ctx, insertMember, id, u, 0, now, 0); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, updateRole, RoleOwner, id, userID); err != nil {
			return err
		}
		text := creator.DisplayName + " created the group “" + title + "”"
		if len(users) > 0 {
			text += " with " + names(users)
		}
		recipients, err = s.systemNote(ctx, tx, id, userID, text)
		return err
	})
	if err != nil {
		return Conversation{}, err
	}
	s.announce(ctx, id, recipients)
	return s.Get(ctx, userID, id)
}

// AddMembers adds the caller's contacts to a group the caller is in.
// Errors: not_found, forbidden (a direct conversation, or not a contact),
// invalid_argument (over MaxGroup).
func (s *Service) AddMembers(ctx context.Context, userID, convID string, usernames []string) (Conversation, error) {
	users, err := s.resolveContacts(ctx, userID, usernames)
	if err != nil {
		return Conversation{}, err
	}
	if len(users) == 0 {
		return Conversation{}, errs.Field("usernames", "Name at least one contact to add.")
	}
	adder, err := s.users.one(ctx, userID)
	if err != nil {
		return Conversation{}, err
	}
	var recipients []string
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		c, err := s.memberConversation(ctx, tx, convID, userID)
		if err != nil {
			return err
		}
		if c.typ != GroupType {
			return errs.E(errs.Forbidden, "Members can be added to groups only; start a group instead.")
		}
		var n int
		if err := tx.QueryRow(ctx, countMembers, convID).Scan(&n); err != nil {
			return err
		}
		now := sqldb.Micro(s.now())
		var added []account.User
		// New members see the group from the system message of their
		// joining on (it takes the next seq), as WeChat does.
		for _, u := range users {
			res, err := tx.Exec(ctx, insertMember, convID, u.ID, c.lastSeq, now, c.lastSeq+1)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k == 1 {
				added = append(added, u)
			}
		}
		if n+len(added) > MaxGroup {
			return errs.Field("usernames", "A group has at most %d members.", MaxGroup)
		}
		if len(added) == 0 {
			return nil
		}
		recipients, err = s.systemNote(ctx, tx, convID, userID, adder.DisplayName+" added "+names(added))
		return err
	})
	if err != nil {
		return Conversation{}, err
	}
	s.announce(ctx, convID, recipients)
	return s.Get(ctx, userID, convID)
}

// Leave takes the caller out of a group. Errors: not_found, forbidden (a
// direct conversation).
func (s *Service) Leave(ctx context.Context, userID, convID string) error {
	leaver, err := s.users.one(ctx, userID)
	if err != nil {
		return err
	}
	var recipients []string
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		c, err := s.memberConversation(ctx, tx, convID, userID)
		if err != nil {
			return err
		}
		if c.typ != GroupType {
			return errs.E(errs.Forbidden, "You can leave groups only.")
		}
		if err := s.handOver(ctx, tx, convID, userID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, deleteMember, convID, userID); err != nil {
			return err
		}
		recipients, err = s.systemNote(ctx, tx, convID, userID, leaver.DisplayName+" left the group")
		return err
	})
	if err != nil {
		return err
	}
	s.announce(ctx, convID, append(recipients, userID))
	return nil
}

// systemNote appends a system message by userID in tx and, once tx
// commits, delivers it; it returns the members it goes to.
func (s *Service) systemNote(ctx context.Context, tx *sqldb.Tx, convID, userID, text string) ([]string, error) {
	m, recipients, err := s.appendMessage(ctx, tx, Message{ConversationID: convID, Sender: Sender{ID: userID},
		Kind: KindSystem, Text: text, ClientID: systemClientID + ids.New("sys")})
	if err != nil {
		return nil, err
	}
	tx.AfterCommit(func() {
		filled, err := s.fillOne(context.Background(), m)
		if err != nil {
			s.log.Warn("delivering a system message", "err", err)
			return
		}
		s.deliver(context.Background(), recipients, []Message{filled})
	})
	return recipients, nil
}

func (s *Service) memberConversation(ctx context.Context, q sqldb.Querier, convID, userID string) (convRow, error) {
	if _, err := membership(ctx, q, convID, userID); err != nil {
		return convRow{}, err
	}
	return getConversation(ctx, q, convID)
}

// resolveContacts looks up usernames, each of which must be the caller's
// contact.
func (s *Service) resolveContacts(ctx context.Context, userID string, usernames []string) ([]account.User, error) {
	seen := map[string]bool{}
	var out []account.User
	for _, name := range usernames {
		u, err := s.accounts.UserByUsername(ctx, name)
		if err != nil {
			return nil, err
		}
		if u.ID == userID || seen[u.ID] {
			continue
		}
		ok, err := s.accounts.AreContacts(ctx, userID, u.ID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errs.E(errs.Forbidden, "%s is not your contact; only contacts can be added.", u.Username)
		}
		seen[u.ID] = true
		out = append(out, u)
		if len(out) > MaxGroup {
			return nil, errs.Field("usernames", "A group has at most %d members.", MaxGroup)
		}
	}
	return out, nil
}

// Get is one conversation as userID sees it. Errors: not_found.
func (s *Service) Get(ctx context.Context, userID, convID string) (Conversation, error) {
	me, err := membership(ctx, s.db, convID, userID)
	if err != nil {
		return Conversation{}, err
	}
	c, err := getConversation(ctx, s.db, convID)
	if err != nil {
		return Conversation{}, err
	}
	out, err := s.views(ctx, userID, []convRow{c}, []member{me})
	if err != nil {
		return Conversation{}, err
	}
	return out[0], nil
}

// List is the caller's conversations, most recent activity first, limit at
// a time after cursor ("" to start).
func (s *Service) List(ctx context.Context, userID, cursor string, limit int) ([]Conversation, string, error) {
	before, beforeID := int64(1<<62), "~"
	if cursor != "" {
		c, err := decodeCursor(cursor)
		if err != nil {
			return nil, "", err
		}
		before, beforeID = c.At, c.ID
	}
	convs, reads, err := userConversations(ctx, s.db, userID, before, beforeID, limit+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(convs) > limit {
		convs, reads = convs[:limit], reads[:limit]
		last := convs[limit-1]
		next = encodeCursor(listCursor{At: last.updatedAt, ID: last.id})
	}
	if convs, reads, err = s.pinnedFirst(ctx, userID, cursor == "", convs, reads); err != nil {
		return nil, "", err
	}
	out, err := s.views(ctx, userID, convs, reads)
	return out, next, err
}

// views fills conversations for a viewer: members, title, unread, last
// message.
func (s *Service) views(ctx context.Context, viewer string, convs []convRow, reads []member) ([]Conversation, error) {
	idList := make([]string, len(convs))
	for i, c := range convs {
		idList[i] = c.id
	}
	members, err := membersOf(ctx, s.db, idList)
	if err != nil {
		return nil, err
	}
	var all []string
	for _, m := range members {
		all = append(all, m...)
	}
	users, err := s.users.many(ctx, all)
	if err != nil {
		return nil, err
	}
	out := make([]Conversation, len(convs))
	for i, c := range convs {
		// Messages before a member joined are not theirs to count.
		read := max(reads[i].readSeq, reads[i].joinedSeq-1)
		v := Conversation{ID: c.id, Type: c.typ, Title: c.title, LastSeq: c.lastSeq, ReadSeq: reads[i].readSeq,
			Unread: max(0, c.lastSeq-read), UpdatedAt: sqldb.FromMicro(c.updatedAt), CreatedBy: c.createdBy, Members: []account.User{}}
		for _, id := range members[c.id] {
			u := users[id]
			v.Members = append(v.Members, u)
			if c.typ == DirectType && id != viewer {
				v.Title = u.DisplayName
			}
		}
		if c.lastSeq > 0 && c.lastSeq >= reads[i].joinedSeq {
			ms, err := queryMessages(ctx, s.db, selectAtSeq, c.id, c.lastSeq)
			if err != nil {
				return nil, err
			}
			if len(ms) == 1 {
				// A last message the viewer deleted for themself shows as hidden.
				if err := s.maskHidden(ctx, viewer, ms); err != nil {
					return nil, err
				}
				filled, err := s.fill(ctx, ms)
				if err != nil {
					return nil, err
				}
				v.LastMessage = &filled[0]
			}
		}
		out[i] = v
	}
	if err := s.decorate(ctx, viewer, out); err != nil {
		return nil, err
	}
	return out, nil
}

// announce sends each member their view of a conversation that changed.
func (s *Service) announce(ctx context.Context, convID string, userIDs []string) {
	if s.announceGroup(ctx, convID, userIDs) {
		return
	}
	for _, u := range userIDs {
		c, err := s.Get(ctx, u, convID)
		if errs.Is(err, errs.NotFound) {
			// u left: tell them the conversation is gone for them.
			s.publish([]string{u}, frame{Type: "conversation", Conversation: &Conversation{ID: convID, Members: []account.User{}}})
			continue
		}
		if err != nil {
			s.log.Warn("announcing conversation", "err", err)
			continue
		}
		s.publish([]string{u}, frame{Type: "conversation", Conversation: &c})
	}
}

func userIDs(users []account.User) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = u.ID
	}
	return out
}

func names(users []account.User) string {
	n := make([]string, len(users))
	for i, u := range users {
		n[i] = u.DisplayName
	}
	return strings.Join(n, ", ")
}

// userCache keeps senders' public profiles for a minute, so that messages
// need no account lookup each.
type userCache struct {
	src Accounts
	mu  sync.RWMutex // guards m
	m   map[string]cachedUser
}

type cachedUser struct {
	u       account.User
	expires time.Time
}

func (c *userCache) one(ctx context.Context, id string) (account.User, error) {
	m, err := c.many(ctx, []string{id})
	if err != nil {
		return account.User{}, err
	}
	u, ok := m[id]
	if !ok {
		return account.User{}, errs.E(errs.NotFound, "No such user.")
	}
	return u, nil
}

func (c *userCache) many(ctx context.Context, idList []string) (map[string]account.User, error) {
	out := make(map[string]account.User, len(idList))
	var missing []string
	now := time.Now()
	c.mu.RLock()
	for _, id := range idList {
		if cu, ok := c.m[id]; ok && now.Before(cu.expires) {
			out[id] = cu.u
		} else if _, dup := out[id]; !dup {
			missing = append(missing, id)
		}
	}
	c.mu.RUnlock()
	if len(missing) == 0 {
		return out, nil
	}
	found, err := c.src.UsersByIDs(ctx, missing)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.m) > 100_000 {
		c.m = map[string]cachedUser{}
	}
	for id, u := range found {
		c.m[id] = cachedUser{u: u, expires: now.Add(time.Minute)}
		out[id] = u
	}
	c.mu.Unlock()
	return out, nil
}

type listCursor struct {
	At int64  `json:"t"`
	ID string `json:"i"`
}

func encodeCursor(c listCursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (listCursor, error) {
	var c listCursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil {
		return c, errs.Field("cursor", "The cursor is not one this server gave.")
	}
	return c, nil
}

// MemberCount is the number of members of a conversation userID is in.
// Errors: not_found (no such conversation, or userID is not in it).
func (s *Service) MemberCount(ctx context.Context, convID, userID string) (int, error) {
	if _, err := membership(ctx, s.db, convID, userID); err != nil {
		return 0, err
	}
	var n int
	err := s.db.QueryRow(ctx, countMembers, convID).Scan(&n)
	return n, err
}

// SeesRedPacket reports whether userID sees the red packet refID's
// message in convID: a member who joined (or cleared their history)
// after it was sent does not, and so may not open it.
func (s *Service) SeesRedPacket(ctx context.Context, convID, userID, refID string) (bool, error) {
	var one int
	err := s.db.QueryRow(ctx, selectSeesRedPacket, userID, convID, refID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// DirectBetween is the direct conversation of two users, made if they are
// contacts and have none yet; "" when they are not contacts.
func (s *Service) DirectBetween(ctx context.Context, a, b string) (string, error) {
	// A transfer to someone who blocked a is refused; one between people
	// who are not contacts has no conversation to show in.
	blocked, contacts, err := s.accounts.PairRelation(ctx, a, b)
	if err != nil {
		return "", err
	}
	if blocked {
		return "", errBlocked()
	}
	if !contacts {
		return "", nil
	}
	pair := []string{a, b}
	sort.Strings(pair)
	if id, err := s.directKeys.idOf(ctx, s.db, pair[0]+":"+pair[1]); err != nil || id != "" {
		return id, err
	}
	users, err := s.users.many(ctx, []string{b})
	if err != nil {
		return "", err
	}
	other, ok := users[b]
	if !ok {
		return "", errs.E(errs.NotFound, "No such user.")
	}
	c, _, err := s.CreateDirect(ctx, a, other.Username)
	if errs.Is(err, errs.Forbidden) {
		return "", nil
	}
	return c.ID, err
}
