package miniapp

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/trust"
)

// The server's own pages choose their language: the client's plaza_lang
// cookie first, then Accept-Language, English for anything else.
func TestPageLanguage(t *testing.T) {
	for _, c := range []struct {
		name, cookie, accept, want string
	}{
		{"chinese_browser", "", "zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"},
		{"plain_zh", "", "zh", "zh-CN"},
		{"english_browser", "", "en-GB,en;q=0.9", "en"},
		{"cookie_overrides_header", "en", "zh-CN,zh;q=0.9", "en"},
		{"cookie_chinese", "zh-CN", "en-US", "zh-CN"},
		{"unknown_language", "", "fr-FR,de;q=0.8", "en"},
		{"nothing", "", "", "en"},
		{"garbage_cookie_falls_to_header", "%%%", "zh-CN", "zh-CN"},
		{"unknown_cookie_falls_to_header", "fr", "zh-CN", "zh-CN"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			if c.accept != "" {
				r.Header.Set("Accept-Language", c.accept)
			}
			if c.cookie != "" {
				r.AddCookie(&http.Cookie{Name: langCookie, Value: c.cookie})
			}
			if got := pageLang(r); got != c.want {
				t.Fatalf("pageLang = %q, want %q", got, c.want)
			}
		})
	}
}

func TestPagesInEachLanguage(t *testing.T) {
	at := time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
	pol := &trust.Policy{ID: "p_1", Reason: "Ordered <closed>", LegalRef: "Order 7", EffectiveAt: at}
	app := &App{AppID: "gadgets", Name: "Gadget Store"}
	render := func(accept, cookie string, page func(http.ResponseWriter, *http.Request)) (*http.Response, string) {
		r := httptest.NewRequest("GET", "/app/gadgets", nil)
		r.Header.Set("Accept-Language", accept)
		if cookie != "" {
			r.AddCookie(&http.Cookie{Name: langCookie, Value: cookie})
		}
		w := httptest.NewRecorder()
		page(w, r)
		return w.Result(), w.Body.String()
	}
	blocked := func(w http.ResponseWriter, r *http.Request) { blockedPage(w, r, app, pol, "/discover") }
	trial := func(w http.ResponseWriter, r *http.Request) { trialRefused(w, r) }

	for _, c := range []struct {
		name, accept, cookie string
		page                 func(http.ResponseWriter, *http.Request)
		want, notWant        []string
	}{
		{"blocked_zh", "zh-CN,zh;q=0.9", "", blocked,
			[]string{`<html lang="zh-CN">`, "Gadget Store 在你所在的地区暂不可用", "2026年3月14日 09:30", `datetime="2026-03-14T09:30:00Z"`, "返回发现", "原因", "Ordered &lt;closed&gt;", "<span>Plaza</span>"},
			[]string{"not available"}},
		{"blocked_en", "en-US", "", blocked,
			[]string{`<html lang="en">`, "Gadget Store is not available in your region", "From <time", "14 March 2026, 09:30 UTC", "Back to Discover", "Your data and wallet on <span>Plaza</span> are not affected."},
			[]string{"暂不可用"}},
		{"blocked_cookie_over_header", "en-US", "zh-CN", blocked, []string{`<html lang="zh-CN">`, "暂不可用"}, []string{"not available"}},
		{"blocked_unknown_is_english", "ja-JP", "", blocked, []string{`<html lang="en">`, "is not available in your region"}, nil},
		{"trial_zh", "zh-CN", "", trial, []string{`<html lang="zh-CN">`, `id="trial-refused"`, "该体验版暂不可用"}, []string{"Trial versions"}},
		{"trial_en", "en", "", trial, []string{`<html lang="en">`, "This trial version is not available", "open it again from Plaza."}, []string{"体验版"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := render(c.accept, c.cookie, c.page)
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("status %d", resp.StatusCode)
			}
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Fatalf("page lacks %q:\n%s", w, body)
				}
			}
			for _, w := range c.notWant {
				if strings.Contains(body, w) {
					t.Fatalf("page has %q:\n%s", w, body)
				}
			}
			if lang := resp.Header.Get("Content-Language"); !strings.Contains(body, `lang="`+lang+`"`) {
				t.Fatalf("Content-Language %q for the page's lang", lang)
			}
		})
	}
}
