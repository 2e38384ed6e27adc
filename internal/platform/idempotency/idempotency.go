// Package idempotency stores the first answer to each money-moving request
// under its Idempotency-Key, so that a retry returns that answer and a reuse
// of the key with other parameters is refused (409 idempotency_mismatch).
//
// The record is written in the same transaction as the change it answers
// for: either both exist or neither does. Two requests racing with one key
// both run; the second's insert of the record fails on the primary key, its
// transaction (and so its change) rolls back, and it returns the first's
// answer — on any number of nodes, since the database decides: on
// PostgreSQL the second insert waits for the first transaction and fails
// only once it has committed. A caller runs Lookup and Save in the
// transaction of its change (pay's group commit) and runs that transaction
// again on the unique violation, and so replays too. Refusals (4xx) are not
// stored: they changed nothing, so a retry simply runs again.
package idempotency

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"net/http"
	"time"
	"unicode"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrations is the idempotency table's schema.
var Migrations = sqldb.Migrations{Component: "idempotency", FS: migrations}

// Header is the request header that carries the key.
const Header = "Idempotency-Key"

// Response is a stored answer.
type Response struct {
	Status int
	Body   []byte
	// Replayed is true when the answer is a stored one, not a new one.
	Replayed bool
}

const (
	selectKey = `SELECT request_hash, status, body FROM idempotency_keys WHERE owner = ? AND key = ?`
	insertKey = `INSERT INTO idempotency_keys (owner, key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)`
	deleteOld = `DELETE FROM idempotency_keys WHERE created_at < ?`
)

// Key reads and checks the Idempotency-Key header: required, 1–255
// printable ASCII characters.
func Key(r *http.Request) (string, error) {
	k := r.Header.Get(Header)
	if k == "" {
		return "", errs.E(errs.InvalidArgument, "The Idempotency-Key header is required for this request.")
	}
	if len(k) > 255 {
		return "", errs.E(errs.InvalidArgument, "The Idempotency-Key header is longer than 255 characters.")
	}
	for _, c := range k {
		if c > unicode.MaxASCII || !unicode.IsPrint(c) {
			return "", errs.E(errs.InvalidArgument, "The Idempotency-Key header must be printable ASCII.")
		}
	}
	return k, nil
}

// Hash fingerprints a request's parameters (method, path, canonical body).
func Hash(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		var n [8]byte
		for i := range n {
			n[i] = byte(len(p) >> (8 * i))
		}
		h.Write(n[:])
		h.Write(p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Prune deletes records older than age; keys are kept for at least a day.
func Prune(ctx context.Context, db *sqldb.DB, age time.Duration) (int64, error) {
	res, err := db.Exec(ctx, deleteOld, sqldb.Micro(time.Now().Add(-age)))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Lookup finds the stored answer of (owner, key) inside tx, the
// transaction of the change it answers for. found is false when the key is
// new. Errors: idempotency_mismatch.
func Lookup(ctx context.Context, tx *sqldb.Tx, owner, key, hash string) (Response, bool, error) {
	var stored string
	var r Response
	err := tx.QueryRow(ctx, selectKey, owner, key).Scan(&stored, &r.Status, &r.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return Response{}, false, nil
	}
	if err != nil {
		return Response{}, false, err
	}
	if stored != hash {
		return Response{}, false, errs.E(errs.IdempotencyMismatch,
			"This Idempotency-Key was already used for a different request; use a new key for new parameters.")
	}
	r.Replayed = true
	return r, true, nil
}

// Save stores the answer of (owner, key) inside tx, beside the change it
// answers for. A nil body (a 204) is stored empty.
func Save(ctx context.Context, tx *sqldb.Tx, owner, key, hash string, status int, body []byte) error {
	if body == nil {
		body = []byte{}
	}
	// Nothing in tx reads the answer back (a retry of the key comes in
	// another transaction, or collides on the key at the commit).
	return tx.Later(ctx, insertKey, owner, key, hash, status, body, sqldb.Micro(time.Now()))
}
