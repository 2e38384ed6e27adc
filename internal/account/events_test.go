package account

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// recorder is a Publisher that keeps what it is given, and what the
// database held at that moment: whether the ended sessions were already
// gone (published after commit).
type recorder struct {
	mu     sync.Mutex
	events []SessionsEnded
	// live counts the ended sessions still in the database at publish.
	live []int
	db   *sqldb.DB
}

func (r *recorder) Publish(subject string, data []byte) error {
	if subject != SessionsEndedSubject {
		return nil
	}
	var ev SessionsEnded
	if err := json.Unmarshal(data, &ev); err != nil {
		return err
	}
	var n int
	q, arg := `SELECT COUNT(*) FROM sessions WHERE user_id = ?`, ev.UserID
	if ev.SessionID != "" {
		q, arg = `SELECT COUNT(*) FROM sessions WHERE id = ?`, ev.SessionID
	}
	if err := r.db.QueryRow(context.Background(), q, arg).Scan(&n); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
	r.live = append(r.live, n)
	return nil
}

func (r *recorder) take(t *testing.T) (SessionsEnded, int) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.events) != 1 {
		t.Fatalf("published %d session ends (%+v), want 1", len(r.events), r.events)
	}
	ev, live := r.events[0], r.live[0]
	r.events, r.live = nil, nil
	return ev, live
}

// Every way a session ends announces it on SessionsEndedSubject once the
// sessions are gone; erasure also writes UserErasedSubject to the outbox
// in its own transaction. A refused erasure announces and writes nothing.
func TestSessionEndsAndErasureArePublished(t *testing.T) {
	t.Parallel()
	runDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		rec := &recorder{db: db}
		clk := &clock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
		s := NewService(db, slog.New(slog.DiscardHandler), Settings{Password: fast, Now: clk.Now, Bus: rec})
		u, tok := signup(t, s, "gus")

		t.Run("logout", func(t *testing.T) {
			p, err := s.Authenticate(ctx, tok)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Logout(ctx, p.SessionID); err != nil {
				t.Fatal(err)
			}
			ev, live := rec.take(t)
			if ev != (SessionsEnded{SessionID: p.SessionID}) || live != 0 {
				t.Fatalf("published %+v with %d of its sessions still stored", ev, live)
			}
		})
		t.Run("logout_everywhere", func(t *testing.T) {
			for range 2 {
				if _, _, err := s.Login(ctx, "gus", "password1", ClientInfo{}); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.LogoutAll(ctx, u.ID); err != nil {
				t.Fatal(err)
			}
			ev, live := rec.take(t)
			if ev != (SessionsEnded{UserID: u.ID}) || live != 0 {
				t.Fatalf("published %+v with %d of its sessions still stored", ev, live)
			}
		})
		t.Run("refused_erasure", func(t *testing.T) {
			wantCode(t, s.Erase(ctx, u.ID, "wrong password"), WrongPassword)
			rec.mu.Lock()
			n := len(rec.events)
			rec.mu.Unlock()
			if n != 0 {
				t.Fatalf("a refused erasure published %d session ends", n)
			}
			if got := outboxRows(t, db); len(got) != 0 {
				t.Fatalf("a refused erasure wrote %v to the outbox", got)
			}
		})
		t.Run("erasure", func(t *testing.T) {
			if _, _, err := s.Login(ctx, "gus", "password1", ClientInfo{}); err != nil {
				t.Fatal(err)
			}
			if err := s.Erase(ctx, u.ID, "password1"); err != nil {
				t.Fatal(err)
			}
			ev, live := rec.take(t)
			if ev != (SessionsEnded{UserID: u.ID, Erased: true}) || live != 0 {
				t.Fatalf("published %+v with %d of its sessions still stored", ev, live)
			}
			rows := outboxRows(t, db)
			if len(rows) != 1 || rows[0].subject != UserErasedSubject {
				t.Fatalf("outbox holds %+v, want one %s", rows, UserErasedSubject)
			}
			var got map[string]any
			if err := json.Unmarshal(rows[0].payload, &got); err != nil {
				t.Fatal(err)
			}
			if got["user_id"] != u.ID || got["erased_at"] != clk.Now().Format(time.RFC3339) || len(got) != 2 {
				t.Fatalf("payload %s, want {user_id: %s, erased_at: %s}", rows[0].payload, u.ID, clk.Now().Format(time.RFC3339))
			}
			if _, err := s.User(ctx, u.ID); !errs.Is(err, errs.NotFound) {
				t.Fatalf("the user is still there after the erasure: %v", err)
			}
		})
	})
}

type outboxRow struct {
	subject string
	payload []byte
}

func outboxRows(t *testing.T, db *sqldb.DB) []outboxRow {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT subject, payload FROM outbox_events ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var out []outboxRow
	defer rows.Close()
	for rows.Next() {
		var r outboxRow
		if err := rows.Scan(&r.subject, &r.payload); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
