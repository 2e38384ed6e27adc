package chat_test

import (
	"testing"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// L4: group titles are visible names (platform/text.Name): no NUL, line
// breaks, bidi or zero-width characters, mark floods or look-alike words.
func TestGroupTitleRules(t *testing.T) {
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben")
		for _, tc := range []struct {
			name, title, want string
			status            int
		}{
			{"ok", "  家人 Family ", "家人 Family", 201},
			{"nul", "Fam\x00ily", "", 400},
			{"newline", "Family\nAdmins", "", 400},
			{"rlo", "Family\u202E", "", 400},
			{"zero_width", "Fam\u200Bily", "", 400},
			{"marks", "Fa\u0301\u0302\u0303mily", "", 400},
			{"lookalike", "F\u0430mily", "", 400},
			{"too_long", "0123456789012345678901234567890123456789012345678901234567890123456789", "", 400},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := u[0].Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "group", "title": tc.title, "usernames": []string{"ben"}})
				if r.Status != tc.status || tc.status == 201 && r.Str("conversation.title") != tc.want {
					t.Fatalf("%d %s, want %d", r.Status, r.Body, tc.status)
				}
				if tc.status == 400 && r.Code() != "invalid_argument" {
					t.Fatalf("code %s", r.Code())
				}
			})
		}
	})
}
