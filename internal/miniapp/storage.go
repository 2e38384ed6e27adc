package miniapp

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"regexp"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Bridge storage (plaza.setStorage and the rest): any JSON value per key,
// per user, per app.

var keyRe = regexp.MustCompile(`^[A-Za-z0-9_.\-:]{1,128}$`)

// GetItem reads a user's stored value in an app. Errors: not_found.
func (s *Service) GetItem(ctx context.Context, userID, appid, trial, key string) (json.RawMessage, error) {
	if _, err := s.runnable(ctx, userID, appid, trial); err != nil {
		return nil, err
	}
	var v string
	err := s.db.QueryRow(ctx, selectStorageItem, userID, appid, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "No stored value %q.", key)
	}
	return json.RawMessage(v), err
}

// SetItem stores any JSON value: 1 MiB a key, 10 MiB an app (keys and
// values). Errors:
// invalid_argument, payload_too_large, not_found.
func (s *Service) SetItem(ctx context.Context, userID, appid, trial, key string, value json.RawMessage) error {
	if !keyRe.MatchString(key) {
		return errs.Field("key", "A storage key has 1 to 128 of A-Z a-z 0-9 _ . - :.")
	}
	if len(value) == 0 || !json.Valid(value) {
		return errs.Field("value", "value must be JSON.")
	}
	if len(value) > MaxStorageValue {
		return errs.E(errs.PayloadTooLarge, "A stored value is at most 1 MiB.")
	}
	if _, err := s.runnable(ctx, userID, appid, trial); err != nil {
		return err
	}
	size := int64(len(key) + len(value)) // keys count too: many keys are no way past the quota
	return s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		if tx.Dialect() == sqldb.Postgres {
			// One writer of a user's storage in an app at a time, so that
			// writes of different keys cannot all pass the check at once
			// (SQLite's single writer gives every Tx this already).
			if _, err := tx.Exec(ctx, lockStorage, "miniapp_storage|"+userID+"|"+appid); err != nil {
				return err
			}
		}
		var used sql.NullInt64
		if err := tx.QueryRow(ctx, selectStorageUsedBesides, userID, appid, key).Scan(&used); err != nil {
			return err
		}
		if used.Int64+size > MaxStorageApp {
			return errs.E(errs.PayloadTooLarge, "This app's storage is full (10 MiB).")
		}
		_, err := tx.Exec(ctx, upsertStorageItem, userID, appid, key, string(value), size)
		return err
	})
}

// RemoveItem deletes a stored value (removing a missing one is fine).
// Errors: not_found (an app the user may not run).
func (s *Service) RemoveItem(ctx context.Context, userID, appid, trial, key string) error {
	if _, err := s.runnable(ctx, userID, appid, trial); err != nil {
		return err
	}
	_, err := s.db.Exec(ctx, deleteStorageItem, userID, appid, key)
	return err
}
