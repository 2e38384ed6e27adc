package idempotency_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/idempotency"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// effects is the table a test Work changes: one row per run that counted.
var effects = sqldb.Migrations{Component: "idemtest", FS: fstest.MapFS{
	"migrations/sqlite/00001_effects.sql":   {Data: []byte("-- +goose Up\nCREATE TABLE effects (id TEXT PRIMARY KEY);\n")},
	"migrations/postgres/00001_effects.sql": {Data: []byte("-- +goose Up\nCREATE TABLE effects (id TEXT PRIMARY KEY);\n")},
}}

func run(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	dbtest.Run(t, []sqldb.Migrations{idempotency.Migrations, effects}, fn)
}

// change is what a test request does inside the transaction; it returns
// the status and body to answer with.
type change func(tx *sqldb.Tx) (status int, body []byte, err error)

// answer runs a request the way pay's money jobs do: in one transaction,
// Lookup the key's stored answer, or else make the change and Save its
// answer beside it; a transaction that loses the key's race to another
// (a unique violation) runs once more and replays the winner's answer.
func answer(ctx context.Context, db *sqldb.DB, owner, key, hash string, w change) (idempotency.Response, error) {
	for attempt := 0; ; attempt++ {
		var resp idempotency.Response
		err := db.Tx(ctx, func(tx *sqldb.Tx) error {
			stored, found, err := idempotency.Lookup(ctx, tx, owner, key, hash)
			if err != nil || found {
				resp = stored
				return err
			}
			status, body, err := w(tx)
			if err != nil {
				return err
			}
			if err := idempotency.Save(ctx, tx, owner, key, hash, status, body); err != nil {
				return err
			}
			if body == nil {
				body = []byte{}
			}
			resp = idempotency.Response{Status: status, Body: body}
			return nil
		})
		if err != nil && sqldb.IsUniqueViolation(err) && attempt == 0 {
			continue
		}
		return resp, err
	}
}

// insertWork inserts one effect row and answers 201 with its id; runs
// counts its calls.
func insertWork(runs *atomic.Int32) change {
	return func(tx *sqldb.Tx) (int, []byte, error) {
		runs.Add(1)
		id := ids.New("eff")
		if _, err := tx.Exec(context.Background(), `INSERT INTO effects (id) VALUES (?)`, id); err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, []byte(`{"id":"` + id + `"}`), nil
	}
}

func countEffects(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM effects`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLookupSave(t *testing.T) {
	run(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		hash := idempotency.Hash([]byte("POST"), []byte("/api/v1/transfers"), []byte(`{"amount":5}`))
		var runs atomic.Int32
		work := insertWork(&runs)

		first, err := answer(ctx, db, "usr_a", "key-1", hash, work)
		t.Run("first_call_runs_the_work", func(t *testing.T) {
			if err != nil {
				t.Fatal(err)
			}
			if first.Status != http.StatusCreated || first.Replayed || !bytes.HasPrefix(first.Body, []byte(`{"id":"eff_`)) {
				t.Fatalf("first answer %d %s replayed=%v, want a new 201", first.Status, first.Body, first.Replayed)
			}
			if runs.Load() != 1 || countEffects(t, db) != 1 {
				t.Fatalf("runs %d, effects %d; want 1 and 1", runs.Load(), countEffects(t, db))
			}
		})

		t.Run("same_key_and_hash_replays_without_running", func(t *testing.T) {
			again, err := answer(ctx, db, "usr_a", "key-1", hash, work)
			if err != nil {
				t.Fatal(err)
			}
			if again.Status != first.Status || !bytes.Equal(again.Body, first.Body) || !again.Replayed {
				t.Fatalf("retry answered %d %s replayed=%v, want the stored %d %s replayed", again.Status, again.Body, again.Replayed, first.Status, first.Body)
			}
			if runs.Load() != 1 || countEffects(t, db) != 1 {
				t.Fatalf("runs %d, effects %d after the retry; want 1 and 1", runs.Load(), countEffects(t, db))
			}
		})

		t.Run("same_key_other_hash_is_idempotency_mismatch", func(t *testing.T) {
			other := idempotency.Hash([]byte("POST"), []byte("/api/v1/transfers"), []byte(`{"amount":500}`))
			_, err := answer(ctx, db, "usr_a", "key-1", other, work)
			if errs.CodeOf(err) != errs.IdempotencyMismatch {
				t.Fatalf("err = %v, want idempotency_mismatch", err)
			}
			if errs.Status(errs.CodeOf(err)) != http.StatusConflict {
				t.Fatalf("mismatch maps to %d, want 409", errs.Status(errs.CodeOf(err)))
			}
			if runs.Load() != 1 {
				t.Fatal("the work ran for a mismatched key")
			}
		})

		t.Run("same_key_other_owner_is_independent", func(t *testing.T) {
			resp, err := answer(ctx, db, "usr_b", "key-1", hash, work)
			if err != nil || resp.Replayed || bytes.Equal(resp.Body, first.Body) {
				t.Fatalf("usr_b got %s replayed=%v (%v), want a fresh answer", resp.Body, resp.Replayed, err)
			}
			if countEffects(t, db) != 2 {
				t.Fatalf("effects %d, want 2", countEffects(t, db))
			}
		})
	})
}

