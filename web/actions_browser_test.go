package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// js runs JavaScript as a step, ignoring its value.
func js(code string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[any](code)(ctx, tg)
		return chromedp.Void{}, err
	}
}

// key presses a key on the page (a keydown on the focused element).
func key(name string) chromedp.Action[chromedp.Void] {
	return js(fmt.Sprintf(`(document.activeElement || document.body).dispatchEvent(new KeyboardEvent('keydown', {key: %q, bubbles: true}))`, name))
}

// settled waits (bounded) until the page's animations have finished, for
// a screenshot that shows what stays on screen.
func settled(t *testing.T, b *bt.Browser) {
	t.Helper()
	nodetest.WaitFor(t, 10*time.Second, func() bool {
		// Finite animations only: a spinner's turns never end.
		return evalString(t, b, `String(document.getAnimations().filter((a) => a.playState === 'running' && a.effect?.getTiming().iterations !== Infinity).length)`) == "0"
	})
}

// evalString is the string value of an expression in b's page.
func evalString(t *testing.T, b *bt.Browser, code string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](code))
	if err != nil {
		t.Fatalf("%s: %s: %v", b.Name, code, err)
	}
	return s
}

// menuOn opens the action menu of the message with seq: a long-press
// (touch, held until the menu shows) on a phone, a right-click on a desktop.
func menuOn(seq int, phone bool) []chromedp.Action[chromedp.Void] {
	target := fmt.Sprintf(`document.querySelector('#conversation [data-seq="%d"] .msg-line > :first-child')`, seq)
	if !phone {
		return []chromedp.Action[chromedp.Void]{
			js(fmt.Sprintf(`(() => { const el = %s; el.scrollIntoView({block: 'center'}); const r = el.getBoundingClientRect();
				el.dispatchEvent(new MouseEvent('contextmenu', {bubbles: true, cancelable: true, clientX: r.left + r.width / 2, clientY: r.top + r.height / 2, button: 2})); })()`, target)),
			bt.Visible("#message-menu"),
		}
	}
	touch := func(typ string) string {
		return fmt.Sprintf(`(() => { const el = %s; const r = el.getBoundingClientRect();
			const t = new Touch({identifier: 1, target: el, clientX: r.left + r.width / 2, clientY: r.top + r.height / 2});
			el.dispatchEvent(new TouchEvent(%q, {bubbles: true, cancelable: true, touches: %s, targetTouches: %s, changedTouches: [t]})); })()`,
			target, typ, map[bool]string{true: "[t]", false: "[]"}[typ == "touchstart"], map[bool]string{true: "[t]", false: "[]"}[typ == "touchstart"])
	}
	return []chromedp.Action[chromedp.Void]{
		js(target + `.scrollIntoView({block: 'center'})`),
		js(touch("touchstart")),
		bt.Visible("#message-menu"), // after the 450 ms hold
		js(touch("touchend")),
	}
}

