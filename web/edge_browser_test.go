package web_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/plaza-dev/plaza/examples/store"
	"github.com/plaza-dev/plaza/internal/demo"
	"github.com/plaza-dev/plaza/internal/node"
	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// testPKI is a test CA and one certificate from it for plaza.localhost,
// *.apps.localhost and 127.0.0.1, as PEM files and parsed.
type testPKI struct {
	certFile, keyFile string
	cert              tls.Certificate
	roots             *x509.CertPool
}

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Plaza test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "plaza.localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"plaza.localhost", "*.apps.localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	dir := t.TempDir()
	p := testPKI{certFile: filepath.Join(dir, "cert.pem"), keyFile: filepath.Join(dir, "key.pem"), roots: x509.NewCertPool()}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	os.WriteFile(p.certFile, certPEM, 0o600)
	os.WriteFile(p.keyFile, keyPEM, 0o600)
	if p.cert, err = tls.X509KeyPair(certPEM, keyPEM); err != nil {
		t.Fatal(err)
	}
	p.roots.AddCert(caCert)
	return p
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// trustInProcess makes this process's default HTTP client (the demo
// store's backend calling Plaza) trust the test CA, until the test ends.
func trustInProcess(t *testing.T, roots *x509.CertPool) {
	tr := http.DefaultTransport.(*http.Transport)
	old := tr.TLSClientConfig
	tr.TLSClientConfig = &tls.Config{RootCAs: roots}
	t.Cleanup(func() { tr.TLSClientConfig = old; tr.CloseIdleConnections() })
}

// startStore seeds the demo on n and runs the Gadget Store's backend,
// which reaches Plaza at plaza.
func startStore(t *testing.T, n *node.Node, plaza string) (*store.Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := demo.Seed(context.Background(), demo.Services{Accounts: n.Accounts, Chat: n.Chat, Pay: n.Pay, Merchant: n.Merchant,
		MiniApps: n.MiniApps, DataDir: dir, URL: plaza, StoreBackend: "http://" + ln.Addr().String()}); err != nil {
		t.Fatal(err)
	}
	backend, err := store.Load(demo.StoreConfig(dir), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: backend.Handler()}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return backend, backend.AppID()
}

