package trust_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/trust"
)

func appendN(t *testing.T, s *trust.Service, n int) []tlog.Tree {
	t.Helper()
	ctx := context.Background()
	var heads []tlog.Tree
	for i := range n {
		idx, err := s.Append(ctx, nil, trust.Entry{Actor: "usr_admin", Action: "test.action", Target: fmt.Sprintf("thing:%d", i),
			Details: map[string]any{"i": i, "note": "<&> quoted \"text\""}})
		if err != nil {
			t.Fatal(err)
		}
		head, err := s.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if head.N != idx+1 {
			t.Fatalf("append %d gave index %d, head %d", i, idx, head.N)
		}
		heads = append(heads, head)
	}
	return heads
}

func leafHash(t *testing.T, r trust.Record) tlog.Hash {
	t.Helper()
	hs, err := trust.DecodeHashes([]string{r.Hash})
	if err != nil {
		t.Fatal(err)
	}
	return hs[0]
}

func TestAuditProofsVerify(t *testing.T) {
	t.Parallel()
	runBoth(t, func(t *testing.T, db *sqldb.DB) {
		s := newService(t, db, trust.Config{})
		ctx := context.Background()
		const n = 37
		heads := appendN(t, s, n)
		head := heads[n-1]
		recs, _, err := s.Entries(ctx, -1, 1000)
		if err != nil || len(recs) != n {
			t.Fatalf("entries: %d, %v", len(recs), err)
		}
		for i, r := range recs {
			if r.Index != int64(i) || (i > 0 && r.PrevHash != recs[i-1].Hash) || (i == 0 && r.PrevHash != "") {
				t.Fatalf("record %d: %+v", i, r)
			}
			for _, size := range []int64{int64(i) + 1, n} {
				p, err := s.InclusionProof(ctx, int64(i), size)
				if err != nil {
					t.Fatal(err)
				}
				if err := tlog.CheckRecord(p, size, heads[size-1].Hash, int64(i), leafHash(t, r)); err != nil {
					t.Fatalf("record %d in tree %d: %v", i, size, err)
				}
			}
			p, _ := s.InclusionProof(ctx, int64(i), n)
			if err := tlog.CheckRecord(p, n, head.Hash, int64(i), tlog.RecordHash([]byte("forged"))); err == nil {
				t.Fatalf("a forged record %d passes", i)
			}
		}
		for old := int64(1); old <= n; old++ {
			p, err := s.ConsistencyProof(ctx, old, n)
			if err != nil {
				t.Fatal(err)
			}
			if err := tlog.CheckTree(p, n, head.Hash, old, heads[old-1].Hash); err != nil {
				t.Fatalf("tree %d in %d: %v", old, n, err)
			}
		}
		// Paging: after= goes on from a cursor.
		page, next, err := s.Entries(ctx, -1, 10)
		if err != nil || len(page) != 10 || next != "9" {
			t.Fatalf("page: %d %q %v", len(page), next, err)
		}
		page, _, _ = s.Entries(ctx, 9, 10)
		if page[0].Index != 10 || page[0].PrevHash != recs[9].Hash {
			t.Fatalf("second page starts %+v", page[0])
		}
		for _, bad := range [][2]int64{{0, 0}, {n, n}, {0, n + 1}, {-1, 3}} {
			if _, err := s.InclusionProof(ctx, bad[0], bad[1]); err == nil {
				t.Errorf("inclusion %v: no error", bad)
			}
		}
		for _, bad := range [][2]int64{{0, 3}, {4, 3}, {1, n + 1}} {
			if _, err := s.ConsistencyProof(ctx, bad[0], bad[1]); err == nil {
				t.Errorf("consistency %v: no error", bad)
			}
		}
		v, err := s.Verify(ctx)
		if err != nil || !v.OK || v.Entries != n || v.Head != base64.StdEncoding.EncodeToString(head.Hash[:]) {
			t.Fatalf("verify %+v, %v", v, err)
		}
	})
}

