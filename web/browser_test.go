package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// Two people sign up in real browsers, one asks the other to be a contact,
// the other accepts, and both see each other in Contacts.
func TestSignupAndBecomeContactsInBrowser(t *testing.T) {
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})
	url := n.URL()

	mia := bt.New(t, alloc, "mia", bt.Phone)
	leo := bt.New(t, alloc, "leo", bt.Desktop)

	signup := func(b *bt.Browser, username, name string) {
		b.Run("signing up",
			chromedp.Navigate(url+"/signup"),
			bt.Visible("#signup-username"),
			bt.Type("#signup-username", username),
			bt.Type("#signup-display-name", name),
			bt.Type("#signup-password", "a long password"),
			bt.Set("#signup-region", "NZ"),
			bt.Click("#signup-submit"),
			bt.Visible(`[data-tab="chats"].active`),
		)
		b.Screenshot("chats")
	}
	signup(mia, "mia", "Mia Wong")
	signup(leo, "leo", "Leo Park")

	mia.Run("asking leo",
		bt.Click(`[data-tab="contacts"]`),
		bt.Visible("#new-friends"),
		bt.Click("#new-friends"),
		bt.Visible("#add-contact-username"),
		bt.Type("#add-contact-username", "leo"),
		bt.Click("#add-contact-submit"),
		bt.Visible(`[data-direction="outgoing"][data-status="pending"]`),
	)
	mia.Screenshot("request-sent")

	leo.Run("seeing the request",
		bt.Click(`[data-tab="contacts"]`),
		bt.Visible("#requests-badge"),
	)
	if got := leo.Text("#requests-badge"); got != "1" {
		t.Fatalf("leo's badge shows %q, want 1", got)
	}
	leo.Screenshot("badge")
	leo.Run("accepting",
		bt.Click("#new-friends"),
		bt.Visible(`[data-direction="incoming"] .accept-request`),
		bt.Click(`[data-direction="incoming"] .accept-request`),
		bt.Visible(`[data-direction="incoming"][data-status="accepted"]`),
		bt.Click(`[data-tab="contacts"]`),
		bt.Visible(`[data-contact="mia"]`),
	)
	leo.Screenshot("contacts")
	if got := leo.Text(`[data-contact="mia"]`); !strings.Contains(got, "Mia Wong") {
		t.Fatalf("leo's contact cell reads %q", got)
	}
	// Mia's list updates on its own (the client polls), without a reload.
	mia.Run("seeing leo as a contact",
		bt.Click(`[data-tab="contacts"]`),
		bt.Visible(`[data-contact="leo"]`),
	)
	mia.Screenshot("contacts")

	mia.Run("opening Me",
		bt.Click(`[data-tab="me"]`),
		bt.Visible("#me-username"),
	)
	if got := mia.Text("#me-display-name"); got != "Mia Wong" {
		t.Fatalf("Me shows %q", got)
	}
	mia.Screenshot("me")
	mia.Run("logging out",
		bt.Click("#me-settings"),
		bt.Click("#logout"),
		bt.Visible("#login-username"),
	)
	mia.Run("signing in with a wrong password",
		bt.Type("#login-username", "mia"),
		bt.Type("#login-password", "not the password"),
		bt.Click("#login-submit"),
		bt.Visible(".form-error"),
	)
	if got := mia.Text(".form-error"); !strings.Contains(got, "Wrong username or password") {
		t.Fatalf("the form says %q", got)
	}
	mia.Screenshot("login-error")
}
