package chat_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/plaza-dev/plaza/internal/chat"
	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// first is the first item of a list answer.
func first(t *testing.T, r *nodetest.Response) map[string]any {
	t.Helper()
	items, _ := r.JSON["items"].([]any)
	if len(items) == 0 {
		t.Fatalf("no items: %d %s", r.Status, r.Body)
	}
	return items[0].(map[string]any)
}

func field(v any, path string) string {
	for _, k := range strings.Split(path, ".") {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	s, _ := v.(string)
	return s
}

// signupNamed signs up username with a display name of its own.
func signupNamed(t *testing.T, n *node.Node, username, display string) *nodetest.Client {
	t.Helper()
	c := nodetest.NewClient(n.URL())
	r := c.Do(t, "POST", "/api/v1/auth/signup", map[string]string{"username": username, "password": "correct horse", "display_name": display, "region": "CN"})
	if r.Status != http.StatusCreated {
		t.Fatalf("signup %s: %d %s", username, r.Status, r.Body)
	}
	c.Token = r.Str("token")
	return c
}

func searchPath(q string, extra ...string) string {
	v := url.Values{"q": {q}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return "/api/v1/search?" + v.Encode()
}

// hitTexts are the texts of a search answer's hits, in order.
func hitTexts(t *testing.T, r *nodetest.Response) []string {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("search: %d %s", r.Status, r.Body)
	}
	out := []string{}
	items, _ := r.JSON["items"].([]any)
	for _, it := range items {
		out = append(out, it.(map[string]any)["message"].(map[string]any)["text"].(string))
	}
	return out
}

func TestSearchMessages(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben", "cat")
		ann, ben, cat := u[0], u[1], u[2]
		nodetest.Befriend(t, ben, cat, "cat")
		d := direct(t, ann, "ben")
		r := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "group", "title": "周末爬山群", "usernames": []string{"ben"}})
		if r.Status != 201 {
			t.Fatalf("group: %d %s", r.Status, r.Body)
		}
		g := r.Str("conversation.id")
		secret := direct(t, ben, "cat") // ann is not in it

		ids := map[string]string{}
		say := func(c *nodetest.Client, conv, key, text string) {
			t.Helper()
			r := send(t, c, conv, key, text)
			if r.Status != 201 {
				t.Fatalf("send %q: %d %s", text, r.Status, r.Body)
			}
			ids[key] = r.Str("message.id")
		}
		say(ann, d, "coffee", "Let's meet for Coffee tomorrow")
		say(ben, d, "cn", "明天下午三点在星巴克见面")
		say(ben, d, "hi", "hi there")
		say(ann, d, "pct", "we are 100% sure_ok")
		say(ann, g, "before", "coffee before cat joined")
		say(ben, secret, "secret", "secret coffee 明天见面 in another chat")
		if r := ann.Do(t, "POST", "/api/v1/conversations/"+g+"/members", map[string]any{"usernames": []string{"cat"}}); r.Status != 200 {
			t.Fatalf("add cat: %d %s", r.Status, r.Body)
		}
		say(ben, g, "after", "coffee after cat joined, 周末去爬山吧")
		for _, key := range []string{"recalled", "erased", "hidden", "edited"} {
			say(ann, d, key, "ephemeral "+key+" coffee 秘密消息")
		}
		ctx := context.Background()
		for _, stmt := range []struct{ sql, id string }{
			{"UPDATE messages SET kind = 'recalled', text = '' WHERE id = ?", ids["recalled"]},
			{"UPDATE messages SET kind = 'erased', text = '' WHERE id = ?", ids["erased"]},
			{"UPDATE messages SET text = 'rewritten words' WHERE id = ?", ids["edited"]},
		} {
			if _, err := n.DB.Exec(ctx, stmt.sql, stmt.id); err != nil {
				t.Fatal(err)
			}
		}
		annID := ann.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
		if _, err := n.DB.Exec(ctx, "INSERT INTO hidden_messages (message_id, user_id) VALUES (?, ?)", ids["hidden"], annID); err != nil {
			t.Fatal(err)
		}

		// Every case on each way the search can go (on PostgreSQL both are
		// the one statement): the HTTP API, which picks, and SQLite's two.
		cases := []struct {
			name    string
			who     *nodetest.Client
			q, conv string
			want    []string
		}{
			{"english_word_any_case", ann, "coffee", "", []string{"coffee after cat joined, 周末去爬山吧", "coffee before cat joined", "Let's meet for Coffee tomorrow"}},
			{"chinese_phrase", ann, "星巴克见面", "", []string{"明天下午三点在星巴克见面"}},
			{"two_chinese_characters", ann, "见面", "", []string{"明天下午三点在星巴克见面"}},
			{"two_latin_letters", ann, "hi", "", []string{"hi there"}},
			{"one_chinese_character", ann, "巴", "", []string{"明天下午三点在星巴克见面"}},
			{"two_chinese_words", ann, "星巴 见面", "", []string{"明天下午三点在星巴克见面"}},
			{"words_anywhere", ann, "tomorrow meet", "", []string{"Let's meet for Coffee tomorrow"}},
			{"mixed_long_and_short", ann, "明天 见面", "", []string{"明天下午三点在星巴克见面"}},
			{"percent_is_literal", ann, "100%", "", []string{"we are 100% sure_ok"}},
			{"underscore_is_literal", ann, "e_o", "", []string{"we are 100% sure_ok"}},
			{"wildcard_alone", ann, "%", "", []string{"we are 100% sure_ok"}},
			{"in_one_chat", ann, "coffee", g, []string{"coffee after cat joined, 周末去爬山吧", "coffee before cat joined"}},
			{"joined_later_sees_from_joining", cat, "coffee", "", []string{"coffee after cat joined, 周末去爬山吧", "secret coffee 明天见面 in another chat"}},
			{"joined_later_in_the_group", cat, "joined", g, []string{"coffee after cat joined, 周末去爬山吧"}},
			{"recalled_erased_hidden_gone", ann, "ephemeral", "", []string{}},
			{"recalled_erased_hidden_gone_cn", ann, "秘密消息", "", []string{}},
			{"hidden_only_for_who_hid_it", ben, "秘密消息", "", []string{"ephemeral hidden coffee 秘密消息"}},
			{"edit_followed", ann, "rewritten", "", []string{"rewritten words"}},
			{"no_hit", ann, "nonexistent", "", []string{}},
			{"fts_syntax_is_text", ann, `"coffee" OR NEAR(hi there) *`, "", []string{}},
			{"quote", ann, `"`, "", []string{}},
			{"sql_is_text", ann, `'; DROP TABLE messages; --`, "", []string{}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if got := hitTexts(t, c.who.Do(t, "GET", searchPath(c.q, "conversation_id", c.conv), nil)); !slices.Equal(got, c.want) {
					t.Fatalf("http: got %q, want %q", got, c.want)
				}
				who := c.who.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
				for _, path := range []string{"fts", "scan"} {
					hits, _, err := n.Chat.Search(chat.SearchThrough(ctx, path), who, c.q, c.conv, "", 20)
					if err != nil {
						t.Fatalf("%s: %v", path, err)
					}
					got := []string{}
					for _, h := range hits {
						got = append(got, h.Message.Text)
					}
					if !slices.Equal(got, c.want) {
						t.Fatalf("%s: got %q, want %q", path, got, c.want)
					}
				}
			})
		}

		t.Run("hit_shape", func(t *testing.T) {
			r := ann.Do(t, "GET", searchPath("星巴克"), nil)
			it := first(t, r)
			if it["conversation_id"] != d || field(it, "message.id") != ids["cn"] || field(it, "message.sender.username") != "ben" {
				t.Fatalf("hit: %s", r.Body)
			}
			snip := it["snippet"].(string)
			hl := it["highlights"].([]any)[0].([]any)
			if got := string([]rune(snip)[int(hl[0].(float64)):int(hl[1].(float64))]); got != "星巴克" {
				t.Fatalf("highlight %v of %q is %q", hl, snip, got)
			}
		})

		t.Run("others_conversation_is_not_found", func(t *testing.T) {
			for _, id := range []string{secret, "c_nonexistent"} {
				r := ann.Do(t, "GET", searchPath("coffee", "conversation_id", id), nil)
				if r.Status != 404 || r.Code() != "not_found" {
					t.Fatalf("%s: %d %s", id, r.Status, r.Body)
				}
			}
		})

		t.Run("bad_queries_refused_and_nothing_changes", func(t *testing.T) {
			msgs, docs := rowCount(t, n, "messages"), rowCount(t, n, "search_docs")
			for name, p := range map[string]string{
				"empty":        "/api/v1/search?q=",
				"missing":      "/api/v1/search",
				"blank":        searchPath(" \t\n "),
				"too_long":     searchPath(strings.Repeat("咖", chat.MaxSearchQuery+1)),
				"huge":         searchPath(strings.Repeat("a OR ", 2000)),
				"control_only": searchPath("\x00\x01"),
				"bad_cursor":   searchPath("coffee", "cursor", "not-a-cursor"),
				"bad_limit":    searchPath("coffee", "limit", "0"),
				"big_limit":    searchPath("coffee", "limit", "1000"),
			} {
				r := ann.Do(t, "GET", p, nil)
				if r.Status != 400 || r.Code() != "invalid_argument" {
					t.Errorf("%s: %d %s", name, r.Status, r.Body)
				}
			}
			if r := ann.Do(t, "GET", "/api/v1/search/contacts?q=", nil); r.Status != 400 || r.Code() != "invalid_argument" {
				t.Errorf("contacts empty: %d %s", r.Status, r.Body)
			}
			if rowCount(t, n, "messages") != msgs || rowCount(t, n, "search_docs") != docs {
				t.Fatal("a refused search changed the tables")
			}
			if r := nodetest.NewClient(n.URL()).Do(t, "GET", searchPath("coffee"), nil); r.Status != 401 {
				t.Fatalf("anonymous search: %d", r.Status)
			}
		})

		t.Run("paging_newest_first", func(t *testing.T) {
			var want []string
			for i := range 7 {
				text := "pageword number " + string(rune('A'+i))
				say(ann, d, "page"+text, text)
				want = append([]string{text}, want...)
			}
			var got []string
			cursor := ""
			for pages := 0; ; pages++ {
				if pages > 4 {
					t.Fatal("paging does not end")
				}
				r := ann.Do(t, "GET", searchPath("pageword", "limit", "3", "cursor", cursor), nil)
				got = append(got, hitTexts(t, r)...)
				cursor = r.Str("next_cursor")
				if cursor == "" {
					break
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("pages: %q, want %q", got, want)
			}
		})
	})
}

