package httpx_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
)

// fakeAuthn knows a fixed set of session tokens.
type fakeAuthn map[string]httpx.Principal

func (f fakeAuthn) Authenticate(_ context.Context, token string) (httpx.Principal, error) {
	p, ok := f[token]
	if !ok {
		return httpx.Principal{}, errs.E(errs.Unauthenticated, "Your session has expired.")
	}
	return p, nil
}

var sessions = fakeAuthn{
	"tok_alice": {UserID: "usr_alice", Username: "alice", CSRFToken: "csrf_alice"},
	"tok_root":  {UserID: "usr_root", Username: "root", Admin: true, CSRFToken: "csrf_root"},
}

// whoami answers with the principal the handler sees.
func whoami(w http.ResponseWriter, r *http.Request) error {
	p := httpx.Caller(r)
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"user": p.UserID, "cookie": p.Cookie})
	return nil
}

func TestAuth(t *testing.T) {
	auth := &httpx.Auth{Authn: sessions}
	tests := []struct {
		name     string
		handler  http.Handler
		method   string
		target   string
		bearer   string
		cookie   string
		csrf     string
		want     int
		wantCode string
		wantUser string
	}{
		{name: "no_token_is_unauthenticated", handler: auth.Required(whoami), method: "GET",
			want: 401, wantCode: errs.Unauthenticated},
		{name: "unknown_token_is_unauthenticated", handler: auth.Required(whoami), method: "GET", bearer: "tok_forged",
			want: 401, wantCode: errs.Unauthenticated},
		{name: "bearer_get_ok", handler: auth.Required(whoami), method: "GET", bearer: "tok_alice",
			want: 200, wantUser: "usr_alice"},
		{name: "bearer_post_needs_no_csrf", handler: auth.Required(whoami), method: "POST", bearer: "tok_alice",
			want: 200, wantUser: "usr_alice"},
		{name: "cookie_get_needs_no_csrf", handler: auth.Required(whoami), method: "GET", cookie: "tok_alice",
			want: 200, wantUser: "usr_alice"},
		{name: "cookie_head_needs_no_csrf", handler: auth.Required(whoami), method: "HEAD", cookie: "tok_alice",
			want: 200},
		{name: "cookie_post_without_csrf_forbidden", handler: auth.Required(whoami), method: "POST", cookie: "tok_alice",
			want: 403, wantCode: errs.Forbidden},
		{name: "cookie_delete_without_csrf_forbidden", handler: auth.Required(whoami), method: "DELETE", cookie: "tok_alice",
			want: 403, wantCode: errs.Forbidden},
		{name: "cookie_post_wrong_csrf_forbidden", handler: auth.Required(whoami), method: "POST", cookie: "tok_alice", csrf: "csrf_root",
			want: 403, wantCode: errs.Forbidden},
		{name: "cookie_post_right_csrf_ok", handler: auth.Required(whoami), method: "POST", cookie: "tok_alice", csrf: "csrf_alice",
			want: 200, wantUser: "usr_alice"},
		{name: "bearer_wins_over_cookie", handler: auth.Required(whoami), method: "POST", bearer: "tok_root", cookie: "tok_alice",
			want: 200, wantUser: "usr_root"},
		{name: "query_token_ignored_outside_websocket", handler: auth.Required(whoami), method: "GET", target: "/?token=tok_alice",
			want: 401, wantCode: errs.Unauthenticated},
		{name: "query_token_accepted_for_websocket", handler: auth.RequiredWS(whoami), method: "GET", target: "/?token=tok_alice",
			want: 200, wantUser: "usr_alice"},
		{name: "admin_refuses_non_admin", handler: auth.Admin(whoami), method: "GET", bearer: "tok_alice",
			want: 403, wantCode: errs.Forbidden},
		{name: "admin_admits_admin", handler: auth.Admin(whoami), method: "GET", bearer: "tok_root",
			want: 200, wantUser: "usr_root"},
		{name: "admin_needs_a_session_first", handler: auth.Admin(whoami), method: "GET",
			want: 401, wantCode: errs.Unauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := tt.target
			if target == "" {
				target = "/api/v1/me"
			}
			r := httptest.NewRequest(tt.method, target, nil)
			if tt.bearer != "" {
				r.Header.Set("Authorization", "Bearer "+tt.bearer)
			}
			if tt.cookie != "" {
				r.AddCookie(&http.Cookie{Name: httpx.SessionCookie, Value: tt.cookie})
			}
			if tt.csrf != "" {
				r.Header.Set("X-CSRF-Token", tt.csrf)
			}
			rec := httptest.NewRecorder()
			tt.handler.ServeHTTP(rec, r)
			if rec.Code != tt.want {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.want, rec.Body)
			}
			if tt.wantCode != "" {
				if got := errorBody(t, rec); got.Code != tt.wantCode {
					t.Fatalf("code = %q, want %q", got.Code, tt.wantCode)
				}
				return
			}
			if tt.wantUser == "" {
				return
			}
			var got struct {
				User   string `json:"user"`
				Cookie bool   `json:"cookie"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got.User != tt.wantUser || got.Cookie != (tt.cookie != "" && tt.bearer == "") {
				t.Fatalf("handler saw %+v, want user %s, cookie %v", got, tt.wantUser, tt.cookie != "" && tt.bearer == "")
			}
		})
	}
}

func TestAuthPerAccountLimit(t *testing.T) {
	auth := &httpx.Auth{Authn: sessions, PerAccount: httpx.NewLimiter(0.001, 2)}
	h := auth.Required(whoami)
	do := func(token string) int {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec.Code
	}
	for i := range 2 {
		if got := do("tok_alice"); got != http.StatusOK {
			t.Fatalf("alice request %d: %d, want 200", i+1, got)
		}
	}
	if got := do("tok_alice"); got != http.StatusTooManyRequests {
		t.Fatalf("alice over her limit: %d, want 429", got)
	}
	if got := do("tok_root"); got != http.StatusOK {
		t.Fatalf("root after alice's limit: %d, want 200 (limits are per account)", got)
	}
}

func TestLimit(t *testing.T) {
	tests := []struct {
		query    string
		want     int
		wantCode string
	}{
		{"", 20, ""},
		{"limit=1", 1, ""},
		{"limit=50", 50, ""},
		{"limit=100", 100, ""},
		{"limit=0", 0, errs.InvalidArgument},
		{"limit=-3", 0, errs.InvalidArgument},
		{"limit=101", 0, errs.InvalidArgument},
		{"limit=ten", 0, errs.InvalidArgument},
		{"limit=2.5", 0, errs.InvalidArgument},
	}
	for _, tt := range tests {
		name := tt.query
		if name == "" {
			name = "absent"
		}
		t.Run(name, func(t *testing.T) {
			got, err := httpx.Limit(httptest.NewRequest(http.MethodGet, "/items?"+tt.query, nil), 20, 100)
			if tt.wantCode == "" {
				if err != nil || got != tt.want {
					t.Fatalf("Limit = %d, %v; want %d", got, err, tt.want)
				}
				return
			}
			e, ok := err.(*errs.Error)
			if !ok || e.Code != tt.wantCode || e.Field != "limit" {
				t.Fatalf("Limit error = %#v, want %s naming field limit", err, tt.wantCode)
			}
		})
	}
}

func TestPage(t *testing.T) {
	tests := []struct {
		name  string
		items []string
		next  string
		want  string
	}{
		{"nil_items_are_an_empty_array", nil, "", `{"items":[],"next_cursor":""}`},
		{"items_and_cursor", []string{"a", "b"}, "msg_01", `{"items":["a","b"],"next_cursor":"msg_01"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(httpx.Page(tt.items, tt.next))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Fatalf("Page = %s, want %s", got, tt.want)
			}
		})
	}
}
