package text

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/plaza-dev/plaza/internal/platform/errs"
)

func TestName(t *testing.T) {
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"plain", "Alice", "Alice", true},
		{"trimmed", "  Alice Smith \u3000", "Alice Smith", true},
		{"chinese_and_latin", "张三 Zhang", "张三 Zhang", true},
		{"chinese_latin_one_word", "小Q同学", "小Q同学", true},
		{"japanese", "山田たろう", "山田たろう", true},
		{"korean", "김민준", "김민준", true},
		{"cyrillic_word_beside_latin", "Анна Smith", "Анна Smith", true},
		{"greek", "Γιώργος", "Γιώργος", true},
		{"arabic", "محمد", "محمد", true},
		{"emoji", "Tea ☕ & ❤️", "Tea ☕ & ❤️", true},
		{"nfc", "Jose\u0301", "José", true},
		{"vietnamese", "Nguyễn Thị", "Nguyễn Thị", true},
		{"two_marks", "a\u0301\u0323", norm.NFC.String("a\u0301\u0323"), true},
		{"thai", "สมชาย", "สมชาย", true},
		{"digits_and_punct", "Leaf & Clay, No. 2", "Leaf & Clay, No. 2", true},
		{"empty", "  ", "", false},
		{"too_long", strings.Repeat("a", 33), "", false},
		{"too_long_runes", strings.Repeat("张", 33), "", false},
		{"nul", "Bob\x00", "", false},
		{"newline", "Bob\nAdmin", "", false},
		{"tab", "Bob\tx", "", false},
		{"del", "Bob\x7f", "", false},
		{"c1_control", "Bob\u0085x", "", false},
		{"rlo", "Bob\u202Egnp.exe", "", false},
		{"lri", "Bob\u2066x", "", false},
		{"lrm", "Bob\u200E", "", false},
		{"arabic_letter_mark", "Bob\u061C", "", false},
		{"zwsp", "Bo\u200Bb", "", false},
		{"zwj", "Bo\u200Db", "", false},
		{"word_joiner", "Bo\u2060b", "", false},
		{"bom", "\uFEFFBob", "", false},
		{"soft_hyphen", "Bo\u00ADb", "", false},
		{"hangul_filler", "\u3164", "", false},
		{"line_separator", "Bob\u2028x", "", false},
		{"private_use", "Bob\uE000", "", false},
		{"noncharacter", "Bob\uFDD0", "", false},
		{"noncharacter_plane", "Bob\U0001FFFF", "", false},
		{"zalgo", "Bo\u0301\u0302\u0303b", "", false},
		{"mark_flood", "a" + strings.Repeat("\u0336", 10), "", false},
		{"cyrillic_a_in_latin", "p\u0430ypal", "", false},
		{"greek_omicron_in_latin", "G\u03BFogle", "", false},
		{"cyrillic_and_greek", "\u0430\u03B1", "", false},
		{"invalid_utf8", "Bob\xff", "", false},
		{"braille_blank", "\u2800", "", false},
		{"braille_blank_inside", "Bob\u2800\u2800Admin", "", false},
		{"marks_only", "\u0301\u0301", "", false},
		{"braille_letters", "\u2801\u2803", "\u2801\u2803", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Name("display_name", "A display name", tt.in, 32)
			if tt.ok != (err == nil) || got != tt.want {
				t.Fatalf("Name(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
			}
			if err != nil {
				var e *errs.Error
				if !errorsAs(err, &e) || e.Code != errs.InvalidArgument || e.Field != "display_name" {
					t.Fatalf("error %#v, want invalid_argument on display_name", err)
				}
			}
		})
	}
}

func errorsAs(err error, e **errs.Error) bool {
	x, ok := err.(*errs.Error)
	*e = x
	return ok
}

// FuzzName: whatever the input, an accepted name is NFC, trimmed, within
// the limit, and free of every refused kind of character; and accepting
// is idempotent.
func FuzzName(f *testing.F) {
	for _, s := range []string{"Alice", "张三 Zhang", "p\u0430ypal", "Bob\u202E", "a\u0301\u0302\u0303", " x ", "\x00", "❤️"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := Name("name", "A name", in, 64)
		if err != nil {
			if errs.CodeOf(err) != errs.InvalidArgument {
				t.Fatalf("error code %v", err)
			}
			return
		}
		if !utf8.ValidString(got) || !norm.NFC.IsNormalString(got) || strings.TrimSpace(got) != got || got == "" {
			t.Fatalf("accepted %q: not valid, NFC and trimmed", got)
		}
		if n := utf8.RuneCountInString(got); n > 64 {
			t.Fatalf("accepted %d runes", n)
		}
		for _, r := range got {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Co, r) || (r >= 0x200B && r <= 0x200F) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) {
				t.Fatalf("accepted %q holding U+%04X", got, r)
			}
		}
		again, err := Name("name", "A name", got, 64)
		if err != nil || again != got {
			t.Fatalf("not idempotent: %q → %q, %v", got, again, err)
		}
	})
}
