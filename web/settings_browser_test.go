package web_test

import (
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// Me → Settings as Ann uses it on her phone and her laptop: the language
// switched to 简体中文 and back; the devices list with "This device", and
// the laptop signed out from the phone; the password changed on the phone
// signs the laptop out at once (its socket closes, it lands on sign-in);
// the payment PIN changed with the old PIN; "who can add me" set to
// nobody refuses Bob's request, in Chinese; the merchant console shows
// only once Ann owns a merchant.
func TestSettingsInBrowser(t *testing.T) {
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})
	ann := nodetest.Signup(t, n.URL(), "ann")
	nodetest.Signup(t, n.URL(), "bob")
	if r := ann.Do(t, "PUT", "/api/v1/wallet/pin", map[string]string{"pin": "135790", "password": "correct horse"}); r.Status != 204 {
		t.Fatalf("set PIN: %d %s", r.Status, r.Body)
	}
	phone := bt.New(t, alloc, "ann-phone", bt.Phone)
	laptop := bt.New(t, alloc, "ann-laptop", bt.Desktop)
	bob := bt.New(t, alloc, "bob", bt.Phone)
	login(phone, n.URL(), "ann")
	login(laptop, n.URL(), "ann")
	login(bob, n.URL(), "bob")

	// A plain user: no merchant console on Me; Settings offers to open a shop.
	phone.Run("opening Settings from Me",
		bt.Click(`[data-tab="me"]`),
		bt.Visible("#me-settings"),
		bt.Click("#me-settings"),
		bt.Visible("#settings-open-shop"),
	)
	phone.Screenshot("settings")
	phone.Run("back to Me", bt.Click("#settings-back"), bt.Visible("#me-settings"))
	if c := phone.Count("#me-merchants"); c != "0" {
		t.Fatalf("a user without a merchant sees the merchant console (%s)", c)
	}

	// Language, on the laptop: 简体中文, then English again, then the system's.
	laptop.Run("choosing 简体中文",
		chromedp.Navigate(n.URL()+"/me/settings/language"),
		bt.Visible("#language-zh-CN"),
		bt.Click("#language-zh-CN"),
		bt.Visible(`#language-zh-CN[aria-checked="true"]`),
	)
	bt.WaitText(laptop, "main .title-bar-title", "语言")
	laptop.Run("Settings in Chinese", chromedp.Navigate(n.URL()+"/me/settings"), bt.Visible("#settings-password"))
	bt.WaitText(laptop, "#settings-password .cell-title", "修改密码")
	bt.WaitText(laptop, "#logout", "退出登录")
	bt.WaitText(laptop, "#settings-language-current", "简体中文")
	laptop.Screenshot("settings-zh")
	laptop.Run("back to English",
		bt.Click("#settings-language"),
		bt.Visible("#language-en"),
		bt.Click("#language-en"),
		bt.Visible(`#language-en[aria-checked="true"]`),
	)
	bt.WaitText(laptop, "main .title-bar-title", "Language")
	laptop.Run("following the system", bt.Click("#language-system"), bt.Visible(`#language-system[aria-checked="true"]`))
	bt.WaitText(laptop, "main .title-bar-title", "Language") // headless Chromium's language is English

	// Devices: the phone lists three (itself first and marked, the laptop,
	// the API client) and signs the laptop out.
	phone.Run("opening Devices", chromedp.Navigate(n.URL()+"/me/settings/sessions"), bt.Visible(`.session-row[data-current="true"]`))
	if c := phone.Count(".session-row"); c != "3" {
		t.Fatalf("%s devices listed, want 3", c)
	}
	bt.WaitText(phone, `.session-row[data-current="true"] .badge-this-device`, "This device")
	if first := phone.Attrs(".session-row", "data-current"); first[0] != "true" {
		t.Fatalf("this device is not first: %v", first)
	}
	phone.Screenshot("devices")
	list := ann.Do(t, "GET", "/api/v1/me/sessions", nil)
	phoneID := phone.Attrs(`.session-row[data-current="true"]`, "data-session")[0]
	var laptopID string
	for _, s := range list.Get("sessions").([]any) {
		s := s.(map[string]any)
		if id := s["id"].(string); s["current"] != true && id != phoneID {
			laptopID = id
		}
	}
	if laptopID == "" {
		t.Fatalf("no laptop session in %s", list.Body)
	}
	phone.Run("signing the laptop out",
		bt.Click(`[data-session="`+laptopID+`"] .end-session`),
		bt.Visible("#end-session-confirm"),
	)
	phone.Screenshot("end-session")
	phone.Run("confirming", bt.Click("#end-session-confirm"), chromedp.WaitNotPresent(chromedp.CSS(`[data-session="`+laptopID+`"]`)))
	laptop.Run("the laptop is signed out", chromedp.Navigate(n.URL()+"/me"), bt.Visible("#login-username"))

	// The password, changed on the phone, signs the laptop out at once.
	login(laptop, n.URL(), "ann")
	phone.Run("changing the password",
		chromedp.Navigate(n.URL()+"/me/settings/password"),
		bt.Visible("#password-old"),
		bt.Type("#password-old", "wrong horse"),
		bt.Type("#password-new", "battery staple"),
		bt.Type("#password-confirm", "battery staple"),
		bt.Click("#password-submit"),
		bt.Visible(".form-error"),
	)
	bt.WaitText(phone, ".form-error", "The current password is wrong.")
	if r := ann.Do(t, "GET", "/api/v1/me", nil); r.Status != 200 {
		t.Fatal("a wrong current password ended a session")
	}
	if _, err := chromedp.Run(phone.Ctx, chromedp.Evaluate[any](`document.querySelector('#password-old').value = ''`)); err != nil {
		t.Fatal(err)
	}
	phone.Run("with the right one",
		bt.Type("#password-old", "correct horse"),
		bt.Click("#password-submit"),
		bt.Visible("#settings-password"),
	)
	phone.Screenshot("password-changed")
	laptop.Run("the laptop lands on sign-in by itself", bt.Visible("#login-username"))
	if r := ann.Do(t, "GET", "/api/v1/me", nil); r.Status != 401 {
		t.Fatalf("the API session survived the password change: %d", r.Status)
	}
	phone.Run("the phone stays signed in", chromedp.Navigate(n.URL()+"/me"), bt.Visible("#me-settings"))
	anon := nodetest.NewClient(n.URL())
	r := anon.Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": "ann", "password": "battery staple"})
	if r.Status != 200 {
		t.Fatalf("login with the new password: %d %s", r.Status, r.Body)
	}
	ann.Token = r.Str("token")

	// The payment PIN, changed with the old PIN.
	phone.Run("changing the payment PIN",
		chromedp.Navigate(n.URL()+"/me/settings/pin"),
		bt.Visible("#pin-old"),
		bt.Type("#pin-old", "135790"),
		bt.Type("#pin-change-new", "246802"),
		bt.Type("#pin-change-confirm", "246802"),
	)
	phone.Screenshot("pin")
	phone.Run("saving it", bt.Click("#pin-change-submit"), bt.Visible("#settings-pin"))
	if r := ann.Do(t, "PUT", "/api/v1/wallet/pin", map[string]string{"pin": "111111", "old_pin": "135790"}); r.Code() != "wrong_pin" {
		t.Fatalf("the old PIN still works: %d %s", r.Status, r.Body)
	}
	if r := ann.Do(t, "PUT", "/api/v1/wallet/pin", map[string]string{"pin": "246802", "old_pin": "246802"}); r.Status != 204 {
		t.Fatalf("the new PIN does not work: %d %s", r.Status, r.Body)
	}

	// Who can add me: nobody. Bob, in Chinese, is refused.
	phone.Run("closing the door",
		chromedp.Navigate(n.URL()+"/me/settings/privacy"),
		bt.Visible(`#add-me-everyone[aria-checked="true"]:not([disabled])`),
		bt.Click("#add-me-nobody"),
		bt.Visible(`#add-me-nobody[aria-checked="true"]:not([disabled])`),
	)
	phone.Screenshot("privacy")
	if _, err := chromedp.Run(bob.Ctx, chromedp.Evaluate[any](`localStorage.setItem('plaza.locale','zh-CN')`)); err != nil {
		t.Fatalf("bob in Chinese: %v", err)
	}
	bob.Run("in Chinese",
		chromedp.Navigate(n.URL()+"/contacts/new"),
		bt.Visible("#add-contact-username"),
		bt.Type("#add-contact-username", "ann"),
		bt.Click("#add-contact-submit"),
		bt.Visible(".form-error"),
	)
	bob.Screenshot("refused")
	if got := bob.Text(".form-error"); !regexp.MustCompile(`\p{Han}`).MatchString(got) || regexp.MustCompile(`[A-Za-z]{4}`).MatchString(got) {
		t.Fatalf("Bob's refusal is not in Chinese: %q", got)
	}

	// Once Ann owns a merchant, Me shows its console.
	if r := ann.Do(t, "POST", "/api/v1/merchants", map[string]any{"name": "Ann's Teas", "region": "CN"}); r.Status != 201 {
		t.Fatalf("create merchant: %d %s", r.Status, r.Body)
	}
	phone.Run("the merchant console on Me", chromedp.Navigate(n.URL()+"/me"), bt.Visible("#me-merchants"))
	phone.Screenshot("me-merchant")
	phone.Run("no shop offer in Settings", bt.Click("#me-settings"), bt.Visible("#settings-password"))
	if c := phone.Count("#settings-open-shop"); c != "0" {
		t.Fatalf("a merchant owner is offered to open a shop (%s)", c)
	}
}
