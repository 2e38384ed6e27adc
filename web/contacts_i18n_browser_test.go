package web_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// signupAs signs up username with a display name of its own (nodetest.Signup
// derives one from the username), password "correct horse".
func signupAs(t *testing.T, base, username, name string) *nodetest.Client {
	t.Helper()
	c := nodetest.NewClient(base)
	r := c.Do(t, "POST", "/api/v1/auth/signup", map[string]string{
		"username": username, "password": "correct horse", "display_name": name, "region": "CN",
	})
	if r.Status != http.StatusCreated {
		t.Fatalf("signup %s: %d %s", username, r.Status, r.Body)
	}
	c.Token = r.Str("token")
	return c
}

// eval runs a JavaScript expression in b's page and returns its value.
func eval[T any](t *testing.T, b *bt.Browser, js string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %s: %v", b.Name, js, err)
	}
	return v
}

func setLocale(l string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`localStorage.setItem('plaza.locale', %q)`, l))
}

// pinyinFetched says whether the page fetched pinyin-pro's chunk
// (pinyin-reader-*.js), from the browser's own record of its requests.
const pinyinFetched = `performance.getEntriesByType('resource').some(e => e.name.includes('/assets/pinyin-reader-'))`

// Contacts A–Z (issue 14): Chinese names under the first letter of their
// pinyin, read as surnames (曾小贤 under Z), in Chinese and in English, with
// WeChat's side index; pinyin-pro is fetched only for people who have
// Chinese contacts.
func TestContactsByPinyinInBrowser(t *testing.T) {
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})
	url := n.URL()

	mei := nodetest.Signup(t, url, "mei")
	people := map[string]*nodetest.Client{}
	for _, p := range [][2]string{{"zhangsan", "张三"}, {"lisi", "李四"}, {"emile", "Émile"}, {"bob", "Bob"}, {"zengxx", "曾小贤"}} {
		people[p[0]] = signupAs(t, url, p[0], p[1])
		nodetest.Befriend(t, mei, people[p[0]], p[0])
	}
	// Lou's contacts are all Latin: no pinyin for Lou.
	lou := nodetest.Signup(t, url, "lou")
	nodetest.Befriend(t, lou, people["bob"], "bob")
	nodetest.Befriend(t, lou, people["emile"], "emile")

	sections := func(b *bt.Browser) map[string][]string {
		got := map[string][]string{}
		for _, l := range b.Attrs("#contacts-body .contact-section", "data-letter") {
			got[l] = b.Attrs(fmt.Sprintf(`#contacts-body .contact-section[data-letter=%q] .cell-title`, l), "")
		}
		return got
	}
	want := map[string][]string{"B": {"Bob"}, "E": {"Émile"}, "L": {"李四"}, "Z": {"曾小贤", "张三"}}

	b := bt.New(t, alloc, "mei", bt.Phone)
	b.Run("choosing Chinese", chromedp.Navigate(url+"/login"), bt.Visible("#login-username"), setLocale("zh-CN"))
	login(b, url, "mei")
	b.Run("opening Contacts in Chinese", chromedp.Navigate(url+"/contacts"), bt.Visible(`[data-contact="zengxx"]`))
	if got := b.Attrs("#contacts-body .contact-section", "data-letter"); !reflect.DeepEqual(got, []string{"B", "E", "L", "Z"}) {
		t.Fatalf("zh-CN sections %v, want B E L Z", got)
	}
	if got := sections(b); !reflect.DeepEqual(got, want) {
		t.Fatalf("zh-CN sections hold %v, want %v", got, want)
	}
	for sel, text := range map[string]string{
		".title-bar-title":         "通讯录",
		"#new-friends .cell-title": "新的朋友",
		".list-footer":             "5 位联系人",
	} {
		if got := b.Text(sel); got != text {
			t.Errorf("zh-CN %s reads %q, want %q", sel, got, text)
		}
	}
	if got := b.Attrs(`#side-index [data-letter="Z"]`, "aria-label"); !reflect.DeepEqual(got, []string{"跳转到 Z"}) {
		t.Errorf("the index's Z is labelled %v", got)
	}
	if !eval[bool](t, b, pinyinFetched) {
		t.Fatal("Chinese contacts were filed without fetching pinyin-pro's chunk (is it still pinyin-reader-*.js?)")
	}
	b.Screenshot("contacts-zh")

	b.Run("switching to English", setLocale("en"), chromedp.Reload(), bt.Visible(`[data-contact="zengxx"]`))
	if got := b.Attrs("#contacts-body .contact-section", "data-letter"); !reflect.DeepEqual(got, []string{"B", "E", "L", "Z"}) {
		t.Fatalf("en sections %v, want B E L Z", got)
	}
	if got := sections(b); !reflect.DeepEqual(got, want) {
		t.Fatalf("en sections hold %v, want %v", got, want)
	}
	for sel, text := range map[string]string{".title-bar-title": "Contacts", "#new-friends .cell-title": "New Friends", ".list-footer": "5 contacts"} {
		if got := b.Text(sel); got != text {
			t.Errorf("en %s reads %q, want %q", sel, got, text)
		}
	}
	if got := b.Attrs(`#side-index [data-letter="Z"]`, "aria-label"); !reflect.DeepEqual(got, []string{"Jump to Z"}) {
		t.Errorf("the index's Z is labelled %v", got)
	}

	// Enough friends under # (after Z) that the list scrolls, to jump along it.
	for i := 1; i <= 14; i++ {
		u := fmt.Sprintf("agent%02d", i)
		nodetest.Befriend(t, mei, signupAs(t, url, u, fmt.Sprintf("%03d Agent", i)), u)
	}
	b.Run("seeing them, in Chinese", setLocale("zh-CN"), chromedp.Reload(), bt.Visible(`[data-contact="agent14"]`), bt.Visible("#side-index"))
	// Where Z's header is against the top of the list, and how far it has scrolled.
	zAt := `(() => { const body = document.querySelector('#contacts-body');
		const h = document.querySelector('.contact-section[data-letter="Z"] .section-letter');
		return [h.getBoundingClientRect().top - body.getBoundingClientRect().top, body.scrollTop]; })()`
	if at := eval[[]float64](t, b, zAt); at[1] != 0 || at[0] < 100 {
		t.Fatalf("before the jump Z is %vpx down, the list scrolled %vpx", at[0], at[1])
	}
	b.Run("tapping Z in the index", bt.Click(`#side-index [data-letter="Z"]`))
	if at := eval[[]float64](t, b, zAt); math.Abs(at[0]) > 1.5 || at[1] == 0 {
		t.Fatalf("after tapping Z its header is %vpx from the top (scrolled %vpx)", at[0], at[1])
	}
	if got := b.Text(`#side-index [data-letter="Z"].active`); got != "Z" {
		t.Errorf("the index highlights %q, want Z", got)
	}
	b.Screenshot("contacts-zh-jumped")

	// Dragging from ↑ down to L shows the letter under the finger and lands on L.
	pos := func(letter string) (float64, float64) {
		p := eval[[]float64](t, b, fmt.Sprintf(`(() => { const r = document.querySelector('#side-index [data-letter=%q]').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`, letter))
		return p[0], p[1]
	}
	x0, y0 := pos("↑")
	x1, y1 := pos("L")
	b.Run("dragging along the index",
		chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, x0, y0, chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x0, (y0+y1)/2, chromedp.ButtonLeft),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x1, y1, chromedp.ButtonLeft),
		bt.Visible("#side-index-bubble"))
	if got := b.Text("#side-index-bubble"); got != "L" {
		t.Fatalf("the bubble shows %q, want L", got)
	}
	b.Screenshot("contacts-zh-dragging")
	b.Run("letting go", chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, x1, y1, chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.WaitNotPresent(chromedp.CSS("#side-index-bubble")))
	lAt := `document.querySelector('.contact-section[data-letter="L"] .section-letter').getBoundingClientRect().top - document.querySelector('#contacts-body').getBoundingClientRect().top`
	if d := eval[float64](t, b, lAt); math.Abs(d) > 1.5 {
		t.Fatalf("after the drag L's header is %vpx from the top", d)
	}
	// From the keyboard: the index is one tab stop; Home is ↑, Enter jumps.
	b.Run("jumping to the top from the keyboard",
		chromedp.Focus(chromedp.CSS(`#side-index [tabindex="0"]`)),
		chromedp.KeyEvent(kb.Home), chromedp.KeyEvent("\r"))
	if top := eval[float64](t, b, `document.querySelector('#contacts-body').scrollTop`); top != 0 {
		t.Fatalf("after ↑ the list is scrolled %vpx", top)
	}

	// Lou has no Chinese contacts, and never fetches pinyin-pro.
	lb := bt.New(t, alloc, "lou", bt.Phone)
	lb.Run("choosing Chinese", chromedp.Navigate(url+"/login"), bt.Visible("#login-username"), setLocale("zh-CN"))
	login(lb, url, "lou")
	lb.Run("opening Contacts", chromedp.Navigate(url+"/contacts"), bt.Visible(`[data-contact="emile"]`), bt.Visible(`[data-contact="bob"]`))
	if got := lb.Attrs("#contacts-body .contact-section", "data-letter"); !reflect.DeepEqual(got, []string{"B", "E"}) {
		t.Fatalf("lou's sections %v", got)
	}
	if eval[bool](t, lb, pinyinFetched) {
		t.Fatal("a user whose contacts are all Latin fetched pinyin-pro")
	}
}

