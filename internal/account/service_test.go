package account

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/outbox"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// clock is a settable time for the service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var fast = PasswordParams{MemoryKiB: 1024, Time: 1, Threads: 1}

func newService(t *testing.T, db *sqldb.DB) (*Service, *clock) {
	c := &clock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	return NewService(db, slog.New(slog.DiscardHandler), Settings{Password: fast, Now: c.Now}), c
}

func runDB(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	dbtest.Run(t, []sqldb.Migrations{outbox.Migrations, Migrations}, fn)
}

func signup(t *testing.T, s *Service, name string) (User, string) {
	t.Helper()
	u, tok, err := s.Signup(context.Background(), SignupInput{Username: name, Password: "password1", DisplayName: name, Region: "US"}, ClientInfo{})
	if err != nil {
		t.Fatalf("signup %s: %v", name, err)
	}
	return u, tok
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if errs.CodeOf(err) != code || err == nil {
		t.Fatalf("got error %v, want code %s", err, code)
	}
}

func TestSignupRules(t *testing.T) {
	t.Parallel()
	runDB(t, func(t *testing.T, db *sqldb.DB) {
		s, _ := newService(t, db)
		ctx := context.Background()
		u, tok := signup(t, s, "Alice_01")
		if u.Username != "alice_01" || tok == "" || u.Region != "US" {
			t.Fatalf("got %+v %q", u, tok)
		}
		cases := []struct {
			name  string
			in    SignupInput
			code  string
			field string
		}{
			{"taken_in_other_case", SignupInput{"ALICE_01", "password1", "A", "US"}, errs.Conflict, "username"},
			{"too_short", SignupInput{"ab", "password1", "A", "US"}, errs.InvalidArgument, "username"},
			{"too_long", SignupInput{"abcdefghijabcdefghijabcdefghijabc", "password1", "A", "US"}, errs.InvalidArgument, "username"},
			{"bad_chars", SignupInput{"al-ice", "password1", "A", "US"}, errs.InvalidArgument, "username"},
			{"unicode", SignupInput{"ålice", "password1", "A", "US"}, errs.InvalidArgument, "username"},
			{"reserved", SignupInput{"deleted_x", "password1", "A", "US"}, errs.InvalidArgument, "username"},
			{"short_password", SignupInput{"bob", "pass", "A", "US"}, errs.InvalidArgument, "password"},
			{"long_password", SignupInput{"bob", string(make([]byte, 129)), "A", "US"}, errs.InvalidArgument, "password"},
			{"no_display_name", SignupInput{"bob", "password1", "  ", "US"}, errs.InvalidArgument, "display_name"},
			{"control_in_name", SignupInput{"bob", "password1", "B\x07", "US"}, errs.InvalidArgument, "display_name"},
			{"nul_in_name", SignupInput{"bob", "password1", "Bob\x00", "US"}, errs.InvalidArgument, "display_name"},
			{"newline_in_name", SignupInput{"bob", "password1", "Bob\nAdmin", "US"}, errs.InvalidArgument, "display_name"},
			{"bidi_override", SignupInput{"bob", "password1", "Bob\u202Egnp.exe", "US"}, errs.InvalidArgument, "display_name"},
			{"zero_width", SignupInput{"bob", "password1", "B\u200Bob", "US"}, errs.InvalidArgument, "display_name"},
			{"mark_flood", SignupInput{"bob", "password1", "Bo\u0336\u0336\u0336b", "US"}, errs.InvalidArgument, "display_name"},
			{"homoglyph", SignupInput{"bob", "password1", "\u0430lice", "US"}, errs.InvalidArgument, "display_name"},
			{"name_too_long", SignupInput{"bob", "password1", strings.Repeat("名", 65), "US"}, errs.InvalidArgument, "display_name"},
			{"unknown_region", SignupInput{"bob", "password1", "Bob", "XX"}, errs.InvalidArgument, "region"},
			{"alpha3_region", SignupInput{"bob", "password1", "Bob", "USA"}, errs.InvalidArgument, "region"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, _, err := s.Signup(ctx, c.in, ClientInfo{})
				wantCode(t, err, c.code)
				if e := err.(*errs.Error); e.Field != c.field {
					t.Fatalf("field %q, want %q", e.Field, c.field)
				}
			})
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("users after refusals: %d %v, want 1", n, err)
		}
		if _, _, err := s.Signup(ctx, SignupInput{"bob", "password1", "Bob", "cn"}, ClientInfo{}); err != nil {
			t.Fatalf("lowercase region refused: %v", err)
		}
		u, _, err := s.Signup(ctx, SignupInput{"zhang3", "password1", " 张三 Zhang ", "CN"}, ClientInfo{})
		if err != nil || u.DisplayName != "张三 Zhang" {
			t.Fatalf("Chinese and Latin name: %+v %v", u, err)
		}
		u, _, err = s.Signup(ctx, SignupInput{"jose", "password1", "Jose\u0301", "ES"}, ClientInfo{})
		if err != nil || u.DisplayName != "Jos\u00e9" {
			t.Fatalf("name not NFC: %+q %v", u.DisplayName, err)
		}
	})
}

