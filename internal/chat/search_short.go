package chat

import (
	"database/sql/driver"
	"strings"
	"unicode"
	"unicode/utf8"

	"modernc.org/sqlite"
)

// Words of one or two characters (张三, 见面, "hi") are too short for the
// trigram index. On SQLite a second index, search_short (unicode61 words),
// holds each text as shortTokens makes it: every run of CJK characters as
// its single characters and its pairs of neighbours, spaced apart, and the
// rest as it is, so that a short Chinese word is a token and a short Latin
// word a token's prefix. The triggers call shortTokens through the SQL
// function plaza_short_tokens, registered with the driver for every
// connection this process opens (searchmigrations/…/sqlite/00002_short.sql).

func init() {
	sqlite.MustRegisterDeterministicScalarFunction("plaza_short_tokens", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return shortTokens(v), nil
		case []byte:
			return shortTokens(string(v)), nil
		default:
			return "", nil
		}
	})
}

// isCJK is a character of a script written without spaces between words.
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// shortTokens is text for the short-word index: "我和张三 hi" becomes
// " 我 和 张 三 我和 和张 张三  hi".
func shortTokens(s string) string {
	var b strings.Builder
	var run []rune
	flush := func() {
		if len(run) == 0 {
			return
		}
		for _, r := range run {
			b.WriteByte(' ')
			b.WriteRune(r)
		}
		for i := 1; i < len(run); i++ {
			b.WriteByte(' ')
			b.WriteRune(run[i-1])
			b.WriteRune(run[i])
		}
		b.WriteByte(' ')
		run = run[:0]
	}
	for _, r := range s {
		if isCJK(r) {
			run = append(run, r)
			continue
		}
		flush()
		b.WriteRune(r)
	}
	flush()
	return b.String()
}

// shortMatch is the search_short query for words all of one or two
// characters: a CJK word is a token of its own, a word of letters and
// digits a token's prefix; "" when a word is neither (punctuation, mixed
// scripts, longer), and the caller's messages are scanned instead. Each
// hit is still checked with LIKE, so the index only narrows.
func (q searchQuery) shortMatch() string {
	var parts []string
	for _, w := range q.words {
		n := utf8.RuneCountInString(w)
		if n == 0 || n > 2 {
			return ""
		}
		cjk, word := true, true
		for _, r := range w {
			cjk = cjk && isCJK(r)
			word = word && !isCJK(r) && (unicode.IsLetter(r) || unicode.IsDigit(r))
		}
		switch {
		case cjk:
			parts = append(parts, `"`+w+`"`)
		case word:
			parts = append(parts, `"`+w+`"*`)
		default:
			return ""
		}
	}
	return strings.Join(parts, " AND ")
}