func TestRefusalStoresNothing(t *testing.T) {
	run(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		hash := idempotency.Hash([]byte("req"))
		var runs atomic.Int32
		insert := insertWork(&runs)
		refuse := func(tx *sqldb.Tx) (int, []byte, error) {
			if _, _, err := insert(tx); err != nil { // a change, then a refusal
				return 0, nil, err
			}
			return 0, nil, errs.E("insufficient_funds", "Top up first.")
		}

		_, err := answer(ctx, db, "usr_a", "key-err", hash, refuse)
		if errs.CodeOf(err) != "insufficient_funds" {
			t.Fatalf("err = %v, want the work's insufficient_funds", err)
		}
		if n := countEffects(t, db); n != 0 {
			t.Fatalf("the refused work's change was kept: %d effects", n)
		}
		resp, err := answer(ctx, db, "usr_a", "key-err", hash, insert)
		if err != nil || resp.Replayed || resp.Status != http.StatusCreated {
			t.Fatalf("retry after a refusal: %d replayed=%v (%v), want a fresh 201", resp.Status, resp.Replayed, err)
		}
		if runs.Load() != 2 || countEffects(t, db) != 1 {
			t.Fatalf("runs %d, effects %d; want the work run twice and kept once", runs.Load(), countEffects(t, db))
		}
	})
}

func TestEmptyBody(t *testing.T) {
	run(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		noContent := func(*sqldb.Tx) (int, []byte, error) { return http.StatusNoContent, nil, nil }
		for i, want := range []bool{false, true} {
			resp, err := answer(ctx, db, "usr_a", "key-204", idempotency.Hash([]byte("DELETE")), noContent)
			if err != nil {
				t.Fatalf("call %d: %v", i+1, err)
			}
			if resp.Status != http.StatusNoContent || len(resp.Body) != 0 || resp.Replayed != want {
				t.Fatalf("call %d: %d %q replayed=%v, want 204, no body, replayed=%v", i+1, resp.Status, resp.Body, resp.Replayed, want)
			}
		}
	})
}

func TestRace(t *testing.T) {
	run(t, func(t *testing.T, db *sqldb.DB) {
		const racers = 16
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		hash := idempotency.Hash([]byte("POST /pay"))
		var runs atomic.Int32
		work := insertWork(&runs)
		if db.Dialect == sqldb.Postgres {
			// Hold every racer inside the work until all are there, so all
			// 16 insert the key and 15 must lose on it, roll back and re-read.
			// (SQLite runs one write transaction at a time: no barrier.)
			work = barrier(t, racers, work)
		}

		start := make(chan struct{})
		answers := make([]idempotency.Response, racers)
		failures := make([]error, racers)
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() {
				<-start
				answers[i], failures[i] = answer(ctx, db, "usr_a", "key-race", hash, work)
			})
		}
		close(start)
		wg.Wait()

		fresh := 0
		for i := range racers {
			if failures[i] != nil {
				t.Fatalf("racer %d: %v", i, failures[i])
			}
			if answers[i].Status != http.StatusCreated || !bytes.Equal(answers[i].Body, answers[0].Body) {
				t.Fatalf("racer %d answered %d %s, racer 0 %d %s: want the same", i, answers[i].Status, answers[i].Body, answers[0].Status, answers[0].Body)
			}
			if !answers[i].Replayed {
				fresh++
			}
		}
		if fresh != 1 {
			t.Fatalf("%d racers got a fresh answer, want exactly 1", fresh)
		}
		if n := countEffects(t, db); n != 1 {
			t.Fatalf("%d effects after %d racers (the work ran %d times), want exactly 1", n, racers, runs.Load())
		}
		if db.Dialect == sqldb.Postgres && runs.Load() != racers {
			t.Fatalf("the work ran %d times, want all %d racers inside it at once", runs.Load(), racers)
		}
	})
}

