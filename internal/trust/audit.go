package trust

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// The audit log is a Merkle tree (RFC 6962 hashing, as tlog computes it)
// over records, each the canonical JSON of one Record without its hashes.
// The records and the tree's stored hashes (tlog.StoredHashes: every
// complete subtree's hash, at tlog.StoredHashIndex) are in the database;
// appends are serialised (PostgreSQL: an advisory transaction lock;
// SQLite: its one writer), so there is one tree.

// Entry is an action to record. Details is encoded as JSON.
type Entry struct {
	Actor   string // the user id who acted, or "system"
	Action  string // "policy.created", "review.released", "admin.made", …
	Target  string // what it was done to, "policy:pol_…"
	Details any
}

// Record is an entry as logged: Hash is its leaf hash, PrevHash the
// previous record's (empty for the first).
type Record struct {
	Index    int64           `json:"index"`
	Time     time.Time       `json:"time"`
	Actor    string          `json:"actor"`
	Action   string          `json:"action"`
	Target   string          `json:"target"`
	Details  json.RawMessage `json:"details"`
	Hash     string          `json:"hash"`
	PrevHash string          `json:"prev_hash"`
}

// recordData is the bytes a record's leaf hash is computed from.
func recordData(index, timeMicro int64, actor, action, target string, details []byte) ([]byte, error) {
	return json.Marshal(struct {
		Index   int64           `json:"index"`
		Time    int64           `json:"time"`
		Actor   string          `json:"actor"`
		Action  string          `json:"action"`
		Target  string          `json:"target"`
		Details json.RawMessage `json:"details"`
	}{index, timeMicro, actor, action, target, details})
}

// Append logs e in tx (when tx is nil, in its own transaction), so that
// the record exists exactly when the action does, and returns its index.
func (s *Service) Append(ctx context.Context, tx *sqldb.Tx, e Entry) (int64, error) {
	if tx == nil {
		var n int64
		err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
			var err error
			n, err = s.Append(ctx, tx, e)
			return err
		})
		return n, err
	}
	details, err := json.Marshal(e.Details)
	if err != nil {
		return 0, fmt.Errorf("trust: encoding audit details: %w", err)
	}
	if e.Details == nil {
		details = []byte("{}")
	}
	if tx.Dialect() == sqldb.Postgres {
		if _, err := tx.Exec(ctx, lockAudit); err != nil {
			return 0, fmt.Errorf("trust: locking the audit log: %w", err)
		}
	}
	var n int64
	if err := tx.QueryRow(ctx, selectAuditLen).Scan(&n); err != nil {
		return 0, fmt.Errorf("trust: audit log size: %w", err)
	}
	at := sqldb.Micro(s.now())
	data, err := recordData(n, at, e.Actor, e.Action, e.Target, details)
	if err != nil {
		return 0, err
	}
	hashes, err := tlog.StoredHashes(n, data, hashReader(ctx, tx))
	if err != nil {
		return 0, fmt.Errorf("trust: audit hashes: %w", err)
	}
	if _, err := tx.Exec(ctx, insertEntry, n, at, e.Actor, e.Action, e.Target, string(details), hashes[0][:]); err != nil {
		return 0, fmt.Errorf("trust: appending to the audit log: %w", err)
	}
	first := tlog.StoredHashIndex(0, n)
	for i, h := range hashes {
		if _, err := tx.Exec(ctx, insertHash, first+int64(i), h[:]); err != nil {
			return 0, fmt.Errorf("trust: storing audit hashes: %w", err)
		}
	}
	return n, nil
}

// hashReader reads stored hashes through q.
func hashReader(ctx context.Context, q sqldb.Querier) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, idx := range indexes {
			var b []byte
			if err := q.QueryRow(ctx, selectHash, idx).Scan(&b); err != nil {
				return nil, fmt.Errorf("trust: stored hash %d: %w", idx, err)
			}
			if len(b) != tlog.HashSize {
				return nil, fmt.Errorf("trust: stored hash %d has %d bytes", idx, len(b))
			}
			copy(out[i][:], b)
		}
		return out, nil
	})
}

// Entries pages the log from index after+1 (after -1: the start).
func (s *Service) Entries(ctx context.Context, after int64, limit int) (items []Record, next string, err error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.db.Query(ctx, selectEntries, after, limit+1)
	if err != nil {
		return nil, "", err
	}
	items, err = sqldb.ScanAll(rows, scanRecord)
	if err != nil {
		return nil, "", err
	}
	if len(items) > limit {
		items = items[:limit]
		next = strconv.FormatInt(items[len(items)-1].Index, 10)
	}
	for i := range items {
		switch {
		case i > 0:
			items[i].PrevHash = items[i-1].Hash
		case items[i].Index > 0:
			var b []byte
			if err := s.db.QueryRow(ctx, selectEntryHash, items[i].Index-1).Scan(&b); err != nil {
				return nil, "", err
			}
			items[i].PrevHash = base64.StdEncoding.EncodeToString(b)
		}
	}
	return items, next, nil
}

