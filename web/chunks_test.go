package web_test

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/plaza-dev/plaza/web"
)

// lazyMarkers are names that only the code-split consoles use (class names
// and bridge methods, not catalogue text, which every chunk shares).
var lazyMarkers = map[string][]string{
	"admin console":     {"admin-top", "admin-nav"},
	"merchant console":  {"merchant-hero", "cred-form", "merchant-list"},
	"mini-program host": {"miniapp-capsule", "getUserProfile", "showModal"},
}

// A chat user's first load (index.html's script and the modules it preloads)
// carries none of the admin console, the merchant console or the
// mini-program host; each comes as its own chunk, served from /assets/ with
// the immutable cache, when first opened.
func TestConsolesAreSeparateChunks(t *testing.T) {
	files := web.Files()
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		t.Fatalf("dist/index.html: %v (run npm run build in web/)", err)
	}
	eager := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?:src|href)="/(assets/[^"]+\.js)"`).FindAllStringSubmatch(string(index), -1) {
		eager[m[1]] = true
	}
	if len(eager) == 0 {
		t.Fatalf("index.html loads no script:\n%s", index)
	}
	all, err := fs.Glob(files, "assets/*.js")
	if err != nil || len(all) == 0 {
		t.Fatalf("no chunks in dist/assets: %v", err)
	}
	h := web.Handler()
	for what, markers := range lazyMarkers {
		for _, marker := range markers {
			var lazyIn []string
			for _, name := range all {
				body, err := fs.ReadFile(files, name)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(string(body), marker) {
					continue
				}
				if eager[name] {
					t.Errorf("%s: %q is in %s, which the first load downloads", what, marker, name)
				} else {
					lazyIn = append(lazyIn, name)
				}
			}
			if len(lazyIn) == 0 {
				t.Errorf("%s: no chunk has %q (the marker is stale, or the code is gone)", what, marker)
				continue
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/"+lazyIn[0], nil))
			if rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("Content-Type"), "javascript") ||
				!strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
				t.Errorf("GET /%s: %d %q %q", lazyIn[0], rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Cache-Control"))
			}
		}
	}
	// A chunk from an older build is a 404 (the page offers Retry), never index.html.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/assets/AdminPage-gone.js", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("a missing chunk: %d, want 404", rec.Code)
	}
}
