package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// Groups as three people use them, on a phone and on a desktop: the owner
// renames the group, posts an announcement (shown when the others open
// it), makes an admin and removes a member; a member mutes and pins it
// (first in the list, with the muted bell) and still sees "[@me]" when
// mentioned; someone joins by the group's link; a member clears their
// history and only new messages show for them.
func TestGroupsInBrowser(t *testing.T) {
	for _, vp := range []struct {
		name string
		size [2]int64
	}{{"phone", bt.Phone}, {"desktop", [2]int64{1440, 900}}} {
		t.Run(vp.name, func(t *testing.T) { groupsInBrowser(t, vp.size) })
	}
}

func groupsInBrowser(t *testing.T, size [2]int64) {
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})
	ann := nodetest.Signup(t, n.URL(), "ann")
	ben := nodetest.Signup(t, n.URL(), "ben")
	cat := nodetest.Signup(t, n.URL(), "cat")
	nodetest.Signup(t, n.URL(), "dan") // nobody's contact: joins by the link
	nodetest.Befriend(t, ann, ben, "ben")
	nodetest.Befriend(t, ann, cat, "cat")
	g := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "group", "title": "Hikers", "usernames": []string{"ben", "cat"}}).Str("conversation.id")
	ann.Do(t, "POST", "/api/v1/conversations/"+g+"/messages", map[string]any{"client_id": "g1", "kind": "text", "text": "Who is in for Saturday?"})
	dm := ben.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "ann"}).Str("conversation.id")
	ann.Do(t, "POST", "/api/v1/conversations/"+dm+"/messages", map[string]any{"client_id": "d1", "kind": "text", "text": "Bring the map"})

	annB := bt.New(t, alloc, "ann", size)
	benB := bt.New(t, alloc, "ben", size)
	login(annB, n.URL(), "ann")
	login(benB, n.URL(), "ben")
	info := n.URL() + "/chats/" + g + "/info"

	// The owner: rename, announcement, an admin, a removal.
	annB.Run("opening the group's info", chromedp.Navigate(info), bt.Visible("#conversation-info-page"), bt.Visible(`[data-member="cat"]`))
	settled(t, annB)
	annB.Screenshot("info")
	annB.Run("renaming",
		bt.Click("#info-name"), bt.Visible("#group-name-input"),
		bt.Type("#group-name-input", "Hikers 2026"), // the old name is selected: typing replaces it
		bt.Click("#group-name-save"), chromedp.WaitNotPresent(chromedp.CSS("#sheet-name")))
	bt.WaitText(annB, "#info-name .groups-extra", "Hikers 2026")
	annB.Run("posting the announcement",
		bt.Click("#info-announcement"), bt.Visible("#announcement-input"),
		bt.Type("#announcement-input", "Meet at 8:00 at the north gate. Bring water!"),
		bt.Click("#announcement-save"), chromedp.WaitNotPresent(chromedp.CSS("#sheet-announcement")))
	bt.WaitText(annB, "#info-announcement .groups-announcement-preview", "Meet at 8:00 at the north gate. Bring water!")
	annB.Run("making Ben an admin",
		bt.Click("#info-admins"), bt.Visible(`[data-toggle-admin="ben"]`), bt.Click(`[data-toggle-admin="ben"]`),
		chromedp.WaitNotPresent(chromedp.CSS("#sheet-admins")), bt.Visible(`[data-member="ben"] .groups-role-admin`))
	annB.Run("removing Cat",
		bt.Click("#info-remove-members"), bt.Visible(`[data-remove="cat"]`), bt.Click(`[data-remove="cat"]`),
		bt.Visible("#remove-confirm"))
	settled(t, annB)
	annB.Screenshot("remove-confirm")
	annB.Run("confirming", bt.Click("#remove-confirm"), chromedp.WaitNotPresent(chromedp.CSS(`[data-member="cat"]`)))
	settled(t, annB)
	annB.Screenshot("info-after")

	// Ben opens the group: the announcement is on top, the notes in order.
	benB.Run("opening the group", chromedp.Navigate(n.URL()+"/chats/"+g), bt.Visible("#announcement-banner"))
	bt.WaitText(benB, "#announcement-banner .announcement-text", "Meet at 8:00 at the north gate. Bring water!")
	benB.Run("seeing the notes", bt.Visible(`#conversation [data-seq="6"]`))
	for _, want := range []string{"Ann renamed the group to “Hikers 2026”", "Ann updated the group announcement", "Ann made Ben an admin", "Ann removed Cat"} {
		if !strings.Contains(benB.Text("#conversation"), want) {
			t.Fatalf("ben's chat lacks %q", want)
		}
	}
	settled(t, benB)
	benB.Screenshot("announcement")
	benB.Run("dismissing the announcement", bt.Click("#announcement-dismiss"), chromedp.WaitNotPresent(chromedp.CSS("#announcement-banner")))

	// Ben mutes and pins it: it leads his list, with the muted bell.
	benB.Run("muting and pinning",
		bt.Click("#conversation-info"), bt.Visible("#toggle-mute"),
		bt.Click("#toggle-mute"), bt.Visible(`#toggle-mute[aria-checked="true"]`),
		bt.Click("#toggle-pin"), bt.Visible(`#toggle-pin[aria-checked="true"]`))
	settled(t, benB)
	benB.Screenshot("info-muted-pinned")
	row := fmt.Sprintf(`.chat-list [data-conversation-id="%s"]`, g)
	benB.Run("back to the list", chromedp.Navigate(n.URL()+"/chats"), bt.Visible(row+`[data-pinned="true"] .muted-icon`))
	if order := benB.Attrs(".chat-list [data-conversation-id]", "data-conversation-id"); len(order) != 2 || order[0] != g || order[1] != dm {
		t.Fatalf("ben's list order %v, want the pinned group first", order)
	}

	// Ann mentions Ben: his muted group shows [@me].
	annB.Run("mentioning Ben",
		chromedp.Navigate(n.URL()+"/chats/"+g), bt.Visible("#composer-input"),
		bt.Type("#composer-input", "@"), bt.Visible(`#mention-picker [data-mention="ben"]`))
	settled(t, annB)
	annB.Screenshot("mention-picker")
	annB.Run("sending the mention",
		bt.Click(`#mention-picker [data-mention="ben"]`), chromedp.WaitNotPresent(chromedp.CSS("#mention-picker")),
		bt.Type("#composer-input", "can you bring the stove?"), bt.Click("#composer-send"),
		bt.Visible(`#conversation [data-seq="7"]`))
	benB.Run("seeing [@me]", bt.Visible(row+" .mention-me"))
	bt.WaitText(benB, row+" .mention-me", "[@me]")
	settled(t, benB)
	benB.Screenshot("mentioned")

	// Dan joins by the group's link.
	annB.Run("showing the group QR code", chromedp.Navigate(info), bt.Visible("#info-qr"), bt.Click("#info-qr"), bt.Visible("#invite-link"))
	settled(t, annB)
	annB.Screenshot("qr")
	link := annB.Attrs("#invite-link", "href")[0]
	if !strings.HasPrefix(link, "/g/") {
		t.Fatalf("invite link %q", link)
	}
	danB := bt.New(t, alloc, "dan", size)
	login(danB, n.URL(), "dan")
	danB.Run("opening the link", chromedp.Navigate(n.URL()+link), bt.Visible("#join-submit"))
	bt.WaitText(danB, "#join-title", "Hikers 2026")
	settled(t, danB)
	danB.Screenshot("join")
	danB.Run("joining", bt.Click("#join-submit"), bt.Visible("#composer-input"), bt.Visible(`#conversation [data-seq="8"]`))
	if got := danB.Text(`#conversation [data-seq="8"]`); !strings.Contains(got, "Dan joined via Ann's QR code") {
		t.Fatalf("dan sees %q", got)
	}
	settled(t, danB)
	danB.Screenshot("joined")

	// Ben clears his history: only what comes after shows for him.
	benB.Run("clearing history",
		chromedp.Navigate(info), bt.Visible("#info-clear"), bt.Click("#info-clear"), bt.Visible("#clear-confirm"),
		bt.Click("#clear-confirm"), chromedp.WaitNotPresent(chromedp.CSS("#sheet-clear")))
	benB.Run("opening the cleared chat", chromedp.Navigate(n.URL()+"/chats/"+g), bt.Visible("#composer-input"))
	ann.Do(t, "POST", "/api/v1/conversations/"+g+"/messages", map[string]any{"client_id": "g9", "kind": "text", "text": "See you all at 8"})
	benB.Run("seeing only the new message", bt.Visible(`#conversation [data-seq="9"]`))
	if c := benB.Count("#conversation [data-seq]"); c != "1" {
		t.Fatalf("ben sees %s messages after clearing, want 1", c)
	}
	settled(t, benB)
	benB.Screenshot("cleared")
	// A direct chat has an info page too: the other person, mute, pin, clear.
	benB.Run("opening the direct chat's info",
		chromedp.Navigate(n.URL()+"/chats/"+dm), bt.Visible("#conversation-info"), bt.Click("#conversation-info"),
		bt.Visible(`#conversation-info-page [data-member="ann"]`), bt.Visible("#toggle-mute"), bt.Visible("#toggle-pin"), bt.Visible("#info-clear"))
	if c := benB.Count("#info-leave, #info-qr, #info-add-members"); c != "0" {
		t.Fatalf("a direct chat's info shows %s group-only controls", c)
	}
	settled(t, benB)
	benB.Screenshot("direct-info")
	annB.Run("ann keeps hers", chromedp.Navigate(n.URL()+"/chats/"+g), bt.Visible(`#conversation [data-seq="1"]`), bt.Visible(`#conversation [data-seq="9"]`))
}