// payInStore: alice signs in at public, gets a Secure __Host- cookie,
// opens the Gadget Store in its frame from https://{appid}.apps.localhost
// on public's port, and pays for a pair of earbuds.
func payInStore(t *testing.T, alloc context.Context, public, api, appid string, backend *store.Server) {
	t.Helper()
	u, _ := url.Parse(public)
	b := bt.New(t, alloc, "alice", bt.Phone)
	b.Run("signing in", chromedp.Navigate(public+"/login"), bt.Visible("#login-username"), bt.Type("#login-username", "alice"),
		bt.Type("#login-password", demo.Password), bt.Click("#login-submit"), bt.Visible(`[data-tab="chats"].active`))
	ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
	got, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{public + "/"}})
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	var session *network.Cookie
	for _, c := range got.Cookies {
		if strings.Contains(c.Name, "plaza_session") {
			session = c
		}
	}
	if session == nil || session.Name != "__Host-plaza_session" || !session.Secure || !session.HTTPOnly || session.Path != "/" || session.Domain != u.Hostname() {
		t.Fatalf("session cookie %+v, want a Secure HttpOnly __Host-plaza_session for %s", session, u.Hostname())
	}

	// The real-time socket opens over TLS (through the proxy, too).
	ctx, cancel = context.WithTimeout(b.Ctx, 10*time.Second)
	state, err := chromedp.Run(ctx, chromedp.Evaluate[string](`new Promise((ok) => {
		const ws = new WebSocket(location.origin.replace('https:', 'wss:') + '/api/v1/ws');
		ws.onmessage = () => { ok('message'); ws.close(); };
		ws.onerror = () => ok('error');
		ws.onclose = (e) => ok('closed ' + e.code);
	})`, chromedp.EvalAwaitPromise))
	cancel()
	if err != nil || state != "message" {
		t.Fatalf("WebSocket over TLS: %q %v", state, err)
	}

	origin := "https://" + appid + ".apps.localhost:" + u.Port()
	b.Run("opening the store", bt.Click(`[data-tab="discover"]`), bt.Visible("#miniapp-search"), bt.Type("#miniapp-search", "gadget"),
		bt.Visible(`[data-appid="`+appid+`"]`), bt.Click(`[data-appid="`+appid+`"]`), bt.Visible("#miniapp-frame"))
	if src := b.Attrs("#miniapp-frame", "src"); len(src) != 1 || !strings.HasPrefix(src[0], origin+"/") {
		t.Fatalf("frame src %v, want under %s", src, origin)
	}
	used := map[string]bool{}
	frame, id := b.Frame(origin, used)
	used[id] = true
	frame.Run("seeing the catalog", bt.Visible(`[data-product="buds"]`))
	b.Run("granting the profile", bt.Visible("#consent-sheet"), bt.JSClick("#consent-allow"))
	b.Screenshot("tls-store")
	frame.Run("opening the earbuds", bt.JSClick(`[data-product="buds"]`))
	frame, id = b.Frame(origin, used)
	used[id] = true
	frame.Run("adding to the cart", bt.Visible("#add"), bt.JSClick("#add"))
	c := nodetest.NewClient(api)
	c.Token = c.Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": "alice", "password": demo.Password}).Str("token")
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(string(c.Do(t, "GET", "/api/v1/miniapps/"+appid+"/storage/cart", nil).Body), `"qty":1`); {
		if time.Now().After(deadline) {
			t.Fatal("the cart never held the earbuds")
		}
		time.Sleep(20 * time.Millisecond)
	}
	frame.Run("going to the cart", bt.JSClick("#to-cart"))
	frame, id = b.Frame(origin, used)
	used[id] = true
	frame.Run("checking out", bt.Visible(`[data-line="buds"]`), bt.JSClick("#checkout"))
	b.Run("confirming", bt.Visible("#pay-confirm"), bt.JSClick("#pay-confirm"))
	enterPIN(b, demo.PIN)
	frame, _ = b.Frame(origin, used)
	frame.Run("seeing the order paid", bt.Visible(`[data-status="paid"]`))
	b.Screenshot("tls-paid")
	deadline := time.Now().Add(10 * time.Second)
	for {
		paid := false
		for _, o := range backendOrders(t, backend) {
			paid = paid || o["status"] == "paid" && o["verified_notification"] == true
		}
		if paid {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the store's backend has no order paid from a verified notification")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Issue 9's "done when": Plaza on https://plaza.localhost:PORT with its
// own certificate, and another behind a TLS-terminating reverse proxy with
// --trusted-proxies; in Chromium a user signs in (a Secure __Host- cookie)
// and pays in the Gadget Store, framed from https://{appid}.apps.localhost.
func TestDeployedOverTLSInBrowser(t *testing.T) {
	alloc := bt.Allocator(t, chromedp.Flag("ignore-certificate-errors", true))
	pki := newTestPKI(t)
	trustInProcess(t, pki.roots)

	t.Run("own_certificate", func(t *testing.T) {
		port := freePort(t)
		public := "https://plaza.localhost:" + port
		n := nodetest.Start(t, nodetest.Options{Tune: func(c *node.Config) {
			c.Addr, c.PublicURL, c.TLSCert, c.TLSKey = "127.0.0.1:"+port, public, pki.certFile, pki.keyFile
		}})
		// HTTP/2 on the node's own TLS.
		cl := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pki.roots}, ForceAttemptHTTP2: true}}
		resp, err := cl.Get(n.URL() + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.ProtoMajor != 2 || resp.Header.Get("Strict-Transport-Security") == "" {
			t.Fatalf("/healthz over TLS: %s, HSTS %q", resp.Proto, resp.Header.Get("Strict-Transport-Security"))
		}
		backend, appid := startStore(t, n, n.URL())
		payInStore(t, alloc, public, n.URL(), appid, backend)
	})

	t.Run("behind_a_proxy", func(t *testing.T) {
		var target *url.URL
		proxy := httptest.NewUnstartedServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.SetXForwarded() // X-Forwarded-For, -Host, -Proto: https
			r.Out.Host = r.In.Host
		}})
		proxy.TLS = &tls.Config{Certificates: []tls.Certificate{pki.cert}}
		proxy.EnableHTTP2 = true
		_, port, _ := net.SplitHostPort(proxy.Listener.Addr().String())
		public := "https://plaza.localhost:" + port
		n := nodetest.Start(t, nodetest.Options{Tune: func(c *node.Config) {
			c.PublicURL, c.TrustedProxies = public, "127.0.0.1/32"
		}})
		target, _ = url.Parse(n.URL())
		proxy.StartTLS()
		t.Cleanup(proxy.Close)
		backend, appid := startStore(t, n, proxy.URL)
		payInStore(t, alloc, public, proxy.URL, appid, backend)
	})
}
