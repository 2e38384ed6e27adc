package httpx

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// seen runs one request through e.Wrap and reports what the handler saw.
type seen struct {
	ip, base, app, apps string
	secure              bool
	hsts                string
	origins             []string
}

func through(t *testing.T, e *Edge, remote, host string, tlsOn bool, headers ...string) seen {
	t.Helper()
	var s seen
	h := e.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s = seen{ip: ClientIP(r), secure: Secure(r), base: BaseURL(r), app: AppOrigin(r, "wx1"), apps: AppsSource(r), origins: PlazaOrigins(r)}
	}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr, r.Host = remote, host // strings only: no traffic leaves the test
	if tlsOn {
		r.TLS = &tls.ConnectionState{}
	}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Add(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	s.hsts = rec.Header().Get("Strict-Transport-Security")
	return s
}

func mustEdge(t *testing.T, public, domain, proxies string) *Edge {
	t.Helper()
	e, err := NewEdge(public, domain, proxies)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEdgeClientIP(t *testing.T) {
	e := mustEdge(t, "", "", "10.0.0.0/8, ::1, 192.0.2.7")
	for _, tc := range []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"untrusted peer's header is ignored", "203.0.113.1:4000", []string{"198.51.100.9"}, "203.0.113.1"},
		{"loopback is not trusted unless listed", "127.0.0.1:4000", []string{"198.51.100.9"}, "127.0.0.1"},
		{"one trusted proxy", "10.1.2.3:4000", []string{"198.51.100.9"}, "198.51.100.9"},
		{"walked from the right past our proxies", "10.1.2.3:4000", []string{"6.6.6.6, 198.51.100.9, 10.9.9.9, 192.0.2.7"}, "198.51.100.9"},
		{"over several header lines", "10.1.2.3:4000", []string{"6.6.6.6", "198.51.100.9", "10.0.0.5"}, "198.51.100.9"},
		{"the client's forged left part is not believed", "10.1.2.3:4000", []string{"10.0.0.1, 198.51.100.9"}, "198.51.100.9"},
		{"garbage stops the walk", "10.1.2.3:4000", []string{"198.51.100.9, not-an-ip, 10.0.0.9"}, "10.0.0.9"},
		{"no header: the proxy itself", "10.1.2.3:4000", nil, "10.1.2.3"},
		{"all hops ours: the leftmost", "10.1.2.3:4000", []string{"10.0.0.8, 10.0.0.9"}, "10.0.0.8"},
		{"IPv6 proxy and client", "[::1]:4000", []string{"2001:db8::5"}, "2001:db8::5"},
		{"IPv6 with port in brackets", "[::1]:4000", []string{"[2001:db8::6]:443"}, "2001:db8::6"},
		{"IPv4 with port", "[::1]:4000", []string{"198.51.100.10:5555"}, "198.51.100.10"},
		{"IPv4-mapped peer matches an IPv4 prefix", "[::ffff:10.0.0.1]:4000", []string{"198.51.100.9"}, "198.51.100.9"},
		{"IPv4-mapped client is reported as IPv4", "10.0.0.1:4000", []string{"::ffff:198.51.100.11"}, "198.51.100.11"},
		{"untrusted IPv4-mapped peer is shown unmapped", "[::ffff:203.0.113.4]:4000", []string{"1.1.1.1"}, "203.0.113.4"},
		{"zoned IPv6 peer", "[fe80::1%eth0]:4000", []string{"1.1.1.1"}, "fe80::1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hs []string
			for _, x := range tc.xff {
				hs = append(hs, "X-Forwarded-For", x)
			}
			if got := through(t, e, tc.remote, "plaza.test", false, hs...).ip; got != tc.want {
				t.Fatalf("ClientIP = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestEdgeTrustedPrefixes(t *testing.T) {
	e := mustEdge(t, "", "", "::ffff:10.0.0.0/104,  ,192.0.2.1")
	if got := through(t, e, "10.200.0.1:1", "h", false, "X-Forwarded-For", "198.51.100.1").ip; got != "198.51.100.1" {
		t.Fatalf("an IPv4-mapped prefix did not cover its IPv4 addresses: %s", got)
	}
	for _, bad := range []string{"10.0.0.0/33", "example.com", "::ffff:0.0.0.0/90"} {
		if _, err := NewEdge("", "", bad); err == nil || !strings.Contains(err.Error(), "--trusted-proxies") {
			t.Errorf("--trusted-proxies %q: err %v", bad, err)
		}
	}
	for _, bad := range []string{"plaza.example.com", "ftp://plaza.example.com", "https://plaza.example.com/sub", "https://u@plaza.example.com", "https://plaza.example.com?x=1", "https://"} {
		if _, err := NewEdge(bad, "", ""); err == nil || !strings.Contains(err.Error(), "--public-url") {
			t.Errorf("--public-url %q: err %v", bad, err)
		}
	}
}

func TestEdgeScheme(t *testing.T) {
	e := mustEdge(t, "", "", "127.0.0.1")
	if s := through(t, e, "203.0.113.1:1", "plaza.test", false, "X-Forwarded-Proto", "https"); s.secure || s.hsts != "" || s.base != "http://plaza.test" {
		t.Fatalf("an untrusted peer's X-Forwarded-Proto was believed: %+v", s)
	}
	if s := through(t, e, "127.0.0.1:1", "plaza.test", false, "X-Forwarded-Proto", "https"); !s.secure || s.hsts == "" || s.base != "https://plaza.test" {
		t.Fatalf("a trusted proxy's X-Forwarded-Proto was not: %+v", s)
	}
	if s := through(t, e, "127.0.0.1:1", "plaza.test", true, "X-Forwarded-Proto", "http"); s.secure {
		t.Fatalf("a trusted proxy saying http was overridden: %+v", s)
	}
	if s := through(t, e, "203.0.113.1:1", "plaza.test:8443", true); !s.secure || s.hsts == "" || s.app != "https://wx1.apps.localhost:8443" {
		t.Fatalf("TLS to the node itself: %+v", s)
	}
	// Plain loopback: no HSTS, http everywhere, today's frame ancestors.
	s := through(t, e, "127.0.0.1:1", "127.0.0.1:8080", false)
	if s.secure || s.hsts != "" || s.apps != "http://*.apps.localhost:8080" ||
		!slices.Equal(s.origins, []string{"http://localhost:8080", "http://plaza.localhost:8080", "http://127.0.0.1:8080"}) {
		t.Fatalf("loopback: %+v", s)
	}
}

func TestEdgePublicURL(t *testing.T) {
	e := mustEdge(t, "HTTPS://Plaza.Example.com:443/", "Apps.Example.com", "")
	// Whatever Host the request names, links use the public URL.
	s := through(t, e, "203.0.113.1:1", "evil.example.net:8080", false)
	if s.base != "https://plaza.example.com" || !s.secure || s.hsts == "" {
		t.Fatalf("%+v", s)
	}
	if s.app != "https://wx1.apps.example.com" || s.apps != "https://*.apps.example.com" ||
		!slices.Equal(s.origins, []string{"https://plaza.example.com"}) {
		t.Fatalf("%+v", s)
	}
	e = mustEdge(t, "https://plaza.localhost:8443", "apps.localhost", "")
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	var base string
	e.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { base = AppsBase(r) })).ServeHTTP(httptest.NewRecorder(), r)
	if base != "https://apps.localhost:8443" {
		t.Fatalf("AppsBase = %s", base)
	}
}

func TestSessionCookie(t *testing.T) {
	set := func(e *Edge, tlsOn bool) *http.Cookie {
		rec := httptest.NewRecorder()
		e.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			SetSessionCookie(w, r, "tok", time.Hour)
		})).ServeHTTP(rec, func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			r.RemoteAddr = "127.0.0.1:1"
			r.Header.Set("X-Forwarded-Proto", "https")
			if tlsOn {
				r.TLS = &tls.ConnectionState{}
			}
			return r
		}())
		cs := rec.Result().Cookies()
		if len(cs) != 1 {
			t.Fatalf("cookies %v", cs)
		}
		return cs[0]
	}
	// Behind a TLS-terminating proxy (no r.TLS) the cookie is Secure (L13).
	c := set(mustEdge(t, "", "", "127.0.0.1/32"), false)
	if c.Name != SecureSessionCookie || !c.Secure || c.Path != "/" || c.Domain != "" || !c.HttpOnly {
		t.Fatalf("behind a proxy: %+v", c)
	}
	// The same headers from an untrusted peer: plain http, plain name.
	c = set(mustEdge(t, "", "", ""), false)
	if c.Name != SessionCookie || c.Secure {
		t.Fatalf("untrusted: %+v", c)
	}
	// The node's own TLS.
	if c = set(mustEdge(t, "", "", ""), true); c.Name != SecureSessionCookie || !c.Secure {
		t.Fatalf("own TLS: %+v", c)
	}

	// Over HTTPS only the __Host- cookie is a session.
	e := mustEdge(t, "https://plaza.example.com", "", "")
	var tok string
	h := e.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tok, _ = TokenFrom(r, false) }))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(&http.Cookie{Name: SessionCookie, Value: "planted"})
	h.ServeHTTP(httptest.NewRecorder(), r)
	if tok != "" {
		t.Fatalf("a plain plaza_session was taken over HTTPS: %q", tok)
	}
	r.AddCookie(&http.Cookie{Name: SecureSessionCookie, Value: "real"})
	h.ServeHTTP(httptest.NewRecorder(), r)
	if tok != "real" {
		t.Fatalf("token %q, want the __Host- cookie's", tok)
	}
}
