package web_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/plaza-dev/plaza/examples/store"
	"github.com/plaza-dev/plaza/internal/demo"
	"github.com/plaza-dev/plaza/internal/node"
	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// The done-when walk of issue 14: on a phone and on a desktop, in a
// browser set to Chinese and in one set to English, a person walks the
// chats, a conversation, contacts, a profile, the wallet, Discover and a
// mini-program, and Me's settings. Every page is in the browser's language
// (nothing chosen in the app) and axe-core finds nothing serious on it.
func TestWalkEveryScreenInBrowser(t *testing.T) {
	alloc := bt.Allocator(t)
	for _, v := range []struct {
		name string
		size [2]int64
		lang string
	}{
		{"phone-zh", bt.Phone, "zh-CN"},
		{"desktop-zh", bt.Desktop, "zh-CN"},
		{"phone-en", bt.Phone, "en"},
		{"desktop-en", bt.Desktop, "en"},
	} {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			walk(t, alloc, v.name, v.size, v.lang)
		})
	}
	t.Run("dark", func(t *testing.T) {
		t.Parallel()
		walkDark(t, alloc)
	})
}

// demoNode is a fresh node with the demo's people, chats, money, PINs and
// mini-programs, and the demo store's backend; it returns the store's appid.
func demoNode(t *testing.T) (*node.Node, string) {
	t.Helper()
	n := nodetest.Start(t, nodetest.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := demo.Seed(context.Background(), demo.Services{Accounts: n.Accounts, Chat: n.Chat, Pay: n.Pay, Merchant: n.Merchant,
		MiniApps: n.MiniApps, DataDir: dir, URL: n.URL(), StoreBackend: "http://" + ln.Addr().String()}); err != nil {
		t.Fatal(err)
	}
	backend, err := store.Load(demo.StoreConfig(dir), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: backend.Handler()}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return n, backend.AppID()
}

// tabContacts is the contacts tab's label in each language: a word the
// page shows wherever one is (the tab bar or the desktop's rail).
var tabContacts = map[string]string{"zh-CN": "通讯录", "en": "Contacts"}

// sendWord is the composer's button in each language.
var sendWord = map[string]string{"zh-CN": "发送", "en": "Send"}

// openTab opens a tab from its button when the tab bar shows, else (a
// full-screen page on a phone) by the address, as the back button would,
// and waits for sel.
func openTab(b *bt.Browser, tab, sel string) {
	b.Run("opening "+tab, js(`(() => { const el = document.querySelector('[data-tab="`+tab+`"]');
		if (el && el.getClientRects().length) { el.click(); return; }
		history.pushState(null, '', '/`+tab+`'); dispatchEvent(new PopStateEvent('popstate')); })()`), bt.Visible(sel))
}

// checkPage waits until the page has settled, checks it is in lang, runs
// axe on it and takes its screenshot (for docs/screens/ too when shot is set).
func checkPage(t *testing.T, b *bt.Browser, lang, page, shot string) {
	t.Helper()
	settled(t, b)
	nodetest.WaitFor(t, 10e9, func() bool { return b.Count(".spinner-block") == "0" })
	if got := evalString(t, b, `document.documentElement.lang`); got != lang {
		t.Errorf("%s: <html lang> is %q, want %q", page, got, lang)
	}
	// Full-screen pages (a conversation on a phone) have no tab bar.
	if labels := b.Attrs(`[data-tab="contacts"] .tab-label`, ""); len(labels) > 0 && strings.TrimSpace(labels[0]) != tabContacts[lang] {
		t.Errorf("%s: the contacts tab says %q, want %q", page, labels[0], tabContacts[lang])
	}
	if sends := b.Attrs(`#composer-send`, ""); len(sends) > 0 && strings.TrimSpace(sends[0]) != sendWord[lang] {
		t.Errorf("%s: the send button says %q, want %q", page, sends[0], sendWord[lang])
	}
	b.Axe(page)
	b.Screenshot(page)
	if shot != "" {
		readmeScreen(t, b, shot)
	}
}

func walk(t *testing.T, alloc context.Context, variant string, size [2]int64, lang string) {
	n, appid := demoNode(t)
	b := bt.NewLocale(t, alloc, "alice", size, lang)
	short := map[string]string{"zh-CN": "zh", "en": "en"}[lang]
	device := strings.Split(variant, "-")[0]
	name := func(page string) string { return page + "-" + device + "-" + short }
	demoLogin(b, n.URL(), "alice")
	checkPage(t, b, lang, "chats", "")

	// A conversation: send a message, see it.
	row := `[data-conversation-id]`
	b.Run("opening a conversation", bt.Visible(row), bt.Click(row), bt.Visible("#composer-input"))
	b.Run("sending", bt.Type("#composer-input", map[string]string{"zh-CN": "晚上一起吃饭吗？", "en": "Dinner tonight?"}[lang]),
		bt.Click("#composer-send"), bt.Visible(`#conversation [data-seq]:last-child`))
	waitContains(t, b, "#conversation", map[string]string{"zh-CN": "晚上一起吃饭吗？", "en": "Dinner tonight?"}[lang])
	checkPage(t, b, lang, "conversation", name("chat"))

	openTab(b, "contacts", `[data-contact="bob"]`)
	checkPage(t, b, lang, "contacts", name("contacts"))
	b.Run("opening a profile", bt.Click(`[data-contact="bob"]`), bt.Visible("#profile"))
	checkPage(t, b, lang, "profile", "")

	openTab(b, "wallet", "#wallet-balance")
	checkPage(t, b, lang, "wallet", name("wallet"))

	openTab(b, "discover", "#miniapp-search")
	checkPage(t, b, lang, "discover", "")
	b.Run("opening the store", bt.Type("#miniapp-search", "gadget"), bt.Visible(`[data-appid="`+appid+`"]`),
		bt.Click(`[data-appid="`+appid+`"]`), bt.Visible("#miniapp-frame"))
	frame, _ := b.Frame(appid+".apps.localhost", nil)
	frame.Run("seeing the catalog", bt.Visible(`[data-product="buds"]`))
	b.Run("seeing the consent sheet", bt.Visible("#consent-sheet"))
	checkPage(t, b, lang, "miniapp-consent", "")
	// The sheet keeps the keyboard: focus is inside as it opens, and Tab
	// and Shift+Tab go round its controls without leaving it.
	inside := `String(!!document.activeElement && !!document.activeElement.closest('#consent-sheet'))`
	if got := evalString(t, b, inside); got != "true" {
		t.Errorf("focus is not in the consent sheet as it opens")
	}
	for i := 0; i < 6; i++ {
		b.Run("tabbing", chromedp.KeyEvent("\t"))
		if got := evalString(t, b, inside); got != "true" {
			t.Fatalf("Tab %d left the consent sheet for %s", i+1, evalString(t, b, `document.activeElement.outerHTML.slice(0, 120)`))
		}
	}
	b.Run("tabbing back", chromedp.KeyEvent("\t", chromedp.KeyModifiers(chromedp.ModifierShift)))
	if got := evalString(t, b, inside); got != "true" {
		t.Errorf("Shift+Tab left the consent sheet")
	}
	b.Run("granting the profile", bt.JSClick("#consent-allow"), chromedp.WaitNotPresent(chromedp.CSS("#consent-sheet")))
	checkPage(t, b, lang, "miniapp", name("discover-miniapp"))

	openTab(b, "me", "#me-qrcode")
	checkPage(t, b, lang, "me", "")
	// TODO(lead): /me/settings comes from the settings helper; until it is
	// merged the walk checks privacy, Me's other settings page.
	settings := "/me/settings"
	if !strings.Contains(evalString(t, b, `document.body.innerHTML`), `href="/me/settings"`) {
		settings = "/me/privacy"
	}
	b.Run("opening settings", js(`history.pushState(null, '', '`+settings+`'); dispatchEvent(new PopStateEvent('popstate'))`),
		chromedp.WaitVisible(chromedp.CSS(`main, [role="main"]`)))
	nodetest.WaitFor(t, 10e9, func() bool { return evalString(t, b, `location.pathname`) == settings })
	checkPage(t, b, lang, "settings", name("settings"))
}

// walkDark: the system asks for dark colours; chats and the wallet are
// dark and axe-clean, and choosing Light in the app wins over the system.
func walkDark(t *testing.T, alloc context.Context) {
	n, _ := demoNode(t)
	b := bt.NewLocale(t, alloc, "alice", bt.Desktop, "zh-CN")
	b.ColorScheme("dark")
	demoLogin(b, n.URL(), "alice")
	dark := func() string {
		return evalString(t, b, `document.documentElement.dataset.theme + ' ' + getComputedStyle(document.body).backgroundColor`)
	}
	if got := dark(); !strings.HasPrefix(got, "dark ") || strings.HasSuffix(got, "rgb(237, 237, 237)") {
		t.Errorf("with the system dark, the page is %q", got)
	}
	checkPage(t, b, "zh-CN", "chats-dark", "chat-desktop-zh-dark")
	b.Run("opening the wallet", bt.Click(`[data-tab="wallet"]`), bt.Visible("#wallet-balance"))
	checkPage(t, b, "zh-CN", "wallet-dark", "")

	// Light chosen on this device wins over the system's dark.
	b.Run("choosing light", js(`localStorage.setItem('plaza.theme', 'light')`), chromedp.Reload(), bt.Visible("#wallet-balance"))
	if got := dark(); !strings.HasPrefix(got, "light ") {
		t.Errorf("with Light chosen, the page is %q", got)
	}
}

// readmeScreens are the handful the README shows: each page once, phones
// and desktops, both languages and the dark mode between them.
var readmeScreens = map[string]bool{
	"chat-desktop-zh": true, "chat-phone-en": true, "contacts-phone-zh": true, "wallet-desktop-en": true,
	"discover-miniapp-phone-zh": true, "settings-desktop-zh": true, "chat-desktop-zh-dark": true,
}

// readmeScreen saves the page as docs/screens/<name>.png when PLAZA_SCREENS=1
// (the README's Screens section; CI leaves them alone), at 1× and, when it
// comes out large, reduced to 256 colours.
func readmeScreen(t *testing.T, b *bt.Browser, name string) {
	t.Helper()
	if os.Getenv("PLAZA_SCREENS") != "1" || !readmeScreens[name] {
		return
	}
	ctx, cancel := context.WithTimeout(b.Ctx, 20e9)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	out := raw
	if len(raw) > 150<<10 {
		img, err := png.Decode(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		out = quantize(img)
	}
	if err := os.MkdirAll(filepath.Join("..", "docs", "screens"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("..", "docs", "screens", name+".png"), out, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("docs/screens/%s.png: %d KB", name, len(out)>>10)
}

// quantize re-encodes img with at most 256 colours: the most frequent ones
// (a UI has few), every other pixel mapped to the nearest.
func quantize(img image.Image) []byte {
	r := img.Bounds()
	count := map[color.RGBA]int{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			count[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	cs := make([]color.RGBA, 0, len(count))
	for c := range count {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool { return count[cs[i]] > count[cs[j]] })
	pal := make(color.Palette, 0, 256)
	for _, c := range cs[:min(256, len(cs))] {
		pal = append(pal, c)
	}
	out := image.NewPaletted(r, pal)
	near := map[color.RGBA]uint8{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			i, ok := near[c]
			if !ok {
				i = uint8(pal.Index(c))
				near[c] = i
			}
			out.SetColorIndex(x, y, i)
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, out); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
