package miniapp

import (
	"net/http"
	"time"

	"golang.org/x/text/language"
)

// The server's own pages (the blocked-app page, a trial's refusal) speak
// the client's languages: the plaza_lang cookie the client sets when a
// language is chosen or detected, else the browser's Accept-Language,
// else English.

// langCookie is the client's (web/src/i18n: LOCALE_COOKIE).
const langCookie = "plaza_lang"

// pageLangs are the languages of the pages, in the client's codes; the
// first is the fallback.
var (
	pageLangs   = []string{"en", "zh-CN"}
	langMatcher = language.NewMatcher([]language.Tag{language.English, language.SimplifiedChinese})
)

// pageLang is the language for r's page: "en" or "zh-CN".
func pageLang(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil {
		if tag, err := language.Parse(c.Value); err == nil {
			if l, ok := matchLang(tag); ok {
				return l
			}
		}
	}
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err == nil && len(tags) > 0 {
		if l, ok := matchLang(tags...); ok {
			return l
		}
	}
	return pageLangs[0]
}

func matchLang(tags ...language.Tag) (string, bool) {
	_, i, conf := langMatcher.Match(tags...)
	if conf == language.No {
		return "", false
	}
	return pageLangs[i], true
}

// pageText is every sentence of the server's pages by language;
// {{.Name}}-style fields are filled by the templates.
var pageText = map[string]map[string]string{
	"en": {
		"blocked.title":  "is not available",
		"blocked.head":   "is not available in your region",
		"blocked.from":   "From %s, this mini-program cannot be opened where you are.",
		"blocked.reason": "Reason",
		"blocked.back":   "Back to Discover",
		"blocked.footer": "Your data and wallet on <span>Plaza</span> are not affected.",
		"trial.title":    "Trial version",
		"trial.head":     "This trial version is not available",
		"trial.body":     "Trial versions of a mini-program open only for the testers its developer named, from Plaza. If you are one, open it again from Plaza.",
	},
	"zh-CN": {
		"blocked.title":  "暂不可用",
		"blocked.head":   "在你所在的地区暂不可用",
		"blocked.from":   "自 %s 起，该小程序在你所在的地区无法打开。",
		"blocked.reason": "原因",
		"blocked.back":   "返回发现",
		"blocked.footer": "你在 <span>Plaza</span> 的数据和钱包不受影响。",
		"trial.title":    "体验版",
		"trial.head":     "该体验版暂不可用",
		"trial.body":     "小程序的体验版仅对开发者指定的体验成员开放，且需从 Plaza 内打开。如果你是体验成员，请从 Plaza 重新打开。",
	},
}

// pageDate is when a policy takes effect, as the language writes it.
func pageDate(lang string, t time.Time) string {
	if lang == "zh-CN" {
		return t.Format("2006年1月2日 15:04") + "（UTC）"
	}
	return t.Format("2 January 2006, 15:04 UTC")
}
