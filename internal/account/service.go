package account

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/outbox"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

func (s *Service) now() time.Time { return s.set.Now() }

// SessionTTL is how long a new session lasts (the cookie's max age).
func (s *Service) SessionTTL() time.Duration { return s.set.SessionTTL }

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Signup creates a user and opens their first session. Errors:
// invalid_argument (username, password, display_name or region at fault),
// conflict (the username is taken, in any letter case).
func (s *Service) Signup(ctx context.Context, in SignupInput, client ClientInfo) (User, string, error) {
	u, hash, err := s.prepareUser(in)
	if err != nil {
		return User{}, "", err
	}
	var token string
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		if err := insertNewUser(ctx, tx, u, hash); err != nil {
			return err
		}
		token, err = s.openSession(ctx, tx, u.ID, client)
		return err
	})
	if err != nil {
		return User{}, "", err
	}
	s.log.Info("signup", "user_id", u.ID, "username", u.Username, "region", u.Region)
	return u, token, nil
}

func (s *Service) prepareUser(in SignupInput) (User, string, error) {
	username, err := normalizeUsername(in.Username)
	if err != nil {
		return User{}, "", err
	}
	if err := validatePassword(in.Password); err != nil {
		return User{}, "", err
	}
	display, err := cleanDisplayName(in.DisplayName)
	if err != nil {
		return User{}, "", err
	}
	region, err := normalizeRegion(in.Region)
	if err != nil {
		return User{}, "", err
	}
	u := User{ID: ids.New("u"), Username: username, DisplayName: display, Region: region,
		CreatedAt: sqldb.FromMicro(sqldb.Micro(s.now()))}
	return u, hashPassword(in.Password, s.set.Password), nil
}

func insertNewUser(ctx context.Context, tx *sqldb.Tx, u User, hash string) error {
	admin := 0
	if u.Admin {
		admin = 1
	}
	_, err := tx.Exec(ctx, insertUser, u.ID, u.Username, u.DisplayName, u.Region, hash, admin, sqldb.Micro(u.CreatedAt))
	if sqldb.IsUniqueViolation(err) {
		return &errs.Error{Code: errs.Conflict, Field: "username", Message: fmt.Sprintf("The username %q is taken.", u.Username)}
	}
	return err
}

func (s *Service) openSession(ctx context.Context, tx *sqldb.Tx, userID string, c ClientInfo) (string, error) {
	token := ids.Token(32) // 256 bits
	now := s.now()
	ua := c.UserAgent
	if len(ua) > 256 {
		ua = ua[:256]
	}
	_, err := tx.Exec(ctx, insertSession, ids.New("ses"), hashToken(token), userID, ids.Token(24), ua, c.IP,
		sqldb.Micro(now), sqldb.Micro(now.Add(s.set.SessionTTL)))
	return token, err
}

// Login checks a username and password and opens a session. Errors:
// unauthenticated (wrong username or password, one message for both),
// rate_limited (LoginFailures wrong passwords for this username within
// LoginWindow, or as many checks of it in flight: see attempt).
func (s *Service) Login(ctx context.Context, username, password string, client ClientInfo) (User, string, error) {
	name, err := normalizeUsername(username)
	if err != nil {
		name = "" // still spend the hash's time below
	}
	var hash string
	u, err := scanUser(s.db.QueryRow(ctx, selectPasswordHash, name), &hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return User{}, "", err
	}
	found := err == nil && hash != ""
	if !found {
		hash = s.dummyHash
	}
	var ok bool
	if name == "" {
		ok, err = s.checkPassword(password, hash)
	} else {
		ok, err = s.attempt(ctx, name, u.ID, password, hash, found, "sign-ins")
	}
	if err != nil {
		return User{}, "", err
	}
	if !ok || !found {
		return User{}, "", errs.E(errs.Unauthenticated, "Wrong username or password.")
	}
	var token string
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		token, err = s.openSession(ctx, tx, u.ID, client)
		return err
	})
	if err != nil {
		return User{}, "", err
	}
	return u, token, nil
}

