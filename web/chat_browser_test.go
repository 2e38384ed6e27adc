package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

func login(b *bt.Browser, base, username string) {
	b.Run("signing in",
		chromedp.Navigate(base+"/login"),
		bt.Visible("#login-username"),
		bt.Type("#login-username", username),
		bt.Type("#login-password", "correct horse"),
		bt.Click("#login-submit"),
		bt.Visible(`[data-tab="chats"].active`),
	)
}

// One person sends, the other sees it at once without reloading; then the
// second loses the network, messages are sent meanwhile, and when the
// network is back the page shows them all, in order, once.
func TestChatLiveAndAfterOffline(t *testing.T) {
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})
	ann := nodetest.Signup(t, n.URL(), "ann")
	ben := nodetest.Signup(t, n.URL(), "ben")
	nodetest.Befriend(t, ann, ben, "ben")
	r := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "ben"})
	conv := r.Str("conversation.id")

	benNet := bt.NewProxy(t, n.Addr()) // ben's phone reaches the node through this
	annB := bt.New(t, alloc, "ann", bt.Phone)
	benB := bt.New(t, alloc, "ben", bt.Phone)
	login(annB, n.URL(), "ann")
	login(benB, benNet.URL, "ben")

	row := fmt.Sprintf(`[data-conversation-id="%s"]`, conv)
	for _, b := range []*bt.Browser{annB, benB} {
		b.Run("opening the conversation", bt.Visible(row), bt.Click(row), bt.Visible("#composer-input"))
	}
	annB.Run("sending",
		bt.Type("#composer-input", "Hi Ben, lunch at noon?"),
		bt.Click("#composer-send"),
		bt.Visible(`#conversation [data-seq="1"]`),
	)
	benB.Run("seeing it live", bt.Visible(`#conversation [data-seq="1"]`))
	if got := benB.Text(`#conversation [data-seq="1"] .bubble-text`); got != "Hi Ben, lunch at noon?" {
		t.Fatalf("ben sees %q", got)
	}
	benB.Screenshot("live")

	benNet.Cut()
	benB.Run("noticing the network is gone", bt.Visible(`#connection-status`))
	benB.Screenshot("offline")
	for i := 2; i <= 4; i++ {
		if r := ann.Do(t, "POST", "/api/v1/conversations/"+conv+"/messages",
			map[string]any{"client_id": fmt.Sprintf("off-%d", i), "kind": "text", "text": fmt.Sprintf("while you were away %d", i)}); r.Status != 201 {
			t.Fatalf("send: %d %s", r.Status, r.Body)
		}
	}
	benNet.Restore()
	benB.Run("catching up", bt.Visible(`#conversation [data-seq="4"]`), chromedp.WaitNotPresent(chromedp.CSS("#connection-status")))
	benB.Screenshot("caught-up")
	var seqs []string
	for _, s := range []string{"1", "2", "3", "4"} {
		seqs = append(seqs, benB.Count(`#conversation [data-seq="`+s+`"]`))
	}
	if strings.Join(seqs, ",") != "1,1,1,1" {
		t.Fatalf("each message should show once; counts by seq: %v", seqs)
	}
	if order := benB.Attrs(`#conversation [data-seq]`, "data-seq"); strings.Join(order, ",") != "1,2,3,4" {
		t.Fatalf("messages show in order %v", order)
	}
	annB.Screenshot("sender")
}

// Opening /chats/{id} directly, on a fresh page load (a bookmark, a
// reload, a shared link), shows the conversation's messages; it used to
// stay on "Loading messages…".
func TestConversationOpensOnAFreshPageLoad(t *testing.T) {
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})
	ann := nodetest.Signup(t, n.URL(), "ann")
	ben := nodetest.Signup(t, n.URL(), "ben")
	nodetest.Befriend(t, ann, ben, "ben")
	conv := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "ben"}).Str("conversation.id")
	for i := 1; i <= 3; i++ {
		ann.Do(t, "POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"client_id": fmt.Sprintf("m%d", i), "kind": "text", "text": fmt.Sprintf("message %d", i)})
	}
	benB := bt.New(t, alloc, "ben", bt.Phone)
	login(benB, n.URL(), "ben")
	for _, how := range []string{"navigate", "reload"} {
		act := chromedp.Navigate(n.URL() + "/chats/" + conv)
		if how == "reload" {
			act = chromedp.Reload()
		}
		benB.Run("opening the conversation by "+how, act, bt.Visible(`#conversation [data-seq="3"]`), bt.Visible("#composer-input"))
		if got := benB.Text(`#conversation [data-seq="3"] .bubble-text`); got != "message 3" {
			t.Fatalf("%s: ben sees %q", how, got)
		}
	}
}

// Signed out everywhere from another device, the open page notices at
// once (its socket is closed with "signed out") and shows the login page.
func TestSignedOutElsewhereShowsLogin(t *testing.T) {
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})
	ben := nodetest.Signup(t, n.URL(), "ben")
	benB := bt.New(t, alloc, "ben", bt.Phone)
	login(benB, n.URL(), "ben")
	if r := ben.Do(t, "POST", "/api/v1/auth/logout-all", nil); r.Status != 204 {
		t.Fatalf("logout-all: %d %s", r.Status, r.Body)
	}
	benB.Run("seeing the login page", bt.Visible("#login-username"))
}
