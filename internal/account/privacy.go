package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/export"
	"github.com/plaza-dev/plaza/internal/platform/outbox"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// SessionInfo describes one signed-in device, never its token.
type SessionInfo struct {
	ID        string    `json:"id"`
	UserAgent string    `json:"user_agent"`
	IP        string    `json:"ip"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// exportPage is how many rows an exporter reads at a time.
const exportPage = 500

// Export writes what the account component holds about userID
// (export.Exporter): account/profile, account/contacts,
// account/contact_requests, account/sessions (devices, never tokens) and
// account/blocks; contacts carry the remark and tags the user gave them.
// Errors: not_found.
func (s *Service) Export(ctx context.Context, userID string, w *export.Writer) error {
	u, err := s.User(ctx, userID)
	if err != nil {
		return err
	}
	if err := w.Object("account/profile", u); err != nil {
		return err
	}
	a, err := w.Array("account/contacts")
	if err != nil {
		return err
	}
	for cursor := ""; ; {
		page, next, err := s.ContactItems(ctx, userID, cursor, exportPage)
		if err != nil {
			return err
		}
		for _, c := range page {
			if err := a.Add(c); err != nil {
				return err
			}
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	if a, err = w.Array("account/contact_requests"); err != nil {
		return err
	}
	for cursor := ""; ; {
		page, next, err := s.ContactRequests(ctx, userID, cursor, exportPage)
		if err != nil {
			return err
		}
		for _, r := range page {
			if err := a.Add(r); err != nil {
				return err
			}
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	if err := s.exportSettings(ctx, userID, w); err != nil {
		return err
	}
	if a, err = w.Array("account/sessions"); err != nil {
		return err
	}
	rows, err := s.db.Query(ctx, selectUserSessions, userID)
	if err != nil {
		return err
	}
	sessions, err := sqldb.ScanAll(rows, scanSessionInfo) // a user's devices: a handful
	if err != nil {
		return err
	}
	for _, si := range sessions {
		if err := a.Add(si); err != nil {
			return err
		}
	}
	if err := a.Close(); err != nil {
		return err
	}
	return s.exportBlocks(ctx, userID, w)
}

// ErasureStep is one component's part of erasing an account: Run must be
// idempotent (an erasure resumed after a crash runs again the step it was
// in) and should commit its changes in one transaction.
type ErasureStep struct {
	Name string
	Run  func(ctx context.Context, userID string) error
}

// Erase erases a user's account after checking their password (a counted
// check: VerifyPassword). It refuses while Plaza holds money for them
// (balance_not_zero, 409: withdraw first), having changed nothing. Then,
// in one transaction, the profile is pseudonymised (username
// "deleted_<id>", display name "Deleted account", no password: the
// username is free for anyone to take again), sessions, contacts and
// requests are deleted, the erasure is recorded (account_erasures) and
// UserErasedSubject goes to the outbox; a crash before that commit leaves
// the account whole. Once committed, the other components' steps
// (ErasureHooks.ErasureSteps) run in order, after announcing the ended
// sessions (SessionsEndedSubject) so that sockets close: each step is
// idempotent and recorded when done, so a crash between or inside them
// is finished by ResumeErasures, on this node after a restart or on any
// other. The user id stays: the ledger's rows keep pointing at it, now a
// pseudonym. Errors: wrong_password, rate_limited, balance_not_zero,
// not_found.
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
			return errs.E(BalanceNotZero, "%s An account can be erased once Plaza holds no money for it.", held)
		}
	}
	now := s.now()
	erasedAt := sqldb.FromMicro(sqldb.Micro(now))
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{deleteUserSessions, []any{userID}},
			{deleteContacts, []any{userID, userID}},
			{deleteUserRequests, []any{userID, userID}},
			{deleteUserSettings, []any{userID}},
			{deleteAvatar, []any{userID}},
			{deleteUserBlocks, []any{userID, userID}},
			{eraseUser, []any{"deleted_" + userID, sqldb.Micro(erasedAt), userID}},
			{insertErasure, []any{userID, sqldb.Micro(now.Add(s.set.ErasureLease)), sqldb.Micro(now)}},
		} {
			res, err := tx.Exec(ctx, q.sql, q.args...)
			if err != nil {
				return err
			}
			if q.sql == eraseUser {
				if n, _ := res.RowsAffected(); n != 1 {
					return errs.E(errs.NotFound, "No such user.")
				}
			}
		}
		// The erasure and its event commit together (UserErasedSubject).
		if err := outbox.Add(ctx, tx, UserErasedSubject, UserErased{UserID: userID, ErasedAt: erasedAt}); err != nil {
			return err
		}
		s.pause("before_commit")
		return nil
	})
	if sqldb.IsUniqueViolation(err) {
		return errs.E(errs.NotFound, "No such user.") // erased already, by a request racing this one
	}
	if err != nil {
		return err
	}
	s.log.Info("account erased", "user_id", userID)
	s.changed(userID)
	s.pause("after_commit")
	// The account is gone whatever happens now: finish regardless of the
	// caller. A step that fails is retried by ResumeErasures.
	if err := s.runErasure(context.WithoutCancel(ctx), userID); err != nil {
		s.log.Error("erasure steps failed; they will be resumed", "user_id", userID, "err", err)
	}
	return nil
}

// steps are every step of an erasure after its own transaction: the
// sessions' announcement, the other components' steps, and a last look
// at the ledger. Steps are only ever appended (account_erasures.step
// counts those done).
func (s *Service) steps() []ErasureStep {
	steps := []ErasureStep{{Name: "sessions", Run: func(ctx context.Context, userID string) error {
		s.publishSessionsEnded(SessionsEnded{UserID: userID, Erased: true})
		return nil
	}}}
	if s.hooks == nil {
		return steps
	}
	steps = append(steps, s.hooks.ErasureSteps()...)
	return append(steps, ErasureStep{Name: "ledger", Run: func(ctx context.Context, userID string) error {
		if held, err := s.hooks.MoneyHeld(ctx, userID); err == nil && held != "" {
			s.log.Warn("money reached an account while it was erased; it stays in the ledger under the pseudonymised id",
				"user_id", userID, "held", held)
		}
		return nil
	}})
}

// runErasure runs the erasure's remaining steps, from the one recorded,
// holding its lease (taken by the caller), and marks it done.
func (s *Service) runErasure(ctx context.Context, userID string) error {
	var step int
	err := s.db.QueryRow(ctx, selectErasureStep, userID).Scan(&step)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // done already
	}
	if err != nil {
		return err
	}
	steps := s.steps()
	for i := step; i < len(steps); i++ {
		s.pause("step:" + steps[i].Name)
		if _, err := s.db.Exec(ctx, extendErasureLease, sqldb.Micro(s.now().Add(s.set.ErasureLease)), userID); err != nil {
			return err
		}
		if err := steps[i].Run(ctx, userID); err != nil {
			return fmt.Errorf("erasure step %s: %w", steps[i].Name, err)
		}
		if _, err := s.db.Exec(ctx, setErasureStep, i+1, userID); err != nil {
			return err
		}
	}
	_, err = s.db.Exec(ctx, finishErasure, sqldb.Micro(s.now()), userID)
	if err == nil {
		s.log.Info("erasure complete", "user_id", userID, "steps", len(steps)-step)
	}
	return err
}

// ResumeErasures finishes erasures that a node left unfinished (it died,
// or a step failed) once their lease has run out, and returns how many it
// finished. Every node runs it (Run); a claim is one conditional update,
// so each erasure is resumed by one node at a time.
func (s *Service) ResumeErasures(ctx context.Context) (int, error) {
	now := s.now()
	rows, err := s.db.Query(ctx, selectStaleErasures, sqldb.Micro(now), 50)
	if err != nil {
		return 0, err
	}
	stale, err := sqldb.ScanAll(rows, func(rows *sql.Rows) (string, error) {
		var id string
		return id, rows.Scan(&id)
	})
	if err != nil {
		return 0, err
	}
	done := 0
	for _, id := range stale {
		res, err := s.db.Exec(ctx, claimErasure, sqldb.Micro(now.Add(s.set.ErasureLease)), id, sqldb.Micro(now))
		if err != nil {
			return done, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			continue // another node took it
		}
		s.log.Info("resuming an unfinished erasure", "user_id", id)
		if err := s.runErasure(ctx, id); err != nil {
			s.log.Error("resuming an erasure", "user_id", id, "err", err)
			continue
		}
		done++
	}
	return done, nil
}

// ErasureDone reports whether userID's erasure has run every step (false
// also when there is none).
func (s *Service) ErasureDone(ctx context.Context, userID string) (bool, error) {
	var done sql.NullInt64
	err := s.db.QueryRow(ctx, selectErasureDone, userID).Scan(&done)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return done.Valid, err
}

// pause calls the test hook at a named point of an erasure.
func (s *Service) pause(point string) {
	if s.set.ErasurePause != nil {
		s.set.ErasurePause(point)
	}
}

// The erasure's statements (account_erasures).
const (
	insertErasure       = `INSERT INTO account_erasures (user_id, step, lease_until, created_at) VALUES (?, 0, ?, ?)`
	selectErasureStep   = `SELECT step FROM account_erasures WHERE user_id = ? AND done_at IS NULL`
	selectErasureDone   = `SELECT done_at FROM account_erasures WHERE user_id = ?`
	extendErasureLease  = `UPDATE account_erasures SET lease_until = ? WHERE user_id = ?`
	setErasureStep      = `UPDATE account_erasures SET step = ? WHERE user_id = ?`
	finishErasure       = `UPDATE account_erasures SET done_at = ? WHERE user_id = ? AND done_at IS NULL`
	selectStaleErasures = `SELECT user_id FROM account_erasures WHERE done_at IS NULL AND lease_until < ? ORDER BY created_at LIMIT ?`
	claimErasure        = `UPDATE account_erasures SET lease_until = ? WHERE user_id = ? AND done_at IS NULL AND lease_until < ?`
)