// The login screen's language switch turns the page Chinese and stays so
// after a reload; signing up with a taken username then says so in Chinese.
func TestAuthLanguageSwitchInBrowser(t *testing.T) {
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})
	url := n.URL()
	nodetest.Signup(t, url, "bob")

	b := bt.New(t, alloc, "visitor", bt.Phone)
	b.Run("opening the login page in English", chromedp.Navigate(url+"/login"), setLocale("en"), chromedp.Reload(), bt.Visible("#login-submit"))
	if got := b.Text("#login-submit"); got != "Log in" {
		t.Fatalf("the button reads %q", got)
	}
	b.Run("choosing 中文", bt.Click("#auth-lang-zh"))
	bt.WaitText(b, "#login-submit", "登录")
	b.Screenshot("login-zh")
	b.Run("reloading", chromedp.Reload(), bt.Visible("#login-submit"))
	bt.WaitText(b, "#login-submit", "登录")
	for sel, text := range map[string]string{".auth-title": "登录", "#to-signup": "注册", `label[for="login-username"]`: "用户名"} {
		if got := b.Text(sel); got != text {
			t.Errorf("%s reads %q, want %q", sel, got, text)
		}
	}
	if got := eval[string](t, b, `document.documentElement.lang`); got != "zh-CN" {
		t.Errorf("the page's lang is %q", got)
	}
	if got := b.Attrs("#auth-lang-zh", "aria-pressed"); !reflect.DeepEqual(got, []string{"true"}) {
		t.Errorf("中文 is pressed: %v", got)
	}

	b.Run("a wrong password", bt.Type("#login-username", "bob"), bt.Type("#login-password", "not the password"),
		bt.Click("#login-submit"), bt.Visible(".form-error"))
	if got := b.Text(".form-error"); got != "账号或密码错误，请重新填写。" {
		t.Errorf("the login form says %q", got)
	}

	b.Run("signing up as bob, who exists", bt.Click("#to-signup"), bt.Visible("#signup-username"),
		chromedp.Poll[chromedp.Void](`document.querySelector('#signup-region option[value="NZ"]') !== null`, chromedp.WithPollingTimeout(10*time.Second)))
	if got := b.Attrs(`#signup-region option[value="NZ"], #signup-region option[value="CN"]`, ""); !reflect.DeepEqual(got, []string{"新西兰", "中国"}) {
		// In document order: sorted by pinyin, xīn before zhōng.
		t.Errorf("NZ and CN are called %q", got)
	}
	b.Run("a too short password, checked here",
		bt.Type("#signup-display-name", "鲍勃"), bt.Type("#signup-username", "bob"), bt.Type("#signup-password", "short"),
		bt.Set("#signup-region", "NZ"), bt.Click("#signup-submit"), bt.Visible(".form-error"))
	bt.WaitText(b, ".form-error", "密码至少需要 8 个字符。")
	b.Run("submitting with a good password", bt.Set("#signup-password", "a long password"), bt.Click("#signup-submit"))
	bt.WaitText(b, ".form-error", "用户名“bob”已被占用，请换一个。")
	b.Screenshot("signup-taken-zh")
}
