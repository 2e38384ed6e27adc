package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// notifyRecorder runs before Plaza's scripts: it records every
// notification the page makes (the real ones cannot be clicked from a
// test) and lets the test hide the tab (window.__hidden) as switching to
// another one would.
const notifyRecorder = `(() => {
  const Real = window.Notification;
  window.__notes = [];
  window.__hidden = false;
  class Recorded {
    constructor(title, opts) {
      this.title = title;
      this.body = (opts && opts.body) || '';
      this.tag = (opts && opts.tag) || '';
      this.onclick = null;
      this.onclose = null;
      this.closed = false;
      window.__notes.push(this);
    }
    close() { this.closed = true; }
    static get permission() { return Real ? Real.permission : 'denied'; }
    static requestPermission() { return Real.requestPermission(); }
  }
  window.Notification = Recorded;
  Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => (window.__hidden ? 'hidden' : 'visible') });
  Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => window.__hidden });
  Document.prototype.hasFocus = () => !window.__hidden;
  window.__hide = (h) => { window.__hidden = h; document.dispatchEvent(new Event('visibilitychange')); };
})()`

func recordNotifications(t *testing.T, b *bt.Browser, origin string, grant bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: notifyRecorder}); err != nil {
		t.Fatal(err)
	}
	if grant {
		_, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: "notifications"}, Setting: browser.PermissionSettingGranted,
			Origin: origin, BrowserContextID: chromedp.FromContext(b.Ctx).BrowserContextID})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func poll(js string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(15*time.Second))
}

// Ben's tab is in the background: a message from Ann puts "(1)" in the
// title and a badge on the favicon, chimes and shows a system
// notification with her name and text, one per chat; his muted chat with
// Cat does neither; clicking the notification opens the chat, which reads
// it and clears the count. Ann is offered desktop notifications only after
// she has sent a message, and "Not now" keeps it away.
func TestNotificationsInBrowser(t *testing.T) {
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})
	ann := nodetest.Signup(t, n.URL(), "ann")
	ben := nodetest.Signup(t, n.URL(), "ben")
	cat := nodetest.Signup(t, n.URL(), "cat")
	nodetest.Befriend(t, ann, ben, "ben")
	nodetest.Befriend(t, cat, ben, "ben")
	dm := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "ben"}).Str("conversation.id")
	muted := cat.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "ben"}).Str("conversation.id")
	if r := ben.Do(t, "PUT", "/api/v1/conversations/"+muted+"/settings", map[string]any{"muted": true}); r.Status != 200 {
		t.Fatalf("muting: %d %s", r.Status, r.Body)
	}
	send := func(c *nodetest.Client, conv, id, text string) {
		if r := c.Do(t, "POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"client_id": id, "kind": "text", "text": text}); r.Status != 201 {
			t.Fatalf("send: %d %s", r.Status, r.Body)
		}
	}

	// Ann: no offer on a first load, one once she has sent a message.
	annB := bt.New(t, alloc, "ann", bt.Phone)
	recordNotifications(t, annB, n.URL(), false)
	login(annB, n.URL(), "ann")
	if got := annB.Count("#notify-prompt"); got != "0" {
		t.Fatalf("ann is asked about notifications on her first load")
	}
	if perm := eval[string](t, annB, "Notification.permission"); perm == "default" {
		send(ann, dm, "a0", "Morning!")
		annB.Run("being offered desktop notifications", bt.Visible("#notify-prompt"))
		settled(t, annB)
		annB.Screenshot("prompt")
		annB.Run("saying not now", bt.Click("#notify-prompt-dismiss"), chromedp.WaitNotPresent(chromedp.CSS("#notify-prompt")))
		annB.Run("reloading", chromedp.Reload(), bt.Visible(`[data-tab="chats"].active`))
		if got := annB.Count("#notify-prompt"); got != "0" {
			t.Fatalf("the offer came back after Not now")
		}
	} else {
		t.Logf("headless Chromium answers notification permission %q without asking: no offer to test", perm)
		send(ann, dm, "a0", "Morning!")
	}

	// Ben reads it, then leaves the tab.
	benB := bt.New(t, alloc, "ben", bt.Desktop)
	recordNotifications(t, benB, n.URL(), true)
	login(benB, n.URL(), "ben")
	benB.Run("reading Ann's first message", chromedp.Navigate(n.URL()+"/chats/"+dm), bt.Visible(`#conversation [data-seq="1"]`),
		chromedp.Navigate(n.URL()+"/chats"), bt.Visible(fmt.Sprintf(`[data-conversation-id="%s"]`, dm)))
	benB.Run("waiting for the count to clear", poll(`!document.title.startsWith('(')`))
	if got := eval[string](t, benB, "Notification.permission"); got != "granted" {
		t.Fatalf("ben's permission is %q", got)
	}
	benB.Run("hiding the tab", chromedp.Evaluate[chromedp.Void](`window.__hide(true)`))

	send(ann, dm, "a1", "Lunch at noon?")
	benB.Run("being notified", poll(`window.__notes.length === 1`))
	note := eval[map[string]any](t, benB, `({ title: __notes[0].title, body: __notes[0].body, tag: __notes[0].tag })`)
	if note["title"] != "Ann" || note["body"] != "Lunch at noon?" || note["tag"] != "plaza-chat-"+dm {
		t.Fatalf("notification %v", note)
	}
	benB.Run("seeing (1) in the title", poll(`document.title.startsWith('(1) ') && document.title.endsWith('Plaza')`))
	if href := eval[string](t, benB, `document.querySelector('link[rel="icon"]').href`); !strings.HasPrefix(href, "data:image/png;base64,") {
		t.Fatalf("favicon %.60s", href)
	}
	if chimes := eval[int](t, benB, `window.__plazaChimes || 0`); chimes < 1 {
		t.Fatalf("no chime for the new message")
	}

	// The muted chat: no notification, no count; Ann's next one coalesces with her first.
	send(cat, muted, "c1", "psst, muted")
	send(ann, dm, "a2", "Or 1pm?")
	benB.Run("being notified again", poll(`window.__notes.length === 2`))
	for _, tag := range eval[[]string](t, benB, `__notes.map((n) => n.tag)`) {
		if tag != "plaza-chat-"+dm {
			t.Fatalf("a notification for %s (the muted chat is %s)", tag, muted)
		}
	}
	if !eval[bool](t, benB, `__notes[0].closed && !__notes[1].closed`) {
		t.Fatalf("the chat's first notification was not replaced by its second")
	}
	benB.Run("seeing (2), the muted chat not counted", poll(`document.title.startsWith('(2) ')`))
	if got := eval[string](t, benB, `__notes[1].body`); !strings.Contains(got, "Or 1pm?") {
		t.Fatalf("second notification body %q", got)
	}

	// Clicking it: back in the tab, in the chat, the count gone.
	benB.Run("clicking the notification",
		chromedp.Evaluate[chromedp.Void](`window.__hide(false); __notes[1].onclick()`),
		poll(fmt.Sprintf(`location.pathname === '/chats/%s'`, dm)),
		bt.Visible("#composer-input"), bt.Visible(`#conversation [data-seq="3"]`),
		poll(`!document.title.startsWith('(') && document.querySelector('link[rel="icon"]').getAttribute('href') === '/favicon.svg'`))
	settled(t, benB)
	benB.Screenshot("opened-from-notification")
	if got := eval[int](t, benB, `__notes.length`); got != 2 {
		t.Fatalf("%d notifications, want 2", got)
	}
}
