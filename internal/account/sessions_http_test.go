package account_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

const (
	macChrome = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	iPhone    = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)

// login opens another session of username, from a device with user agent ua.
func login(t *testing.T, n *node.Node, username, password, ua string) *nodetest.Client {
	t.Helper()
	c := nodetest.NewClient(n.URL())
	r := c.Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": username, "password": password}, "User-Agent", ua)
	if r.Status != http.StatusOK {
		t.Fatalf("login %s: %d %s", username, r.Status, r.Body)
	}
	c.Token = r.Str("token")
	return c
}

func sessionsOf(t *testing.T, c *nodetest.Client) []map[string]any {
	t.Helper()
	r := c.Do(t, "GET", "/api/v1/me/sessions", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("sessions: %d %s", r.Status, r.Body)
	}
	var out []map[string]any
	for _, s := range r.Get("sessions").([]any) {
		out = append(out, s.(map[string]any))
	}
	return out
}

func wantStatus(t *testing.T, r *nodetest.Response, status int, code string) {
	t.Helper()
	if r.Status != status || r.Code() != code {
		t.Fatalf("got %d %s, want %d %q", r.Status, r.Body, status, code)
	}
}

// The device list shows each signed-in device, newest first, with the
// caller's own marked and no token anywhere; ending one ends exactly that
// one; another user's session id is as unknown as a made-up one.
func TestSessionsAPI(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		nodetest.Signup(t, n.URL(), "ann")
		laptop := login(t, n, "ann", "correct horse", macChrome)
		phone := login(t, n, "ann", "correct horse", iPhone)
		bob := nodetest.Signup(t, n.URL(), "bob")

		list := sessionsOf(t, phone)
		if len(list) != 3 {
			t.Fatalf("%d sessions, want 3: %v", len(list), list)
		}
		first, second := list[0], list[1]
		if first["current"] != true || first["device"] != "Safari on iOS" || first["os"] != "iOS" {
			t.Fatalf("newest (this phone) first and current: %v", first)
		}
		if second["current"] != false || second["device"] != "Chrome on macOS" || second["browser"] != "Chrome" {
			t.Fatalf("the laptop: %v", second)
		}
		if ip, _ := second["ip"].(string); ip != "127.0.0.0/24" {
			t.Fatalf("ip %q, want the coarse 127.0.0.0/24", ip)
		}
		raw := string(phone.Do(t, "GET", "/api/v1/me/sessions", nil).Body)
		for _, tok := range []string{phone.Token, laptop.Token} {
			if strings.Contains(raw, tok) {
				t.Fatal("the session list shows a token")
			}
		}
		var hashes []string
		rows, err := n.DB.Query(t.Context(), `SELECT token_hash FROM sessions`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var h string
			_ = rows.Scan(&h)
			hashes = append(hashes, h)
		}
		rows.Close()
		for _, h := range hashes {
			if strings.Contains(raw, h) {
				t.Fatal("the session list shows a token hash")
			}
		}

		laptopID := second["id"].(string)
		// Bob cannot see or end Ann's sessions.
		wantStatus(t, bob.Do(t, "DELETE", "/api/v1/me/sessions/"+laptopID, nil), 404, "not_found")
		wantStatus(t, phone.Do(t, "DELETE", "/api/v1/me/sessions/ses_madeup", nil), 404, "not_found")
		wantStatus(t, laptop.Do(t, "GET", "/api/v1/me", nil), 200, "")
		if len(sessionsOf(t, bob)) != 1 {
			t.Fatal("bob sees other sessions than his own")
		}

		wantStatus(t, phone.Do(t, "DELETE", "/api/v1/me/sessions/"+laptopID, nil), 204, "")
		wantStatus(t, laptop.Do(t, "GET", "/api/v1/me", nil), 401, "unauthenticated")
		wantStatus(t, phone.Do(t, "GET", "/api/v1/me", nil), 200, "")
		if got := len(sessionsOf(t, phone)); got != 2 {
			t.Fatalf("%d sessions after ending one, want 2", got)
		}
		wantStatus(t, phone.Do(t, "DELETE", "/api/v1/me/sessions/"+laptopID, nil), 404, "not_found")

		// Ending one's own session signs out.
		wantStatus(t, phone.Do(t, "DELETE", "/api/v1/me/sessions/"+first["id"].(string), nil), 204, "")
		wantStatus(t, phone.Do(t, "GET", "/api/v1/me", nil), 401, "unauthenticated")
	})
}