func testPNG(t *testing.T, c color.RGBA) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 240, 160))
	for x := range 240 {
		for y := range 160 {
			img.Set(x, y, color.RGBA{c.R, c.G, uint8(int(c.B) + y/4), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func sendImage(t *testing.T, c *nodetest.Client, conv, clientID string, data []byte) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, _ := w.CreatePart(map[string][]string{"Content-Disposition": {`form-data; name="file"; filename="p.png"`}, "Content-Type": {"image/png"}})
	part.Write(data)
	w.Close()
	up := c.Do(t, "POST", "/api/v1/media", body.Bytes(), "Content-Type", w.FormDataContentType())
	if up.Status != 201 {
		t.Fatalf("upload: %d %s", up.Status, up.Body)
	}
	if r := c.Do(t, "POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"client_id": clientID, "kind": "image", "media_id": up.Str("media_id")}); r.Status != 201 {
		t.Fatalf("image: %d %s", r.Status, r.Body)
	}
}

// Two people walk every message action in a phone-sized and a desktop
// browser: a clickable link and phone number, copy, quote and the jump to
// the quoted message, forward to two chats, recall (both see the note; the
// sender may re-edit), delete for me, multi-select, and the image viewer.
func TestMessageActionsInBrowser(t *testing.T) {
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})
	for _, v := range []struct {
		name  string
		size  [2]int64
		phone bool
	}{{"phone", bt.Phone, true}, {"desktop", [2]int64{1440, 900}, false}} {
		t.Run(v.name, func(t *testing.T) { walkActions(t, alloc, n.URL(), v.name[:1], v.size, v.phone) })
	}
}

func walkActions(t *testing.T, alloc context.Context, base, tag string, size [2]int64, phone bool) {
	annName, benName, catName := "ann"+tag, "ben"+tag, "cat"+tag
	ann := nodetest.Signup(t, base, annName)
	ben := nodetest.Signup(t, base, benName)
	cat := nodetest.Signup(t, base, catName)
	nodetest.Befriend(t, ann, ben, benName)
	nodetest.Befriend(t, ann, cat, catName)
	ab := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": benName}).Str("conversation.id")
	ac := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": catName}).Str("conversation.id")
	team := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "group", "title": "Tea team", "usernames": []string{benName, catName}}).Str("conversation.id")
	say := func(c *nodetest.Client, conv, id, text string) {
		if r := c.Do(t, "POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"client_id": id, "kind": "text", "text": text}); r.Status != 201 {
			t.Fatalf("send: %d %s", r.Status, r.Body)
		}
	}
	const linkText = "The menu is at https://tea.example/menu?day=fri, call +1 415-555-0100 or mail orders@tea.example"
	say(ben, ab, "s1", linkText)                                         // seq 1
	sendImage(t, ann, ab, "s2", testPNG(t, color.RGBA{7, 193, 96, 255})) // seq 2
	sendImage(t, ann, ab, "s3", testPNG(t, color.RGBA{250, 157, 59, 0})) // seq 3
	say(ben, ab, "s4", "Shall we meet at noon?")                         // seq 4

	annB := bt.New(t, alloc, "ann", size)
	benB := bt.New(t, alloc, "ben", size)
	login(annB, base, annName)
	login(benB, base, benName)
	for _, b := range []*bt.Browser{annB, benB} {
		b.Run("opening the chat", chromedp.Navigate(base+"/chats/"+ab), bt.Visible(`#conversation [data-seq="4"]`), bt.Visible("#composer-input"))
	}

	// Links, numbers and addresses are links, safely.
	annB.Run("seeing the links",
		bt.Visible(`#conversation [data-seq="1"] a.link-url[href="https://tea.example/menu?day=fri"][rel="noopener noreferrer"][target="_blank"]`),
		bt.Visible(`#conversation [data-seq="1"] a.link-phone[href="tel:+14155550100"]`),
		bt.Visible(`#conversation [data-seq="1"] a.link-email[href="mailto:orders@tea.example"]`),
	)
	if got := annB.Count(`#conversation a[href^="javascript:"], #conversation a[href^="data:"]`); got != "0" {
		t.Fatalf("%s unsafe links", got)
	}

	// Copy.
	annB.Run("opening the menu", append([]chromedp.Action[chromedp.Void]{
		js(`navigator.clipboard.writeText = (t) => { window.__copied = t; return Promise.resolve(); }`)}, menuOn(1, phone)...)...)
	settled(t, annB)
	annB.Screenshot("menu")
	annB.Run("copying", bt.Click(`#message-menu [data-action="copy"]`), chromedp.WaitNotPresent(chromedp.CSS("#message-menu")))
	nodetest.WaitFor(t, 10*time.Second, func() bool { return evalString(t, annB, `String(window.__copied || '')`) == linkText })

	// Quote, and the jump to the quoted message.
	quote := append(menuOn(4, phone), bt.Click(`#message-menu [data-action="quote"]`), bt.Visible("#quote-bar"))
	if !phone {
		// On a desktop, the hover "⋯" button opens the same menu.
		quote = []chromedp.Action[chromedp.Void]{
			js(`document.querySelector('#conversation [data-seq="4"]').scrollIntoView({block: 'center'})`),
			bt.Click(`#conversation [data-seq="4"] .msg-more`), bt.Visible("#message-menu"),
			bt.Click(`#message-menu [data-action="quote"]`), bt.Visible("#quote-bar"),
		}
	}
	annB.Run("quoting", quote...)
	settled(t, annB)
	annB.Screenshot("quote-bar")
	annB.Run("replying", bt.Type("#composer-input", "Yes, noon works"), bt.Click("#composer-send"),
		bt.Visible(`#conversation [data-seq="5"] .bubble-quote[data-quote-seq="4"]`), chromedp.WaitNotPresent(chromedp.CSS("#quote-bar")))
	benB.Run("seeing the quote", bt.Visible(`#conversation [data-seq="5"] .bubble-quote[data-quote-seq="4"]`))
	if got := benB.Text(`#conversation [data-seq="5"] .bubble-quote`); !strings.Contains(got, "Shall we meet at noon?") {
		t.Fatalf("ben's quote reads %q", got)
	}
	benB.Run("jumping to the quoted message", js(`document.querySelector('#conversation .msg-scroll').scrollTop = 0`),
		bt.Click(`#conversation [data-seq="5"] .bubble-quote`), bt.Visible(`#conversation [data-seq="4"][data-jumped="true"]`))
	benB.Screenshot("quote-jump")

	// Forward to two chats.
	annB.Run("forwarding", append(menuOn(1, phone), bt.Click(`#message-menu [data-action="forward"]`), bt.Visible("#forward-sheet"),
		bt.Click(fmt.Sprintf(`#forward-sheet [data-forward-id="%s"]`, ac)), bt.Click(fmt.Sprintf(`#forward-sheet [data-forward-id="%s"]`, team)),
		bt.Visible(fmt.Sprintf(`#forward-sheet [data-forward-id="%s"][aria-selected="true"]`, team)))...)
	settled(t, annB)
	annB.Screenshot("forward-sheet")
	annB.Run("confirming the forward", bt.Click("#forward-send"), chromedp.WaitNotPresent(chromedp.CSS("#forward-sheet")))
	for _, c := range []struct {
		who  *nodetest.Client
		conv string
	}{{cat, ac}, {ben, team}} {
		nodetest.WaitFor(t, 10*time.Second, func() bool {
			r := c.who.Do(t, "GET", "/api/v1/conversations/"+c.conv+"/messages", nil)
			items, _ := r.Get("items").([]any)
			for _, it := range items {
				if m, _ := it.(map[string]any); m["text"] == linkText && m["sender"].(map[string]any)["username"] == annName {
					return true
				}
			}
			return false
		})
	}

	// Recall: both see the note; the sender can re-edit.
	annB.Run("sending a mistake", bt.Type("#composer-input", "oops, wrong chat"), bt.Click("#composer-send"), bt.Visible(`#conversation [data-seq="6"][data-kind="text"]`))
	benB.Run("seeing the mistake", bt.Visible(`#conversation [data-seq="6"][data-kind="text"]`))
	annB.Run("recalling", append(menuOn(6, phone), bt.Click(`#message-menu [data-action="recall"]`),
		bt.Visible(`#conversation [data-seq="6"][data-kind="recalled"] .msg-reedit`))...)
	bt.WaitText(annB, `#conversation [data-seq="6"] .bubble-text`, "You recalled a message")
	benB.Run("seeing the recall", bt.Visible(`#conversation [data-seq="6"][data-kind="recalled"]`))
	bt.WaitText(benB, `#conversation [data-seq="6"] .bubble-text`, strings.ToUpper(annName[:1])+annName[1:]+" recalled a message")
	if got := benB.Count(`#conversation [data-seq="6"] .msg-reedit`); got != "0" {
		t.Fatal("ben is offered to re-edit ann's message")
	}
	annB.Screenshot("recalled")
	benB.Screenshot("recalled")
	annB.Run("re-editing", bt.Click(`#conversation [data-seq="6"] .msg-reedit`))
	nodetest.WaitFor(t, 10*time.Second, func() bool {
		return evalString(t, annB, `document.querySelector('#composer-input').value`) == "oops, wrong chat"
	})
	annB.Run("clearing the composer", js(`(() => { const el = document.querySelector('#composer-input'); el.value = ''; el.dispatchEvent(new Event('input', {bubbles: true})); })()`))

	// Delete for me.
	benB.Run("deleting for me", append(menuOn(5, phone), bt.Click(`#message-menu [data-action="delete"]`),
		chromedp.WaitNotPresent(chromedp.CSS(`#conversation [data-seq="5"]`)))...)
	annB.Run("still seeing it", bt.Visible(`#conversation [data-seq="5"]`))

	// Multi-select: tick two more, delete the three for me.
	annB.Run("selecting", append(menuOn(1, phone), bt.Click(`#message-menu [data-action="select"]`), bt.Visible("#select-bar"),
		bt.Click(`#conversation [data-seq="4"] .msg-line`), bt.Click(`#conversation [data-seq="5"] .msg-line`),
		bt.Visible(`#conversation [data-seq="5"].msg-ticked`))...)
	bt.WaitText(annB, "#select-bar .select-bar-count", "3 selected")
	settled(t, annB)
	annB.Screenshot("multi-select")
	annB.Run("deleting the selection", bt.Click("#select-delete"), chromedp.WaitNotPresent(chromedp.CSS("#select-bar")),
		chromedp.WaitNotPresent(chromedp.CSS(`#conversation [data-seq="1"]`)), chromedp.WaitNotPresent(chromedp.CSS(`#conversation [data-seq="4"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#conversation [data-seq="5"]`)), bt.Visible("#composer-input"))
	benB.Run("keeping his", bt.Visible(`#conversation [data-seq="1"]`), bt.Visible(`#conversation [data-seq="4"]`))

	// The image viewer: swipe/arrows between the chat's images, zoom, save.
	annB.Run("opening an image", js(`document.querySelector('#conversation [data-seq="2"]').scrollIntoView({block: 'center'})`),
		bt.Click(`#conversation [data-seq="2"] .bubble-image`), bt.Visible(`#image-viewer[data-count="2"][data-index="0"]`))
	annB.Run("next image", key("ArrowRight"), bt.Visible(`#image-viewer[data-index="1"]`))
	annB.Run("zooming", chromedp.DoubleClick(chromedp.CSS("#image-viewer img")), bt.Visible(`#image-viewer[data-zoom="2.50"]`))
	settled(t, annB)
	annB.Screenshot("image-viewer")
	annB.Run("zooming out and back", chromedp.DoubleClick(chromedp.CSS("#image-viewer img")), bt.Visible(`#image-viewer[data-zoom="1.00"]`),
		key("ArrowLeft"), bt.Visible(`#image-viewer[data-index="0"]`))
	annB.Run("saving", js(`window.__saved = ''; HTMLAnchorElement.prototype.click = function () { window.__saved = this.download; }`), bt.Click("#image-save"))
	nodetest.WaitFor(t, 10*time.Second, func() bool { return strings.HasPrefix(evalString(t, annB, `String(window.__saved)`), "plaza-") })
	annB.Run("closing the viewer", key("Escape"), chromedp.WaitNotPresent(chromedp.CSS("#image-viewer")))
	annB.Screenshot("after")
}
