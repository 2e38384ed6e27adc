package web_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/plaza-dev/plaza/internal/platform/httpx"
	"github.com/plaza-dev/plaza/web"
)

func get(t *testing.T, h http.Handler, path, acceptEncoding string) *http.Response {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	r.Host = "127.0.0.1:8080"
	if acceptEncoding != "" {
		r.Header.Set("Accept-Encoding", acceptEncoding)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec.Result()
}

func decode(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	var rd io.Reader = resp.Body
	switch resp.Header.Get("Content-Encoding") {
	case "br":
		rd = brotli.NewReader(resp.Body)
	case "gzip":
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		rd = zr
	case "":
	default:
		t.Fatalf("Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	b, err := io.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Item 6: every asset and index.html go out brotli- or gzip-compressed by
// Accept-Encoding, with Vary, the right type and length, and decode to the
// same bytes as the uncompressed answer.
func TestClientIsServedCompressed(t *testing.T) {
	files := web.Files()
	var assets []string
	fs.WalkDir(files, "assets", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".js") || strings.HasSuffix(p, ".css")) {
			assets = append(assets, p)
		}
		return nil
	})
	if len(assets) == 0 {
		t.Skip("the client is not built (npm run build in web/)")
	}
	if _, err := fs.Stat(files, assets[0]+".br"); err != nil {
		t.Skip("the client was built without precompressed files")
	}
	h := web.Handler()
	for _, path := range append(assets, "", "chats") {
		plain := get(t, h, "/"+path, "")
		want := decode(t, plain)
		ct := plain.Header.Get("Content-Type")
		for _, ae := range []string{"br", "gzip", "gzip, deflate, br, zstd", "br;q=0, gzip"} {
			resp := get(t, h, "/"+path, ae)
			wantEnc := map[string]string{"br": "br", "gzip": "gzip", "gzip, deflate, br, zstd": "br", "br;q=0, gzip": "gzip"}[ae]
			if got := resp.Header.Get("Content-Encoding"); got != wantEnc {
				t.Fatalf("/%s with %q: Content-Encoding %q, want %q", path, ae, got, wantEnc)
			}
			if resp.Header.Get("Content-Type") != ct || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
				t.Fatalf("/%s with %q: headers %v", path, ae, resp.Header)
			}
			raw, _ := io.ReadAll(resp.Body)
			if resp.Header.Get("Content-Length") != strconv.Itoa(len(raw)) {
				t.Fatalf("/%s with %q: Content-Length %s for %d bytes", path, ae, resp.Header.Get("Content-Length"), len(raw))
			}
			resp.Body = io.NopCloser(bytes.NewReader(raw))
			if got := decode(t, resp); !bytes.Equal(got, want) {
				t.Fatalf("/%s with %q decodes to %d bytes unlike the plain %d", path, ae, len(got), len(want))
			}
			if len(raw) >= len(want) {
				t.Fatalf("/%s with %q: %d bytes compressed, %d plain", path, ae, len(raw), len(want))
			}
			t.Logf("/%s %s: %d → %d bytes", path, wantEnc, len(want), len(raw))
		}
		if plain.Header.Get("Content-Encoding") != "" {
			t.Fatalf("/%s without Accept-Encoding came encoded", path)
		}
	}
}

// index.html tells the client where mini-programs are served, and the
// CSP's frame-src allows exactly there, both from the edge.
func TestIndexCarriesAppsOrigin(t *testing.T) {
	edge, err := httpx.NewEdge("https://plaza.example.com:8443", "apps.example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	h := edge.Wrap(web.Handler())
	resp := get(t, h, "/", "")
	page := string(decode(t, resp))
	if !strings.Contains(page, `<meta name="plaza-apps" content="https://apps.example.com:8443">`) {
		t.Fatalf("index.html lacks the apps origin:\n%.400s", page)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-src https://*.apps.example.com:8443") {
		t.Fatalf("CSP %s", csp)
	}
	resp = get(t, web.Handler(), "/", "")
	if page := string(decode(t, resp)); !strings.Contains(page, `content="http://apps.localhost:8080"`) {
		t.Fatalf("loopback index.html:\n%.400s", page)
	}
}

// The service worker and the manifest go out with the types browsers
// insist on; sw.js is revalidated on every load so a new one takes over.
func TestServiceWorkerAndManifest(t *testing.T) {
	if _, err := fs.Stat(web.Files(), "sw.js"); err != nil {
		t.Skip("the client is not built (npm run build in web/)")
	}
	h := web.Handler()
	for _, c := range []struct{ path, ctype, cache string }{
		{"/sw.js", "text/javascript; charset=utf-8", "no-cache"},
		{"/manifest.webmanifest", "application/manifest+json", "public, max-age=3600"},
		{"/icons/icon-192.png", "image/png", "public, max-age=3600"},
		{"/icons/maskable-512.png", "image/png", "public, max-age=3600"},
		{"/icons/apple-touch-icon.png", "image/png", "public, max-age=3600"},
	} {
		resp := get(t, h, c.path, "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", c.path, resp.StatusCode)
		}
		if got := resp.Header.Get("Content-Type"); got != c.ctype {
			t.Fatalf("%s: Content-Type %q, want %q", c.path, got, c.ctype)
		}
		if got := resp.Header.Get("Cache-Control"); got != c.cache {
			t.Fatalf("%s: Cache-Control %q, want %q", c.path, got, c.cache)
		}
	}
	var m struct {
		StartURL string `json:"start_url"`
		Display  string `json:"display"`
		Icons    []struct{ Src, Sizes, Purpose string }
	}
	if err := json.Unmarshal(decode(t, get(t, h, "/manifest.webmanifest", "")), &m); err != nil {
		t.Fatal(err)
	}
	if m.StartURL != "/chats" || m.Display != "standalone" || len(m.Icons) < 3 {
		t.Fatalf("manifest %+v", m)
	}
	for _, icon := range m.Icons {
		if resp := get(t, h, icon.Src, ""); resp.StatusCode != http.StatusOK {
			t.Fatalf("manifest icon %s: status %d", icon.Src, resp.StatusCode)
		}
	}
	page := string(decode(t, get(t, h, "/chats", "")))
	for _, want := range []string{`<link rel="manifest" href="/manifest.webmanifest"`, `<link rel="apple-touch-icon"`, `<meta name="theme-color"`} {
		if !strings.Contains(page, want) {
			t.Fatalf("index.html lacks %s", want)
		}
	}
}