// attempt checks password against hash as one of the username's counted
// attempts: it first reserves a slot (reserveAttempt), so that at most
// LoginFailures checks of a username are ever evaluated per LoginWindow
// — in flight or failed, from sign-in or any other password check, on
// any number of nodes — and then records the outcome. The right password
// forgives earlier failures; the LoginFailures-th wrong one locks the
// username for LoginLockout. found false makes every outcome a failure
// (unknown usernames are throttled like known ones). userID is the
// account's id ("" when none has the name), for the lockout's event.
// Errors: rate_limited.
func (s *Service) attempt(ctx context.Context, name, userID, password, hash string, found bool, what string) (bool, error) {
	now := s.now()
	nowM, cutoff := sqldb.Micro(now), sqldb.Micro(now.Add(-s.set.LoginWindow))
	res, err := s.db.Exec(ctx, reserveAttempt, name, nowM,
		cutoff, nowM, cutoff, nowM, cutoff, nowM,
		nowM, cutoff, nowM, s.set.LoginFailures)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return false, err
		}
		return false, s.lockedError(ctx, name, what)
	}
	ok, err := s.checkPassword(password, hash)
	// The outcome is recorded even when the caller has gone away.
	ctx = context.WithoutCancel(ctx)
	if err != nil {
		_ = s.fail(ctx, name, userID)
		return false, err
	}
	if ok && found {
		_, err = s.db.Exec(ctx, passAttempt, name)
		return true, err
	}
	return false, s.fail(ctx, name, userID)
}

// fail turns the username's reserved slot into a failure; the failure
// that reaches LoginFailures locks the username, and when an account has
// it (userID), its transaction writes LoginLockedSubject to the outbox
// for the audit log. Slots are reserved below the limit only, so one
// failure per lock reaches it. A name no account has is locked too but
// only logged here: otherwise anyone could grow the permanent audit log
// by a record for every five guesses at made-up names.
func (s *Service) fail(ctx context.Context, name, userID string) error {
	return s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		now := s.now()
		until := sqldb.FromMicro(sqldb.Micro(now.Add(s.set.LoginLockout)))
		var failures int
		if err := tx.QueryRow(ctx, failAttempt, s.set.LoginFailures, sqldb.Micro(until), name).Scan(&failures); err != nil {
			return err
		}
		if failures != s.set.LoginFailures {
			return nil
		}
		s.log.Warn("password checks locked", "username", name, "failures", failures)
		if userID == "" {
			return nil
		}
		return outbox.Add(ctx, tx, LoginLockedSubject, LoginLocked{Username: name, UserID: userID, Failures: failures,
			LockedUntil: until, At: sqldb.FromMicro(sqldb.Micro(now))})
	})
}

// lockedError explains a refused attempt: a lock with its minutes left, or
// too many checks at once.
func (s *Service) lockedError(ctx context.Context, name, what string) error {
	var failures, pending int
	var windowStart, lockedUntil int64
	err := s.db.QueryRow(ctx, selectFailures, name).Scan(&failures, &pending, &windowStart, &lockedUntil)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if wait := sqldb.FromMicro(lockedUntil).Sub(s.now()); wait > 0 {
		return errs.E(errs.RateLimited, "Too many wrong passwords for this account; %s are locked for %d more minutes.",
			what, max(1, int(math.Ceil(wait.Minutes()))))
	}
	return errs.E(errs.RateLimited, "Too many password checks for this account at once; try again in a moment.")
}

// Authenticate resolves a session token (httpx.Authenticator). Errors:
// unauthenticated (unknown, forged, expired or revoked token).
func (s *Service) Authenticate(ctx context.Context, token string) (httpx.Principal, error) {
	if len(token) < 16 || len(token) > 128 {
		return httpx.Principal{}, errs.E(errs.Unauthenticated, "The session token is not valid; sign in again.")
	}
	key := hashToken(token)
	now := time.Now()
	e, gen, ok := s.sessions.get(key, now)
	if !ok {
		var sess httpx.Principal
		u, err := scanUser(s.db.QueryRow(ctx, selectSession, key), &sess.SessionID, &sess.CSRFToken, &e.expires, &e.seen)
		if errors.Is(err, sql.ErrNoRows) {
			return httpx.Principal{}, errs.E(errs.Unauthenticated, "The session token is not valid; sign in again.")
		}
		if err != nil {
			return httpx.Principal{}, err
		}
		sess.UserID, sess.Username, sess.Region, sess.Admin = u.ID, u.Username, u.Region, u.Admin
		e.p, e.at = sess, now
		s.sessions.put(key, e, gen)
	}
	if s.now().After(sqldb.FromMicro(e.expires)) {
		return httpx.Principal{}, errs.E(errs.Unauthenticated, "The session has expired; sign in again.")
	}
	if seen := s.touchSession(ctx, e.p.SessionID, e.seen); seen != e.seen {
		s.sessions.touched(key, seen)
	}
	return e.p, nil
}

// Logout ends one session and, once that is committed, announces it
// (SessionsEndedSubject).
func (s *Service) Logout(ctx context.Context, sessionID string) error {
	_, err := s.db.Exec(ctx, deleteSession, sessionID)
	if err == nil {
		s.publishSessionsEnded(SessionsEnded{SessionID: sessionID})
	}
	return err
}

