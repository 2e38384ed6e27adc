package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// Search as a WeChat user uses it, on a phone and on a desktop: "zs" finds
// the contact 张三, a Chinese phrase and an English word find messages
// deep in the history, tapping a hit opens the chat at that message
// (loaded around it, flashed), search inside one chat does the same, and
// what was said in a chat the user is not in is never found.
func TestSearchInBrowser(t *testing.T) {
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})
	for _, size := range []struct {
		name string
		view [2]int64
	}{{"phone", bt.Phone}, {"desktop", [2]int64{1440, 900}}} {
		t.Run(size.name, func(t *testing.T) {
			sfx := size.name[:1]
			named := func(username, display string) *nodetest.Client {
				c := nodetest.NewClient(n.URL())
				r := c.Do(t, "POST", "/api/v1/auth/signup", map[string]string{"username": username, "password": "correct horse", "display_name": display, "region": "CN"})
				if r.Status != http.StatusCreated {
					t.Fatalf("signup %s: %d %s", username, r.Status, r.Body)
				}
				c.Token = r.Str("token")
				return c
			}
			annName, zsName, catName := "ann"+sfx, "zhangsan"+sfx, "cat"+sfx
			ann := named(annName, "Ann Lee")
			zs := named(zsName, "张三")
			cat := named(catName, "Cat")
			nodetest.Befriend(t, ann, zs, zsName)
			nodetest.Befriend(t, zs, cat, catName)
			dm := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": zsName}).Str("conversation.id")
			secret := zs.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": catName}).Str("conversation.id")
			group := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "group", "title": "周末爬山群", "usernames": []string{zsName}}).Str("conversation.id")
			sent := 0
			say := func(c *nodetest.Client, conv, text string) int64 {
				sent++
				r := c.Do(t, "POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"client_id": fmt.Sprintf("k%d", sent), "kind": "text", "text": text})
				if r.Status != 201 {
					t.Fatalf("send: %d %s", r.Status, r.Body)
				}
				return int64(r.Get("message.seq").(float64))
			}
			say(ann, dm, "你好张三")
			say(zs, dm, "Hi Ann!")
			phrase := say(zs, dm, "明天下午三点在星巴克见面，带上电脑")
			say(ann, dm, "好的，没问题")
			word := say(ann, dm, "I finished the quarterly budget report, have a look when you can")
			for i := range 70 { // the hits are far above the latest page
				say([]*nodetest.Client{ann, zs}[i%2], dm, fmt.Sprintf("chatting along, message number %d", i))
			}
			say(zs, group, "这周末去爬山吧，顺便喝咖啡")
			say(zs, secret, "secret plan: 星巴克 at nine, the budget is ours")

			b := bt.New(t, alloc, annName, size.view)
			login(b, n.URL(), annName)
			results := func(q string) string { return fmt.Sprintf(`#search-results[data-query=%q][data-busy="false"]`, q) }
			search := func(q string) {
				t.Helper()
				b.Run("searching "+q,
					chromedp.Navigate(n.URL()+"/chats"),
					bt.Visible("#chats-search"), bt.JSClick("#chats-search"), // the list below may still shift it
					bt.Visible("#search-input"), bt.Type("#search-input", q),
					bt.Visible(results(q)),
				)
			}
			b.Run("seeing the search entry", bt.Visible("#chats-search"))
			b.Screenshot("chats-with-search")

			search("zs")
			b.Run("finding 张三 by pinyin initials", bt.Visible(fmt.Sprintf(`#search-contacts [data-username=%q]`, zsName)))
			if got := b.Text(`#search-contacts .search-row-title`); got != "张三" {
				t.Fatalf("zs finds %q", got)
			}
			b.Screenshot("contacts-zs")

			search("爬山")
			b.Run("finding the group and its message", bt.Visible(fmt.Sprintf(`#search-groups [data-conversation-id=%q]`, group)), bt.Visible(`#search-history .search-hit`))
			b.Screenshot("groups-and-history")

			search("星巴克")
			b.Run("finding the Chinese phrase", bt.Visible(`#search-history .search-hit`))
			if ids := b.Attrs(`#search-history .search-hit`, "data-conversation-id"); len(ids) != 1 || ids[0] != dm {
				t.Fatalf("星巴克 hits in conversations %v, want only %s", ids, dm)
			}
			if got := b.Text(`#search-history .search-hit mark`); got != "星巴克" {
				t.Fatalf("highlighted %q", got)
			}
			b.Screenshot("history-chinese")
			b.Run("jumping to the message",
				bt.Click(`#search-history .search-hit`),
				bt.Visible(fmt.Sprintf(`#conversation [data-seq="%d"][data-revealed="true"]`, phrase)),
			)
			if got := b.Text(fmt.Sprintf(`#conversation [data-seq="%d"] .bubble-text`, phrase)); !strings.Contains(got, "星巴克") {
				t.Fatalf("jumped to %q", got)
			}
			b.Screenshot("jumped-chinese")

			search("budget")
			if ids := b.Attrs(`#search-history .search-hit`, "data-seq"); len(ids) != 1 || ids[0] != fmt.Sprint(word) {
				t.Fatalf("budget hits %v, want seq %d only", ids, word)
			}
			b.Screenshot("history-english")
			b.Run("jumping to the English hit",
				bt.Click(`#search-history .search-hit`),
				bt.Visible(fmt.Sprintf(`#conversation [data-seq="%d"][data-revealed="true"]`, word)),
			)

			search("secret")
			b.Run("not finding another chat's messages", bt.Visible("#search-none"))
			b.Screenshot("none")

			b.Run("searching inside the chat",
				chromedp.Navigate(n.URL()+"/chats/"+dm),
				bt.Visible("#conversation-search"), bt.Click("#conversation-search"),
				bt.Visible(`.search-page[data-scope="conversation"] #search-input`),
				bt.Type("#search-input", "见面"),
				bt.Visible(results("见面")), bt.Visible(`#search-history .search-hit`),
			)
			b.Screenshot("in-chat")
			b.Run("jumping from the chat's search",
				bt.Click(`#search-history .search-hit`),
				bt.Visible(fmt.Sprintf(`#conversation [data-seq="%d"][data-revealed="true"]`, phrase)),
			)
			b.Screenshot("in-chat-jumped")
		})
	}
}
