// Package browsertest drives Debian's Chromium, headless, for tests of the
// web client: each Browser is its own browser context (its own cookies),
// so one test can play several people at once.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
)

// Phone is the viewport the client is designed for first.
var Phone = [2]int64{390, 844}

// Desktop is a laptop's viewport.
var Desktop = [2]int64{1440, 900}

// Chromium finds the browser: $PLAZA_CHROMIUM, else chromium on the PATH.
// Without one the test skips, or fails when PLAZA_TEST_REQUIRE names
// "chromium".
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("PLAZA_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	dbtest.Require(t, "chromium", "no chromium on the PATH (apt-get install -y chromium)")
	return ""
}

// Allocator returns a headless Chromium's context for the test, with the
// flags this workplace needs (no sandbox as root, no background networking)
// and any extra ones (chromedp.Flag("ignore-certificate-errors", true)).
//
// Without extra flags every test of the package shares one Chromium,
// started by the first: a launch costs several CPU-seconds on this 2-core
// machine (the browser, its zygotes, GPU and network processes), and the
// browser stories are bound by CPU. Each Browser (New) is still its own
// browser context, with its own cookies, storage, service workers and
// permissions, closed when its test ends. Sharing needs the package's
// TestMain to call Main, which closes the shared browser and removes its
// profile when the tests end; without Main, or with extra flags, the test
// gets a Chromium of its own, closed with the test.
func Allocator(t testing.TB, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	path := Chromium(t)
	if len(extra) > 0 || !sharing.Load() {
		ctx, stop, err := launch(path, t.TempDir(), extra)
		if err != nil {
			t.Fatalf("starting chromium: %v", err)
		}
		t.Cleanup(stop)
		return ctx
	}
	shared.Lock()
	defer shared.Unlock()
	if shared.ctx != nil && shared.ctx.Err() == nil {
		return shared.ctx
	}
	// The first test, or the one after a crash: start it (again).
	if shared.stop != nil {
		shared.stop()
	}
	dir, err := os.MkdirTemp("", "plaza-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop, err := launch(path, dir, nil)
	if err != nil {
		os.RemoveAll(dir)
		t.Fatalf("starting chromium: %v", err)
	}
	shared.ctx = ctx
	shared.stop = func() { stop(); os.RemoveAll(dir) }
	return ctx
}

// shared is the package's one Chromium for tests without extra flags.
var shared struct {
	sync.Mutex
	ctx  context.Context
	stop func()
}

// sharing is set by Main: only then is there someone to close the shared
// Chromium and remove its profile folder when the tests end.
var sharing atomic.Bool

// Main runs the package's tests, sharing one Chromium among those without
// extra flags, and then closes it.
func Main(m *testing.M) {
	sharing.Store(true)
	code := m.Run()
	shared.Lock()
	if shared.stop != nil {
		shared.stop()
	}
	shared.Unlock()
	os.Exit(code)
}

// launch starts Chromium with profile dir and returns its first tab's
// context and what stops it.
func launch(path, dir string, extra []chromedp.ExecAllocatorOption) (context.Context, func(), error) {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(dir),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
	opts = append(opts, extra...)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	// The first context starts the browser; each Browser is a new browser
	// context inside it.
	ctx, cancel := chromedp.NewContext(alloc)
	stop := func() { cancel(); cancelAlloc() }
	if err := chromedp.Do(ctx); err != nil {
		stop()
		return nil, nil, err
	}
	return ctx, stop, nil
}

// Browser is one person's browser context.
type Browser struct {
	Ctx  context.Context
	Name string
	t    testing.TB
}

// New opens a fresh browser context (own cookies and storage) sized size.
func New(t testing.TB, alloc context.Context, name string, size [2]int64) *Browser {
	t.Helper()
	ctx, cancel := chromedp.NewContext(alloc, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(size[0], size[1])); err != nil {
		t.Fatalf("%s: starting chromium: %v", name, err)
	}
	return &Browser{Ctx: ctx, Name: name, t: t}
}

// Run runs actions with a bounded wait; a failure names the person and
// saves a screenshot.
func (b *Browser) Run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.Screenshot("failed-" + what)
		b.t.Fatalf("%s: %s: %v", b.Name, what, err)
	}
}

// Click, Visible, Type and Set are the CSS-selector steps tests use most.
func Click(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }

func Visible(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS(sel))
}

