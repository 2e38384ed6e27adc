package chat_test

import (
	"context"
	"testing"

	"github.com/plaza-dev/plaza/internal/chat"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/errs"
)

// FuzzSearchQuery: whatever the query, the search answers hits or
// invalid_argument (never an SQL error, never a panic), on both of
// SQLite's paths, in all chats and in one, and the names search too.
func FuzzSearchQuery(f *testing.F) {
	n := nodetest.Start(f, nodetest.Options{})
	ann := nodetest.Signup(f, n.URL(), "ann")
	ben := nodetest.Signup(f, n.URL(), "ben")
	nodetest.Befriend(f, ann, ben, "ben")
	r := ann.Do(f, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "ben"})
	conv := r.Str("conversation.id")
	for i, text := range []string{"hello world", "明天下午三点在星巴克见面", `quote " and 'single' 100% a_b \ back`, "NEAR(a b) OR c*"} {
		ann.Do(f, "POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"client_id": string(rune('a' + i)), "kind": "text", "text": text})
	}
	annID := ann.Do(f, "GET", "/api/v1/me", nil).Str("user.id")
	for _, seed := range []string{"hello", "星巴克", "见面", "hi", `"`, `""`, `"a" OR "b"`, "NEAR(a b)", "a*", "^a", "col:a", "text:hello",
		"%", "_", `\`, `\%`, "'; DROP TABLE messages; --", "(((", ")", "-a", "+", "AND", "OR NOT", "{a b}: c", "\x00", "\xff\xfe", "a\u200bb", "😀😀😀", "巴", "AB", "x1", "ß", "İ", "星 巴", "a张"} {
		f.Add(seed)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, q string) {
		for _, path := range []string{"fts", "scan"} {
			for _, c := range []string{"", conv} {
				hits, _, err := n.Chat.Search(chat.SearchThrough(ctx, path), annID, q, c, "", 5)
				if err != nil && !errs.Is(err, errs.InvalidArgument) {
					t.Fatalf("%s %q: %v", path, q, err)
				}
				for _, h := range hits {
					for _, m := range h.Highlights {
						if m[0] < 0 || m[1] > len([]rune(h.Snippet)) || m[0] >= m[1] {
							t.Fatalf("%q: highlight %v outside %q", q, m, h.Snippet)
						}
					}
				}
			}
		}
		if _, err := n.Chat.SearchNames(ctx, annID, q); err != nil && !errs.Is(err, errs.InvalidArgument) {
			t.Fatalf("names %q: %v", q, err)
		}
	})
}
