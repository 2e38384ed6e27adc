package account

import (
	"context"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/outbox"
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
	if ex.Sessions, err = sqldb.ScanAll(rows, scanSessionInfo); err != nil {
		return ex, err
	}
	if ex.Contacts == nil {
		ex.Contacts = []User{}
	}
	if ex.ContactRequests == nil {
		ex.ContactRequests = []ContactRequest{}
	}
	return ex, nil
}

// Erase deletes a user's account after checking their password (a counted
// check: VerifyPassword). It refuses while Plaza holds money for them
// (balance_not_empty, 422: withdraw first); it takes them out of their
// groups; then sessions, contacts and requests go, and the user row stays,
// pseudonymised (username "deleted_<id>", no password, no name), so that
// records other components must keep (payments) still point at something,
// and UserErasedSubject goes to the outbox in the same transaction; once
// committed, the user's sessions are announced ended (SessionsEndedSubject);
// last, their merchants close (no new orders or payments; refunds of past
// orders still work), and they leave any group a contact added them to
// meanwhile. Errors: wrong_password, rate_limited,
// balance_not_empty, not_found.
func (s *Service) Erase(ctx context.Context, userID, password string) error {
	if err := s.VerifyPassword(ctx, userID, password); err != nil {
		return err
	}
	if s.hooks != nil {
		held, err := s.hooks.MoneyHeld(ctx, userID)
		if err != nil {
			return err
		}
		if held != "" {
			return errs.E(BalanceNotEmpty, "%s An account can be erased once Plaza holds no money for it.", held)
		}
		if err := s.hooks.LeaveGroups(ctx, userID); err != nil {
			return err
		}
	}
	erasedAt := sqldb.FromMicro(sqldb.Micro(s.now()))
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{deleteUserSessions, []any{userID}},
			{deleteContacts, []any{userID, userID}},
			{deleteUserRequests, []any{userID, userID}},
			{eraseUser, []any{"deleted_" + userID, sqldb.Micro(erasedAt), userID}},
		} {
			if _, err := tx.Exec(ctx, q.sql, q.args...); err != nil {
				return err
			}
		}
		// The erasure and its event commit together (UserErasedSubject).
		return outbox.Add(ctx, tx, UserErasedSubject, UserErased{UserID: userID, ErasedAt: erasedAt})
	})
	if err != nil {
		return err
	}
	s.publishSessionsEnded(SessionsEnded{UserID: userID, Erased: true})
	s.log.Info("account erased", "user_id", userID)
	if s.hooks != nil {
		// The account is gone whatever happens now: finish regardless of
		// the caller.
		ctx := context.WithoutCancel(ctx)
		// A contact may have added them to a group after they left theirs
		// and before the account was gone: leave again, now that no new
		// add can find them (one already past its lookup still could).
		if err := s.hooks.LeaveGroups(ctx, userID); err != nil {
			s.log.Error("taking an erased user out of groups joined during erasure", "user_id", userID, "err", err)
		}
		if err := s.hooks.DisableMerchants(ctx, userID); err != nil {
			s.log.Error("closing an erased user's merchants", "user_id", userID, "err", err)
		}
		if held, err := s.hooks.MoneyHeld(ctx, userID); err == nil && held != "" {
			s.log.Warn("money reached an account while it was erased; it stays in the ledger under the pseudonymised id",
				"user_id", userID, "held", held)
		}
	}
	return nil
}
