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
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// PIN lockout: MaxPINFailures wrong PINs in a row lock payments for
// PINLockout.
const (
	MaxPINFailures = 5
	PINLockout     = 15 * time.Minute
)

const (
	upsertPIN = `INSERT INTO wallet_pins (user_id, pin_hmac, failures, locked_until, updated_at) VALUES (?, ?, 0, 0, ?)
		ON CONFLICT (user_id) DO UPDATE SET pin_hmac = excluded.pin_hmac, failures = 0, locked_until = 0, updated_at = excluded.updated_at`
	selectPIN     = `SELECT pin_hmac, failures, locked_until FROM wallet_pins WHERE user_id = ?`
	updatePIN     = `UPDATE wallet_pins SET failures = ?, locked_until = ?, updated_at = ? WHERE user_id = ?`
	insertAttempt = `INSERT INTO pin_attempts (id, user_id, ok, purpose, created_at) VALUES (?, ?, ?, ?, ?)`
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

// SetPIN sets the payment PIN after checking the account password. Errors:
// invalid_argument, forbidden (wrong password).
func (s *Service) SetPIN(ctx context.Context, userID, pin, password string) error {
	if !validPIN(pin) {
		return errs.Field("pin", "A payment PIN is exactly 6 digits.")
	}
	if err := s.accounts.VerifyPassword(ctx, userID, password); err != nil {
		return err
	}
	_, err := s.db.Exec(ctx, upsertPIN, userID, s.pinHMAC(userID, pin), sqldb.Micro(s.now()))
	return err
}

// checkPIN verifies a PIN inside a money transaction and records the
// attempt. Its refusal (wrong_pin, pin_locked, pin_not_set) is returned as
// refusal, not err, so that the caller commits the attempt's record.
func (s *Service) checkPIN(ctx context.Context, tx *sqldb.Tx, userID, pin, purpose string) (refusal, err error) {
	if !validPIN(pin) {
		return errs.Field("pin", "Enter your 6-digit payment PIN."), nil
	}
	now := s.now()
	var stored string
	var failures int
	var locked int64
	err = tx.QueryRow(ctx, selectPIN, userID).Scan(&stored, &failures, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(PINNotSet, "Set up a payment PIN first (Wallet → Payment PIN)."), nil
	}
	if err != nil {
		return nil, err
	}
	if wait := sqldb.FromMicro(locked).Sub(now); wait > 0 {
		return errs.E(PINLocked, "Too many wrong PINs: payments are locked for %d more minutes.", int(math.Ceil(wait.Minutes()))), nil
	}
	ok := hmac.Equal([]byte(stored), []byte(s.pinHMAC(userID, pin)))
	okInt := 0
	if ok {
		okInt = 1
	}
	if _, err := tx.Exec(ctx, insertAttempt, ids.New("pa"), userID, okInt, purpose, sqldb.Micro(now)); err != nil {
		return nil, err
	}
	if ok {
		if failures > 0 {
			_, err = tx.Exec(ctx, updatePIN, 0, 0, sqldb.Micro(now), userID)
		}
		return nil, err
	}
	failures++
	if failures >= MaxPINFailures {
		if _, err := tx.Exec(ctx, updatePIN, 0, sqldb.Micro(now.Add(PINLockout)), sqldb.Micro(now), userID); err != nil {
			return nil, err
		}
		return errs.E(PINLocked, "Wrong PIN. Payments are locked for %d minutes.", int(PINLockout.Minutes())), nil
	}
	if _, err := tx.Exec(ctx, updatePIN, failures, 0, sqldb.Micro(now), userID); err != nil {
		return nil, err
	}
	return errs.E(WrongPIN, "Wrong PIN; %d tries left before payments lock.", MaxPINFailures-failures), nil
}