func scanRecord(r *sql.Rows) (Record, error) {
	var (
		rec     Record
		at      int64
		details string
		hash    []byte
	)
	if err := r.Scan(&rec.Index, &at, &rec.Actor, &rec.Action, &rec.Target, &details, &hash); err != nil {
		return rec, err
	}
	rec.Time, rec.Details, rec.Hash = sqldb.FromMicro(at), json.RawMessage(details), base64.StdEncoding.EncodeToString(hash)
	return rec, nil
}

// Head is the log's current size and root hash.
func (s *Service) Head(ctx context.Context) (tlog.Tree, error) {
	var t tlog.Tree
	if err := s.db.QueryRow(ctx, selectAuditLen).Scan(&t.N); err != nil {
		return t, err
	}
	h, err := tlog.TreeHash(t.N, hashReader(ctx, s.db))
	t.Hash = h
	return t, err
}

// setKey makes the checkpoint signer and verifier of an Ed25519 key.
func (s *Service) setKey(key ed25519.PrivateKey) error {
	vkey, err := note.NewEd25519VerifierKey(s.origin, key.Public().(ed25519.PublicKey))
	if err != nil {
		return fmt.Errorf("trust: audit key: %w", err)
	}
	// A note signer key is the verifier key's name and key hash with the
	// algorithm byte (1, Ed25519) and the private seed, as note.GenerateKey
	// writes it; a name holds no '+'.
	parts := strings.Split(vkey, "+")
	skey := "PRIVATE+KEY+" + parts[0] + "+" + parts[1] + "+" + base64.StdEncoding.EncodeToString(append([]byte{1}, key.Seed()...))
	if s.signer, err = note.NewSigner(skey); err != nil {
		return fmt.Errorf("trust: audit key: %w", err)
	}
	if s.verifier, err = note.NewVerifier(vkey); err != nil {
		return fmt.Errorf("trust: audit key: %w", err)
	}
	s.vkey = vkey
	return nil
}

// VerifierKey is the note verifier key of the log's checkpoints.
// Errors: unavailable (no key configured).
func (s *Service) VerifierKey() (string, error) {
	if s.signer == nil {
		return "", errs.E(errs.Unavailable, "The audit log has no signing key configured.")
	}
	return s.vkey, nil
}

// Checkpoint is the current tree head as a signed note: the origin, the
// size and the base64 root hash on three lines, then the signature.
// Errors: unavailable (no key configured).
func (s *Service) Checkpoint(ctx context.Context) ([]byte, error) {
	if s.signer == nil {
		return nil, errs.E(errs.Unavailable, "The audit log has no signing key configured.")
	}
	t, err := s.Head(ctx)
	if err != nil {
		return nil, err
	}
	return note.Sign(&note.Note{Text: FormatCheckpoint(s.origin, t)}, s.signer)
}

// FormatCheckpoint is a checkpoint's text (C2SP tlog-checkpoint's body).
func FormatCheckpoint(origin string, t tlog.Tree) string {
	return fmt.Sprintf("%s\n%d\n%s\n", origin, t.N, base64.StdEncoding.EncodeToString(t.Hash[:]))
}

// ParseCheckpoint reads a checkpoint's text back. Errors are plain.
func ParseCheckpoint(text string) (origin string, t tlog.Tree, err error) {
	lines := strings.Split(text, "\n")
	if len(lines) < 4 || lines[3] != "" {
		return "", t, errors.New("a checkpoint is three lines: origin, size, root hash")
	}
	if t.N, err = strconv.ParseInt(lines[1], 10, 64); err != nil || t.N < 0 {
		return "", t, fmt.Errorf("bad tree size %q", lines[1])
	}
	h, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(h) != tlog.HashSize {
		return "", t, fmt.Errorf("bad root hash %q", lines[2])
	}
	copy(t.Hash[:], h)
	return lines[0], t, nil
}

// OpenCheckpoint checks a signed checkpoint against the verifier key vkey
// and parses it.
func OpenCheckpoint(msg []byte, vkey string) (tlog.Tree, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return tlog.Tree{}, fmt.Errorf("verifier key: %w", err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return tlog.Tree{}, err
	}
	origin, t, err := ParseCheckpoint(n.Text)
	if err == nil && origin != v.Name() {
		err = fmt.Errorf("checkpoint is of log %q, key of %q", origin, v.Name())
	}
	return t, err
}

