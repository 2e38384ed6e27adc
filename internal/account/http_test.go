package account_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

func countRows(t *testing.T, n *node.Node, table string) int {
	t.Helper()
	var c int
	if err := n.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSignupAPIRefusesBadInput(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		nodetest.Signup(t, n.URL(), "taken")
		valid := `{"username":"newbie","password":"password1","display_name":"New","region":"US"}`
		cases := []struct {
			name   string
			body   string
			status int
			code   string
		}{
			{"malformed_json", `{"username":"newbie",`, 400, "invalid_argument"},
			{"not_json", `username=newbie`, 400, "invalid_argument"},
			{"wrong_type", `{"username":"newbie","password":12345678,"display_name":"N","region":"US"}`, 400, "invalid_argument"},
			{"unknown_field", strings.Replace(valid, `"region"`, `"admin":true,"region"`, 1), 400, "invalid_argument"},
			{"trailing_data", valid + `{}`, 400, "invalid_argument"},
			{"empty_body", ``, 400, "invalid_argument"},
			{"over_1_mib", `{"username":"` + strings.Repeat("a", 1<<20) + `"}`, 413, "payload_too_large"},
			{"taken_other_case", strings.Replace(valid, "newbie", "TAKEN", 1), 409, "conflict"},
			{"bad_username", strings.Replace(valid, "newbie", "new bie", 1), 400, "invalid_argument"},
			{"bad_region", strings.Replace(valid, `"US"`, `"ZZ"`, 1), 400, "invalid_argument"},
		}
		c := nodetest.NewClient(n.URL())
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := c.Do(t, "POST", "/api/v1/auth/signup", tc.body)
				if r.Status != tc.status || r.Code() != tc.code || r.Str("error.message") == "" {
					t.Fatalf("got %d %s, want %d %s", r.Status, r.Body, tc.status, tc.code)
				}
			})
		}
		if got := countRows(t, n, "users"); got != 1 {
			t.Fatalf("%d users after refused signups, want 1", got)
		}
		if got := countRows(t, n, "sessions"); got != 1 {
			t.Fatalf("%d sessions after refused signups, want 1", got)
		}
	})
}

func TestAuthAPI(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		alice := nodetest.Signup(t, n.URL(), "alice")
		anon := nodetest.NewClient(n.URL())
		cases := []struct {
			name   string
			client *nodetest.Client
			method string
			path   string
			body   any
			status int
			code   string
		}{
			{"me_ok", alice, "GET", "/api/v1/me", nil, 200, ""},
			{"me_without_token", anon, "GET", "/api/v1/me", nil, 401, "unauthenticated"},
			{"me_forged_token", &nodetest.Client{Base: n.URL(), Token: alice.Token[:40] + "0000000000000", HTTP: http.DefaultClient}, "GET", "/api/v1/me", nil, 401, "unauthenticated"},
			{"login_ok", anon, "POST", "/api/v1/auth/login", map[string]string{"username": "Alice", "password": "correct horse"}, 200, ""},
			{"login_wrong_password", anon, "POST", "/api/v1/auth/login", map[string]string{"username": "alice", "password": "wrong horse"}, 401, "unauthenticated"},
			{"login_unknown_user", anon, "POST", "/api/v1/auth/login", map[string]string{"username": "nobody", "password": "wrong horse"}, 401, "unauthenticated"},
			{"unknown_endpoint", alice, "GET", "/api/v1/nothing-here", nil, 404, "not_found"},
			{"regions", anon, "GET", "/api/v1/regions", nil, 200, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := tc.client.Do(t, tc.method, tc.path, tc.body)
				if r.Status != tc.status || r.Code() != tc.code {
					t.Fatalf("got %d %s, want %d %q", r.Status, r.Body, tc.status, tc.code)
				}
			})
		}
		me := alice.Do(t, "GET", "/api/v1/me", nil)
		if me.Str("user.username") != "alice" || me.Str("csrf_token") == "" || me.Str("user.region") != "US" {
			t.Fatalf("me: %s", me.Body)
		}
		t.Run("logout_ends_the_token", func(t *testing.T) {
			bob := nodetest.Signup(t, n.URL(), "bob")
			if r := bob.Do(t, "POST", "/api/v1/auth/logout", nil); r.Status != 204 {
				t.Fatalf("logout: %d %s", r.Status, r.Body)
			}
			if r := bob.Do(t, "GET", "/api/v1/me", nil); r.Status != 401 {
				t.Fatalf("after logout: %d", r.Status)
			}
		})
	})
}

