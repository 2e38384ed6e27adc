package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// An administrator imports OFAC's files in the console's Watch lists tab
// and sees the count and hash; a malformed list is refused with its line
// and changes nothing; a name tested shows its score; the search finds
// the entry.
func TestAdminConsoleWatchLists(t *testing.T) {
	if !watchlistTabBuilt(t, "wl-import") {
		t.Fatal("web/dist predates the Watch lists tab: rebuild it (cd web && npm run build) and commit it")
	}
	ctx := context.Background()
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})
	if _, err := n.Accounts.CreateAdmin(ctx, "operator", "correct horse", "CN"); err != nil {
		t.Fatal(err)
	}
	data, err := filepath.Abs("../internal/trust/testdata/ofac")
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("id,name\n1,Someone\n2\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	op := bt.New(t, alloc, "operator", bt.Desktop)
	login(op, n.URL(), "operator")
	op.Run("opening Watch lists", chromedp.Navigate(n.URL()+"/admin/watchlists"), bt.Visible("#admin-watchlists"))
	op.Run("importing OFAC's files",
		chromedp.SetUploadFiles(chromedp.CSS("#wl-sdn"), []string{filepath.Join(data, "sdn.csv")}),
		chromedp.SetUploadFiles(chromedp.CSS("#wl-alt"), []string{filepath.Join(data, "alt.csv")}),
		chromedp.SetUploadFiles(chromedp.CSS("#wl-add"), []string{filepath.Join(data, "add.csv")}),
		bt.Click("#wl-import"), bt.Visible("#wl-result"), bt.Visible(`.watchlist-row[data-list="ofac_sdn"]`))
	if got := op.Text("#wl-result"); !strings.Contains(got, "Imported 8 entries") || !strings.Contains(got, "sha256:") {
		t.Fatalf("result: %q", got)
	}
	op.Screenshot("watchlist-imported")

	op.Run("importing a malformed CSV", bt.Click("#wl-format-csv"), bt.Visible("#wl-csv"),
		chromedp.SetUploadFiles(chromedp.CSS("#wl-csv"), []string{bad}),
		bt.Set("#wl-list", "ofac_sdn"), bt.Click("#wl-import"), bt.Visible("#wl-error"))
	if got := op.Text("#wl-error"); !strings.Contains(got, "line 3") {
		t.Fatalf("error: %q", got)
	}
	if got := op.Text(`.watchlist-row[data-list="ofac_sdn"]`); !strings.Contains(got, "8") {
		t.Fatalf("the list after a bad import: %q", got)
	}

	op.Run("testing a name", bt.Type("#wl-test-name", "Ivan Sidorov"), bt.Click("#wl-test"), bt.Visible(`.wl-match[data-entry="90001"]`))
	if got := op.Text(`.wl-match[data-entry="90001"]`); !strings.Contains(got, "held for review") {
		t.Fatalf("match row: %q", got)
	}
	op.Run("searching the list", bt.Type("#wl-q", "zawahiri"), bt.Click("#wl-search"), bt.Visible(`.wl-entry[data-id="2676"]`))
	op.Screenshot("watchlist-search")
}

// watchlistTabBuilt reports whether the built client (web/dist, embedded in the
// binary) holds s.
func watchlistTabBuilt(t *testing.T, s string) bool {
	files, err := filepath.Glob("dist/assets/*.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil && strings.Contains(string(b), s) {
			return true
		}
	}
	return false
}