func TestSearchContactsByNameAndPinyin(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		ann := nodetest.Signup(t, n.URL(), "ann")
		zs := signupNamed(t, n, "zhang3", "张三")
		alice := signupNamed(t, n, "alicew", "Alice Wang")
		stranger := signupNamed(t, n, "zsf", "张三丰") // not ann's contact
		nodetest.Befriend(t, ann, zs, "zhang3")
		nodetest.Befriend(t, ann, alice, "alicew")
		nodetest.Befriend(t, stranger, zs, "zhang3")
		dm := direct(t, ann, "zhang3")
		mk := func(c *nodetest.Client, title string, members ...string) string {
			r := c.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "group", "title": title, "usernames": members})
			if r.Status != 201 {
				t.Fatalf("group: %d %s", r.Status, r.Body)
			}
			return r.Str("conversation.id")
		}
		hike := mk(ann, "周末爬山群", "zhang3")
		book := mk(ann, "Book Club", "alicew")
		mk(stranger, "张三的秘密群", "zhang3") // ann is not in it

		type hit struct{ typ, name string }
		find := func(q string) []hit {
			r := ann.Do(t, "GET", "/api/v1/search/contacts?q="+url.QueryEscape(q), nil)
			if r.Status != 200 {
				t.Fatalf("%q: %d %s", q, r.Status, r.Body)
			}
			out := []hit{}
			for _, it := range r.JSON["items"].([]any) {
				m := it.(map[string]any)
				switch m["type"] {
				case "contact":
					out = append(out, hit{"contact", m["user"].(map[string]any)["display_name"].(string)})
				case "conversation":
					out = append(out, hit{"conversation", m["conversation"].(map[string]any)["title"].(string)})
				}
			}
			return out
		}
		for q, want := range map[string][]hit{
			"zs":       {{"contact", "张三"}},
			"ZS":       {{"contact", "张三"}},
			"zhangsan": {{"contact", "张三"}},
			"zhang":    {{"contact", "张三"}},
			"san":      {{"contact", "张三"}},
			"张":        {{"contact", "张三"}},
			"zhang3":   {{"contact", "张三"}},
			"alice":    {{"contact", "Alice Wang"}},
			"aw":       {{"contact", "Alice Wang"}},
			"alice w":  {{"contact", "Alice Wang"}},
			"zmps":     {{"conversation", "周末爬山群"}},
			"pashan":   {{"conversation", "周末爬山群"}},
			"爬山":       {{"conversation", "周末爬山群"}},
			"book":     {{"conversation", "Book Club"}},
			"秘密":       {},
			"zsf":      {},
			"nobody":   {},
			`%"*`:      {},
		} {
			if got := find(q); !slices.Equal(got, want) {
				t.Errorf("%q: got %v, want %v", q, got, want)
			}
		}
		r := ann.Do(t, "GET", "/api/v1/search/contacts?q=zs", nil)
		if it := first(t, r); field(it, "conversation_id") != dm || field(it, "user.username") != "zhang3" {
			t.Fatalf("contact hit: %s", r.Body)
		}
		r = ann.Do(t, "GET", "/api/v1/search/contacts?q=club", nil)
		if it := first(t, r); field(it, "conversation.id") != book || field(it, "conversation.type") != "group" {
			t.Fatalf("group hit: %s", r.Body)
		}
		_ = hike
	})
}