// The web client's way: the session in an HttpOnly cookie, and every
// request that changes state carrying the CSRF token from /me.
func TestCookieSessionNeedsCSRF(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		nodetest.Signup(t, n.URL(), "bob")
		web := nodetest.NewClient(n.URL())
		r := web.Do(t, "POST", "/api/v1/auth/signup", map[string]string{"username": "wendy", "password": "password1", "display_name": "Wendy", "region": "GB"})
		if r.Status != 201 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		var cookie *http.Cookie
		for _, c := range (&http.Response{Header: r.Header}).Cookies() {
			if c.Name == "plaza_session" {
				cookie = c
			}
		}
		if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
			t.Fatalf("session cookie %+v", cookie)
		}
		me := web.Do(t, "GET", "/api/v1/me", nil)
		if me.Status != 200 || me.Str("csrf_token") == "" {
			t.Fatalf("me by cookie: %d %s", me.Status, me.Body)
		}
		ask := map[string]string{"username": "bob", "message": "hi"}
		if r := web.Do(t, "POST", "/api/v1/contacts/requests", ask); r.Status != 403 || r.Code() != "forbidden" {
			t.Fatalf("no CSRF token: %d %s", r.Status, r.Body)
		}
		web.CSRF = "wrong" + me.Str("csrf_token")
		if r := web.Do(t, "POST", "/api/v1/contacts/requests", ask); r.Status != 403 {
			t.Fatalf("wrong CSRF token: %d %s", r.Status, r.Body)
		}
		if got := countRows(t, n, "contact_requests"); got != 0 {
			t.Fatalf("refused requests left %d rows", got)
		}
		web.CSRF = me.Str("csrf_token")
		if r := web.Do(t, "POST", "/api/v1/contacts/requests", ask); r.Status != 201 {
			t.Fatalf("with CSRF token: %d %s", r.Status, r.Body)
		}
		if r := web.Do(t, "POST", "/api/v1/auth/logout", nil); r.Status != 204 {
			t.Fatalf("logout: %d", r.Status)
		}
		web.CSRF = ""
		if r := web.Do(t, "GET", "/api/v1/me", nil); r.Status != 401 {
			t.Fatalf("cookie still works after logout: %d", r.Status)
		}
	})
}

func TestContactsAPI(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		ann := nodetest.Signup(t, n.URL(), "ann")
		ben := nodetest.Signup(t, n.URL(), "ben")
		cat := nodetest.Signup(t, n.URL(), "cat")
		r := ann.Do(t, "POST", "/api/v1/contacts/requests", map[string]string{"username": "ben", "message": "Hi Ben"})
		if r.Status != 201 || r.Str("request.status") != "pending" || r.Str("request.to.username") != "ben" {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		id := r.Str("request.id")
		cases := []struct {
			name   string
			client *nodetest.Client
			method string
			path   string
			body   any
			status int
			code   string
		}{
			{"again", ann, "POST", "/api/v1/contacts/requests", map[string]string{"username": "ben"}, 409, "conflict"},
			{"yourself", ann, "POST", "/api/v1/contacts/requests", map[string]string{"username": "ann"}, 400, "invalid_argument"},
			{"unknown_user", ann, "POST", "/api/v1/contacts/requests", map[string]string{"username": "ghost"}, 404, "not_found"},
			{"sender_accepts", ann, "POST", "/api/v1/contacts/requests/" + id + "/accept", nil, 403, "forbidden"},
			{"stranger_accepts", cat, "POST", "/api/v1/contacts/requests/" + id + "/accept", nil, 404, "not_found"},
			{"unknown_request", ben, "POST", "/api/v1/contacts/requests/cr_nope/accept", nil, 404, "not_found"},
			{"bad_limit", ben, "GET", "/api/v1/contacts?limit=0", nil, 400, "invalid_argument"},
			{"remove_non_contact", ann, "DELETE", "/api/v1/contacts/cat", nil, 404, "not_found"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := tc.client.Do(t, tc.method, tc.path, tc.body)
				if r.Status != tc.status || r.Code() != tc.code {
					t.Fatalf("got %d %s, want %d %q", r.Status, r.Body, tc.status, tc.code)
				}
			})
		}
		list := ben.Do(t, "GET", "/api/v1/contacts/requests", nil)
		items, _ := list.Get("items").([]any)
		if len(items) != 1 || items[0].(map[string]any)["direction"] != "incoming" {
			t.Fatalf("ben's requests: %s", list.Body)
		}
		if r := ben.Do(t, "POST", "/api/v1/contacts/requests/"+id+"/accept", nil); r.Status != 200 || r.Str("request.status") != "accepted" {
			t.Fatalf("accept: %d %s", r.Status, r.Body)
		}
		for _, c := range []*nodetest.Client{ann, ben} {
			r := c.Do(t, "GET", "/api/v1/contacts", nil)
			items, _ := r.Get("items").([]any)
			if len(items) != 1 {
				t.Fatalf("contacts: %s", r.Body)
			}
			if _, ok := r.JSON["next_cursor"]; !ok {
				t.Fatalf("no next_cursor in %s", r.Body)
			}
		}
		if r := ann.Do(t, "GET", "/api/v1/users/BEN", nil); r.Status != 200 || r.Str("user.username") != "ben" {
			t.Fatalf("lookup: %d %s", r.Status, r.Body)
		}
		if r := ann.Do(t, "DELETE", "/api/v1/contacts/ben", nil); r.Status != 204 {
			t.Fatalf("remove: %d %s", r.Status, r.Body)
		}
		if r := ben.Do(t, "GET", "/api/v1/contacts", nil); len(r.Get("items").([]any)) != 0 {
			t.Fatalf("ben still lists ann: %s", r.Body)
		}
	})
}