// barrier makes each call of w wait (bounded) until n calls have begun.
func barrier(t *testing.T, n int32, w change) change {
	var arrived atomic.Int32
	all := make(chan struct{})
	return func(tx *sqldb.Tx) (int, []byte, error) {
		if arrived.Add(1) == n {
			close(all)
		}
		select {
		case <-all:
		case <-time.After(5 * time.Second):
			t.Errorf("only %d of %d racers reached the work within 5s", arrived.Load(), n)
		}
		return w(tx)
	}
}

func TestPrune(t *testing.T) {
	run(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		var runs atomic.Int32
		for _, key := range []string{"k1", "k2"} {
			if _, err := answer(ctx, db, "usr_a", key, "h", insertWork(&runs)); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := idempotency.Prune(ctx, db, time.Hour); err != nil || n != 0 {
			t.Fatalf("Prune(1h) removed %d (%v), want 0 fresh keys removed", n, err)
		}
		if n, err := idempotency.Prune(ctx, db, -time.Minute); err != nil || n != 2 {
			t.Fatalf("Prune(everything) removed %d (%v), want 2", n, err)
		}
		resp, err := answer(ctx, db, "usr_a", "k1", "h", insertWork(&runs))
		if err != nil || resp.Replayed {
			t.Fatalf("a pruned key replayed (%v): it must run afresh", err)
		}
	})
}

func TestKey(t *testing.T) {
	tests := []struct {
		name   string
		header string
		ok     bool
	}{
		{"ok", "order-2026-11-25-0001", true},
		{"ok_255_chars", strings.Repeat("k", 255), true},
		{"ok_with_space_and_punctuation", "pay #1 (retry)", true},
		{"missing", "", false},
		{"too_long_256_chars", strings.Repeat("k", 256), false},
		{"control_character", "key\x01", false},
		{"tab", "key\tone", false},
		{"delete_character", "key\x7f", false},
		{"non_ascii", "clé", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			if tt.header != "" {
				r.Header.Set(idempotency.Header, tt.header)
			}
			got, err := idempotency.Key(r)
			if tt.ok {
				if err != nil || got != tt.header {
					t.Fatalf("Key = %q, %v; want %q", got, err, tt.header)
				}
				return
			}
			var e *errs.Error
			if !errors.As(err, &e) || e.Code != errs.InvalidArgument {
				t.Fatalf("Key(%q) error = %v, want invalid_argument", tt.header, err)
			}
		})
	}
}

func TestHash(t *testing.T) {
	b := func(s ...string) [][]byte {
		out := make([][]byte, len(s))
		for i := range s {
			out[i] = []byte(s[i])
		}
		return out
	}
	tests := []struct {
		name string
		a, b [][]byte
	}{
		{"different_body", b("POST", "/pay", `{"amount":5}`), b("POST", "/pay", `{"amount":6}`)},
		{"different_method", b("POST", "/pay"), b("PUT", "/pay")},
		{"boundary_moved", b("ab", "c"), b("a", "bc")},
		{"order_swapped", b("a", "b"), b("b", "a")},
		{"empty_part_added", b("a"), b("a", "")},
		{"no_parts_vs_one_empty", b(), b("")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if idempotency.Hash(tt.a...) == idempotency.Hash(tt.b...) {
				t.Fatalf("Hash(%q) == Hash(%q)", tt.a, tt.b)
			}
		})
	}
	t.Run("same_parts_same_hash", func(t *testing.T) {
		h := idempotency.Hash(b("POST", "/pay", "{}")...)
		if h != idempotency.Hash(b("POST", "/pay", "{}")...) || len(h) != 64 {
			t.Fatalf("Hash is not a stable 64-hex-digit value: %q", h)
		}
	})
}
