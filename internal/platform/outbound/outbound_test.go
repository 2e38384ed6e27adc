package outbound_test

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/outbound"
)

func TestPublic(t *testing.T) {
	for _, c := range []struct {
		addr   string
		public bool
	}{
		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"127.0.0.1", false},
		{"127.255.255.254", false},
		{"10.0.0.1", false},
		{"172.16.0.1", false},
		{"172.31.255.255", false},
		{"192.168.1.1", false},
		{"169.254.169.254", false}, // cloud metadata
		{"100.64.0.1", false},      // CGNAT
		{"100.127.255.255", false},
		{"192.0.0.8", false},
		{"192.0.2.1", false},
		{"198.18.0.1", false},
		{"198.51.100.7", false},
		{"203.0.113.9", false},
		{"224.0.0.1", false},
		{"239.255.255.250", false},
		{"240.0.0.1", false},
		{"255.255.255.255", false},
		{"::", false},
		{"::1", false},
		{"::127.0.0.1", false}, // IPv4-compatible
		{"::ffff:127.0.0.1", false},
		{"::ffff:10.1.2.3", false},
		{"::ffff:169.254.169.254", false},
		{"::ffff:0:7f00:1", false}, // IPv4-translated
		{"64:ff9b::7f00:1", false}, // NAT64 of 127.0.0.1
		{"64:ff9b:1::1", false},
		{"2002:7f00:1::1", false}, // 6to4 of 127.0.0.1
		{"2002:0a00:0001::1", false},
		{"fe80::1", false},
		{"fe80::1%eth0", false},
		{"fc00::1", false},
		{"fd12:3456::1", false},
		{"fec0::1", false},
		{"ff02::1", false},
		{"ff05::2", false},
		{"100::1", false},
		{"2001:db8::1", false},
		{"2001::1", false}, // Teredo
		{"3fff::1", false},
		// Public.
		{"1.1.1.1", true},
		{"8.8.8.8", true},
		{"93.184.215.14", true},
		{"100.63.255.255", true},
		{"100.128.0.0", true},
		{"172.15.255.255", true},
		{"172.32.0.0", true},
		{"192.169.0.1", true},
		{"::ffff:8.8.8.8", true},
		{"64:ff9b::808:808", true},
		{"2002:808:808::1", true},
		{"2606:4700:4700::1111", true},
		{"2a00:1450:4001:81b::200e", true},
	} {
		a := netip.MustParseAddr(c.addr)
		if got := outbound.Public(a); got != c.public {
			t.Errorf("Public(%s) = %v, want %v", c.addr, got, c.public)
		}
	}
	if outbound.Public(netip.Addr{}) {
		t.Error("the zero Addr is public")
	}
}

