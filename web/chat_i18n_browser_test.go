package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// inChinese switches a signed-in browser to zh-CN the way Settings does
// (the saved choice in localStorage) and reloads.
func inChinese(t *testing.T, b *bt.Browser) {
	t.Helper()
	b.Run("switching to Chinese", js(`localStorage.setItem('plaza.locale', 'zh-CN')`), chromedp.Reload(), bt.Visible(`[data-tab="chats"].active`))
	nodetest.WaitFor(t, 10*time.Second, func() bool { return evalString(t, b, `document.documentElement.lang`) == "zh-CN" })
}

// A user who reads Chinese sees the chat list and a conversation in
// Chinese; Enter sends, Shift+Enter breaks the line, and an input method's
// Enter (choosing the characters) never sends half-typed pinyin. At a
// desktop the composer has the caret as soon as the chat opens.
func TestChatInChinese(t *testing.T) {
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})
	ann := nodetest.Signup(t, n.URL(), "ann")
	ben := nodetest.Signup(t, n.URL(), "ben")
	nodetest.Befriend(t, ann, ben, "ben")
	conv := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "ben"}).Str("conversation.id")
	if r := ben.Do(t, "POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"client_id": "hi-1", "kind": "text", "text": "晚上一起吃饭吗？"}); r.Status != 201 {
		t.Fatalf("send: %d %s", r.Status, r.Body)
	}
	group := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "group", "title": "徒步小组", "usernames": []string{"ben"}}).Str("conversation.id")

	annB := bt.New(t, alloc, "ann", bt.Desktop)
	login(annB, n.URL(), "ann")
	inChinese(t, annB)

	groupRow := fmt.Sprintf(`.chat-list [data-conversation-id="%s"]`, group)
	annB.Run("seeing the list in Chinese", bt.Visible(groupRow))
	bt.WaitText(annB, "#chats-search span", "搜索")
	// The group's note is the server's English sentence, rebuilt in Chinese.
	bt.WaitText(annB, groupRow+" .chat-row-preview", "你创建了群聊“徒步小组”，并邀请“Ben”加入了群聊")
	annB.Screenshot("zh-list")

	row := fmt.Sprintf(`.chat-list [data-conversation-id="%s"]`, conv)
	annB.Run("opening the chat", bt.Click(row), bt.Visible(`#conversation [data-seq="1"]`), bt.Visible("#composer-input"))
	nodetest.WaitFor(t, 5*time.Second, func() bool { return evalString(t, annB, `document.activeElement?.id ?? ''`) == "composer-input" })
	if got := evalString(t, annB, `document.querySelector('#composer-input').placeholder`); got != "发消息" {
		t.Fatalf("placeholder %q, want 发消息", got)
	}
	bt.WaitText(annB, "#composer-send", "发送")

	annB.Run("sending with Enter", chromedp.KeyEvent("see you at 7"), chromedp.KeyEvent("\r"), bt.Visible(`#conversation [data-seq="2"]`))
	bt.WaitText(annB, `#conversation [data-seq="2"] .bubble-text`, "see you at 7")
	if v := evalString(t, annB, `document.querySelector('#composer-input').value`); v != "" {
		t.Fatalf("the composer keeps %q after sending", v)
	}

	annB.Run("breaking the line with Shift+Enter",
		chromedp.KeyEvent("line one"), chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierShift)), chromedp.KeyEvent("line two"))
	if v := evalString(t, annB, `document.querySelector('#composer-input').value`); v != "line one\nline two" {
		t.Fatalf("after Shift+Enter the composer holds %q", v)
	}
	if c := evalString(t, annB, `String(document.querySelectorAll('#conversation [data-seq]').length)`); c != "2" {
		t.Fatalf("Shift+Enter sent something: %s messages", c)
	}
	annB.Run("sending the two lines", chromedp.KeyEvent("\r"), bt.Visible(`#conversation [data-seq="3"]`))
	if got := evalString(t, annB, `document.querySelector('#conversation [data-seq="3"] .bubble-text').textContent`); got != "line one\nline two" {
		t.Fatalf("the two-line message shows %q", got)
	}
	if got := evalString(t, annB, `String(document.querySelector('#conversation [data-seq="3"] .bubble').getBoundingClientRect().height > 1.6 * parseFloat(getComputedStyle(document.querySelector('#conversation [data-seq="3"] .bubble-text')).lineHeight))`); got != "true" {
		t.Fatalf("the two-line message is drawn on one line")
	}
	r := ben.Do(t, "GET", "/api/v1/conversations/"+conv+"/messages", nil)
	if !strings.Contains(string(r.Body), `"line one\nline two"`) {
		t.Fatalf("ben's copy is not two lines: %s", r.Body)
	}

	// Pinyin being composed: the input method's Enter picks the characters.
	ime := func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		if _, err := chromedp.Call(ctx, input.ImeSetComposition, input.ImeSetCompositionParams{Text: "nihao", SelectionStart: 5, SelectionEnd: 5}); err != nil {
			return chromedp.Void{}, err
		}
		// While composing, the browser reports the Enter as key code 229 (the IME's).
		if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeRawKeyDown, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 229, NativeVirtualKeyCode: 229}); err != nil {
			return chromedp.Void{}, err
		}
		if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyUp, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}); err != nil {
			return chromedp.Void{}, err
		}
		_, err := chromedp.Call(ctx, input.InsertText, input.InsertTextParams{Text: "你好"})
		return chromedp.Void{}, err
	}
	annB.Run("choosing characters with the input method", ime)
	// The composition has ended (the composer marks it while it lasts).
	nodetest.WaitFor(t, 5*time.Second, func() bool {
		return evalString(t, annB, `(() => { const el = document.querySelector('#composer-input'); return el.value + '|' + ('composing' in el.dataset) })()`) == "你好|false"
	})
	if c := evalString(t, annB, `String(document.querySelectorAll('#conversation [data-seq], #conversation [data-pending]').length)`); c != "3" {
		t.Fatalf("the input method's Enter sent something: %s messages", c)
	}
	annB.Run("then sending with Enter", chromedp.KeyEvent("\r"), bt.Visible(`#conversation [data-pending], #conversation [data-seq="4"]`))
	if v := evalString(t, annB, `document.querySelector('#composer-input').value`); v != "" {
		t.Fatalf("after the input method, Enter left %q in the composer", v)
	}
	annB.Run("the server taking it", bt.Visible(`#conversation [data-seq="4"]`))
	bt.WaitText(annB, `#conversation [data-seq="4"] .bubble-text`, "你好")
	annB.Screenshot("zh-conversation")

	// A day later (the page's clock moved on a day), the same messages sit under 昨天.
	annB.Run("a day later", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `(() => {
			const Real = Date, shift = 86400000;
			class Later extends Real { constructor(...a) { if (a.length === 0) super(Real.now() + shift); else super(...a); } static now() { return Real.now() + shift; } }
			window.Date = Later;
		})()`})
		return chromedp.Void{}, err
	}, chromedp.Reload(), bt.Visible(`#conversation [data-seq="4"]`))
	day := evalString(t, annB, `document.querySelector('#conversation .msg-divider').textContent`)
	if !strings.HasPrefix(day, "昨天 ") {
		t.Fatalf("the day separator says %q, want 昨天 HH:MM", day)
	}
	annB.Run("back to the list", bt.Click(`[data-tab="chats"]`), bt.Visible(row))
	bt.WaitText(annB, row+" .chat-row-time", "昨天")
	annB.Screenshot("zh-yesterday")

	// Ben, on a phone in Chinese, gets the two lines as two lines.
	benB := bt.New(t, alloc, "ben", bt.Phone)
	login(benB, n.URL(), "ben")
	inChinese(t, benB)
	benB.Run("opening the chat", chromedp.Navigate(n.URL()+"/chats/"+conv), bt.Visible(`#conversation [data-seq="4"]`))
	if got := evalString(t, benB, `document.querySelector('#conversation [data-seq="3"] .bubble-text').textContent`); got != "line one\nline two" {
		t.Fatalf("ben sees %q", got)
	}
	bt.WaitText(benB, "#composer-send", "发送")
	benB.Screenshot("zh-phone-conversation")
}
