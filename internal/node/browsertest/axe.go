package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// axe-core comes from the web client's devDependencies; the script is read
// once per test binary.
var axeScript = sync.OnceValues(func() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "web", "node_modules", "axe-core", "axe.min.js")
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "web", "package.json")); err == nil {
				b, err := os.ReadFile(p)
				if err != nil {
					return "", fmt.Errorf("no axe-core at %s (run npm ci in web): %w", p, err)
				}
				return string(b), nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no repository root with web/package.json above the test (run the test inside the repository)")
		}
		dir = parent
	}
})

// AxeViolation is one axe-core rule that failed, with the elements it
// failed on.
type AxeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	URL    string `json:"helpUrl"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		HTML    string `json:"html"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

func (v AxeViolation) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s (%s): %s — %d element(s)", v.ID, v.Impact, v.Help, len(v.Nodes))
	for i, n := range v.Nodes {
		if i == 8 {
			fmt.Fprintf(&sb, "\n      … and %d more", len(v.Nodes)-i)
			break
		}
		html := n.HTML
		if len(html) > 160 {
			html = html[:160] + "…"
		}
		why := strings.TrimSpace(n.Summary)
		if _, after, ok := strings.Cut(why, "\n"); ok {
			why = strings.TrimSpace(after) // drop "Fix any of the following:"
		}
		if k := strings.IndexByte(why, '\n'); k > 0 {
			why = why[:k]
		}
		fmt.Fprintf(&sb, "\n      %v  %s\n        %s", n.Target, html, why)
	}
	return sb.String()
}

// AxeRun injects axe-core into the page (not into frames from other sites:
// a mini-program is its developer's page) and returns its violations.
func (b *Browser) AxeRun() ([]AxeViolation, error) {
	script, err := axeScript()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(b.Ctx, 60*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`window.axe ? true : (function(){`+script+`
		;return true})()`)); err != nil {
		return nil, fmt.Errorf("injecting axe-core: %w", err)
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ['violations'], iframes: false})
		.then((r) => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("running axe-core: %w", err)
	}
	var vs []AxeViolation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		return nil, err
	}
	return vs, nil
}

// Axe checks the page with axe-core: every serious or critical violation
// fails the test (each listed with its elements), minor and moderate ones
// are logged. The test goes on, so one run lists every page's findings.
func (b *Browser) Axe(label string) {
	b.t.Helper()
	vs, err := b.AxeRun()
	if err != nil {
		b.t.Fatalf("%s: axe on %s: %v", b.Name, label, err)
	}
	var bad, soft []string
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			bad = append(bad, "  "+v.String())
		} else {
			soft = append(soft, "  "+v.String())
		}
	}
	if len(soft) > 0 {
		b.t.Logf("%s: axe on %s, minor or moderate:\n%s", b.Name, label, strings.Join(soft, "\n"))
	}
	if len(bad) > 0 {
		b.Screenshot("axe-" + label)
		b.t.Errorf("%s: axe on %s: %d serious or critical violation(s):\n%s", b.Name, label, len(bad), strings.Join(bad, "\n"))
	}
}

// NewLocale is New with the browser's language set to lang (a BCP 47 tag
// such as "zh-CN"): navigator.languages, the Accept-Language header and
// Intl's default locale all say lang, as a browser installed in that
// language would.
func NewLocale(t testing.TB, alloc context.Context, name string, size [2]int64, lang string) *Browser {
	t.Helper()
	b := New(t, alloc, name, size)
	err := chromedp.Do(b.Ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		ua, err := chromedp.Evaluate[string](`navigator.userAgent`)(ctx, tg)
		if err != nil {
			return err
		}
		// Headless Chromium says so in its user agent; the app does not care.
		if _, err := cdp.Call(ctx, tg, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
			UserAgent: ua, AcceptLanguage: lang + "," + strings.SplitN(lang, "-", 2)[0] + ";q=0.9"}); err != nil {
			return err
		}
		_, err = cdp.Call(ctx, tg, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: strings.ReplaceAll(lang, "-", "_")})
		return err
	}))
	if err != nil {
		t.Fatalf("%s: setting the language to %s: %v", name, lang, err)
	}
	return b
}

// ColorScheme makes the page's prefers-color-scheme "dark" or "light"
// ("" follows the machine again).
func (b *Browser) ColorScheme(scheme string) {
	b.t.Helper()
	var features []*emulation.MediaFeature
	if scheme != "" {
		features = []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}
	}
	b.Run("emulating "+scheme+" colours", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: features})
		return err
	}))
}
