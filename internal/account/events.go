package account

import (
	"encoding/json"
	"time"
)

// The account component's domain events. Both are published only after
// the change has committed.
const (
	// SessionsEndedSubject announces sessions that ended — logout, logout
	// everywhere, erasure — as SessionsEnded, so that every node closes
	// their sockets at once. It is a best-effort notification (published
	// after commit, not through the outbox): a socket also re-checks its
	// session on every ping tick, so a lost announcement only delays the
	// close.
	SessionsEndedSubject = "events.account.sessions_ended"
	// UserErasedSubject announces an erased account as UserErased. It is
	// written to the outbox in the erasure's own transaction, so that it
	// exists exactly when the erasure does (at least once: consumers must
	// be idempotent).
	UserErasedSubject = "events.account.user_erased"
	// AdminMadeSubject announces an administrator made (plaza admin
	// create-admin) as AdminMade, written to the outbox in the
	// transaction that makes them, for the audit log.
	AdminMadeSubject = "events.account.admin_made"
	// LoginLockedSubject announces, as LoginLocked, that an account's
	// username was locked after too many wrong passwords; written to the
	// outbox in the transaction that counts the failure which locks it,
	// for the audit log.
	LoginLockedSubject = "events.account.login_locked"
)

// SessionsEnded names the sessions that ended: one (SessionID), or every
// session of the user (SessionID ""; logout everywhere, erasure).
type SessionsEnded struct {
	UserID    string `json:"user_id"`
	SessionID string `json:"session_id,omitempty"`
	Erased    bool   `json:"erased,omitempty"`
}

// UserErased is an account that was erased: its user row stays,
// pseudonymised, under the same id.
type UserErased struct {
	UserID   string    `json:"user_id"`
	ErasedAt time.Time `json:"erased_at"`
}

// publishSessionsEnded announces ended sessions on SessionsEndedSubject;
// call it only after they were deleted and committed. A failure is logged:
// the sockets' ping-tick check closes them anyway.
func (s *Service) publishSessionsEnded(ev SessionsEnded) {
	s.sessions.forget(ev) // here at once; other nodes when they hear it
	if s.set.Bus == nil {
		return
	}
	data, err := json.Marshal(ev)
	if err == nil {
		err = s.set.Bus.Publish(SessionsEndedSubject, data)
	}
	if err != nil {
		s.log.Warn("announcing ended sessions", "user_id", ev.UserID, "session_id", ev.SessionID, "err", err)
	}
}

// AdminMade is an administrator made: a new account (Created), or an
// existing one made an administrator with a new password. It carries no
// password.
type AdminMade struct {
	UserID   string    `json:"user_id"`
	Username string    `json:"username"`
	Created  bool      `json:"created"`
	At       time.Time `json:"at"`
}

// LoginLocked is an account's username locked against sign-ins and
// password checks until LockedUntil. (Names no account has are throttled
// like known ones but not announced.)
type LoginLocked struct {
	Username    string    `json:"username"`
	UserID      string    `json:"user_id"`
	Failures    int       `json:"failures"`
	LockedUntil time.Time `json:"locked_until"`
	At          time.Time `json:"at"`
}