func TestOldCheckpointStaysConsistentAfterAppends(t *testing.T) {
	t.Parallel()
	runBoth(t, func(t *testing.T, db *sqldb.DB) {
		s := newService(t, db, trust.Config{})
		ctx := context.Background()
		appendN(t, s, 5)
		vkey, err := s.VerifierKey()
		if err != nil {
			t.Fatal(err)
		}
		saved, err := s.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		old, err := trust.OpenCheckpoint(saved, vkey)
		if err != nil || old.N != 5 {
			t.Fatalf("saved checkpoint %v: %v", old, err)
		}
		appendN(t, s, 12)
		live, err := s.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cur, err := trust.OpenCheckpoint(live, vkey)
		if err != nil || cur.N != 17 {
			t.Fatalf("live checkpoint %v: %v", cur, err)
		}
		p, err := s.ConsistencyProof(ctx, old.N, cur.N)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckTree(p, cur.N, cur.Hash, old.N, old.Hash); err != nil {
			t.Fatalf("old checkpoint inconsistent: %v", err)
		}
		// A checkpoint signed by another key is refused.
		other := newService(t, dbtest.SQLite(t, sets...), trust.Config{})
		otherKey, _ := other.VerifierKey()
		if _, err := trust.OpenCheckpoint(live, otherKey); err == nil {
			t.Fatal("a checkpoint opens with another log's key")
		}
	})
}

func TestVerifyNamesTheFirstBadIndex(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		sql   string
		args  []any
		first int64
	}{
		{"edited_details", `UPDATE trust_audit_entries SET details = '{"i":4,"note":"nothing happened"}' WHERE idx = ?`, []any{4}, 4},
		{"edited_actor", `UPDATE trust_audit_entries SET actor = 'usr_someone_else' WHERE idx = ?`, []any{6}, 6},
		{"deleted_record", `DELETE FROM trust_audit_entries WHERE idx = ?`, []any{3}, 3},
		{"edited_stored_hash", `UPDATE trust_audit_hashes SET hash = ? WHERE idx = ?`, []any{make([]byte, 32), tlog.StoredHashIndex(1, 2)}, 5},
		{"truncated_tail", `DELETE FROM trust_audit_entries WHERE idx = ?`, []any{9}, 9},
	}
	runBoth(t, func(t *testing.T, db *sqldb.DB) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var dbc *sqldb.DB
				if db.Dialect == sqldb.SQLite {
					dbc = dbtest.SQLite(t, sets...)
				} else {
					dbc = dbtest.Postgres(t, sets...)
				}
				s := newService(t, dbc, trust.Config{})
				ctx := context.Background()
				appendN(t, s, 10)
				if v, err := s.Verify(ctx); err != nil || !v.OK {
					t.Fatalf("before tampering: %+v, %v", v, err)
				}
				if _, err := dbc.Exec(ctx, c.sql, c.args...); err != nil {
					t.Fatal(err)
				}
				// An edit further on does not hide the first.
				if c.first < 8 {
					if _, err := dbc.Exec(ctx, `UPDATE trust_audit_entries SET target = 'x' WHERE idx = 8`); err != nil {
						t.Fatal(err)
					}
				}
				v, err := s.Verify(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if v.OK || v.FirstBad == nil || *v.FirstBad != c.first || v.Problem == "" {
					t.Fatalf("verify %+v, want first bad %d", v, c.first)
				}
			})
		}
	})
}

// Two services on one PostgreSQL appending at once build one tree.
func TestConcurrentAppendsMakeOneTree(t *testing.T) {
	t.Parallel()
	url := dbtest.PostgresURL(t)
	ctx := context.Background()
	var svcs []*trust.Service
	key := testKey(t)
	for range 2 {
		db, err := sqldb.Open(ctx, url, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.Migrate(ctx, quiet, sets...); err != nil {
			t.Fatal(err)
		}
		svcs = append(svcs, newService(t, db, trust.Config{AuditKey: key, AuditOrigin: "plaza.test/audit"}))
	}
	const perWorker, workers = 20, 4
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seen = map[int64]bool{}
	)
	for w := range workers {
		s := svcs[w%2]
		wg.Go(func() {
			for i := range perWorker {
				idx, err := s.Append(ctx, nil, trust.Entry{Actor: fmt.Sprintf("worker%d", w), Action: "test.concurrent", Target: fmt.Sprint(i)})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if seen[idx] {
					t.Errorf("index %d given twice", idx)
				}
				seen[idx] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	const total = perWorker * workers
	if len(seen) != total {
		t.Fatalf("%d indexes for %d appends", len(seen), total)
	}
	for _, s := range svcs {
		v, err := s.Verify(ctx)
		if err != nil || !v.OK || v.Entries != total {
			t.Fatalf("verify %+v, %v", v, err)
		}
	}
	a, _ := svcs[0].Checkpoint(ctx)
	b, _ := svcs[1].Checkpoint(ctx)
	if string(a) != string(b) {
		t.Fatalf("two heads:\n%s\n%s", a, b)
	}
}