func TestCheckURL(t *testing.T) {
	for _, c := range []struct {
		url          string
		allowPrivate bool
		want         error // nil, ErrInvalidURL or ErrAddressNotAllowed
	}{
		{"https://shop.example.com/notify", false, nil},
		{"http://shop.example.com:8443/n?x=1", false, nil},
		{"HTTPS://Shop.Example.COM./n", false, nil},
		{"http://8.8.8.8/n", false, nil},
		{"http://[2606:4700:4700::1111]:80/n", false, nil},
		{"http://localhost:9000/n", false, nil}, // a name: checked when dialled
		{"http://127.0.0.1:9000/n", true, nil},
		{"http://[::1]/n", true, nil},
		{"http://127.0.0.1:9000/n", false, outbound.ErrAddressNotAllowed},
		{"http://0.0.0.0/n", false, outbound.ErrAddressNotAllowed},
		{"http://[::]/n", false, outbound.ErrAddressNotAllowed},
		{"http://[::1]:80/n", false, outbound.ErrAddressNotAllowed},
		{"http://[::ffff:127.0.0.1]/n", false, outbound.ErrAddressNotAllowed},
		{"http://169.254.169.254/latest/meta-data/", false, outbound.ErrAddressNotAllowed},
		{"http://[fe80::1%25eth0]/n", false, outbound.ErrAddressNotAllowed},
		{"http://10.0.0.5/n", false, outbound.ErrAddressNotAllowed},
		{"http://100.64.1.1/n", false, outbound.ErrAddressNotAllowed},
		{"http://%31%32%37.0.0.1/n", true, outbound.ErrInvalidURL},
		{"file:///etc/passwd", false, outbound.ErrInvalidURL},
		{"gopher://shop.example.com:70/_x", false, outbound.ErrInvalidURL},
		{"javascript:alert(1)", false, outbound.ErrInvalidURL},
		{"ftp://shop.example.com/n", false, outbound.ErrInvalidURL},
		{"http:shop.example.com/n", false, outbound.ErrInvalidURL},
		{"http:/shop.example.com/n", false, outbound.ErrInvalidURL},
		{"//shop.example.com/n", false, outbound.ErrInvalidURL},
		{"/notify", false, outbound.ErrInvalidURL},
		{"", false, outbound.ErrInvalidURL},
		{"http://", false, outbound.ErrInvalidURL},
		{"http:///n", false, outbound.ErrInvalidURL},
		{"http://:80/n", false, outbound.ErrInvalidURL},
		{"http://user:pw@shop.example.com/n", false, outbound.ErrInvalidURL},
		{"http://user@shop.example.com/n", false, outbound.ErrInvalidURL},
		{"http://shop.example.com:0/n", false, outbound.ErrInvalidURL},
		{"http://shop.example.com:65536/n", false, outbound.ErrInvalidURL},
		{"http://shop.example.com:/n", false, outbound.ErrInvalidURL},
		{"http://127.1/n", true, outbound.ErrInvalidURL},
		{"http://2130706433/n", true, outbound.ErrInvalidURL},
		{"http://0x7f.0.0.1/n", true, outbound.ErrInvalidURL},
		{"http://0x7f000001/n", true, outbound.ErrInvalidURL},
		{"http://[127.0.0.1]/n", true, outbound.ErrInvalidURL},
		{"http://shop..example.com/n", false, outbound.ErrInvalidURL},
		{"http://-shop.example.com/n", false, outbound.ErrInvalidURL},
		{"http://shöp.example.com/n", false, outbound.ErrInvalidURL},
		{"http://shop.example.com/n\x00", false, outbound.ErrInvalidURL},
		{" http://shop.example.com/n", false, outbound.ErrInvalidURL},
		{"http://shop.example.com/" + strings.Repeat("a", outbound.MaxURLLength), false, outbound.ErrInvalidURL},
	} {
		err := outbound.CheckURL(c.url, c.allowPrivate)
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("CheckURL(%q, allowPrivate=%v) = %v, want %v", c.url, c.allowPrivate, err, c.want)
		}
	}
}