func TestSignupRaceOneWinner(t *testing.T) {
	t.Parallel()
	runDB(t, func(t *testing.T, db *sqldb.DB) {
		s, _ := newService(t, db)
		ctx := context.Background()
		const racers = 12
		var wins, conflicts atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				name := "racer"
				if i%2 == 1 {
					name = "RACER" // another case is the same name
				}
				_, _, err := s.Signup(ctx, SignupInput{name, "password1", "R", "US"}, ClientInfo{})
				switch {
				case err == nil:
					wins.Add(1)
				case errs.Is(err, errs.Conflict):
					conflicts.Add(1)
				default:
					t.Errorf("racer %d: %v", i, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if wins.Load() != 1 || conflicts.Load() != racers-1 {
			t.Fatalf("wins %d conflicts %d, want 1 and %d", wins.Load(), conflicts.Load(), racers-1)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE username = 'racer'`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%d rows (%v), want 1", n, err)
		}
	})
}

func TestLoginAndLockout(t *testing.T) {
	t.Parallel()
	runDB(t, func(t *testing.T, db *sqldb.DB) {
		s, clk := newService(t, db)
		ctx := context.Background()
		signup(t, s, "carol")
		t.Run("ok_any_case", func(t *testing.T) {
			if _, tok, err := s.Login(ctx, "Carol", "password1", ClientInfo{}); err != nil || tok == "" {
				t.Fatal(err)
			}
		})
		t.Run("wrong_password", func(t *testing.T) {
			_, _, err := s.Login(ctx, "carol", "password2", ClientInfo{})
			wantCode(t, err, errs.Unauthenticated)
		})
		t.Run("unknown_user_same_answer", func(t *testing.T) {
			_, _, err := s.Login(ctx, "nobody", "password1", ClientInfo{})
			wantCode(t, err, errs.Unauthenticated)
			if err.(*errs.Error).Message != "Wrong username or password." {
				t.Fatalf("message %q reveals more", err.(*errs.Error).Message)
			}
		})
		t.Run("locked_after_failures", func(t *testing.T) {
			for range 4 { // one failure above, four here: five in the window
				_, _, err := s.Login(ctx, "carol", "nope-nope", ClientInfo{})
				wantCode(t, err, errs.Unauthenticated)
			}
			_, _, err := s.Login(ctx, "carol", "password1", ClientInfo{})
			wantCode(t, err, errs.RateLimited)
			clk.Add(16 * time.Minute)
			if _, _, err := s.Login(ctx, "carol", "password1", ClientInfo{}); err != nil {
				t.Fatalf("after the lockout: %v", err)
			}
		})
		t.Run("success_resets_count", func(t *testing.T) {
			for range 4 {
				s.Login(ctx, "carol", "nope-nope", ClientInfo{})
			}
			if _, _, err := s.Login(ctx, "carol", "password1", ClientInfo{}); err != nil {
				t.Fatal(err)
			}
			s.Login(ctx, "carol", "nope-nope", ClientInfo{})
			if _, _, err := s.Login(ctx, "carol", "password1", ClientInfo{}); err != nil {
				t.Fatalf("count was not reset: %v", err)
			}
		})
	})
}

func TestSessions(t *testing.T) {
	t.Parallel()
	runDB(t, func(t *testing.T, db *sqldb.DB) {
		s, clk := newService(t, db)
		ctx := context.Background()
		u, tok := signup(t, s, "dave")
		p, err := s.Authenticate(ctx, tok)
		if err != nil || p.UserID != u.ID || p.CSRFToken == "" || p.Username != "dave" {
			t.Fatalf("%+v %v", p, err)
		}
		var stored string
		if err := db.QueryRow(ctx, `SELECT token_hash FROM sessions WHERE user_id = ?`, u.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored == tok {
			t.Fatal("the token is stored in the clear")
		}
		for name, bad := range map[string]string{"forged": tok[:len(tok)-1] + "x", "empty": "", "huge": string(make([]byte, 500))} {
			t.Run(name, func(t *testing.T) {
				_, err := s.Authenticate(ctx, bad)
				wantCode(t, err, errs.Unauthenticated)
			})
		}
		t.Run("logout", func(t *testing.T) {
			_, tok2, _ := s.Login(ctx, "dave", "password1", ClientInfo{})
			p2, _ := s.Authenticate(ctx, tok2)
			if err := s.Logout(ctx, p2.SessionID); err != nil {
				t.Fatal(err)
			}
			_, err := s.Authenticate(ctx, tok2)
			wantCode(t, err, errs.Unauthenticated)
			if _, err := s.Authenticate(ctx, tok); err != nil {
				t.Fatalf("the other session ended too: %v", err)
			}
		})
		t.Run("logout_everywhere", func(t *testing.T) {
			_, tok3, _ := s.Login(ctx, "dave", "password1", ClientInfo{})
			if err := s.LogoutAll(ctx, u.ID); err != nil {
				t.Fatal(err)
			}
			for _, tk := range []string{tok, tok3} {
				_, err := s.Authenticate(ctx, tk)
				wantCode(t, err, errs.Unauthenticated)
			}
		})
		t.Run("expired", func(t *testing.T) {
			_, tok4, _ := s.Login(ctx, "dave", "password1", ClientInfo{})
			clk.Add(31 * 24 * time.Hour)
			_, err := s.Authenticate(ctx, tok4)
			wantCode(t, err, errs.Unauthenticated)
			if n, err := s.PruneSessions(ctx); err != nil || n != 1 {
				t.Fatalf("pruned %d (%v), want 1", n, err)
			}
		})
	})
}

func TestContacts(t *testing.T) {
	t.Parallel()
	runDB(t, func(t *testing.T, db *sqldb.DB) {
		s, _ := newService(t, db)
		ctx := context.Background()
		a, _ := signup(t, s, "ann")
		b, _ := signup(t, s, "ben")
		c, _ := signup(t, s, "cat")

		req, err := s.SendContactRequest(ctx, a.ID, "BEN", "hello")
		if err != nil || req.Status != RequestPending || req.Direction != "outgoing" || req.To.ID != b.ID {
			t.Fatalf("%+v %v", req, err)
		}
		t.Run("refusals", func(t *testing.T) {
			_, err := s.SendContactRequest(ctx, a.ID, "ben", "again")
			wantCode(t, err, errs.Conflict)
			_, err = s.SendContactRequest(ctx, a.ID, "ann", "me")
			wantCode(t, err, errs.InvalidArgument)
			_, err = s.SendContactRequest(ctx, a.ID, "ghost", "")
			wantCode(t, err, errs.NotFound)
			_, err = s.SendContactRequest(ctx, a.ID, "cat", string(make([]rune, 201)))
			wantCode(t, err, errs.InvalidArgument)
			_, err = s.AnswerContactRequest(ctx, a.ID, req.ID, true)
			wantCode(t, err, errs.Forbidden)
			_, err = s.AnswerContactRequest(ctx, c.ID, req.ID, true)
			wantCode(t, err, errs.NotFound)
			_, err = s.AnswerContactRequest(ctx, b.ID, "cr_unknown", true)
			wantCode(t, err, errs.NotFound)
		})
		items, _, err := s.ContactRequests(ctx, b.ID, "", 10)
		if err != nil || len(items) != 1 || items[0].Direction != "incoming" {
			t.Fatalf("%+v %v", items, err)
		}
		acc, err := s.AnswerContactRequest(ctx, b.ID, req.ID, true)
		if err != nil || acc.Status != RequestAccepted {
			t.Fatalf("%+v %v", acc, err)
		}
		if again, err := s.AnswerContactRequest(ctx, b.ID, req.ID, true); err != nil || again.Status != RequestAccepted {
			t.Fatalf("accepting twice: %+v %v", again, err)
		}
		_, err = s.AnswerContactRequest(ctx, b.ID, req.ID, false)
		wantCode(t, err, errs.Conflict)
		for _, pair := range [][2]string{{a.ID, b.ID}, {b.ID, a.ID}} {
			if ok, err := s.AreContacts(ctx, pair[0], pair[1]); !ok || err != nil {
				t.Fatalf("not contacts both ways: %v", err)
			}
		}
		_, err = s.SendContactRequest(ctx, b.ID, "ann", "")
		wantCode(t, err, errs.Conflict)

		t.Run("crossed_requests_accept", func(t *testing.T) {
			if _, err := s.SendContactRequest(ctx, c.ID, "ann", "hi ann"); err != nil {
				t.Fatal(err)
			}
			r, err := s.SendContactRequest(ctx, a.ID, "cat", "hi cat")
			if err != nil || r.Status != RequestAccepted || r.From.ID != c.ID {
				t.Fatalf("%+v %v", r, err)
			}
			list, _, _ := s.Contacts(ctx, a.ID, "", 10)
			if len(list) != 2 || list[0].Username != "ben" || list[1].Username != "cat" {
				t.Fatalf("contacts %+v", list)
			}
		})
		t.Run("paging", func(t *testing.T) {
			first, next, err := s.Contacts(ctx, a.ID, "", 1)
			if err != nil || len(first) != 1 || next != "ben" {
				t.Fatalf("%+v %q %v", first, next, err)
			}
			second, next, _ := s.Contacts(ctx, a.ID, next, 1)
			if len(second) != 1 || second[0].Username != "cat" || next != "" {
				t.Fatalf("%+v %q", second, next)
			}
		})
		t.Run("decline", func(t *testing.T) {
			r, _ := s.SendContactRequest(ctx, b.ID, "cat", "")
			d, err := s.AnswerContactRequest(ctx, c.ID, r.ID, false)
			if err != nil || d.Status != RequestDeclined {
				t.Fatalf("%+v %v", d, err)
			}
			if ok, _ := s.AreContacts(ctx, b.ID, c.ID); ok {
				t.Fatal("declined request made contacts")
			}
			if _, err := s.SendContactRequest(ctx, b.ID, "cat", "please"); err != nil {
				t.Fatalf("asking again after a decline: %v", err)
			}
		})
		t.Run("remove", func(t *testing.T) {
			if err := s.RemoveContact(ctx, b.ID, "ann"); err != nil {
				t.Fatal(err)
			}
			if ok, _ := s.AreContacts(ctx, a.ID, b.ID); ok {
				t.Fatal("still contacts on the other side")
			}
			wantCode(t, s.RemoveContact(ctx, b.ID, "ann"), errs.NotFound)
		})
	})
}

func TestEraseAndExport(t *testing.T) {
	t.Parallel()
	runDB(t, func(t *testing.T, db *sqldb.DB) {
		s, _ := newService(t, db)
		ctx := context.Background()
		e, tok := signup(t, s, "eve")
		f, _ := signup(t, s, "fay")
		r, _ := s.SendContactRequest(ctx, e.ID, "fay", "")
		s.AnswerContactRequest(ctx, f.ID, r.ID, true)

		ex := exportJSON(t, s, e)
		if ex.Parts.Profile.Username != "eve" || len(ex.Parts.Contacts) != 1 || len(ex.Parts.Requests) != 1 || len(ex.Parts.Sessions) != 1 {
			t.Fatalf("%+v", ex)
		}
		wantCode(t, s.Erase(ctx, e.ID, "wrong-password"), WrongPassword)
		if _, err := s.Authenticate(ctx, tok); err != nil {
			t.Fatal("a refused erasure ended the session")
		}
		if err := s.Erase(ctx, e.ID, "password1"); err != nil {
			t.Fatal(err)
		}
		_, err := s.Authenticate(ctx, tok)
		wantCode(t, err, errs.Unauthenticated)
		_, _, err = s.Login(ctx, "eve", "password1", ClientInfo{})
		wantCode(t, err, errs.Unauthenticated)
		if list, _, _ := s.Contacts(ctx, f.ID, "", 10); len(list) != 0 {
			t.Fatalf("fay still lists %+v", list)
		}
		signup(t, s, "eve") // the name is free again
	})
}

func TestCreateAdmin(t *testing.T) {
	t.Parallel()
	runDB(t, func(t *testing.T, db *sqldb.DB) {
		s, _ := newService(t, db)
		ctx := context.Background()
		u, err := s.CreateAdmin(ctx, "root_admin", "password1", "US")
		if err != nil || !u.Admin {
			t.Fatalf("%+v %v", u, err)
		}
		plain, _ := signup(t, s, "gus")
		if plain.Admin {
			t.Fatal("signup made an admin")
		}
		if u, err = s.CreateAdmin(ctx, "gus", "newpassword", "US"); err != nil || !u.Admin || u.ID != plain.ID {
			t.Fatalf("promoting: %+v %v", u, err)
		}
		if _, _, err := s.Login(ctx, "gus", "newpassword", ClientInfo{}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestPasswordHash(t *testing.T) {
	t.Parallel()
	h := hashPassword("secret-pass", OWASPParams)
	if h[:len("$argon2id$v=19$m=19456,t=2,p=1$")] != "$argon2id$v=19$m=19456,t=2,p=1$" {
		t.Fatalf("hash %q does not carry OWASP's parameters", h)
	}
	if ok, err := checkPassword("secret-pass", h); !ok || err != nil {
		t.Fatal("right password refused")
	}
	if ok, _ := checkPassword("secret-pasS", h); ok {
		t.Fatal("wrong password accepted")
	}
	if h2 := hashPassword("secret-pass", OWASPParams); h2 == h {
		t.Fatal("two hashes share a salt")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA"} {
		if _, err := checkPassword("x", bad); err == nil {
			t.Fatalf("malformed hash %q accepted", bad)
		}
	}
}

func BenchmarkPasswordHash(b *testing.B) {
	for b.Loop() {
		hashPassword("correct horse battery", OWASPParams)
	}
}