// LogoutAll ends every session of a user, on every device, and, once that
// is committed, announces it (SessionsEndedSubject).
func (s *Service) LogoutAll(ctx context.Context, userID string) error {
	_, err := s.db.Exec(ctx, deleteUserSessions, userID)
	if err == nil {
		s.publishSessionsEnded(SessionsEnded{UserID: userID})
	}
	return err
}

// PruneSessions deletes expired sessions.
func (s *Service) PruneSessions(ctx context.Context) (int64, error) {
	res, err := s.db.Exec(ctx, deleteExpired, sqldb.Micro(s.now()))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// User returns a user by id (the caller's own view, with Admin). Errors:
// not_found.
func (s *Service) User(ctx context.Context, id string) (User, error) {
	return s.cachedUser(ctx, id, false)
}

// UserByUsername finds a user by username, in any letter case. Errors:
// not_found.
func (s *Service) UserByUsername(ctx context.Context, username string) (User, error) {
	name, err := normalizeUsername(username)
	if err != nil {
		return User{}, errs.E(errs.NotFound, "No user is called %q.", username)
	}
	u, err := s.cachedUser(ctx, name, true)
	if errs.Is(err, errs.NotFound) {
		return User{}, errs.E(errs.NotFound, "No user is called %q.", name)
	}
	return u.Public(), err
}

// UserFor is GET /users/{username}: the user as viewerID may see them —
// everything when it is the viewer, the region too when they are
// contacts, else the public view without the region. Errors: not_found.
func (s *Service) UserFor(ctx context.Context, viewerID, username string) (User, error) {
	name, err := normalizeUsername(username)
	if err != nil {
		return User{}, errs.E(errs.NotFound, "No user is called %q.", username)
	}
	u, err := s.cachedUser(ctx, name, true)
	if errs.Is(err, errs.NotFound) {
		return User{}, errs.E(errs.NotFound, "No user is called %q.", name)
	}
	if err != nil || u.ID == viewerID {
		return u, err
	}
	ok, err := areContacts(ctx, s.db, viewerID, u.ID)
	if err != nil {
		return User{}, err
	}
	if ok {
		return u.ContactView(), nil
	}
	return u.Public(), nil
}

// CreateAdmin makes an administrator, or makes an existing user one and
// sets their password, and writes AdminMadeSubject to the outbox in the
// same transaction. Errors: invalid_argument.
func (s *Service) CreateAdmin(ctx context.Context, username, password, region string) (User, error) {
	u, hash, err := s.prepareUser(SignupInput{Username: username, Password: password, DisplayName: username, Region: region})
	if err != nil {
		return User{}, err
	}
	u.Admin = true
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		ev := AdminMade{Username: u.Username, Created: true, At: sqldb.FromMicro(sqldb.Micro(s.now()))}
		existing, err := getUser(ctx, tx, selectUserByUsername, u.Username)
		switch {
		case errs.Is(err, errs.NotFound):
			err = insertNewUser(ctx, tx, u, hash)
		case err == nil:
			u = existing
			u.Admin, ev.Created = true, false
			_, err = tx.Exec(ctx, updateAdmin, hash, u.ID)
		}
		if err != nil {
			return err
		}
		ev.UserID = u.ID
		return outbox.Add(ctx, tx, AdminMadeSubject, ev)
	})
	if err == nil {
		s.changed(u.ID)
	}
	return u, err
}

// VerifyPassword checks a user's password, for confirming sensitive steps
// (setting the payment PIN, erasing the account). Every check counts
// toward the same lockout as signing in (attempt), so a stolen session
// cannot be used to guess the password. Errors: wrong_password (403),
// rate_limited (locked: too many wrong passwords lately), not_found.
func (s *Service) VerifyPassword(ctx context.Context, userID, password string) error {
	var name, hash string
	err := s.db.QueryRow(ctx, selectHashByID, userID).Scan(&name, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, "No such user.")
	}
	if err != nil {
		return err
	}
	found := hash != ""
	if !found {
		hash = s.dummyHash
	}
	ok, err := s.attempt(ctx, name, userID, password, hash, found, "sign-ins and password checks")
	if err != nil {
		return err
	}
	if !ok {
		return &errs.Error{Code: WrongPassword, Field: "password", Message: "Wrong password."}
	}
	return nil
}

// checkPassword is the one place a password is evaluated (counted for
// tests).
func (s *Service) checkPassword(password, hash string) (bool, error) {
	s.evaluations.Add(1)
	return checkPassword(password, hash)
}
