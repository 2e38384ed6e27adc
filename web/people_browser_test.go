package web_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// portrait writes an 800×560 PNG: a sky-blue background with a warm
// circle off centre, so that the crop visibly chooses part of it.
func portrait(t *testing.T) string {
	img := image.NewRGBA(image.Rect(0, 0, 800, 560))
	for y := 0; y < 560; y++ {
		for x := 0; x < 800; x++ {
			c := color.RGBA{uint8(90 + y/8), uint8(160 + y/10), 230, 255}
			dx, dy := x-470, y-260
			if dx*dx+dy*dy < 170*170 {
				c = color.RGBA{250, uint8(150 + dy/4), 60, 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "portrait.png")
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// People (issue 13, item 4): Ann uploads and crops an avatar from Me; Bob
// sees it in the chat and in Contacts, opens Ann's profile from her
// bubble and gives her a remark, which the contact and chat lists show;
// then Ann blocks Bob, and Bob's next message is refused.
func TestPeopleInBrowser(t *testing.T) {
	alloc := bt.Allocator(t)
	for _, size := range []struct {
		name string
		dims [2]int64
	}{{"phone", bt.Phone}, {"desktop", [2]int64{1440, 900}}} {
		t.Run(size.name, func(t *testing.T) {
			n := nodetest.Start(t, nodetest.Options{})
			ann := nodetest.Signup(t, n.URL(), "ann")
			bob := nodetest.Signup(t, n.URL(), "bob")
			cat := nodetest.Signup(t, n.URL(), "cat")
			nodetest.Befriend(t, ann, bob, "bob")
			nodetest.Befriend(t, ann, cat, "cat")
			nodetest.Befriend(t, bob, cat, "cat")
			bobID := bob.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
			conv := bob.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "ann"}).Str("conversation.id")
			bob.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "group", "title": "Weekend hikers", "usernames": []string{"ann", "cat"}})
			send := func(c *nodetest.Client, id, text string) {
				if r := c.Do(t, "POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"client_id": id, "kind": "text", "text": text}); r.Status != 201 {
					t.Fatalf("send: %d %s", r.Status, r.Body)
				}
			}
			send(bob, "b1", "Hi Ann! Is that a new photo?")

			annB := bt.New(t, alloc, "ann-"+size.name, size.dims)
			login(annB, n.URL(), "ann")
			annB.Run("choosing a photo on Me",
				chromedp.Navigate(n.URL()+"/me"),
				bt.Visible("#me-avatar"),
				chromedp.SetUploadFiles(chromedp.CSS("#me-avatar-file"), []string{portrait(t)}),
				bt.Visible("#avatar-cropper .cropper-image"),
			)
			annB.Run("zooming in", bt.Set("#cropper-zoom", "1.4"),
				chromedp.Evaluate[chromedp.Void](`document.querySelector('#cropper-zoom').dispatchEvent(new Event('input', {bubbles: true}))`))
			annB.Screenshot("people-cropper-" + size.name)
			annB.Run("using it", bt.Click("#cropper-save"), bt.Visible(`#me-avatar img`), chromedp.WaitNotPresent(chromedp.CSS("#avatar-cropper")))
			annB.Screenshot("people-me-" + size.name)
			if url := ann.Do(t, "GET", "/api/v1/me", nil).Str("user.avatar_url"); url == "" {
				t.Fatal("the upload stored no avatar")
			}
			send(ann, "a1", "Yes — cropped it myself 📸")

			bobB := bt.New(t, alloc, "bob-"+size.name, size.dims)
			login(bobB, n.URL(), "bob")
			bobB.Run("seeing Ann's photo in the chat list and the group grid",
				bt.Visible(fmt.Sprintf(`[data-conversation-id="%s"] .avatar-photo img`, conv)),
				bt.Visible(`.group-grid img.group-grid-cell`))
			bobB.Screenshot("people-chats-" + size.name)
			bobB.Run("seeing it on her bubble",
				bt.Click(fmt.Sprintf(`[data-conversation-id="%s"]`, conv)),
				bt.Visible(`#conversation [data-seq="2"] .msg-avatar-link .avatar-photo img`))
			bobB.Screenshot("people-chat-" + size.name)
			bobB.Run("opening her profile from the bubble",
				bt.Click(`#conversation [data-seq="2"] .msg-avatar-link`),
				bt.Visible(`#profile[data-profile="ann"] #profile-avatar img`),
				bt.Visible("#profile-message"), bt.Visible("#profile-transfer"))
			if got := bobB.Text("#profile-region"); !strings.Contains(got, "United States") {
				t.Fatalf("profile region %q", got)
			}
			bobB.Run("giving her a remark and tags",
				bt.Click("#profile-note"), bt.Visible("#note-remark"),
				bt.Type("#note-remark", "Annie 安妮"), bt.Type("#note-tags", "Climbing, Work"),
				bt.Click("#note-save"), chromedp.WaitNotPresent(chromedp.CSS("#note-sheet")))
			bt.WaitText(bobB, "#profile-name", "Annie 安妮")
			bt.WaitText(bobB, "#profile-tags", "Climbing\nWork")
			bobB.Screenshot("people-profile-" + size.name)
			bobB.Run("seeing the remark in Contacts", chromedp.Navigate(n.URL()+"/contacts"), bt.Visible(`[data-contact="ann"] .avatar-photo img`))
			bt.WaitText(bobB, `[data-contact="ann"] .cell-title`, "Annie 安妮")
			bobB.Screenshot("people-contacts-" + size.name)
			bobB.Run("and in Chats", chromedp.Navigate(n.URL()+"/chats"))
			bt.WaitText(bobB, fmt.Sprintf(`[data-conversation-id="%s"] .chat-row-title`, conv), "Annie 安妮")

			annB.Run("blocking Bob from his profile",
				chromedp.Navigate(n.URL()+"/users/"+bobID),
				bt.Visible("#profile-block"), bt.Click("#profile-block"),
				bt.Visible("#profile-block-confirm"), bt.Click("#profile-block-confirm"),
				bt.Visible(".person-blocked"), bt.Visible("#profile-unblock"))
			annB.Screenshot("people-blocked-" + size.name)

			bobB.Run("writing to Ann, refused",
				chromedp.Navigate(n.URL()+"/chats/"+conv),
				bt.Visible("#composer-input"),
				bt.Type("#composer-input", "Are you there?"),
				bt.Click("#composer-send"),
				bt.Visible(`#conversation .msg-failed`))
			bt.WaitText(bobB, "main .title-bar-title", "Annie 安妮")
			bobB.Screenshot("people-refused-" + size.name)
			if r := ann.Do(t, "GET", "/api/v1/conversations/"+conv+"/messages?after_seq=0", nil); len(r.JSON["items"].([]any)) != 2 {
				t.Fatalf("the refused message was written: %s", r.Body)
			}
		})
	}
}