// Changing the password needs the current one, ends every other session
// at once and keeps this one; a wrong current password changes nothing.
func TestChangePasswordAPI(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		ann := nodetest.Signup(t, n.URL(), "ann")
		other := login(t, n, "ann", "correct horse", iPhone)
		third := login(t, n, "ann", "correct horse", macChrome)
		bob := nodetest.Signup(t, n.URL(), "bob")
		var hashBefore string
		if err := n.DB.QueryRow(t.Context(), `SELECT password_hash FROM users WHERE username = 'ann'`).Scan(&hashBefore); err != nil {
			t.Fatal(err)
		}
		bad := []struct {
			name   string
			body   string
			status int
			code   string
			field  string
		}{
			{"malformed_json", `{"old_password":"correct horse",`, 400, "invalid_argument", ""},
			{"wrong_type", `{"old_password":"correct horse","new_password":12345678}`, 400, "invalid_argument", ""},
			{"unknown_field", `{"old_password":"correct horse","new_password":"battery staple","user":"bob"}`, 400, "invalid_argument", ""},
			{"no_old", `{"new_password":"battery staple"}`, 400, "invalid_argument", "old_password"},
			{"short_new", `{"old_password":"correct horse","new_password":"short"}`, 400, "invalid_argument", "new_password"},
			{"unchanged", `{"old_password":"correct horse","new_password":"correct horse"}`, 400, "invalid_argument", "new_password"},
			{"wrong_old", `{"old_password":"wrong horse","new_password":"battery staple"}`, 403, "wrong_password", "old_password"},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				r := ann.Do(t, "POST", "/api/v1/me/password", tc.body)
				wantStatus(t, r, tc.status, tc.code)
				if tc.field != "" && r.Str("error.field") != tc.field {
					t.Fatalf("field %q, want %q: %s", r.Str("error.field"), tc.field, r.Body)
				}
			})
		}
		var hash string
		if err := n.DB.QueryRow(t.Context(), `SELECT password_hash FROM users WHERE username = 'ann'`).Scan(&hash); err != nil || hash != hashBefore {
			t.Fatalf("a refused change changed the password (%v)", err)
		}
		wantStatus(t, other.Do(t, "GET", "/api/v1/me", nil), 200, "")
		if len(sessionsOf(t, ann)) != 3 {
			t.Fatal("a refused change ended sessions")
		}

		r := ann.Do(t, "POST", "/api/v1/me/password", map[string]string{"old_password": "correct horse", "new_password": "battery staple"})
		wantStatus(t, r, 200, "")
		if r.Str("user.username") != "ann" || r.Get("sessions_ended") != float64(2) {
			t.Fatalf("answer: %s", r.Body)
		}
		wantStatus(t, other.Do(t, "GET", "/api/v1/me", nil), 401, "unauthenticated")
		wantStatus(t, third.Do(t, "GET", "/api/v1/me", nil), 401, "unauthenticated")
		wantStatus(t, ann.Do(t, "GET", "/api/v1/me", nil), 200, "")
		wantStatus(t, bob.Do(t, "GET", "/api/v1/me", nil), 200, "")
		anon := nodetest.NewClient(n.URL())
		wantStatus(t, anon.Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": "ann", "password": "correct horse"}), 401, "unauthenticated")
		login(t, n, "ann", "battery staple", iPhone)
	})
}

// Wrong current passwords count toward the same lockout as sign-ins.
func TestChangePasswordLocksOut(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		ann := nodetest.Signup(t, n.URL(), "ann")
		for i := range 5 {
			r := ann.Do(t, "POST", "/api/v1/me/password", map[string]string{"old_password": fmt.Sprintf("guess %d!", i), "new_password": "battery staple"})
			wantStatus(t, r, 403, "wrong_password")
		}
		r := ann.Do(t, "POST", "/api/v1/me/password", map[string]string{"old_password": "correct horse", "new_password": "battery staple"})
		wantStatus(t, r, 429, "rate_limited")
		anon := nodetest.NewClient(n.URL())
		wantStatus(t, anon.Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": "ann", "password": "correct horse"}), 429, "rate_limited")
	})
}

// The payment PIN changes with the old PIN; wrong old PINs count toward
// the PIN lockout; the first PIN still needs the password.
func TestChangePINWithOldPIN(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		ann := nodetest.Signup(t, n.URL(), "ann")
		wantStatus(t, ann.Do(t, "PUT", "/api/v1/wallet/pin", map[string]string{"pin": "135790", "old_pin": "000000"}), 400, "invalid_argument")
		wantStatus(t, ann.Do(t, "PUT", "/api/v1/wallet/pin", map[string]string{"pin": "135790", "password": "correct horse"}), 204, "")
		wantStatus(t, ann.Do(t, "PUT", "/api/v1/wallet/pin", `{"pin":"246802","old_pin":135790}`), 400, "invalid_argument")
		wantStatus(t, ann.Do(t, "PUT", "/api/v1/wallet/pin", map[string]string{"pin": "246802", "old_pin": "135790"}), 204, "")
		wantStatus(t, ann.Do(t, "PUT", "/api/v1/wallet/pin", map[string]string{"pin": "111111", "old_pin": "135790"}), 422, "wrong_pin")
		for range 3 {
			wantStatus(t, ann.Do(t, "PUT", "/api/v1/wallet/pin", map[string]string{"pin": "111111", "old_pin": "999999"}), 422, "wrong_pin")
		}
		wantStatus(t, ann.Do(t, "PUT", "/api/v1/wallet/pin", map[string]string{"pin": "111111", "old_pin": "999999"}), 422, "pin_locked")
		// Locked: even the right old PIN is refused.
		wantStatus(t, ann.Do(t, "PUT", "/api/v1/wallet/pin", map[string]string{"pin": "111111", "old_pin": "246802"}), 422, "pin_locked")
	})
}

