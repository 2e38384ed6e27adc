package chat

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Invites: a group's QR code is the link /g/<code>, valid InviteTTL. The
// code is 144 random bits; only its SHA-256 is stored.
const (
	InviteTTL       = 7 * 24 * time.Hour
	inviteCodeBytes = 18 // 24 base64url characters
)

// Codes of invites.
const (
	CodeInviteExpired = "invite_expired" // 410
	CodeGroupFull     = "group_full"     // 422
)

func init() {
	errs.Register(CodeInviteExpired, http.StatusGone)
	errs.Register(CodeGroupFull, http.StatusUnprocessableEntity)
}

// Invite is a group invite as its creator gets it.
type Invite struct {
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expires_at"`
	URL       string    `json:"url"`
}

// InvitePreview is what an invite shows before joining.
type InvitePreview struct {
	Code           string         `json:"code"`
	ConversationID string         `json:"conversation_id"`
	Title          string         `json:"title"`
	MemberCount    int            `json:"member_count"`
	MembersPreview []account.User `json:"members_preview"`
	InvitedBy      account.User   `json:"invited_by"`
	ExpiresAt      time.Time      `json:"expires_at"`
	Joined         bool           `json:"joined"`
}

// InvitePath is where an invite code leads in the client.
func InvitePath(code string) string { return "/g/" + code }

func hashCode(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

// validCode tells whether code has the form of one of ours (so forged
// ones of any length cost no query).
func validCode(code string) bool {
	if len(code) != base64.RawURLEncoding.EncodedLen(inviteCodeBytes) {
		return false
	}
	for _, r := range code { // the decoder alone lets \r and \n through
		if !('A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	raw, err := base64.RawURLEncoding.DecodeString(code)
	return err == nil && base64.RawURLEncoding.EncodeToString(raw) == code
}

// CreateInvite makes a group invite; any member may share the group, as
// WeChat allows. Errors: not_found, forbidden (a direct chat).
func (s *Service) CreateInvite(ctx context.Context, userID, convID string) (Invite, error) {
	c, err := s.memberConversation(ctx, s.db, convID, userID)
	if err != nil {
		return Invite{}, err
	}
	if c.typ != GroupType {
		return Invite{}, errs.E(errs.Forbidden, "Only groups have a QR code to join.")
	}
	b := make([]byte, inviteCodeBytes)
	if _, err := rand.Read(b); err != nil {
		return Invite{}, err
	}
	code := base64.RawURLEncoding.EncodeToString(b)
	now := s.now()
	expires := now.Add(InviteTTL)
	if _, err := s.db.Exec(ctx, insertInvite, hashCode(code), convID, userID, sqldb.Micro(now), sqldb.Micro(expires)); err != nil {
		return Invite{}, err
	}
	return Invite{Code: code, ExpiresAt: sqldb.FromMicro(sqldb.Micro(expires)), URL: InvitePath(code)}, nil
}

type inviteRow struct {
	convID, createdBy string
	expiresAt         int64
}

// invite looks a code up. Errors: not_found (unknown or forged),
// invite_expired.
func (s *Service) invite(ctx context.Context, q sqldb.Querier, code string) (inviteRow, error) {
	notFound := errs.E(errs.NotFound, "No such group invite.")
	if !validCode(code) {
		return inviteRow{}, notFound
	}
	var r inviteRow
	err := q.QueryRow(ctx, selectInvite, hashCode(code)).Scan(&r.convID, &r.createdBy, &r.expiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return inviteRow{}, notFound
	}
	if err != nil {
		return inviteRow{}, err
	}
	if sqldb.Micro(s.now()) > r.expiresAt {
		return inviteRow{}, errs.E(CodeInviteExpired, "This group QR code has expired; ask a member for a new one.")
	}
	return r, nil
}

// PreviewInvite shows a group before joining it by code. Errors:
// not_found, invite_expired.
func (s *Service) PreviewInvite(ctx context.Context, userID, code string) (InvitePreview, error) {
	r, err := s.invite(ctx, s.db, code)
	if err != nil {
		return InvitePreview{}, err
	}
	c, err := getConversation(ctx, s.db, r.convID)
	if err != nil {
		return InvitePreview{}, err
	}
	var n int
	if err := s.db.QueryRow(ctx, countMembers, r.convID).Scan(&n); err != nil {
		return InvitePreview{}, err
	}
	rows, err := s.db.Query(ctx, selectMembersPreview, r.convID)
	if err != nil {
		return InvitePreview{}, err
	}
	preview, err := sqldb.ScanAll(rows, scanString)
	if err != nil {
		return InvitePreview{}, err
	}
	users, err := s.users.many(ctx, append(preview, r.createdBy))
	if err != nil {
		return InvitePreview{}, err
	}
	out := InvitePreview{Code: code, ConversationID: r.convID, Title: c.title, MemberCount: n, MembersPreview: []account.User{},
		InvitedBy: users[r.createdBy], ExpiresAt: sqldb.FromMicro(r.expiresAt)}
	for _, id := range preview {
		out.MembersPreview = append(out.MembersPreview, users[id])
	}
	_, err = membership(ctx, s.db, r.convID, userID)
	out.Joined = err == nil
	return out, nil
}

// JoinByInvite adds the caller to the invite's group (joined false when
// they already were in it). Errors: not_found, invite_expired, group_full.
func (s *Service) JoinByInvite(ctx context.Context, userID, code string) (Conversation, bool, error) {
	var recipients []string
	joined := false
	var convID string
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		r, err := s.invite(ctx, tx, code)
		if err != nil {
			return err
		}
		convID = r.convID
		// Take the conversation's row lock first, so that racing joins
		// count the members one after another.
		if _, err := tx.Exec(ctx, lockConversation, r.convID); err != nil {
			return err
		}
		if _, err := membership(ctx, tx, r.convID, userID); err == nil {
			return nil
		}
		c, err := getConversation(ctx, tx, r.convID)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, countMembers, r.convID).Scan(&n); err != nil {
			return err
		}
		if n >= MaxGroup {
			return errs.E(CodeGroupFull, "This group is full (%d members).", MaxGroup)
		}
		users, err := s.users.many(ctx, []string{userID, r.createdBy})
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, insertMember, r.convID, userID, c.lastSeq, sqldb.Micro(s.now()), c.lastSeq+1); err != nil {
			return err
		}
		joined = true
		note := users[userID].DisplayName + " joined via " + users[r.createdBy].DisplayName + "'s QR code"
		recipients, err = s.systemNote(ctx, tx, r.convID, userID, note)
		return err
	})
	if err != nil {
		return Conversation{}, false, err
	}
	if joined {
		s.announce(ctx, convID, recipients)
	}
	c, err := s.Get(ctx, userID, convID)
	return c, joined, err
}