// The index's migration indexes the messages already there (text and
// captions, not system notes nor tombstones), and its triggers then follow
// deletes; the hidden_messages table it may create is the one chat's own
// migration makes.
func TestSearchMigrationIndexesExistingMessages(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, []sqldb.Migrations{chat.Migrations}, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if _, err := db.Exec(ctx, `INSERT INTO conversations (id, type, title, created_by, created_at, updated_at, last_seq) VALUES ('c1', 'group', 'g', 'u1', 1, 1, 4)`); err != nil {
			t.Fatal(err)
		}
		for i, kind := range []string{"text", "image", "system", "erased"} {
			text := map[string]string{"erased": ""}[kind]
			if text == "" && kind != "erased" {
				text = kind + " words"
			}
			if _, err := db.Exec(ctx, `INSERT INTO messages (id, conversation_id, seq, sender_id, kind, text, client_id, created_at) VALUES (?, 'c1', ?, 'u1', ?, ?, ?, ?)`,
				fmt.Sprintf("m%d", i), i+1, kind, text, fmt.Sprintf("k%d", i), i); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Migrate(ctx, slog.New(slog.DiscardHandler), chat.SearchMigrations); err != nil {
			t.Fatal(err)
		}
		var docs []string
		rows, err := db.Query(ctx, `SELECT message_id FROM search_docs ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			rows.Scan(&id)
			docs = append(docs, id)
		}
		if rows.Close(); !slices.Equal(docs, []string{"m0", "m1"}) {
			t.Fatalf("indexed %v, want the text and the caption", docs)
		}
		if _, err := db.Exec(ctx, `DELETE FROM messages WHERE id = 'm0'`); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM search_docs`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("after a delete: %d docs (%v)", n, err)
		}
		if _, err := db.Exec(ctx, `INSERT INTO hidden_messages (message_id, user_id) VALUES ('m1', 'u1')`); err != nil {
			t.Fatal(err)
		}
	})
}

