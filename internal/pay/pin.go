package pay

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"math"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/outbox"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// PIN lockout: MaxPINFailures wrong PINs in a row lock payments for
// PINLockout.
const (
	MaxPINFailures = 5
	PINLockout     = 15 * time.Minute
)

// pinHMAC is the stored form of a PIN: HMAC-SHA256 under the server's PIN
// key, bound to the user so that equal PINs do not look equal.
func (s *Service) pinHMAC(userID, pin string) string {
	m := hmac.New(sha256.New, s.pinKey)
	m.Write([]byte(userID))
	m.Write([]byte{0})
	m.Write([]byte(pin))
	return hex.EncodeToString(m.Sum(nil))
}

func validPIN(pin string) bool {
	if len(pin) != 6 {
		return false
	}
	for _, c := range pin {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// SetPIN sets or changes the payment PIN. The first PIN needs the
// account password. Changing a PIN that is set needs the old PIN (checked
// as a payment's is: a wrong one counts toward the PIN lockout, and none
// is accepted while it runs) or the account password (every password check
// counts toward the account's sign-in lockout); a change by password keeps
// a running PIN lockout. Errors: invalid_argument, forbidden (wrong
// password), wrong_pin, pin_locked.
func (s *Service) SetPIN(ctx context.Context, userID, pin, oldPIN, password string) error {
	if !validPIN(pin) {
		return errs.Field("pin", "A payment PIN is exactly 6 digits.")
	}
	var one int
	err := s.db.QueryRow(ctx, selectPINExists, userID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		if password == "" {
			return errs.Field("password", "Enter your account password to set a payment PIN.")
		}
		if err := s.accounts.VerifyPassword(ctx, userID, password); err != nil {
			return err
		}
		_, err := s.db.Exec(ctx, insertPIN, userID, s.pinHMAC(userID, pin), sqldb.Micro(s.now()))
		if sqldb.IsUniqueViolation(err) {
			return errs.E(errs.Conflict, "A payment PIN was set meanwhile; change it with the old PIN.")
		}
		return err
	}
	if err != nil {
		return err
	}
	switch {
	case oldPIN != "":
		var refusal error
		err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
			var err error
			if refusal, err = s.checkPIN(ctx, tx, userID, oldPIN, "pin_change"); err != nil || refusal != nil {
				return err // the attempt is recorded with the refusal
			}
			_, err = tx.Exec(ctx, changePIN, s.pinHMAC(userID, pin), sqldb.Micro(s.now()), userID)
			return err
		})
		if err != nil {
			return err
		}
		if refusal != nil && errs.Is(refusal, errs.InvalidArgument) {
			return errs.Field("old_pin", "Enter your current 6-digit payment PIN.")
		}
		return refusal
	case password != "":
		if err := s.accounts.VerifyPassword(ctx, userID, password); err != nil {
			return err
		}
		_, err := s.db.Exec(ctx, changePIN, s.pinHMAC(userID, pin), sqldb.Micro(s.now()), userID)
		return err
	}
	return errs.Field("old_pin", "Changing the payment PIN needs your current PIN (old_pin) or your account password.")
}

// checkPIN verifies a PIN inside a money transaction and records the
// attempt. Its refusal (wrong_pin, pin_locked, pin_not_set) is returned as
// refusal, not err, so that the caller commits the attempt's record (and,
// for the failure that locks the PIN, PINLockedSubject in the outbox).
func (s *Service) checkPIN(ctx context.Context, tx *sqldb.Tx, userID, pin, purpose string) (refusal, err error) {
	if !validPIN(pin) {
		return errs.Field("pin", "Enter your 6-digit payment PIN."), nil
	}
	now := s.now()
	var stored string
	var locked int64
	var failures int
	// The row is read locked (PostgreSQL: FOR UPDATE; SQLite has one
	// writer), so what it says stays true until this transaction ends.
	q := selectPINForPayment
	if tx.Dialect() == sqldb.Postgres {
		q += " FOR UPDATE"
	}
	err = tx.QueryRow(ctx, q, userID).Scan(&stored, &locked, &failures)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(PINNotSet, "Set up a payment PIN first (Wallet → Payment PIN)."), nil
	}
	if err != nil {
		return nil, err
	}
	lockedErr := func(until int64) error {
		wait := sqldb.FromMicro(until).Sub(now)
		return errs.E(PINLocked, "Too many wrong PINs: payments are locked for %d more minutes.", max(1, int(math.Ceil(wait.Minutes()))))
	}
	if sqldb.FromMicro(locked).After(now) {
		return lockedErr(locked), nil
	}
	ok := hmac.Equal([]byte(stored), []byte(s.pinHMAC(userID, pin)))
	// The verdict counts only if the PIN is (still) unlocked when this
	// transaction takes the row: the UPDATE decides, not the read above.
	var until int64
	if ok && failures == 0 {
		// Nothing to reset: the common case costs no statement more.
	} else if ok {
		err = tx.QueryRow(ctx, resetPINFailures, userID, sqldb.Micro(now)).Scan(&failures)
		if errors.Is(err, sql.ErrNoRows) {
			// No failures to reset, or locked since the read above: a
			// statement later, a lock committed meanwhile is visible.
			err = tx.QueryRow(ctx, selectPIN, userID).Scan(&stored, &locked)
			if err == nil && sqldb.FromMicro(locked).After(now) {
				return lockedErr(locked), nil
			}
		}
	} else {
		lockUntil := sqldb.Micro(now.Add(PINLockout))
		err = tx.QueryRow(ctx, countPINFailure, MaxPINFailures, MaxPINFailures, lockUntil, sqldb.Micro(now), userID, sqldb.Micro(now)).Scan(&failures, &until)
	}
	if errors.Is(err, sql.ErrNoRows) {
		// Locked meanwhile by parallel guesses: not evaluated.
		var l int64
		if err := tx.QueryRow(ctx, selectPIN, userID).Scan(&stored, &l); err != nil {
			return nil, err
		}
		return lockedErr(l), nil
	}
	if err != nil {
		return nil, err
	}
	if err := recordPINAttempt(ctx, tx, userID, ok, purpose, now); err != nil {
		return nil, err
	}
	if ok {
		return nil, nil
	}
	if until > 0 {
		if err := outbox.Add(ctx, tx, PINLockedSubject, PINLockedEvent{UserID: userID, Purpose: purpose, Failures: MaxPINFailures,
			LockedUntil: sqldb.FromMicro(until), At: sqldb.FromMicro(sqldb.Micro(now))}); err != nil {
			return nil, err
		}
		return errs.E(PINLocked, "Wrong PIN. Payments are locked for %d minutes.", int(PINLockout.Minutes())), nil
	}
	return errs.E(WrongPIN, "Wrong PIN; %d tries left before payments lock.", MaxPINFailures-failures), nil
}

// recordPINAttempt keeps a PIN check's verdict (pin_attempts), with the
// transaction that made it.
func recordPINAttempt(ctx context.Context, tx *sqldb.Tx, userID string, ok bool, purpose string, now time.Time) error {
	okInt := 0
	if ok {
		okInt = 1
	}
	return tx.Later(ctx, insertPINAttempt, ids.New("pa"), userID, okInt, purpose, sqldb.Micro(now))
}
