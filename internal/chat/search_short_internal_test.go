package chat

import "testing"

func TestShortTokens(t *testing.T) {
	for in, want := range map[string]string{
		"我和张三 hi": " 我 和 张 三 我和 和张 张三  hi",
		"见面":      " 见 面 见面 ",
		"a张b":     "a 张 b",
		"hello":   "hello",
		"":        "",
		"カタカナ":    " カ タ カ ナ カタ タカ カナ ",
	} {
		if got := shortTokens(in); got != want {
			t.Errorf("shortTokens(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestShortMatch(t *testing.T) {
	for in, want := range map[string]string{
		"见面":     `"见面"`,
		"张 三":    `"张" AND "三"`,
		"hi":     `"hi"*`,
		"x1 ab":  `"x1"* AND "ab"*`,
		"a张":     "", // mixed scripts: scanned
		"%":      "", // not a word: scanned
		`"`:      "",
		"hello":  "", // three or more: the trigram index's
		"hi 星巴克": "",
	} {
		q, err := parseSearchQuery(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := q.shortMatch(); got != want {
			t.Errorf("shortMatch(%q) = %q, want %q", in, got, want)
		}
	}
}
