package chat

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// A quote's text is the start of the message, one line, valid UTF-8, at
// most MaxQuoteText characters and an ellipsis, whatever the message holds.
func FuzzQuoteText(f *testing.F) {
	for _, s := range []string{"", "hi", strings.Repeat("word ", 100), strings.Repeat("长", 500), "a\n\tb  c", "\xff\xfe broken", strings.Repeat("x", 141)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := quoteText(Message{Kind: KindText, Text: s})
		if n := utf8.RuneCountInString(q); n > MaxQuoteText+1 {
			t.Fatalf("%d characters", n)
		}
		if strings.ContainsAny(q, "\n\t") {
			t.Fatalf("not one line: %q", q)
		}
		if utf8.ValidString(s) && !utf8.ValidString(q) {
			t.Fatalf("cut inside a character: %q", q)
		}
		if quoteText(Message{Kind: KindRecalled, Text: s}) != "" {
			t.Fatal("a recalled message quotes text")
		}
	})
}
