package account

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/export"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

type accountExport struct {
	Parts struct {
		Profile  User             `json:"account/profile"`
		Contacts []User           `json:"account/contacts"`
		Requests []ContactRequest `json:"account/contact_requests"`
		Sessions []SessionInfo    `json:"account/sessions"`
	} `json:"parts"`
	Manifest export.Manifest `json:"manifest"`
}

func exportJSON(t *testing.T, s *Service, u User) accountExport {
	t.Helper()
	var buf bytes.Buffer
	if _, err := export.Write(context.Background(), &buf, export.FormatJSON, u.ID, u.Username, time.Now(), s); err != nil {
		t.Fatal(err)
	}
	var ex accountExport
	if err := json.Unmarshal(buf.Bytes(), &ex); err != nil {
		t.Fatalf("%v\n%s", err, buf.Bytes())
	}
	return ex
}

// stepHooks records the steps an erasure runs; fail makes the named step
// fail once (a node that could not reach its database, or died there).
type stepHooks struct {
	mu   sync.Mutex
	ran  []string
	fail map[string]int
	held string
}

func (h *stepHooks) MoneyHeld(context.Context, string) (string, error) { return h.held, nil }
func (h *stepHooks) ErasureSteps() []ErasureStep {
	var out []ErasureStep
	for _, name := range []string{"chat", "miniapp", "merchant"} {
		out = append(out, ErasureStep{Name: name, Run: func(context.Context, string) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			if h.fail[name] > 0 {
				h.fail[name]--
				return errors.New("step failed")
			}
			h.ran = append(h.ran, name)
			return nil
		}})
	}
	return out
}

func (h *stepHooks) steps() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.ran...)
}

// An erasure runs every component's step once, in order; one that fails
// leaves the erasure unfinished (the account is erased all the same) and
// ResumeErasures, once the lease has run out, runs it and the rest, and
// nothing done before again.
func TestErasureStepsAreResumedAfterAFailure(t *testing.T) {
	t.Parallel()
	runDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s, c := newService(t, db)
		h := &stepHooks{fail: map[string]int{"miniapp": 1}}
		s.SetErasureHooks(h)
		u, tok := signup(t, s, "ivy")
		if err := s.Erase(ctx, u.ID, "password1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, tok); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("session after erasure: %v", err)
		}
		if got := h.steps(); len(got) != 1 || got[0] != "chat" {
			t.Fatalf("steps run: %v, want [chat] then a failure", got)
		}
		if done, _ := s.ErasureDone(ctx, u.ID); done {
			t.Fatal("an erasure with a failed step counts as done")
		}
		// Within the lease nobody takes it over.
		if n, err := s.ResumeErasures(ctx); err != nil || n != 0 {
			t.Fatalf("resumed within the lease: %d %v", n, err)
		}
		c.Add(31 * time.Second)
		if n, err := s.ResumeErasures(ctx); err != nil || n != 1 {
			t.Fatalf("resume: %d %v", n, err)
		}
		if got := h.steps(); len(got) != 3 || got[1] != "miniapp" || got[2] != "merchant" {
			t.Fatalf("steps run: %v, want chat, miniapp, merchant once each", got)
		}
		if done, _ := s.ErasureDone(ctx, u.ID); !done {
			t.Fatal("not done after resuming")
		}
		c.Add(time.Minute)
		if n, _ := s.ResumeErasures(ctx); n != 0 || len(h.steps()) != 3 {
			t.Fatalf("a finished erasure ran again: %v", h.steps())
		}
	})
}

// Money held refuses with 409 balance_not_zero and changes nothing; a
// node dying before the erasure's transaction commits leaves the account
// whole.
func TestErasureRefusedOrCutShortLeavesTheAccountWhole(t *testing.T) {
	t.Parallel()
	runDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		h := &stepHooks{held: "Withdraw your balance of ¥12.30 first."}
		s.SetErasureHooks(h)
		u, tok := signup(t, s, "joy")
		f, _ := signup(t, s, "kim")
		r, _ := s.SendContactRequest(ctx, u.ID, "kim", "")
		s.AnswerContactRequest(ctx, f.ID, r.ID, true)
		err := s.Erase(ctx, u.ID, "password1")
		var e *errs.Error
		if !errors.As(err, &e) || e.Code != BalanceNotZero || errs.Status(e.Code) != 409 {
			t.Fatalf("erasing with money held: %v", err)
		}
		h.held = ""
		s.set.ErasurePause = func(point string) {
			if point == "before_commit" {
				panic("node died")
			}
		}
		func() {
			defer func() { recover() }()
			s.Erase(ctx, u.ID, "password1")
			t.Fatal("the pause did not stop the erasure")
		}()
		s.set.ErasurePause = nil
		if _, err := s.Authenticate(ctx, tok); err != nil {
			t.Fatalf("the session is gone: %v", err)
		}
		if ok, _ := s.AreContacts(ctx, u.ID, f.ID); !ok {
			t.Fatal("the contact is gone")
		}
		if got, err := s.User(ctx, u.ID); err != nil || got.Username != "joy" {
			t.Fatalf("profile: %+v %v", got, err)
		}
		if len(h.steps()) != 0 {
			t.Fatalf("steps ran: %v", h.steps())
		}
		if n, _ := s.ResumeErasures(ctx); n != 0 {
			t.Fatal("an uncommitted erasure was resumed")
		}
	})
}
