package node_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/examples/store"
	"github.com/plaza-dev/plaza/internal/demo"
	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// hostRewriter sends every request with another Host header, as a shop
// behind a rewriting proxy (or an attacker) would.
type hostRewriter struct{ host string }

func (h hostRewriter) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Host = h.host
	return http.DefaultTransport.RoundTrip(r)
}

// Payment links are built from --public-url, never from the Host header a
// shop's request carried.
func TestCodeURLUsesPublicURL(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{Tune: func(c *node.Config) { c.PublicURL = "https://plaza.example.com" }})
	dir := t.TempDir()
	if err := demo.Seed(context.Background(), demo.Services{Accounts: n.Accounts, Chat: n.Chat, Pay: n.Pay, Merchant: n.Merchant,
		MiniApps: n.MiniApps, DataDir: dir, URL: n.URL()}); err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		MchID          string `json:"mchid"`
		SerialNo       string `json:"serial_no"`
		PrivateKeyFile string `json:"private_key_file"`
		PlatformKey    string `json:"platform_key"`
		PlatformKeyID  string `json:"platform_key_id"`
		APIv3Key       string `json:"apiv3_key"`
		AppID          string `json:"appid"`
	}
	b, err := os.ReadFile(demo.ShopConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	keyPEM, _ := os.ReadFile(filepath.Join(filepath.Dir(demo.ShopConfig(dir)), cfg.PrivateKeyFile))
	key, err := plazapay.ParsePrivateKeyPEM(keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	platform, err := plazapay.ParsePublicKeyPEM([]byte(cfg.PlatformKey))
	if err != nil {
		t.Fatalf("%v (shop config %s)", err, b)
	}
	c, err := plazapay.NewClient(plazapay.Config{BaseURL: n.URL(), MchID: cfg.MchID, SerialNo: cfg.SerialNo, PrivateKey: key,
		PlatformKey: platform, PlatformKeyID: cfg.PlatformKeyID, APIv3Key: cfg.APIv3Key,
		HTTP: &http.Client{Transport: hostRewriter{"attacker.example:8080"}, Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	code, err := c.PrepayNative(context.Background(), plazapay.NativeRequest{AppID: cfg.AppID, Description: "Tea", OutTradeNo: "edge_order_1",
		NotifyURL: "https://shop.example.com/notify", Amount: plazapay.Amount{Total: 100, Currency: "CNY"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(code, "https://plaza.example.com/pay?pr=") {
		t.Fatalf("code_url %s, want it under the public URL", code)
	}

	// The app origins may be framed by the public URL alone, and the
	// client may frame them over https.
	backend, err := store.Load(demo.StoreConfig(dir), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, n.URL()+"/", nil)
	req.Host = backend.AppID() + ".apps.localhost"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	_, ancestors, _ := strings.Cut(csp, "frame-ancestors ")
	ancestors, _, _ = strings.Cut(ancestors, ";")
	if resp.StatusCode != 200 || strings.TrimSpace(ancestors) != "https://plaza.example.com" {
		t.Fatalf("app origin: %d, CSP %s", resp.StatusCode, csp)
	}
	resp, err = http.Get(n.URL() + "/chats")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-src https://*.apps.localhost;") && !strings.HasSuffix(csp, "frame-src https://*.apps.localhost") {
		t.Fatalf("client CSP %s", csp)
	}
	if !strings.Contains(string(page), `<meta name="plaza-apps" content="https://apps.localhost">`) && strings.Contains(string(page), "<head>") {
		t.Fatalf("index.html lacks the apps origin: %.300s", page)
	}
}

// post sends a JSON POST from loopback with extra headers and returns the
// status and Set-Cookie.
func post(t *testing.T, base, path, body string, headers ...string) (int, []*http.Cookie, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Cookies(), b
}

const wrongLogin = `{"username":"nobody_here","password":"wrong-password"}`

// X-Forwarded-For from a peer that is not a trusted proxy changes nothing:
// forging a new address per request does not get around the per-IP limit
// (and loopback is limited too, L10).
func TestForwardedHeadersFromUntrustedPeerIgnored(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{Tune: func(c *node.Config) { c.RateIP = 1 }}) // a burst of 2
	var last int
	for i := range 4 {
		last, _, _ = post(t, n.URL(), "/api/v1/auth/login", wrongLogin, "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i+1))
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("4th login with forged X-Forwarded-For: %d, want 429", last)
	}
	// Nor does X-Forwarded-Proto make the cookie Secure.
	n2 := nodetest.Start(t, nodetest.Options{})
	status, cookies, body := post(t, n2.URL(), "/api/v1/auth/signup",
		`{"username":"plain_ann","password":"correct horse","display_name":"Ann","region":"US"}`, "X-Forwarded-Proto", "https")
	if status != http.StatusCreated || len(cookies) != 1 || cookies[0].Name != httpx.SessionCookie || cookies[0].Secure {
		t.Fatalf("signup from an untrusted peer claiming https: %d %v %s", status, cookies, body)
	}
}

// Behind a trusted proxy each real client has its own rate limit, the
// session records its address, and the cookie is Secure and __Host- when
// the proxy says https (L13).
func TestTrustedProxy(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{Tune: func(c *node.Config) { c.RateIP, c.TrustedProxies = 1, "127.0.0.1/32" }})
	var last int
	for range 3 {
		last, _, _ = post(t, n.URL(), "/api/v1/auth/login", wrongLogin, "X-Forwarded-For", "198.51.100.1")
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("3rd login of one client: %d, want 429", last)
	}
	if s, _, b := post(t, n.URL(), "/api/v1/auth/login", wrongLogin, "X-Forwarded-For", "198.51.100.2"); s != http.StatusUnauthorized {
		t.Fatalf("another client behind the same proxy: %d %s, want 401", s, b)
	}
	status, cookies, body := post(t, n.URL(), "/api/v1/auth/signup",
		`{"username":"proxied_bo","password":"correct horse","display_name":"Bo","region":"US"}`,
		"X-Forwarded-For", "203.0.113.50", "X-Forwarded-Proto", "https")
	if status != http.StatusCreated || len(cookies) != 1 {
		t.Fatalf("signup: %d %v %s", status, cookies, body)
	}
	if c := cookies[0]; c.Name != httpx.SecureSessionCookie || !c.Secure || c.Path != "/" || c.Domain != "" || !c.HttpOnly {
		t.Fatalf("cookie behind a TLS-terminating proxy: %+v", c)
	}
	var out struct {
		Token string `json:"token"`
	}
	json.Unmarshal(body, &out)
	cl := nodetest.NewClient(n.URL())
	cl.Token = out.Token
	ex := cl.Do(t, "GET", "/api/v1/me/export?format=json", nil)
	if !strings.Contains(string(ex.Body), `"ip":"203.0.113.50"`) {
		t.Fatalf("the session did not record the real client's address: %.600s", ex.Body)
	}
	// The cookie is accepted under its __Host- name over https.
	req, _ := http.NewRequest(http.MethodGet, n.URL()+"/api/v1/me", nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	req.AddCookie(cookies[0])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Fatalf("GET /me with the __Host- cookie over https: %d, HSTS %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
}

// L9: /metrics is served only on --metrics-addr.
func TestMetricsOnlyOnMetricsAddr(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{Tune: func(c *node.Config) { c.MetricsAddr = "127.0.0.1:0" }})
	resp, err := http.Get(n.URL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("/metrics on the main listener: %d, want 404", resp.StatusCode)
	}
	resp, err = http.Get("http://" + n.MetricsAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "plaza_http_requests_total") {
		t.Fatalf("/metrics on --metrics-addr: %d %.200s", resp.StatusCode, b)
	}
	if n2 := nodetest.Start(t, nodetest.Options{}); n2.MetricsAddr() != "" {
		t.Fatal("metrics served without --metrics-addr")
	}
}

// L5 on a node: a POST whose body trickles in is cut off.
func TestNodeCutsTricklingBody(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{Tune: func(c *node.Config) {
		c.Test.BodyDeadline = &httpx.BodyDeadline{Grace: 300 * time.Millisecond, MinRate: 1024}
	}})
	c, err := net.Dial("tcp", n.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /api/v1/auth/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n{", n.Addr())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for range 50 { // 5 s of a byte every 100 ms, unless cut off
			<-t.C
			if _, err := c.Write([]byte(" ")); err != nil {
				return
			}
		}
	}()
	c.SetReadDeadline(time.Now().Add(4 * time.Second))
	b, err := io.ReadAll(c) // until the node closes the connection
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the node still held the connection after 4 s of trickle (read %q)", b)
	}
	if strings.Contains(string(b), "401") {
		t.Fatalf("the trickled body was read to the end: %s", b)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the client could still write after 10 s")
	}
}
