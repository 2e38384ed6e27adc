package account

import (
	"context"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Export is everything the account component holds about a user.
type Export struct {
	User            User             `json:"user"`
	Contacts        []User           `json:"contacts"`
	ContactRequests []ContactRequest `json:"contact_requests"`
	Sessions        []SessionInfo    `json:"sessions"`
}

// SessionInfo describes one signed-in device, never its token.
type SessionInfo struct {
	ID        string    `json:"id"`
	UserAgent string    `json:"user_agent"`
	IP        string    `json:"ip"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// ExportUser gathers a user's account data for GET /me/export.
func (s *Service) ExportUser(ctx context.Context, userID string) (Export, error) {
	var ex Export
	var err error
	if ex.User, err = s.User(ctx, userID); err != nil {
		return ex, err
	}
	if ex.Contacts, _, err = s.Contacts(ctx, userID, "", 1_000_000); err != nil {
		return ex, err
	}
	if ex.ContactRequests, _, err = s.ContactRequests(ctx, userID, "", 1_000_000); err != nil {
		return ex, err
	}
	rows, err := s.db.Query(ctx, selectUserSessions, userID)
	if err != nil {
		return ex, err
	}
	defer rows.Close()
	for rows.Next() {
		var si SessionInfo
		var created, expires int64
		if err := rows.Scan(&si.ID, &si.UserAgent, &si.IP, &created, &expires); err != nil {
			return ex, err
		}
		si.CreatedAt, si.ExpiresAt = sqldb.FromMicro(created), sqldb.FromMicro(expires)
		ex.Sessions = append(ex.Sessions, si)
	}
	if ex.Contacts == nil {
		ex.Contacts = []User{}
	}
	if ex.ContactRequests == nil {
		ex.ContactRequests = []ContactRequest{}
	}
	return ex, rows.Err()
}

// Erase deletes a user's account after checking their password: sessions,
// contacts and requests go; the user row stays, pseudonymised (username
// "deleted_<id>", no password, no name), so that records other components
// must keep (payments) still point at something. Errors: forbidden (wrong
// password), not_found.
func (s *Service) Erase(ctx context.Context, userID, password string) error {
	if err := s.VerifyPassword(ctx, userID, password); err != nil {
		return err
	}
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{deleteUserSessions, []any{userID}},
			{deleteContacts, []any{userID, userID}},
			{deleteUserRequests, []any{userID, userID}},
			{eraseUser, []any{"deleted_" + userID, sqldb.Micro(s.now()), userID}},
		} {
			if _, err := tx.Exec(ctx, q.sql, q.args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		s.log.Info("account erased", "user_id", userID)
		s.sessionsEnded(SessionsEnded{UserID: userID, Erased: true})
	}
	return err
}
