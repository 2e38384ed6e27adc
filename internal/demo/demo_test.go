package demo_test

import (
	"context"
	"testing"

	"github.com/plaza-dev/plaza/internal/demo"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// The demo has Chinese people and chats beside the English ones, and
// seeding it again changes nothing.
func TestSeedTwiceChangesNothing(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	ctx := context.Background()
	s := demo.Services{Accounts: n.Accounts, Chat: n.Chat, Pay: n.Pay}
	snapshot := func() map[string]int64 {
		out := map[string]int64{}
		for _, name := range []string{"alice", "zhangwei", "lina", "wangfang"} {
			u, err := n.Accounts.UserByUsername(ctx, name)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			list, _, err := n.Chat.List(ctx, u.ID, "", 50)
			if err != nil {
				t.Fatal(err)
			}
			out[name+" chats"] = int64(len(list))
			for _, c := range list {
				out[name+" "+c.Type+" "+c.Title] = c.LastSeq
			}
		}
		return out
	}
	if err := demo.Seed(ctx, s); err != nil {
		t.Fatal(err)
	}
	first := snapshot()
	if err := demo.Seed(ctx, s); err != nil {
		t.Fatal(err)
	}
	second := snapshot()
	if len(first) != len(second) {
		t.Fatalf("second seed changed the chats: %v then %v", first, second)
	}
	for k, v := range first {
		if second[k] != v {
			t.Fatalf("second seed changed %q: %d then %d", k, v, second[k])
		}
	}
	if first["alice chats"] != 4 || first["zhangwei group 周末爬山"] != 6 || first["alice group 周末爬山"] != 6 || first["alice direct 张伟"] != 3 {
		t.Fatalf("alice's chats: %v", first)
	}
	zhang, _ := n.Accounts.UserByUsername(ctx, "zhangwei")
	if zhang.DisplayName != "张伟" {
		t.Fatalf("zhangwei is %+v", zhang)
	}
	alice, _ := n.Accounts.UserByUsername(ctx, "alice")
	for _, name := range []string{"zhangwei", "lina", "wangfang", "bob", "carol"} {
		u, _ := n.Accounts.UserByUsername(ctx, name)
		if ok, err := n.Accounts.AreContacts(ctx, alice.ID, u.ID); err != nil || !ok {
			t.Fatalf("alice and %s are not contacts (%v)", name, err)
		}
	}
}
