package pay_test

import (
	"context"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// A user blocked for US payments: their transfers and red packets, and
// transfers to them, are refused 422 blocked_by_policy before the PIN is
// checked, with nothing moved, and so is their claim of a red packet;
// others pay on; cancelling restores at once.
func TestUserBlockedForPayments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		if _, err := n.Accounts.CreateAdmin(ctx, "trust_op", "correct horse", "CN"); err != nil {
			t.Fatal(err)
		}
		adm := nodetest.NewClient(n.URL())
		adm.Token = adm.Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": "trust_op", "password": "correct horse"}).Str("token")
		ann := wallet(t, n, "ann", 10_000)
		ben := wallet(t, n, "ben", 10_000)
		cat := wallet(t, n, "cat", 0)
		nodetest.Befriend(t, ann, ben, "ben")
		conv := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "ben"}).Str("conversation.id")
		u, err := n.Accounts.UserByUsername(ctx, "ann")
		if err != nil {
			t.Fatal(err)
		}
		count := func(table string) (k int) {
			if err := n.DB.QueryRow(ctx, `SELECT COUNT(*) FROM `+table).Scan(&k); err != nil {
				t.Fatal(err)
			}
			return k
		}
		transfer := func(c *nodetest.Client, to, p string) *nodetest.Response {
			return pay(t, c, "/api/v1/wallet/transfers", map[string]any{"username": to, "amount": 100, "currency": "CNY", "pin": p})
		}
		redPacket := func(p string) *nodetest.Response {
			return pay(t, ann, "/api/v1/conversations/"+conv+"/red-packets", map[string]any{"total": 100, "count": 1, "currency": "CNY", "pin": p})
		}

		gift := pay(t, ben, "/api/v1/conversations/"+conv+"/red-packets", map[string]any{"total": 100, "count": 1, "currency": "CNY", "pin": pin})
		if gift.Status != 201 {
			t.Fatalf("ben's red packet: %d %s", gift.Status, gift.Body)
		}
		claim := func() *nodetest.Response {
			return ann.Do(t, "POST", "/api/v1/red-packets/"+gift.Str("red_packet.id")+"/claim", nil)
		}

		// A transfer made before the block, to be retried under it.
		early := map[string]any{"username": "cat", "amount": 100, "currency": "CNY", "pin": pin}
		first := ann.Do(t, "POST", "/api/v1/wallet/transfers", early, "Idempotency-Key", "before-the-block")
		if first.Status != 201 {
			t.Fatalf("the early transfer: %d %s", first.Status, first.Body)
		}

		r := adm.Do(t, "POST", "/api/v1/admin/policies", map[string]any{"kind": "block", "target_type": "user", "target_id": u.ID,
			"regions": []string{"US"}, "scopes": []string{"payments"}, "effective_at": time.Now().Add(-time.Second).UTC().Format(time.RFC3339Nano),
			"reason": "sanctions order 12"})
		if r.Status != 201 {
			t.Fatalf("policy: %d %s", r.Status, r.Body)
		}
		id := r.Str("policy.id")
		// Its retry gets the first answer, as every retry does; nothing moves.
		if again := ann.Do(t, "POST", "/api/v1/wallet/transfers", early, "Idempotency-Key", "before-the-block"); again.Status != 201 ||
			again.Str("transaction.id") != first.Str("transaction.id") {
			t.Fatalf("retry of a transfer made before the block: %d %s, want its first answer", again.Status, again.Body)
		}
		transfers, attempts, messages := count("ledger_transfers"), count("pin_attempts"), count("messages")
		for name, r := range map[string]*nodetest.Response{
			"ann's transfer":            transfer(ann, "cat", pin),
			"ann's transfer, wrong PIN": transfer(ann, "cat", "000000"),
			"a transfer to ann":         transfer(ben, "ann", pin),
			"ann's red packet":          redPacket(pin),
			"ann's red packet, bad PIN": redPacket("000000"),
			"ann claiming a red packet": claim(),
		} {
			if r.Status != 422 || r.Code() != "blocked_by_policy" {
				t.Errorf("%s: %d %s, want 422 blocked_by_policy", name, r.Status, r.Body)
			}
		}
		if balance(t, ann) != 9_900 || balance(t, ben) != 9_900 || balance(t, cat) != 100 || count("ledger_transfers") != transfers ||
			count("pin_attempts") != attempts || count("messages") != messages {
			t.Fatalf("refusals changed state: ann %d, ben %d, cat %d; transfers %d→%d, PIN attempts %d→%d, messages %d→%d",
				balance(t, ann), balance(t, ben), balance(t, cat), transfers, count("ledger_transfers"), attempts, count("pin_attempts"),
				messages, count("messages"))
		}
		if r := transfer(ben, "cat", pin); r.Status != 201 {
			t.Fatalf("a transfer naming neither: %d %s", r.Status, r.Body)
		}

		if r := adm.Do(t, "DELETE", "/api/v1/admin/policies/"+id, map[string]string{"reason": "lifted"}); r.Status != 200 {
			t.Fatalf("cancel: %d %s", r.Status, r.Body)
		}
		if r := transfer(ann, "cat", pin); r.Status != 201 {
			t.Fatalf("a transfer after cancelling: %d %s", r.Status, r.Body)
		}
		if r := redPacket(pin); r.Status != 201 {
			t.Fatalf("a red packet after cancelling: %d %s", r.Status, r.Body)
		}
		if r := claim(); r.Status != 200 {
			t.Fatalf("claiming after cancelling: %d %s", r.Status, r.Body)
		}
		if balance(t, ann) != 9_800 || balance(t, cat) != 300 {
			t.Fatalf("after cancelling: ann %d, cat %d", balance(t, ann), balance(t, cat))
		}
		ledgerOK(t, n)
	})
}
