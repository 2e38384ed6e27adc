package web_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plaza-dev/plaza/internal/chat"
	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// Presence and read state as people see them: Ann and Ben on phones, Cat
// on a laptop. Ben's typing shows "typing…" in Ann's header; Ben shows
// Online, then "Last seen just now" once he leaves; Ann's message says
// Sent, then Read when Ben opens the chat; in a group "Read by 1" opens
// who read it and who not, and Cat's typing shows "Cat is typing…";
// when Ann hides her last seen, Ben's header stops showing her Online.
func TestPresenceInBrowser(t *testing.T) {
	// Pages left for another stay alive in the back/forward cache, their
	// sockets open (as a phone's backgrounded tab would): off, leaving a
	// page closes its socket, as closing the tab does.
	alloc := bt.Allocator(t, chromedp.Flag("disable-features", "BackForwardCache"))
	n := nodetest.Start(t, nodetest.Options{})
	n.Hub.SetPresenceTiming(chat.PresenceTiming{Grace: 300 * time.Millisecond})
	ann := nodetest.Signup(t, n.URL(), "ann")
	ben := nodetest.Signup(t, n.URL(), "ben")
	cat := nodetest.Signup(t, n.URL(), "cat")
	nodetest.Befriend(t, ann, ben, "ben")
	nodetest.Befriend(t, ann, cat, "cat")
	direct := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "ben"}).Str("conversation.id")
	group := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "group", "title": "Weekend", "usernames": []string{"ben", "cat"}}).Str("conversation.id")
	if r := ann.Do(t, "POST", "/api/v1/conversations/"+direct+"/messages", map[string]any{"client_id": "hello", "kind": "text", "text": "Hi Ben!"}); r.Status != 201 {
		t.Fatalf("send: %d %s", r.Status, r.Body)
	}

	annB := bt.New(t, alloc, "ann", bt.Phone)
	benB := bt.New(t, alloc, "ben", bt.Phone)
	catB := bt.New(t, alloc, "cat", [2]int64{1440, 900})
	login(annB, n.URL(), "ann")
	login(benB, n.URL(), "ben")
	login(catB, n.URL(), "cat")
	open := func(b *bt.Browser, conv string) {
		b.Run("opening "+conv, chromedp.Navigate(n.URL()+"/chats/"+conv), bt.Visible("#composer-input"))
	}
	subtitle := "#conversation-subtitle"

	open(annB, direct)
	open(benB, direct)
	annB.Run("seeing Ben online", bt.Visible(subtitle+`[data-state="online"]`))
	bt.WaitText(annB, subtitle, "Online")
	annB.Screenshot("online")

	benB.Run("typing", bt.Type("#composer-input", "On my w"))
	bt.WaitText(annB, subtitle, "typing…")
	annB.Screenshot("typing")
	// It runs out about 5 s after the last typing frame.
	bt.WaitText(annB, subtitle, "Online")

	// Ben leaves the chat: Ann's next message says Sent, then Read when he opens it.
	benB.Run("back to the chat list", chromedp.Navigate(n.URL()+"/chats"), bt.Visible(`[data-tab="chats"].active`))
	annB.Run("sending",
		bt.Type("#composer-input", "Dinner at 7?"),
		bt.Click("#composer-send"),
		bt.Visible(`#conversation [data-seq="2"] [data-receipt="sent"]`),
	)
	bt.WaitText(annB, `#conversation [data-seq="2"] .msg-receipt`, "Sent")
	if got := annB.Count(`#conversation .msg-receipt`); got != "1" {
		t.Fatalf("receipts under %s messages, want only the last", got)
	}
	annB.Screenshot("sent")
	open(benB, direct)
	annB.Run("seeing it read", bt.Visible(`#conversation [data-seq="2"] [data-receipt="read"]`))
	annB.Screenshot("read")

	// Ben closes Plaza: after the grace, Ann sees when he was last seen.
	benB.Run("closing Plaza", chromedp.Navigate("about:blank"))
	bt.WaitText(annB, subtitle, "Last seen just now")
	annB.Screenshot("last-seen")

	// A group: Cat (on a laptop) reads, Ben does not.
	open(annB, group)
	open(catB, group)
	annB.Run("sending to the group",
		bt.Type("#composer-input", "Hike on Saturday?"),
		bt.Click("#composer-send"),
		bt.Visible(`#conversation [data-seq="2"] [data-read-count="1"]`),
	)
	bt.WaitText(annB, `#conversation [data-seq="2"] .msg-receipt`, "Read by 1")
	catB.Run("typing in the group", bt.Type("#composer-input", "Sure"))
	bt.WaitText(annB, subtitle, "Cat is typing…")
	annB.Screenshot("group-read-by")
	annB.Run("opening who read it",
		bt.Click(`#conversation [data-seq="2"] .msg-receipt-link`),
		bt.Visible(`#readers-read [data-reader="cat"]`),
		bt.Visible(`#readers-unread [data-reader="ben"]`),
		animationsDone(),
	)
	if got := annB.Count(`#readers-sheet [data-reader="ann"]`); got != "0" {
		t.Fatal("the sender is listed among the readers")
	}
	annB.Screenshot("group-readers")
	catB.Screenshot("group-desktop")

	// Ann hides her last seen: Ben, back in their chat, stops seeing her online.
	open(benB, direct)
	benB.Run("seeing Ann online", bt.Visible(subtitle+`[data-state="online"]`))
	benB.Screenshot("ann-online")
	annB.Run("hiding my last seen",
		chromedp.Navigate(n.URL()+"/me/privacy"),
		bt.Visible(`#show-last-seen:checked:not([disabled])`),
		bt.Click(`#show-last-seen`),
		bt.Visible(`#show-last-seen:not(:checked):not([disabled])`),
		animationsDone(),
	)
	annB.Screenshot("privacy-hidden")
	benB.Run("no longer seeing Ann's state", chromedp.WaitNotPresent(chromedp.CSS(subtitle)))
	benB.Screenshot("ann-hidden")
	if r := ann.Do(t, "GET", "/api/v1/me/settings", nil); r.Get("show_last_seen") != false {
		t.Fatalf("settings after the switch: %s", r.Body)
	}
	// Reloaded, Ben still sees nothing of her (HTTP says hidden too).
	benB.Run("reloading", chromedp.Reload(), bt.Visible("#composer-input"), bt.Visible(fmt.Sprintf(`#conversation [data-seq="%d"]`, 2)))
	if got := benB.Count(subtitle); got != "0" {
		t.Fatalf("after a reload Ben sees Ann's state: %q", benB.Text(subtitle))
	}
}

// settled waits until no animation or transition runs (the sheet has slid
// in, the switch has moved), so that screenshots show the end state.
func animationsDone() chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](`document.getAnimations().every(a => a.playState !== 'running')`, chromedp.WithPollingTimeout(5*time.Second))
}