// server is a loopback server counting its requests.
func server(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestLoopbackRefusedUnlessAllowed(t *testing.T) {
	srv, hits := server(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	for _, u := range []string{
		srv.URL,
		"http://localhost:" + port + "/", // a name resolving to loopback: refused when dialled
		"http://[::ffff:127.0.0.1]:" + port + "/",
		"http://shop.localhost:" + port + "/", // *.localhost is loopback (RFC 6761), without DNS
	} {
		resp, err := outbound.NewClient(outbound.Options{}).Post(u, "application/json", strings.NewReader("{}"))
		if err == nil {
			resp.Body.Close()
			t.Fatalf("%s: answered %d without AllowPrivate", u, resp.StatusCode)
		}
		if !errors.Is(err, outbound.ErrAddressNotAllowed) {
			t.Fatalf("%s: %v, want ErrAddressNotAllowed", u, err)
		}
		if got := outbound.Outcome(0, err); got != "refused: address not allowed" {
			t.Fatalf("%s: outcome %q", u, got)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the server saw %d requests", n)
	}
	allowed := outbound.NewClient(outbound.Options{AllowPrivate: true})
	for _, u := range []string{srv.URL, "http://localhost:" + port + "/", "http://shop.localhost:" + port + "/"} {
		resp, err := allowed.Post(u, "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatalf("%s with AllowPrivate: %v", u, err)
		}
		outbound.Drain(resp)
		if resp.StatusCode != 204 {
			t.Fatalf("%s with AllowPrivate: %d", u, resp.StatusCode)
		}
	}
	if n := hits.Load(); n != 3 {
		t.Fatalf("the server saw %d requests, want 3", n)
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	target, targetHits := server(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	for _, code := range []int{301, 302, 303, 307, 308} {
		srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, target.URL+"/internal", code) })
		resp, err := outbound.NewClient(outbound.Options{AllowPrivate: true}).Post(srv.URL, "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		outbound.Drain(resp)
		if resp.StatusCode != code {
			t.Fatalf("status %d, want the redirect's %d", resp.StatusCode, code)
		}
		if got, want := outbound.Outcome(resp.StatusCode, nil), fmt.Sprintf("HTTP %d (redirects are not followed)", code); got != want {
			t.Fatalf("outcome %q, want %q", got, want)
		}
	}
	if n := targetHits.Load(); n != 0 {
		t.Fatalf("the redirect's target saw %d requests", n)
	}
}

func TestNoProxyFromEnvironment(t *testing.T) {
	proxy, proxyHits := server(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(502) })
	srv, hits := server(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("http_proxy", proxy.URL)
	t.Setenv("NO_PROXY", "")
	resp, err := outbound.NewClient(outbound.Options{AllowPrivate: true}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	outbound.Drain(resp)
	if resp.StatusCode != 204 || hits.Load() != 1 || proxyHits.Load() != 0 {
		t.Fatalf("status %d, server %d, proxy %d", resp.StatusCode, hits.Load(), proxyHits.Load())
	}
}

func TestOnlyHTTPSchemes(t *testing.T) {
	c := outbound.NewClient(outbound.Options{AllowPrivate: true})
	for _, u := range []string{"file:///etc/passwd", "gopher://127.0.0.1:70/_x", "ftp://127.0.0.1/"} {
		_, err := c.Get(u)
		if !errors.Is(err, outbound.ErrInvalidURL) {
			t.Fatalf("%s: %v", u, err)
		}
	}
	if _, err := c.Get("http://u:p@127.0.0.1:1/"); !errors.Is(err, outbound.ErrInvalidURL) {
		t.Fatalf("user info: %v", err)
	}
}

func TestTimeoutsAndOutcomes(t *testing.T) {
	// A server that accepts and never answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	c := outbound.NewClient(outbound.Options{AllowPrivate: true, ResponseHeaderTimeout: 200 * time.Millisecond, Timeout: 2 * time.Second})
	start := time.Now()
	_, err = c.Post("http://"+ln.Addr().String()+"/", "application/json", strings.NewReader("{}"))
	if err == nil || time.Since(start) > 1500*time.Millisecond {
		t.Fatalf("hanging server: %v after %v", err, time.Since(start))
	}
	if got := outbound.Outcome(0, err); got != "timeout" {
		t.Fatalf("outcome %q for %v", got, err)
	}

	// A closed port: the error names the address, the outcome does not.
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := closed.Addr().String()
	closed.Close()
	_, err = c.Get("http://" + addr + "/")
	if err == nil {
		t.Fatal("a closed port answered")
	}
	if got := outbound.Outcome(0, err); got != "connection failed" {
		t.Fatalf("outcome %q for %v", got, err)
	}
	if got := outbound.Outcome(500, nil); got != "HTTP 500" {
		t.Fatalf("outcome %q", got)
	}
	if got := outbound.Outcome(204, nil); got != "" {
		t.Fatalf("outcome %q", got)
	}
}