func TestExportAndErase(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		eve := nodetest.Signup(t, n.URL(), "eve")
		fay := nodetest.Signup(t, n.URL(), "fay")
		nodetest.Befriend(t, eve, fay, "fay")
		ex := eve.Do(t, "GET", "/api/v1/me/export", nil, "Accept", "application/json")
		if ex.Status != 200 || ex.Str("parts.account/profile.username") != "eve" || len(ex.Get("parts.account/contacts").([]any)) != 1 {
			t.Fatalf("export: %d %s", ex.Status, ex.Body)
		}
		if strings.Contains(string(ex.Body), "argon2") || strings.Contains(string(ex.Body), eve.Token) {
			t.Fatal("the export holds secrets")
		}
		if r := eve.Do(t, "DELETE", "/api/v1/me", map[string]string{"password": "wrong one"}); r.Status != 403 {
			t.Fatalf("erase with a wrong password: %d %s", r.Status, r.Body)
		}
		if r := eve.Do(t, "DELETE", "/api/v1/me", map[string]string{"password": "correct horse"}); r.Status != 204 {
			t.Fatalf("erase: %d %s", r.Status, r.Body)
		}
		if r := eve.Do(t, "GET", "/api/v1/me", nil); r.Status != 401 {
			t.Fatalf("erased account still signed in: %d", r.Status)
		}
		if r := fay.Do(t, "GET", "/api/v1/users/eve", nil); r.Status != 404 {
			t.Fatalf("erased account still found: %d", r.Status)
		}
	})
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	t.Run("per_ip", func(t *testing.T) {
		nodetest.Run(t, nodetest.Options{Tune: func(c *node.Config) { c.RateIP, c.RateAccount = 1, 1 }}, func(t *testing.T, n *node.Node) {
			anon := nodetest.NewClient(n.URL())
			var last *nodetest.Response
			for range 5 {
				last = anon.Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": "x_y_z", "password": "whatever1"})
			}
			if last.Status != 429 || last.Code() != "rate_limited" || last.Header.Get("Retry-After") == "" {
				t.Fatalf("per-IP: %d %s", last.Status, last.Body)
			}
		})
	})
	t.Run("per_account", func(t *testing.T) {
		nodetest.Run(t, nodetest.Options{Tune: func(c *node.Config) { c.RateAccount = 1 }}, func(t *testing.T, n2 *node.Node) {
			u := nodetest.Signup(t, n2.URL(), "busy")
			var last *nodetest.Response
			for range 5 {
				last = u.Do(t, "GET", "/api/v1/me", nil)
			}
			if last.Status != 429 || last.Code() != "rate_limited" {
				t.Fatalf("per-account: %d %s", last.Status, last.Body)
			}
		})
	})
}

func TestLoginThrottleAPI(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		nodetest.Signup(t, n.URL(), "target")
		c := nodetest.NewClient(n.URL())
		for i := range 5 {
			if r := c.Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": "target", "password": "guess-" + string(rune('a'+i))}); r.Status != 401 {
				t.Fatalf("guess %d: %d", i, r.Status)
			}
		}
		r := c.Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": "target", "password": "correct horse"})
		if r.Status != 429 || r.Code() != "rate_limited" {
			t.Fatalf("after 5 failures the right password got %d %s, want 429", r.Status, r.Body)
		}
	})
}
