// Package text checks the names people give things that others see:
// display names, group titles, merchant names.
package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/plaza-dev/plaza/internal/platform/errs"
)

// Name normalises s (NFC, trimmed) and checks it as a visible name of
// 1 to maxRunes characters. It refuses: invalid UTF-8; control characters
// (NUL, newlines, tabs…); format characters, which include the bidi
// controls (U+202A–202E, U+2066–2069, U+200E/F, U+061C) and the
// zero-width ones (U+200B–200D, U+2060, U+FEFF); other invisible fillers
// (default-ignorable code points such as U+3164, and U+2800); line and
// paragraph separators; names with no letter, digit or symbol (only
// marks); private-use code points and non-characters; more than two
// combining marks in a row; and words that mix Latin with Cyrillic or
// Greek (look-alikes such as a Cyrillic "а" in "pаypal"), in the manner of
// UTS #39's moderately restrictive profile. Different scripts in different
// words stay allowed ("张三 Zhang", "Анна Smith"), as do Latin with Han,
// kana or Hangul in one word.
//
// field names the request field in the error (invalid_argument); what is
// the phrase a message begins with, such as "A display name".
func Name(field, what, s string, maxRunes int) (string, error) {
	if !utf8.ValidString(s) {
		return "", errs.Field(field, "%s must be valid UTF-8.", what)
	}
	s = strings.TrimFunc(norm.NFC.String(s), unicode.IsSpace)
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return "", errs.Field(field, "%s is required.", what)
	}
	if n > maxRunes {
		return "", errs.Field(field, "%s has at most %d characters.", what, maxRunes)
	}
	for _, r := range s {
		switch {
		case unicode.IsControl(r):
			return "", errs.Field(field, "%s may not hold control characters such as line breaks.", what)
		case invisible(r):
			return "", errs.Field(field, "%s may not hold invisible or text-direction characters (U+%04X).", what, r)
		case unicode.Is(unicode.Co, r) || nonCharacter(r):
			return "", errs.Field(field, "%s may not hold private-use or non-characters (U+%04X).", what, r)
		}
	}
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.In(r, unicode.L, unicode.N, unicode.S, unicode.P) }) {
		return "", errs.Field(field, "%s must show at least one letter, digit or symbol.", what)
	}
	// Marks are counted decomposed, so that a precomposed letter (é) holds
	// its accent too.
	marks := 0
	for _, r := range norm.NFD.String(s) {
		if !unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc) {
			marks = 0
		} else if marks++; marks > 2 {
			return "", errs.Field(field, "%s may not stack more than two accents or marks on one letter.", what)
		}
	}
	for _, word := range strings.Fields(s) {
		if mixedScripts(word) {
			return "", errs.Field(field, "%s mixes Latin letters with look-alike Cyrillic or Greek ones in %q.", what, word)
		}
	}
	return s, nil
}

// invisible reports the format characters (Cf: bidi controls, zero-width
// characters, the BOM, soft hyphen, tags), the blank braille pattern
// (U+2800, drawn as nothing and so used for empty names), the other
// default-ignorable code points (Hangul fillers and the like; variation
// selectors, which
// emoji use, are allowed as marks) and the line and paragraph separators.
func invisible(r rune) bool {
	return r == '\u2800' || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Other_Default_Ignorable_Code_Point)
}

// nonCharacter reports U+FDD0–FDEF and the last two code points of every
// plane.
func nonCharacter(r rune) bool {
	return r >= 0xFDD0 && r <= 0xFDEF || r&0xFFFE == 0xFFFE
}

// Scripts are tested in this order; anything else is "other".
var scripts = []struct {
	name  string
	table *unicode.RangeTable
}{
	{"Latin", unicode.Latin},
	{"Han", unicode.Han},
	{"Cyrillic", unicode.Cyrillic},
	{"Greek", unicode.Greek},
	{"Hiragana", unicode.Hiragana},
	{"Katakana", unicode.Katakana},
	{"Hangul", unicode.Hangul},
	{"Bopomofo", unicode.Bopomofo},
}

func scriptOf(r rune) string {
	if unicode.Is(unicode.Common, r) || unicode.Is(unicode.Inherited, r) {
		return ""
	}
	for _, s := range scripts {
		if unicode.Is(s.table, r) {
			return s.name
		}
	}
	return "other"
}

// mixedScripts reports a word that mixes Latin with Cyrillic or Greek, or
// Cyrillic with Greek — the scripts whose letters pass for each other.
func mixedScripts(word string) bool {
	var latin, cyrillic, greek bool
	for _, r := range word {
		switch scriptOf(r) {
		case "Latin":
			latin = true
		case "Cyrillic":
			cyrillic = true
		case "Greek":
			greek = true
		}
	}
	return latin && (cyrillic || greek) || cyrillic && greek
}