// add_me decides who may send a contact request: nobody refuses every
// new one (by username or from a QR code alike), contacts_of_contacts
// only strangers; a request they sent first can still be answered.
func TestAddMeSetting(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		ann := nodetest.Signup(t, n.URL(), "ann")
		bob := nodetest.Signup(t, n.URL(), "bob")
		cat := nodetest.Signup(t, n.URL(), "cat")
		dan := nodetest.Signup(t, n.URL(), "dan")
		r := ann.Do(t, "GET", "/api/v1/me/settings", nil)
		if r.Str("add_me") != "everyone" || r.Get("show_last_seen") != true {
			t.Fatalf("defaults: %s", r.Body)
		}
		for _, tc := range []struct{ name, body string }{
			{"unknown_value", `{"add_me":"friends"}`},
			{"wrong_type", `{"add_me":1}`},
			{"wrong_type_bool", `{"show_last_seen":"no"}`},
			{"malformed", `{"add_me":`},
			{"empty", `{}`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantStatus(t, ann.Do(t, "PUT", "/api/v1/me/settings", tc.body), 400, "invalid_argument")
			})
		}
		if r := ann.Do(t, "PUT", "/api/v1/me/settings", `{"add_me":"friends"}`); r.Str("error.field") != "add_me" {
			t.Fatalf("the refusal names no field: %s", r.Body)
		}
		if r := ann.Do(t, "GET", "/api/v1/me/settings", nil); r.Str("add_me") != "everyone" {
			t.Fatalf("a refused change changed add_me: %s", r.Body)
		}

		// Ann asked Dan before she closed her door: Dan may still answer.
		pending := ann.Do(t, "POST", "/api/v1/contacts/requests", map[string]string{"username": "dan"})
		wantStatus(t, pending, 201, "")
		r = ann.Do(t, "PUT", "/api/v1/me/settings", map[string]string{"add_me": "nobody"})
		if r.Status != 200 || r.Str("add_me") != "nobody" || r.Get("show_last_seen") != true {
			t.Fatalf("set nobody: %s", r.Body)
		}
		r = bob.Do(t, "POST", "/api/v1/contacts/requests", map[string]string{"username": "ann", "message": "hi"})
		wantStatus(t, r, 403, "forbidden")
		if !strings.Contains(r.Str("error.message"), "does not accept contact requests") {
			t.Fatalf("message: %s", r.Body)
		}
		if countRows(t, n, "contact_requests") != 1 {
			t.Fatal("a refused request was stored")
		}
		// The QR code path ends in the same request.
		code := ann.Do(t, "GET", "/api/v1/me/qrcode", nil)
		res := bob.Do(t, "GET", "/api/v1/qr/resolve?payload="+url.QueryEscape(code.Str("payload")), nil)
		if res.Status != 200 {
			t.Fatalf("resolve: %s", res.Body)
		}
		wantStatus(t, dan.Do(t, "POST", "/api/v1/contacts/requests", map[string]string{"username": "ann"}), 201, "") // answers Ann's
		wantStatus(t, dan.Do(t, "GET", "/api/v1/users/ann", nil), 200, "")

		// contacts_of_contacts: Cat (a contact of Dan's, as Ann is) may ask; Bob may not.
		nodetest.Befriend(t, cat, dan, "dan")
		wantStatus(t, ann.Do(t, "PUT", "/api/v1/me/settings", map[string]string{"add_me": "contacts_of_contacts"}), 200, "")
		wantStatus(t, bob.Do(t, "POST", "/api/v1/contacts/requests", map[string]string{"username": "ann"}), 403, "forbidden")
		wantStatus(t, cat.Do(t, "POST", "/api/v1/contacts/requests", map[string]string{"username": "ann"}), 201, "")
		// show_last_seen alone keeps add_me.
		r = ann.Do(t, "PUT", "/api/v1/me/settings", map[string]bool{"show_last_seen": false})
		if r.Str("add_me") != "contacts_of_contacts" || r.Get("show_last_seen") != false {
			t.Fatalf("partial update: %s", r.Body)
		}
		wantStatus(t, ann.Do(t, "PUT", "/api/v1/me/settings", map[string]string{"add_me": "everyone"}), 200, "")
		wantStatus(t, bob.Do(t, "POST", "/api/v1/contacts/requests", map[string]string{"username": "ann"}), 201, "")
	})
}
