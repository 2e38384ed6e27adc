package web_test

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

type rect struct{ X, Y, W, H float64 }

// rectOf is the element's bounding box (all zero when it is not in the page).
func rectOf(t *testing.T, b *bt.Browser, sel string) rect {
	t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return '{}';
		const r = e.getBoundingClientRect(); return JSON.stringify({X: r.x, Y: r.y, W: r.width, H: r.height}); })()`, sel)
	var r rect
	if err := json.Unmarshal([]byte(evalString(t, b, js)), &r); err != nil {
		t.Fatalf("%s: box of %s: %v", b.Name, sel, err)
	}
	return r
}

func press(keys string, mods ...chromedp.Modifier) chromedp.Action[chromedp.Void] {
	return chromedp.KeyEvent(keys, chromedp.KeyModifiers(mods...))
}

// waitPath waits (bounded) until the page is at path.
func waitPath(t *testing.T, b *bt.Browser, path string) {
	t.Helper()
	nodetest.WaitFor(t, 10*time.Second, func() bool { return evalString(t, b, `location.pathname`) == path })
}

// On a 1440×900 screen Plaza is laid out like WeChat for PC: the rail, the
// chat list and the open conversation side by side; the list keeps the open
// row highlighted, resizes by keyboard and by dragging (remembered across a
// reload), and the keyboard moves between unread chats, closes the open one
// and jumps to search. On a phone the same chats show one screen at a time.
func TestDesktopLayoutInBrowser(t *testing.T) {
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})
	ann := nodetest.Signup(t, n.URL(), "ann")
	ben := nodetest.Signup(t, n.URL(), "ben")
	cat := nodetest.Signup(t, n.URL(), "cat")
	nodetest.Befriend(t, ann, ben, "ben")
	nodetest.Befriend(t, ann, cat, "cat")
	say := func(c *nodetest.Client, to, text string) string {
		id := c.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": to}).Str("conversation.id")
		if r := c.Do(t, "POST", "/api/v1/conversations/"+id+"/messages", map[string]any{"client_id": "m-" + text, "kind": "text", "text": text}); r.Status != 201 {
			t.Fatalf("send: %d %s", r.Status, r.Body)
		}
		return id
	}
	// Cat wrote first, Ben last: Ben's chat is on top, both unread.
	catConv := say(cat, "ann", "Are you coming on Saturday?")
	benConv := say(ben, "ann", "Lunch at noon?")
	benRow := fmt.Sprintf(`#list-pane [data-conversation-id="%s"]`, benConv)
	catRow := fmt.Sprintf(`#list-pane [data-conversation-id="%s"]`, catConv)

	b := bt.New(t, alloc, "ann", bt.Desktop)
	login(b, n.URL(), "ann")
	b.Run("seeing the list beside an empty pane", bt.Visible(benRow), bt.Visible(catRow), bt.Visible("#empty-pane"))
	b.Screenshot("empty")

	b.Run("opening Ben's chat from the list", bt.Click(benRow), bt.Visible("#composer-input"), bt.Visible(benRow+`[aria-current="true"]`))
	waitPath(t, b, "/chats/"+benConv)
	list, item := rectOf(t, b, "#list-pane"), rectOf(t, b, "#item-pane")
	if list.W < 240 || item.W < 600 || list.H < 800 || item.H < 800 || list.X+list.W > item.X+1 || math.Abs(list.Y-item.Y) > 1 {
		t.Fatalf("list %+v and conversation %+v should stand side by side, full height", list, item)
	}
	if got := b.Count(`#list-pane [aria-current="true"]`); got != "1" {
		t.Fatalf("%s rows are highlighted, want only the open one", got)
	}
	if got := b.Count("#conversation-back"); got != "0" {
		t.Fatalf("the open chat has a back link to the list beside it")
	}
	b.Screenshot("open")

	// The list's width: 300 px at first; arrows move it 10 px, Home/End to the limits.
	width := func() string {
		return evalString(t, b, `document.querySelector('#list-resizer').getAttribute('aria-valuenow')`)
	}
	if w := width(); w != "300" {
		t.Fatalf("list starts %s px wide, want 300", w)
	}
	b.Run("resizing with the keyboard", chromedp.Focus(chromedp.CSS("#list-resizer")), press(kb.ArrowRight+kb.ArrowRight+kb.ArrowRight))
	if w, box := width(), rectOf(t, b, "#list-pane"); w != "330" || math.Abs(box.W-330) > 1 {
		t.Fatalf("after three → the list is %s (%v px) wide, want 330", w, box.W)
	}
	b.Run("to the limits", press(kb.End))
	if w := width(); w != "480" {
		t.Fatalf("End: %s, want 480", w)
	}
	b.Run("and back", press(kb.Home))
	if w := width(); w != "240" {
		t.Fatalf("Home: %s, want 240", w)
	}
	handle := rectOf(t, b, "#list-resizer")
	x, y := handle.X+handle.W/2, handle.Y+handle.H/2
	b.Run("dragging the handle 120 px right",
		chromedp.MouseEvent("mousePressed", x, y, chromedp.ButtonLeft),
		chromedp.MouseEvent("mouseMoved", x+60, y, chromedp.ButtonLeft),
		chromedp.MouseEvent("mouseMoved", x+120, y, chromedp.ButtonLeft),
		chromedp.MouseEvent("mouseReleased", x+120, y, chromedp.ButtonLeft),
	)
	if w := width(); w != "360" {
		t.Fatalf("after the drag the list is %s px wide, want 360", w)
	}
	b.Run("dragging far past the limit", chromedp.MouseEvent("mousePressed", x+120, y, chromedp.ButtonLeft),
		chromedp.MouseEvent("mouseMoved", x+700, y, chromedp.ButtonLeft),
		chromedp.MouseEvent("mouseReleased", x+700, y, chromedp.ButtonLeft))
	if w := width(); w != "480" {
		t.Fatalf("a drag past the limit leaves %s px, want 480", w)
	}
	b.Run("dragging back", chromedp.MouseEvent("mousePressed", rectOf(t, b, "#list-resizer").X+4, y, chromedp.ButtonLeft),
		chromedp.MouseEvent("mouseMoved", rectOf(t, b, "#list-resizer").X-76, y, chromedp.ButtonLeft),
		chromedp.MouseEvent("mouseReleased", rectOf(t, b, "#list-resizer").X-76, y, chromedp.ButtonLeft))
	if w := width(); w != "400" {
		t.Fatalf("after dragging back the list is %s px wide, want 400", w)
	}
	b.Run("reloading", chromedp.Reload(), bt.Visible(benRow+`[aria-current="true"]`), bt.Visible("#composer-input"))
	if w, box := width(), rectOf(t, b, "#list-pane"); w != "400" || math.Abs(box.W-400) > 1 {
		t.Fatalf("after a reload the list is %s (%v px) wide, want the 400 it was", w, box.W)
	}

	// Alt+↓: the next chat with unread messages (Ben's is read now: Cat's).
	b.Run("jumping to the next unread chat", press(kb.ArrowDown, chromedp.ModifierAlt), bt.Visible(catRow+`[aria-current="true"]`))
	waitPath(t, b, "/chats/"+catConv)
	nodetest.WaitFor(t, 10*time.Second, func() bool {
		return evalString(t, b, fmt.Sprintf(`document.querySelector('%s .unread-badge') ? 'unread' : 'read'`, catRow)) == "read"
	})
	b.Run("with nothing else unread, Alt+↓ stays", press(kb.ArrowDown, chromedp.ModifierAlt))
	waitPath(t, b, "/chats/"+catConv)

	// Esc leaves a menu to close itself; then closes the chat.
	b.Run("opening the + menu", bt.Click("#chats-plus"), bt.Visible("#chats-plus-menu"))
	b.Run("Esc with the menu open", press(kb.Escape), chromedp.WaitNotPresent(chromedp.CSS("#chats-plus-menu")))
	if p := evalString(t, b, `location.pathname`); p != "/chats/"+catConv {
		t.Fatalf("Esc closed the menu and the chat (now at %s)", p)
	}
	b.Run("Esc closes the chat", chromedp.Focus(chromedp.CSS("#composer-input")), press(kb.Escape), bt.Visible("#empty-pane"))
	waitPath(t, b, "/chats")
	if got := b.Count(`#list-pane [aria-current="true"]`); got != "0" {
		t.Fatalf("%s rows still highlighted with nothing open", got)
	}

	// Ctrl+F: search opens beside the list, its field focused.
	b.Run("Ctrl+F", press("f", chromedp.ModifierCtrl), bt.Visible("#search-input"), bt.Visible(benRow))
	nodetest.WaitFor(t, 10*time.Second, func() bool { return evalString(t, b, `document.activeElement?.id || ''`) == "search-input" })
	b.Run("typing in search", bt.Type("#search-input", "/"))
	if p := evalString(t, b, `location.pathname`); p != "/search" {
		t.Fatalf("typing / in the search field left search for %s", p)
	}
	b.Screenshot("search")
	b.Run("Esc closes search", press(kb.Escape), bt.Visible("#empty-pane"))

	// The tabs' other lists: contacts beside a profile.
	b.Run("contacts", bt.Click(`[data-tab="contacts"]`), bt.Visible("#list-pane #new-friends"), bt.Visible("#empty-pane"))
	b.Run("a contact's profile beside the list", bt.Click(`#list-pane [data-contact="ben"]`), bt.Visible("#item-pane .profile-page"), bt.Visible(`#list-pane [data-contact="cat"]`))
	b.Screenshot("contacts")
	b.Run("the wallet across the width", bt.Click(`[data-tab="wallet"]`), bt.Visible("#wallet-card"))
	if got := b.Count("#list-pane"); got != "0" {
		t.Fatalf("the wallet on its own has a list pane beside it")
	}
	b.Screenshot("wallet")
	b.Run("Discover across the width", bt.Click(`[data-tab="discover"]`), bt.Visible("#miniapp-search"))
	b.Screenshot("discover")
	b.Run("Me", bt.Click(`[data-tab="me"]`), bt.Visible("#list-pane"), bt.Visible("#empty-pane"))
	b.Screenshot("me")
	b.Run("a mini-program in a phone-sized window", chromedp.Navigate(n.URL()+"/app/wxnone"), bt.Visible(".layout-stage #item-pane > .page"))
	if stage := rectOf(t, b, ".layout-stage #item-pane > .page"); stage.W != 390 || stage.H > 844 || stage.X < 400 {
		t.Fatalf("the mini-program's window is %+v, want 390 px wide in the middle", stage)
	}
	b.Screenshot("miniapp")

	// A phone: one screen at a time, as before.
	p := bt.New(t, alloc, "ann-phone", bt.Phone)
	login(p, n.URL(), "ann")
	phoneRow := fmt.Sprintf(`.chat-row[data-conversation-id="%s"]`, benConv)
	p.Run("seeing the list alone", bt.Visible(phoneRow))
	if got := p.Count("#list-pane, #empty-pane, #list-resizer"); got != "0" {
		t.Fatalf("a phone shows desktop panes (%s)", got)
	}
	p.Run("opening the chat", bt.Click(phoneRow), bt.Visible("#composer-input"), bt.Visible("#conversation-back"), chromedp.WaitNotPresent(chromedp.CSS(phoneRow)))
	p.Screenshot("phone-open")
	p.Run("Esc does nothing on a phone", press(kb.Escape))
	if got := evalString(t, p, `location.pathname`); got != "/chats/"+benConv {
		t.Fatalf("Esc on a phone went to %s", got)
	}
	p.Run("back to the list", bt.Click("#conversation-back"), bt.Visible(phoneRow))
}
