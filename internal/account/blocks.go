package account

import (
	"context"
	"database/sql"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/export"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// MaxBlocks is how many users one user may block.
const MaxBlocks = 1000

// Block makes userID block other (by id or username): other can no longer
// send userID contact requests (their pending ones are declined) nor
// messages in their direct conversation, and sees only a neutral refusal.
// The contact, if any, stays (as WeChat keeps a blocked contact in the
// list); blocking twice is fine. Errors: invalid_argument (oneself, too
// many blocks), not_found.
func (s *Service) Block(ctx context.Context, userID, other string) (User, error) {
	u, err := s.findUser(ctx, other)
	if err != nil {
		return User{}, err
	}
	if u.ID == userID {
		return User{}, errs.Field("user_id", "You cannot block yourself.")
	}
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, countBlocks, userID).Scan(&n); err != nil {
			return err
		}
		if n >= MaxBlocks {
			return errs.Field("user_id", "You can block at most %d people; unblock someone first.", MaxBlocks)
		}
		now := sqldb.Micro(s.now())
		if _, err := tx.Exec(ctx, insertBlock, userID, u.ID, now); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, declinePendingFrom, RequestDeclined, now, u.ID, userID)
		return err
	})
	if err != nil {
		return User{}, err
	}
	s.changed(userID)
	s.changed(u.ID)
	return u.Public(), nil
}

// Unblock lifts userID's block of other (not blocked is fine). Errors:
// not_found (no such user).
func (s *Service) Unblock(ctx context.Context, userID, other string) error {
	u, err := s.findUser(ctx, other)
	if err != nil {
		return err
	}
	if _, err = s.db.Exec(ctx, deleteBlock, userID, u.ID); err != nil {
		return err
	}
	s.changed(userID)
	s.changed(u.ID)
	return nil
}

// Blocks lists the users userID has blocked, most recent first.
func (s *Service) Blocks(ctx context.Context, userID string) ([]User, error) {
	out, err := queryUsers(ctx, s.db, selectBlocks, userID, MaxBlocks)
	for i := range out {
		out[i] = out[i].Public()
	}
	return out, err
}

// BlockRelations lists the users userID has blocked or been blocked by
// (chat leaves them out of each other's presence).
func (s *Service) BlockRelations(ctx context.Context, userID string) ([]string, error) {
	rows, err := s.db.Query(ctx, selectBlockRelations, userID, userID)
	if err != nil {
		return nil, err
	}
	return sqldb.ScanAll(rows, func(rows *sql.Rows) (string, error) {
		var id string
		err := rows.Scan(&id)
		return id, err
	})
}

// exportBlocks writes the users userID blocked (account/blocks).
func (s *Service) exportBlocks(ctx context.Context, userID string, w *export.Writer) error {
	blocked, err := s.Blocks(ctx, userID)
	if err != nil {
		return err
	}
	a, err := w.Array("account/blocks")
	if err != nil {
		return err
	}
	for _, u := range blocked {
		if err := a.Add(u); err != nil {
			return err
		}
	}
	return a.Close()
}

// checkMayAsk refuses a contact request between users either of whom
// blocked the other: the blocked one gets a neutral refusal that does not
// say they were blocked. Errors: forbidden.
func (s *Service) checkMayAsk(ctx context.Context, from string, to User) error {
	if b, err := s.Blocked(ctx, to.ID, from); err != nil || b {
		if err == nil {
			err = errs.E(errs.Forbidden, "You cannot add %s as a contact.", to.Username)
		}
		return err
	}
	if b, err := s.Blocked(ctx, from, to.ID); err != nil || b {
		if err == nil {
			err = errs.E(errs.Forbidden, "You have blocked %s; unblock them first.", to.Username)
		}
		return err
	}
	return nil
}

// The blocks' statements.
const (
	insertBlock          = `INSERT INTO blocks (user_id, blocked_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`
	deleteBlock          = `DELETE FROM blocks WHERE user_id = ? AND blocked_id = ?`
	deleteUserBlocks     = `DELETE FROM blocks WHERE user_id = ? OR blocked_id = ?`
	selectBlockRelations = `SELECT blocked_id FROM blocks WHERE user_id = ? UNION SELECT user_id FROM blocks WHERE blocked_id = ?`
	countBlocks          = `SELECT COUNT(*) FROM blocks WHERE user_id = ?`
	declinePendingFrom   = `UPDATE contact_requests SET status = ?, updated_at = ? WHERE from_user = ? AND to_user = ? AND status = 'pending'`
	selectBlocks         = `SELECT ` + userColumns + ` FROM blocks b JOIN users u ON u.id = b.blocked_id
		WHERE b.user_id = ? AND u.deleted_at IS NULL ORDER BY b.created_at DESC LIMIT ?`
)