// Messages sent together share a transaction, whose documents SQLite
// indexes as it commits (search_index.go): every one of a batch is found
// by its own words, in both indexes (trigram and short words), nothing is
// left queued, and a recall afterwards takes the message out as before.
func TestSearchIndexesABatchAtItsCommit(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben")
		ann := u[0]
		d := direct(t, ann, "ben")
		const k = 48
		var wg sync.WaitGroup
		ids := make([]string, k)
		for i := range k {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := send(t, ann, d, fmt.Sprintf("b%d", i), fmt.Sprintf("batchword%03d 批%d", i, i))
				if r.Status != 201 {
					t.Errorf("send %d: %d %s", i, r.Status, r.Body)
				}
				ids[i] = r.Str("message.id")
			}()
		}
		wg.Wait()
		for i := range k {
			if got := hitTexts(t, ann.Do(t, "GET", searchPath(fmt.Sprintf("batchword%03d", i)), nil)); len(got) != 1 {
				t.Fatalf("batchword%03d: %d hits %v", i, len(got), got)
			}
		}
		if got := hitTexts(t, ann.Do(t, "GET", searchPath("批7"), nil)); len(got) != 1 {
			t.Fatalf("short word 批7: %v", got)
		}
		if n.DB.Dialect == sqldb.SQLite {
			var queued int
			if err := n.DB.QueryRow(context.Background(), `SELECT COUNT(*) FROM search_pending`).Scan(&queued); err != nil || queued != 0 {
				t.Fatalf("%d documents left queued (%v)", queued, err)
			}
		}
		if r := ann.Do(t, "POST", "/api/v1/messages/"+ids[3]+"/recall", nil); r.Status != 200 {
			t.Fatalf("recall: %d %s", r.Status, r.Body)
		}
		for _, q := range []string{"batchword003"} {
			if got := hitTexts(t, ann.Do(t, "GET", searchPath(q), nil)); len(got) != 0 {
				t.Fatalf("the recalled text is still found by %s: %v", q, got)
			}
		}
		if got := hitTexts(t, ann.Do(t, "GET", searchPath("batchword004"), nil)); len(got) != 1 {
			t.Fatalf("a neighbour of the recalled one: %v", got)
		}
	})
}
