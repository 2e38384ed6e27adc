package web_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// The browser stories share one Chromium (bt.Allocator); Main closes it.
func TestMain(m *testing.M) { bt.Main(m) }

// Sharing one Chromium must not let one person's (or one story's) cookies
// and storage reach another's: each Browser is its own browser context.
func TestSharedBrowserKeepsPeopleApart(t *testing.T) {
	alloc := bt.Allocator(t)
	if again := bt.Allocator(t); again != alloc {
		t.Fatal("a second test without extra flags started another Chromium")
	}
	n := nodetest.Start(t, nodetest.Options{})
	ann := bt.New(t, alloc, "ann", bt.Phone)
	ben := bt.New(t, alloc, "ben", bt.Phone)
	for _, b := range []*bt.Browser{ann, ben} {
		b.Run("opening Plaza", chromedp.Navigate(n.URL()+"/login"), bt.Visible("#login-username"))
	}
	ann.Run("keeping something", js(`document.cookie = "who=ann; path=/"; localStorage.setItem("who", "ann")`))
	read := `String(document.cookie.split("; ").includes("who=ann")) + "|" + String(localStorage.getItem("who"))`
	if got := evalString(t, ann, read); got != "true|ann" {
		t.Fatalf("ann's own browser reads %q", got)
	}
	if got := evalString(t, ben, read); got != "false|null" {
		t.Fatalf("ben's browser, in the same Chromium, reads ann's: %q", got)
	}
}

// When the shared Chromium dies (a story crashed it, or the machine killed
// it), the next story gets a new one instead of failing on a dead browser.
func TestSharedBrowserRestartsAfterACrash(t *testing.T) {
	alloc := bt.Allocator(t)
	proc := chromedp.FromContext(alloc).Browser.Process()
	if proc == nil {
		t.Fatal("the shared Chromium has no process")
	}
	if err := proc.Kill(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-alloc.Done():
	case <-time.After(20 * time.Second):
		t.Fatal("the shared Chromium's context lives on 20 s after its process was killed")
	}
	again := bt.Allocator(t)
	if again == alloc || again.Err() != nil {
		t.Fatal("after the crash, Allocator returned the dead browser")
	}
	n := nodetest.Start(t, nodetest.Options{})
	ann := bt.New(t, again, "ann", bt.Phone)
	ann.Run("opening Plaza in the new Chromium", chromedp.Navigate(n.URL()+"/login"), bt.Visible("#login-username"))
}
