package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// Me → Privacy: "Download my data" fetches the export and saves it;
// "Delete my account" with money in the wallet says which money (409
// balance_not_zero); once withdrawn it deletes the account and signs out,
// and the other member of the group sees the erased person's message as
// "Message deleted".
func TestPrivacyExportAndDeleteInBrowser(t *testing.T) {
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})
	eve := nodetest.Signup(t, n.URL(), "eve")
	fay := nodetest.Signup(t, n.URL(), "fay")
	nodetest.Befriend(t, eve, fay, "fay")
	g := eve.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "group", "title": "Hikers", "usernames": []string{"fay"}})
	gid := g.Str("conversation.id")
	eve.Do(t, "POST", "/api/v1/conversations/"+gid+"/messages", map[string]any{"client_id": "e1", "kind": "text", "text": "eve was here"})
	fay.Do(t, "POST", "/api/v1/conversations/"+gid+"/messages", map[string]any{"client_id": "f1", "kind": "text", "text": "fay too"})
	eve.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": "135790", "password": "correct horse"})
	if r := eve.Do(t, "POST", "/api/v1/wallet/topups", map[string]any{"amount": 1_230, "currency": "CNY"}, "Idempotency-Key", "t1"); r.Status != 201 {
		t.Fatalf("top-up: %d %s", r.Status, r.Body)
	}

	b := bt.New(t, alloc, "eve", bt.Phone)
	login(b, n.URL(), "eve")
	b.Run("downloading my data",
		chromedp.Navigate(n.URL()+"/me/privacy"),
		bt.Visible("#privacy-export"),
		bt.Click("#privacy-export"),
	)
	// On a loaded machine the first click can land before the page's
	// handler is attached (the status then still shows its idle line, no
	// export began): click again only in that case.
	for try := 0; try < 3; try++ {
		time.Sleep(3 * time.Second)
		if !strings.Contains(b.Text("#privacy-export-status"), "A zip of your profile") {
			break
		}
		b.Run("downloading my data (the click was not taken)", bt.Click("#privacy-export"))
	}
	waitContains(t, b, "#privacy-export-status", "Your data is saved")
	b.Screenshot("privacy-exported")

	b.Run("deleting with money in the wallet",
		bt.Click("#privacy-delete"),
		bt.Visible("#privacy-delete-password"),
		bt.Type("#privacy-delete-password", "correct horse"),
		bt.Click("#privacy-delete-confirm"),
		bt.Visible("#privacy-delete-error"),
	)
	waitContains(t, b, "#privacy-delete-error", "Withdraw your balance of ¥12.30 first")
	b.Screenshot("privacy-refused")

	if r := eve.Do(t, "POST", "/api/v1/wallet/withdrawals", map[string]any{"amount": 1_230, "currency": "CNY", "pin": "135790"}, "Idempotency-Key", "t2"); r.Status != 201 {
		t.Fatalf("withdraw: %d %s", r.Status, r.Body)
	}
	b.Run("deleting the account", bt.Click("#privacy-delete-confirm"), bt.Visible("#login-username"))

	f := bt.New(t, alloc, "fay", bt.Phone)
	login(f, n.URL(), "fay")
	row := `[data-conversation-id="` + gid + `"]`
	f.Run("reading the group", bt.Visible(row), bt.Click(row), bt.Visible(`#conversation [data-kind="erased"]`))
	bt.WaitText(f, `#conversation [data-kind="erased"]`, "Message deleted")
	if txt := f.Text("#conversation"); strings.Contains(txt, "eve was here") || !strings.Contains(txt, "fay too") {
		t.Fatalf("the group after the erasure: %q", txt)
	}
	f.Screenshot("privacy-tombstone")
}

// waitContains waits (bounded) until the element's text contains want.
func waitContains(t *testing.T, b *bt.Browser, sel, want string) {
	t.Helper()
	last := ""
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if last = b.Text(sel); strings.Contains(last, want) {
			return
		}
	}
	b.Screenshot("failed-waiting")
	t.Fatalf("%s: %s shows %q, want it to contain %q", b.Name, sel, last, want)
}
