package pay_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/trust"
)

// screenEve matches every party named Eve (until trust's engine lands,
// the node's TestOptions.Screen stands in for it).
func screenEve(c *node.Config) {
	c.Test.Screen = func(_ context.Context, p trust.Party) (*trust.Match, error) {
		if strings.Contains(strings.ToLower(p.Name), "eve") {
			return &trust.Match{EntryID: "sdn-36", Name: "EVE, Example", Score: 0.91, Program: "SDGT", List: "ofac", ListHash: "sha256:abc"}, nil
		}
		return nil, nil
	}
}

// Over HTTP: a transfer to a matched payee is answered 202 held (a retry
// replays the 202), both sides see it held in their wallet, the review
// queue is the administrators' only (403), release pays it once (409 the
// second time, 404 for an unknown id, 400 for a bad note), and the audit
// log records the review opened and decided.
func TestHeldTransferOverHTTP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	nodetest.Run(t, nodetest.Options{Tune: screenEve}, func(t *testing.T, n *node.Node) {
		if _, err := n.Accounts.CreateAdmin(ctx, "trust_op", "correct horse", "CN"); err != nil {
			t.Fatal(err)
		}
		adm := nodetest.NewClient(n.URL())
		adm.Token = adm.Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": "trust_op", "password": "correct horse"}).Str("token")
		ann := wallet(t, n, "ann", 10_000)
		eve := wallet(t, n, "eve", 0)

		key := ids.New("k")
		body := map[string]any{"username": "eve", "amount": 1_000, "currency": "CNY", "note": "rent", "pin": pin}
		r := ann.Do(t, "POST", "/api/v1/wallet/transfers", body, "Idempotency-Key", key)
		if r.Status != 202 || r.Str("transaction.status") != "held" {
			t.Fatalf("held transfer: %d %s", r.Status, r.Body)
		}
		txID := r.Str("transaction.id")
		again := ann.Do(t, "POST", "/api/v1/wallet/transfers", body, "Idempotency-Key", key)
		if again.Status != 202 || again.Header.Get("Idempotent-Replayed") != "true" || again.Str("transaction.id") != txID {
			t.Fatalf("retry: %d %s", again.Status, again.Body)
		}
		if a, e := balance(t, ann), balance(t, eve); a != 9_000 || e != 0 {
			t.Fatalf("held: ann %d eve %d", a, e)
		}
		ledgerOK(t, n)
		for _, c := range []*nodetest.Client{ann, eve} {
			h := c.Do(t, "GET", "/api/v1/wallet/transactions", nil)
			items, _ := h.Get("items").([]any)
			found := false
			for _, it := range items {
				m := it.(map[string]any)
				if m["id"] == txID {
					found = m["status"] == "held"
				}
			}
			if !found {
				t.Fatalf("the held transfer is not shown held: %s", h.Body)
			}
		}

		if r := eve.Do(t, "GET", "/api/v1/wallet/transactions/"+txID, nil); r.Status != 200 || r.Str("transaction.status") != "held" ||
			r.Str("transaction.direction") != "in" {
			t.Fatalf("the payee's held transaction: %d %s", r.Status, r.Body)
		}
		outsider := wallet(t, n, "cat", 0)
		if r := outsider.Do(t, "GET", "/api/v1/wallet/transactions/"+txID, nil); r.Status != 404 {
			t.Fatalf("someone else's transaction: %d %s", r.Status, r.Body)
		}
		if r := ann.Do(t, "GET", "/api/v1/admin/reviews?state=open", nil); r.Status != 403 {
			t.Fatalf("a user lists reviews: %d", r.Status)
		}
		list := adm.Do(t, "GET", "/api/v1/admin/reviews?state=open", nil)
		items, _ := list.Get("items").([]any)
		if list.Status != 200 || len(items) != 1 {
			t.Fatalf("open reviews: %d %s", list.Status, list.Body)
		}
		item := items[0].(map[string]any)
		match, _ := item["match"].(map[string]any)
		if item["subject_type"] != "user" || item["amount"].(float64) != 1_000 || match["entry_id"] != "sdn-36" || match["list_hash"] != "sha256:abc" ||
			item["state"] != "open" || item["counterparty"] == nil || item["subject"].(map[string]any)["country"] != "US" {
			t.Fatalf("review item: %s", list.Body)
		}
		id := item["id"].(string)
		if r := ann.Do(t, "POST", "/api/v1/admin/reviews/"+id+"/release", map[string]string{"note": "mine"}); r.Status != 403 {
			t.Fatalf("a user releases: %d", r.Status)
		}
		if r := adm.Do(t, "POST", "/api/v1/admin/reviews/rv_nope/release", map[string]string{"note": ""}); r.Status != 404 {
			t.Fatalf("unknown review: %d %s", r.Status, r.Body)
		}
		if r := adm.Do(t, "POST", "/api/v1/admin/reviews/"+id+"/release", map[string]string{"note": strings.Repeat("n", 501)}); r.Status != 400 {
			t.Fatalf("bad note: %d %s", r.Status, r.Body)
		}
		if r := adm.Do(t, "POST", "/api/v1/admin/reviews/"+id+"/release", map[string]any{"note": 7}); r.Status != 400 {
			t.Fatalf("a note that is not text: %d %s", r.Status, r.Body)
		}
		if balance(t, eve) != 0 {
			t.Fatal("a refused decision moved money")
		}
		rel := adm.Do(t, "POST", "/api/v1/admin/reviews/"+id+"/release", map[string]string{"note": "another Eve"})
		if rel.Status != 200 || rel.Str("review.state") != "released" || rel.Str("review.decided_by") == "" {
			t.Fatalf("release: %d %s", rel.Status, rel.Body)
		}
		for _, path := range []string{"/release", "/reject"} {
			if r := adm.Do(t, "POST", "/api/v1/admin/reviews/"+id+path, map[string]string{"note": "again"}); r.Status != 409 || r.Code() != "conflict" {
				t.Fatalf("second decision %s: %d %s", path, r.Status, r.Body)
			}
		}
		if a, e := balance(t, ann), balance(t, eve); a != 9_000 || e != 1_000 {
			t.Fatalf("released: ann %d eve %d", a, e)
		}
		ledgerOK(t, n)
		if rel.Str("review.decided_by_name") != "trust_op" {
			t.Fatalf("the release names its administrator: %s", rel.Body)
		}
		if r := adm.Do(t, "GET", "/api/v1/admin/reviews?state=released", nil); len(r.Get("items").([]any)) != 1 ||
			r.Get("items").([]any)[0].(map[string]any)["decided_by_name"] != "trust_op" {
			t.Fatalf("released reviews: %s", r.Body)
		}
		if r := adm.Do(t, "GET", "/api/v1/admin/reviews?state=maybe", nil); r.Status != 400 {
			t.Fatalf("bad state: %d", r.Status)
		}

		// The audit log records both, by trust's durable consumer.
		nodetest.WaitFor(t, 10*time.Second, func() bool {
			entries, _, err := n.Trust.Entries(ctx, -1, 1000)
			if err != nil {
				t.Fatal(err)
			}
			opened, released := 0, 0
			for _, e := range entries {
				if e.Target == "review:"+id {
					switch e.Action {
					case "review.opened":
						opened++
					case "review.released":
						released++
					}
				}
			}
			return opened == 1 && released == 1
		})

		// A matched payer's withdrawal and red packet are held too; reject
		// returns them.
		wd := pay(t, eve, "/api/v1/wallet/withdrawals", map[string]any{"amount": 400, "currency": "CNY", "pin": pin})
		if wd.Status != 202 || wd.Str("transaction.status") != "held" {
			t.Fatalf("held withdrawal: %d %s", wd.Status, wd.Body)
		}
		if r := adm.Do(t, "POST", "/api/v1/admin/reviews/"+wd.Str("transaction.reference")+"/reject", map[string]string{"note": "match"}); r.Status != 200 {
			t.Fatalf("reject: %d %s", r.Status, r.Body)
		}
		if balance(t, eve) != 1_000 {
			t.Fatalf("eve has %d after the rejected withdrawal", balance(t, eve))
		}
		ledgerOK(t, n)
	})
}