func Type(sel, text string) chromedp.Action[chromedp.Void] {
	return chromedp.SendKeys(chromedp.CSS(sel), text)
}

func Set(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.SetValue(chromedp.CSS(sel), value)
}

// Text is the text content of the first element matching sel.
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.Screenshot("failed-reading")
		b.t.Fatalf("%s: reading %s: %v", b.Name, sel, err)
	}
	return strings.TrimSpace(s)
}

// Count is how many elements match sel.
func (b *Browser) Count(sel string) string {
	b.t.Helper()
	return fmt.Sprint(len(b.Attrs(sel, "")))
}

// Attrs is the named attribute of every element matching sel, in document
// order ("" for the text of each when name is "").
func (b *Browser) Attrs(sel, name string) []string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 20*time.Second)
	defer cancel()
	js := fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).map(e => %s)`, sel,
		map[bool]string{true: "e.textContent", false: fmt.Sprintf("e.getAttribute(%q) || ''", name)}[name == ""])
	out, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](js))
	if err != nil {
		b.t.Fatalf("%s: reading %s: %v", b.Name, sel, err)
	}
	return out
}

// Screenshot saves the page as a PNG under $PLAZA_SCREENSHOTS (when set),
// named for the person and the moment, for people to look at.
func (b *Browser) Screenshot(label string) {
	dir := os.Getenv("PLAZA_SCREENSHOTS")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Logf("screenshot %s: %v", label, err)
		return
	}
	os.MkdirAll(dir, 0o755)
	name := filepath.Join(dir, strings.ReplaceAll(b.t.Name(), "/", "_")+"-"+b.Name+"-"+label+".png")
	if err := os.WriteFile(name, png, 0o644); err != nil {
		b.t.Logf("screenshot %s: %v", label, err)
	}
}

// WaitText waits (bounded) until the element's text is want.
func WaitText(b *Browser, sel, want string) {
	b.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.Ctx, 2*time.Second)
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		cancel()
		if err == nil {
			if last = strings.TrimSpace(s); last == want {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Screenshot("failed-waiting")
	b.t.Fatalf("%s: %s shows %q, want %q", b.Name, sel, last, want)
}

// Frame attaches to the out-of-process iframe whose URL contains
// urlPart (a mini-program runs on another site, so Chrome gives it its own
// target), waiting up to 20 seconds for it, and skipping the ids in
// skip (frames already used: a page change makes a new frame).
func (b *Browser) Frame(urlPart string, skip map[string]bool) (*Browser, string) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		ts, err := chromedp.Targets(b.Ctx)
		if err == nil {
			for _, ti := range ts {
				if ti.Type == "iframe" && strings.Contains(ti.URL, urlPart) && !skip[string(ti.TargetID)] {
					ctx, cancel := chromedp.NewContext(b.Ctx, chromedp.WithTargetID(ti.TargetID))
					b.t.Cleanup(cancel)
					// Attach now, with the frame's own context: the first
					// run's context owns the attachment, and Run's bounded
					// ones end.
					if err := chromedp.Do(ctx); err != nil {
						continue
					}
					return &Browser{Ctx: ctx, Name: b.Name + "/frame", t: b.t}, string(ti.TargetID)
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Screenshot("failed-frame")
	b.t.Fatalf("%s: no frame of %s", b.Name, urlPart)
	return nil, ""
}

// JSClick clicks an element through its DOM node (element.click()), not
// the mouse: for frames on other sites, whose targets take no mouse input
// of their own, and for buttons on sheets that close under the pointer.
func JSClick(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.QueryAfter(chromedp.CSS(sel), func(ctx context.Context, t *chromedp.Target, nodes []*chromedp.Node) (chromedp.Void, error) {
		if len(nodes) == 0 {
			return chromedp.Void{}, fmt.Errorf("no element %s to click", sel)
		}
		r, err := cdp.Call(ctx, t, dom.ResolveNode, dom.ResolveNodeParams{NodeID: nodes[0].NodeID})
		if err != nil {
			return chromedp.Void{}, err
		}
		_, err = cdp.Call(ctx, t, runtime.CallFunctionOn, runtime.CallFunctionOnParams{
			FunctionDeclaration: "function(){ this.click(); }", ObjectID: r.Object.ObjectID})
		return chromedp.Void{}, err
	}, chromedp.NodeVisible)
}