// checkSize checks min ≤ n ≤ the log's size for a proof. Errors:
// invalid_argument naming field.
func (s *Service) checkSize(ctx context.Context, field string, n, min int64) error {
	var size int64
	if err := s.db.QueryRow(ctx, selectAuditLen).Scan(&size); err != nil {
		return err
	}
	if n < min || n > size {
		return errs.Field(field, "%s must be between %d and the log's size, %d.", field, min, size)
	}
	return nil
}

// InclusionProof proves that record index is in the tree of size size.
// Errors: invalid_argument.
func (s *Service) InclusionProof(ctx context.Context, index, size int64) (tlog.RecordProof, error) {
	if err := s.checkSize(ctx, "size", size, 1); err != nil {
		return nil, err
	}
	if index < 0 || index >= size {
		return nil, errs.Field("index", "index must be below size.")
	}
	return tlog.ProveRecord(size, index, hashReader(ctx, s.db))
}

// ConsistencyProof proves that the tree of size old is a prefix of the
// tree of size new. Errors: invalid_argument.
func (s *Service) ConsistencyProof(ctx context.Context, old, new int64) (tlog.TreeProof, error) {
	if err := s.checkSize(ctx, "new", new, 1); err != nil {
		return nil, err
	}
	if old < 1 || old > new {
		return nil, errs.Field("old", "old must be between 1 and new.")
	}
	return tlog.ProveTree(new, old, hashReader(ctx, s.db))
}

// Verification is what Verify found.
type Verification struct {
	OK      bool   `json:"ok"`
	Entries int64  `json:"entries"`
	Head    string `json:"head"` // the recomputed root hash, base64
	// FirstBad is the first record whose stored hashes disagree with its
	// contents (or that is missing), when not OK.
	FirstBad *int64 `json:"first_bad,omitempty"`
	Problem  string `json:"problem,omitempty"`
}

// Verify recomputes every stored hash from the records and compares:
// an edited, missing or reordered record, or an edited stored hash, makes
// it name the first bad index.
func (s *Service) Verify(ctx context.Context) (Verification, error) {
	stored := map[int64]tlog.Hash{}
	rows, err := s.db.Query(ctx, selectHashes)
	if err != nil {
		return Verification{}, err
	}
	if err := sqldb.Each(rows, func(r *sql.Rows) error {
		var (
			idx int64
			b   []byte
		)
		if err := r.Scan(&idx, &b); err != nil {
			return err
		}
		var h tlog.Hash
		copy(h[:], b)
		stored[idx] = h
		return nil
	}); err != nil {
		return Verification{}, err
	}
	rows, err = s.db.Query(ctx, selectAllEntries)
	if err != nil {
		return Verification{}, err
	}
	var computed []tlog.Hash // every stored hash as recomputed, by stored index
	reader := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, idx := range indexes {
			if idx >= int64(len(computed)) {
				return nil, fmt.Errorf("hash %d not computed", idx)
			}
			out[i] = computed[idx]
		}
		return out, nil
	})
	var v Verification
	bad := func(n int64, problem string) error {
		if v.FirstBad == nil {
			v.FirstBad, v.Problem = &n, problem
		}
		return nil
	}
	err = sqldb.Each(rows, func(r *sql.Rows) error {
		var (
			idx, at                        int64
			actor, action, target, details string
			leaf                           []byte
		)
		if err := r.Scan(&idx, &at, &actor, &action, &target, &details, &leaf); err != nil {
			return err
		}
		n := v.Entries
		v.Entries++
		if v.FirstBad != nil {
			return nil
		}
		if idx != n {
			return bad(n, fmt.Sprintf("record %d is missing", n))
		}
		data, err := recordData(idx, at, actor, action, target, []byte(details))
		if err != nil {
			return bad(n, fmt.Sprintf("record %d does not encode: %v", n, err))
		}
		hashes, err := tlog.StoredHashes(n, data, reader)
		if err != nil {
			return err
		}
		computed = append(computed, hashes...)
		if !bytes.Equal(leaf, hashes[0][:]) {
			return bad(n, fmt.Sprintf("record %d does not match its hash", n))
		}
		first := tlog.StoredHashIndex(0, n)
		for i, h := range hashes {
			if got, ok := stored[first+int64(i)]; !ok || got != h {
				return bad(n, fmt.Sprintf("the tree's hashes disagree with record %d", n))
			}
		}
		return nil
	})
	if err != nil {
		return Verification{}, err
	}
	if v.FirstBad == nil {
		if int64(len(stored)) != tlog.StoredHashCount(v.Entries) {
			n := v.Entries
			v.FirstBad, v.Problem = &n, "the tree holds hashes of records that are not in the log"
		} else {
			h, err := tlog.TreeHash(v.Entries, reader)
			if err != nil {
				return Verification{}, err
			}
			v.OK, v.Head = true, base64.StdEncoding.EncodeToString(h[:])
		}
	}
	return v, nil
}
