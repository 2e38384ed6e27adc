package node_test

// Screening end to end: trust's real engine (no TestOptions.Screen), a
// list imported over HTTP, and pay's holds, merchant's suspensions,
// account's erasure and the review queue driven as clients drive them.

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/trust"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

const screenPIN = "246810"

// screenList is a generic CSV watch list: a person, a second person and
// an organisation.
const screenList = "id,name,aliases,type,country,program\n" +
	"C-1,Ivan Petrovich Sidorov,,individual,RU,TEST\n" +
	"C-2,Boris Grigoryevich Volkov,,individual,RU,TEST\n" +
	"C-3,\"Gadget Shell Company, Ltd.\",Gadget Shell,entity,KY,TEST\n"

// screenAdmin makes an administrator on n and signs them in.
func screenAdmin(t testing.TB, n *node.Node, username string) *nodetest.Client {
	t.Helper()
	if _, err := n.Accounts.CreateAdmin(context.Background(), username, "sturdy-pass-1", "CN"); err != nil {
		t.Fatal(err)
	}
	c := nodetest.NewClient(n.URL())
	r := c.Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": username, "password": "sturdy-pass-1"})
	if r.Status != 200 {
		t.Fatalf("admin login: %d %s", r.Status, r.Body)
	}
	c.Token = r.Str("token")
	return c
}

// person signs up username with that display name and a PIN, and tops
// them up with topUp CNY when it is positive.
func person(t testing.TB, n *node.Node, username, display string, topUp int64) *nodetest.Client {
	t.Helper()
	c := nodetest.NewClient(n.URL())
	r := c.Do(t, "POST", "/api/v1/auth/signup", map[string]string{"username": username, "password": "correct horse",
		"display_name": display, "region": "US"})
	if r.Status != 201 {
		t.Fatalf("signup %s: %d %s", username, r.Status, r.Body)
	}
	c.Token = r.Str("token")
	if r := c.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": screenPIN, "password": "correct horse"}); r.Status != 204 {
		t.Fatalf("pin: %d %s", r.Status, r.Body)
	}
	if topUp > 0 {
		if r := c.Do(t, "POST", "/api/v1/wallet/topups", map[string]any{"amount": topUp, "currency": "CNY"}, "Idempotency-Key", ids.New("k")); r.Status != 201 {
			t.Fatalf("top-up: %d %s", r.Status, r.Body)
		}
	}
	return c
}

func userID(t testing.TB, c *nodetest.Client) string {
	t.Helper()
	return c.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
}

func cny(t testing.TB, c *nodetest.Client) int64 {
	t.Helper()
	r := c.Do(t, "GET", "/api/v1/wallet", nil)
	items, _ := r.Get("balances").([]any)
	for _, b := range items {
		if m := b.(map[string]any); m["currency"] == "CNY" {
			return int64(m["amount"].(float64))
		}
	}
	return 0
}

// ledgerBalanced asserts the ledger's invariants (check-ledger's).
func ledgerBalanced(t testing.TB, n *node.Node, step string) {
	t.Helper()
	c, err := n.Pay.CheckLedger(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !c.Balanced || !c.Reconciled {
		t.Fatalf("%s: ledger out of balance or holds not reconciled: %+v", step, c)
	}
}

// importList imports a generic CSV list over HTTP and answers its hash.
func importList(t testing.TB, adm *nodetest.Client, csv string) string {
	t.Helper()
	r := adm.Do(t, "POST", "/api/v1/admin/watchlist/import?format=csv", csv, "Content-Type", "text/csv")
	if r.Status != 200 || !strings.HasPrefix(r.Str("list_hash"), "sha256:") {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	return r.Str("list_hash")
}

func transfer(t testing.TB, from *nodetest.Client, to string, amount int64) *nodetest.Response {
	t.Helper()
	return from.Do(t, "POST", "/api/v1/wallet/transfers", map[string]any{"username": to, "amount": amount, "currency": "CNY",
		"note": "x", "pin": screenPIN}, "Idempotency-Key", ids.New("k"))
}

// reviews lists the reviews in that state.
func reviews(t testing.TB, adm *nodetest.Client, state string) []map[string]any {
	t.Helper()
	r := adm.Do(t, "GET", "/api/v1/admin/reviews?state="+state, nil)
	if r.Status != 200 {
		t.Fatalf("reviews: %d %s", r.Status, r.Body)
	}
	var out []map[string]any
	items, _ := r.Get("items").([]any)
	for _, it := range items {
		out = append(out, it.(map[string]any))
	}
	return out
}

// reviewByID finds review id among the open ones.
func openReviewByID(t testing.TB, adm *nodetest.Client, id string) map[string]any {
	t.Helper()
	for _, it := range reviews(t, adm, "open") {
		if it["id"] == id {
			return it
		}
	}
	t.Fatalf("review %s is not open", id)
	return nil
}

// checkMatch asserts a review's match is the engine's for that entry and
// list version.
func checkMatch(t testing.TB, item map[string]any, entry, hash string) {
	t.Helper()
	m, _ := item["match"].(map[string]any)
	score, _ := m["score"].(float64)
	if m["entry_id"] != entry || m["list_hash"] != hash || m["list"] != "custom" || score < 0.85 || score > 1 {
		t.Fatalf("review match %v, want entry %s of list custom %s scoring ≥ 0.85", m, entry, hash)
	}
}

func decide(t testing.TB, adm *nodetest.Client, id, how string) *nodetest.Response {
	t.Helper()
	return adm.Do(t, "POST", "/api/v1/admin/reviews/"+id+"/"+how, map[string]string{"note": "checked"})
}

// A transfer to a user named like an entry of an imported list is held
// with that entry's match (the import's own list_hash), and released it
// pays the payee exactly once; the ledger is balanced and reconciled at
// every step.
func TestScreeningTransferToMatchedPayee(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		adm := screenAdmin(t, n, "trust_op")
		ann := person(t, n, "ann", "Ann Lee", 10_000)
		ivan := person(t, n, "ivan", "Ivan Sidorov", 0)
		if r := transfer(t, ann, "ivan", 100); r.Status != 201 || r.Str("transaction.status") != "succeeded" {
			t.Fatalf("a transfer before any list: %d %s", r.Status, r.Body)
		}
		hash := importList(t, adm, screenList)
		ledgerBalanced(t, n, "after the import")

		r := transfer(t, ann, "ivan", 1_000)
		if r.Status != 202 || r.Str("transaction.status") != "held" || r.Str("transaction.reference") == "" {
			t.Fatalf("transfer to Ivan Sidorov: %d %s", r.Status, r.Body)
		}
		ledgerBalanced(t, n, "held")
		if a, i := cny(t, ann), cny(t, ivan); a != 8_900 || i != 100 {
			t.Fatalf("held: ann %d ivan %d", a, i)
		}
		id := r.Str("transaction.reference")
		item := openReviewByID(t, adm, id)
		checkMatch(t, item, "C-1", hash)
		if item["amount"].(float64) != 1_000 || item["subject_type"] != "user" || item["subject_id"] != userID(t, ivan) {
			t.Fatalf("review item %v", item)
		}
		if r := decide(t, adm, id, "release"); r.Status != 200 || r.Str("review.state") != "released" {
			t.Fatalf("release: %d %s", r.Status, r.Body)
		}
		ledgerBalanced(t, n, "released")
		if r := decide(t, adm, id, "release"); r.Status != 409 || r.Code() != "conflict" {
			t.Fatalf("a second release: %d %s", r.Status, r.Body)
		}
		if a, i := cny(t, ann), cny(t, ivan); a != 8_900 || i != 1_100 {
			t.Fatalf("released: ann %d ivan %d (want 8900, 1100)", a, i)
		}
		tx := ivan.Do(t, "GET", "/api/v1/wallet/transactions/"+r.Str("transaction.id"), nil)
		if tx.Str("transaction.status") != "succeeded" {
			t.Fatalf("the payee's released transfer: %s", tx.Body)
		}
		ledgerBalanced(t, n, "after the second release")
	})
}

// Every other movement is screened by the real engine too: a matched
// payer's transfer, a red packet sent by a matched user, a share claimed
// by one, a matched user's withdrawal, a payment to a merchant named like
// an entry, and a merchant created with such a name (suspended until
// released).
func TestScreeningEveryMovement(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		adm := screenAdmin(t, n, "trust_op")
		ann := person(t, n, "ann", "Ann Lee", 10_000)
		boris := person(t, n, "boris", "Boris Volkov", 10_000)
		ivan := person(t, n, "ivan", "Ivan Sidorov", 0)
		nodetest.Befriend(t, ann, ivan, "ivan")
		nodetest.Befriend(t, ann, boris, "boris")
		g := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "group", "title": "g", "usernames": []string{"ivan", "boris"}})
		if g.Status != 201 {
			t.Fatalf("group: %d %s", g.Status, g.Body)
		}
		gid := g.Str("conversation.id")
		// A shop made before the list: payments to it are screened.
		gadget := screenShop(t, n, "gadgetowner", "Gadget Shell Company")
		hash := importList(t, adm, screenList)

		held := func(what string, r *nodetest.Response, entry string) string {
			t.Helper()
			if r.Status != 202 {
				t.Fatalf("%s: %d %s, want 202 held", what, r.Status, r.Body)
			}
			open := reviews(t, adm, "open")
			if len(open) == 0 {
				t.Fatalf("%s: no open review", what)
			}
			checkMatch(t, open[0], entry, hash)
			ledgerBalanced(t, n, what)
			return open[0]["id"].(string)
		}

		// The payer matches.
		r := transfer(t, boris, "ann", 500)
		if r.Str("transaction.status") != "held" {
			t.Fatalf("matched payer: %s", r.Body)
		}
		id := held("matched payer", r, "C-2")
		if cny(t, boris) != 9_500 || cny(t, ann) != 10_000 {
			t.Fatalf("held from the payer: boris %d ann %d", cny(t, boris), cny(t, ann))
		}
		if r := decide(t, adm, id, "reject"); r.Status != 200 {
			t.Fatalf("reject: %d %s", r.Status, r.Body)
		}
		ledgerBalanced(t, n, "rejected")
		if cny(t, boris) != 10_000 || cny(t, ann) != 10_000 {
			t.Fatalf("rejected: boris %d ann %d", cny(t, boris), cny(t, ann))
		}

		// A red packet sent by a matched user.
		rp := boris.Do(t, "POST", "/api/v1/conversations/"+gid+"/red-packets", map[string]any{"total": 300, "count": 2, "currency": "CNY",
			"greeting": "hi", "pin": screenPIN}, "Idempotency-Key", ids.New("k"))
		if rp.Str("red_packet.status") != "held" {
			t.Fatalf("matched sender's red packet: %d %s", rp.Status, rp.Body)
		}
		id = held("matched sender's red packet", rp, "C-2")
		if cny(t, boris) != 9_700 {
			t.Fatalf("boris %d with a held red packet", cny(t, boris))
		}
		if r := decide(t, adm, id, "release"); r.Status != 200 {
			t.Fatalf("release red packet: %d %s", r.Status, r.Body)
		}
		ledgerBalanced(t, n, "red packet released")

		// A share claimed by a matched user (ann's packet, ivan claims).
		rp = ann.Do(t, "POST", "/api/v1/conversations/"+gid+"/red-packets", map[string]any{"total": 400, "count": 2, "currency": "CNY",
			"greeting": "hi", "pin": screenPIN, "split": "equal"}, "Idempotency-Key", ids.New("k"))
		if rp.Status != 201 {
			t.Fatalf("ann's red packet: %d %s", rp.Status, rp.Body)
		}
		claim := ivan.Do(t, "POST", "/api/v1/red-packets/"+rp.Str("red_packet.id")+"/claim", nil)
		if claim.Str("status") != "held" {
			t.Fatalf("matched claimer: %d %s", claim.Status, claim.Body)
		}
		id = held("matched claimer", claim, "C-1")
		if cny(t, ivan) != 0 {
			t.Fatalf("ivan has %d with his share held", cny(t, ivan))
		}
		if r := decide(t, adm, id, "release"); r.Status != 200 {
			t.Fatalf("release share: %d %s", r.Status, r.Body)
		}
		ledgerBalanced(t, n, "share released")
		if cny(t, ivan) != 200 {
			t.Fatalf("ivan has %d after his share's release, want 200", cny(t, ivan))
		}

		// A matched user's withdrawal (the sandbox rail is on in test nodes).
		wd := ivan.Do(t, "POST", "/api/v1/wallet/withdrawals", map[string]any{"amount": 150, "currency": "CNY", "pin": screenPIN},
			"Idempotency-Key", ids.New("k"))
		if wd.Str("transaction.status") != "held" {
			t.Fatalf("matched withdrawal: %d %s", wd.Status, wd.Body)
		}
		id = held("matched withdrawal", wd, "C-1")
		if r := decide(t, adm, id, "release"); r.Status != 200 {
			t.Fatalf("release withdrawal: %d %s", r.Status, r.Body)
		}
		nodetest.WaitFor(t, 10*time.Second, func() bool {
			tx := ivan.Do(t, "GET", "/api/v1/wallet/transactions/"+wd.Str("transaction.id"), nil)
			return tx.Str("transaction.status") == "succeeded"
		})
		ledgerBalanced(t, n, "withdrawal released")
		if cny(t, ivan) != 50 {
			t.Fatalf("ivan has %d after withdrawing 150 of 200", cny(t, ivan))
		}

		// A payment to a merchant named like an entry.
		pr := gadget.order(t, "GADGET01", 700)
		pc := ann.Do(t, "POST", "/api/v1/pay/confirm", map[string]any{"prepay_id": pr, "pin": screenPIN})
		if pc.Str("transaction.status") != "held" {
			t.Fatalf("payment to a matched merchant: %d %s", pc.Status, pc.Body)
		}
		id = held("payment to a matched merchant", pc, "C-3")
		if r := decide(t, adm, id, "release"); r.Status != 200 {
			t.Fatalf("release payment: %d %s", r.Status, r.Body)
		}
		nodetest.WaitFor(t, 10*time.Second, func() bool {
			tx, err := gadget.client.QueryByOutTradeNo(ctx, "GADGET01")
			return err == nil && tx.TradeState == "SUCCESS"
		})
		if b, _ := n.Merchant.MerchantBalance(ctx, gadget.mchid, "CNY"); b != 700 {
			t.Fatalf("merchant balance %d after the release, want 700", b)
		}
		ledgerBalanced(t, n, "payment released")

		// A merchant created with a matching name is suspended until released.
		sus := screenShop(t, n, "shellowner", "Gadget Shell Co")
		order := plazapay.NativeRequest{AppID: "wx" + sus.mchid, Description: "Tea", OutTradeNo: "SUSP0001",
			NotifyURL: "https://shop.example.com/notify", Amount: plazapay.Amount{Total: 100}}
		if _, err := sus.client.PrepayNative(ctx, order); !plazapay.IsAPIError(err, "NO_AUTH") {
			t.Fatalf("an order of a suspended merchant: %v", err)
		}
		open := reviews(t, adm, "open")
		if len(open) != 1 || open[0]["subject_type"] != "merchant" || open[0]["subject_id"] != sus.mchid {
			t.Fatalf("merchant review: %v", open)
		}
		checkMatch(t, open[0], "C-3", hash)
		if r := decide(t, adm, open[0]["id"].(string), "release"); r.Status != 200 {
			t.Fatalf("release merchant: %d %s", r.Status, r.Body)
		}
		code, err := sus.client.PrepayNative(ctx, order)
		if err != nil {
			t.Fatalf("an order of a released merchant: %v", err)
		}
		u, _ := url.Parse(code)
		// Released at creation, its payments are not held again for that entry.
		pc = ann.Do(t, "POST", "/api/v1/pay/confirm", map[string]any{"prepay_id": u.Query().Get("pr"), "pin": screenPIN})
		if pc.Status != 200 || pc.Str("transaction.status") != "succeeded" {
			t.Fatalf("a payment to the released merchant: %d %s", pc.Status, pc.Body)
		}
		ledgerBalanced(t, n, "paid the released merchant")
	})
}

// POST /watchlist/allow clears one (user, entry) pair: the next transfer
// is not held, while another entry matching the same user still holds;
// re-importing the list neither re-screens nor releases what is held.
func TestScreeningAllowAndReimport(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		adm := screenAdmin(t, n, "trust_op")
		ann := person(t, n, "ann", "Ann Lee", 10_000)
		ivan := person(t, n, "ivan", "Ivan Sidorov", 0)
		hash := importList(t, adm, screenList)
		first := transfer(t, ann, "ivan", 1_000)
		if first.Status != 202 {
			t.Fatalf("first transfer: %d %s", first.Status, first.Body)
		}
		if r := adm.Do(t, "POST", "/api/v1/admin/watchlist/allow", map[string]string{"user_id": userID(t, ivan), "entry_id": "C-1"}); r.Status != 200 {
			t.Fatalf("allow: %d %s", r.Status, r.Body)
		}
		ledgerBalanced(t, n, "after allow")
		if r := transfer(t, ann, "ivan", 200); r.Status != 201 || r.Str("transaction.status") != "succeeded" {
			t.Fatalf("a transfer to the allowed user: %d %s", r.Status, r.Body)
		}
		if cny(t, ivan) != 200 {
			t.Fatalf("ivan %d", cny(t, ivan))
		}
		// A second entry matching Ivan still holds him.
		list2 := screenList + "C-4,Ivan Sidorov,,individual,RU,OTHER\n"
		hash2 := importList(t, adm, list2)
		if hash2 == hash {
			t.Fatal("a different list, the same hash")
		}
		second := transfer(t, ann, "ivan", 300)
		if second.Status != 202 {
			t.Fatalf("a transfer matching another entry: %d %s", second.Status, second.Body)
		}
		m := openReviewByID(t, adm, second.Str("transaction.reference"))
		checkMatch(t, m, "C-4", hash2)
		// The first review still shows the list version it was held under.
		checkMatch(t, openReviewByID(t, adm, first.Str("transaction.reference")), "C-1", hash)

		// Re-importing (even a list without Ivan at all) decides nothing.
		importList(t, adm, screenList)
		importList(t, adm, "id,name,aliases,type,country,program\nX-1,Someone Else,,individual,GB,TEST\n")
		open := reviews(t, adm, "open")
		if len(open) != 2 {
			t.Fatalf("open reviews after re-imports: %d, want 2", len(open))
		}
		if cny(t, ivan) != 200 || cny(t, ann) != 10_000-1_000-200-300 {
			t.Fatalf("after re-imports: ivan %d ann %d", cny(t, ivan), cny(t, ann))
		}
		ledgerBalanced(t, n, "after re-imports")
		// The list no longer has Ivan: a new transfer goes through.
		if r := transfer(t, ann, "ivan", 10); r.Status != 201 {
			t.Fatalf("a transfer once the list is gone: %d %s", r.Status, r.Body)
		}
		ledgerBalanced(t, n, "final")
	})
}

// Two administrators on two nodes sharing PostgreSQL decide the same
// review at once, many times over: exactly one wins, the other gets 409,
// and the money moves once.
func TestScreeningConcurrentDecisionsOnTwoNodes(t *testing.T) {
	t.Parallel()
	a, b := twoNodes(t)
	admA, admB := screenAdmin(t, a, "op_a"), screenAdmin(t, b, "op_b")
	ann := person(t, a, "ann", "Ann Lee", 100_000)
	ivan := person(t, a, "ivan", "Ivan Sidorov", 0)
	importList(t, admA, screenList)
	// b loads the list by the bus.
	nodetest.WaitFor(t, 10*time.Second, func() bool {
		r := admB.Do(t, "POST", "/api/v1/admin/screen", map[string]string{"name": "Ivan Sidorov", "country": "US"})
		ms, _ := r.Get("matches").([]any)
		return len(ms) > 0
	})
	const rounds = 6
	var want int64
	for i := range rounds {
		r := transfer(t, ann, "ivan", 100)
		if r.Status != 202 {
			t.Fatalf("round %d: %d %s", i, r.Status, r.Body)
		}
		id := r.Str("transaction.reference")
		howA, howB := "release", "reject"
		if i%2 == 1 {
			howA, howB = "reject", "release"
		}
		var wg sync.WaitGroup
		var ra, rb *nodetest.Response
		wg.Add(2)
		go func() { defer wg.Done(); ra = decide(t, admA, id, howA) }()
		go func() { defer wg.Done(); rb = decide(t, admB, id, howB) }()
		wg.Wait()
		won := ""
		switch {
		case ra.Status == 200 && rb.Status == 409 && rb.Code() == "conflict":
			won = howA
		case rb.Status == 200 && ra.Status == 409 && ra.Code() == "conflict":
			won = howB
		default:
			t.Fatalf("round %d: %d %s / %d %s", i, ra.Status, ra.Body, rb.Status, rb.Body)
		}
		if won == "release" {
			want += 100
		}
		if got := cny(t, ivan); got != want {
			t.Fatalf("round %d (%s won): ivan %d, want %d", i, won, got, want)
		}
		if got := cny(t, ann); got != 100_000-want {
			t.Fatalf("round %d: ann %d, want %d", i, got, 100_000-want)
		}
		ledgerBalanced(t, a, fmt.Sprintf("round %d", i))
	}
}

// An account with an open held payment, as payer or payee, cannot be
// erased (409 balance_not_zero, nothing changes); once decided and
// withdrawn it can. The export lists the held and decided transactions
// with their statuses.
func TestScreeningErasureWaitsForReviews(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		adm := screenAdmin(t, n, "trust_op")
		ann := person(t, n, "ann", "Ann Lee", 1_000)
		ivan := person(t, n, "ivan", "Ivan Sidorov", 0)
		boris := person(t, n, "boris", "Boris Volkov", 500)
		importList(t, adm, screenList)
		// ann sends her whole balance to ivan: held, both at zero.
		toIvan := transfer(t, ann, "ivan", 1_000)
		// boris (matched payer) sends his whole balance to ann... held.
		fromBoris := transfer(t, boris, "ann", 500)
		if toIvan.Status != 202 || fromBoris.Status != 202 {
			t.Fatalf("held: %d %s / %d %s", toIvan.Status, toIvan.Body, fromBoris.Status, fromBoris.Body)
		}
		for _, c := range []struct {
			name string
			c    *nodetest.Client
		}{{"ann (payer and payee)", ann}, {"ivan (payee)", ivan}, {"boris (payer)", boris}} {
			if cny(t, c.c) != 0 {
				t.Fatalf("%s has %d", c.name, cny(t, c.c))
			}
			r := c.c.Do(t, "DELETE", "/api/v1/me", map[string]string{"password": "correct horse"})
			if r.Status != 409 || r.Code() != "balance_not_zero" {
				t.Fatalf("%s erased with a held payment: %d %s", c.name, r.Status, r.Body)
			}
			if me := c.c.Do(t, "GET", "/api/v1/me", nil); me.Status != 200 {
				t.Fatalf("%s after the refused erasure: %d", c.name, me.Status)
			}
		}
		if len(reviews(t, adm, "open")) != 2 {
			t.Fatal("the refused erasures changed the reviews")
		}
		ledgerBalanced(t, n, "refused erasures")

		// Decided: ann's to ivan released, boris's rejected.
		if r := decide(t, adm, toIvan.Str("transaction.reference"), "release"); r.Status != 200 {
			t.Fatalf("release: %d %s", r.Status, r.Body)
		}
		if r := decide(t, adm, fromBoris.Str("transaction.reference"), "reject"); r.Status != 200 {
			t.Fatalf("reject: %d %s", r.Status, r.Body)
		}
		ledgerBalanced(t, n, "decided")

		// The export lists both, with their statuses, for each side.
		statuses := func(c *nodetest.Client) map[string]string {
			t.Helper()
			r := c.Do(t, "GET", "/api/v1/me/export?format=json", nil, "Accept", "application/json")
			if r.Status != 200 {
				t.Fatalf("export: %d %.300s", r.Status, r.Body)
			}
			out := map[string]string{}
			txs := exportTransactions(t, r.JSON)
			for _, tx := range txs {
				out[tx["id"].(string)] = tx["status"].(string)
			}
			return out
		}
		if s := statuses(ann); s[toIvan.Str("transaction.id")] != "succeeded" || s[fromBoris.Str("transaction.id")] != "rejected" {
			t.Fatalf("ann's export statuses: %v", s)
		}
		if s := statuses(boris); s[fromBoris.Str("transaction.id")] != "rejected" {
			t.Fatalf("boris's export statuses: %v", s)
		}
		if s := statuses(ivan); s[toIvan.Str("transaction.id")] != "succeeded" {
			t.Fatalf("ivan's export statuses: %v", s)
		}

		// ann and ivan (now holding 1000) still have to withdraw; ann has 0.
		if r := ann.Do(t, "DELETE", "/api/v1/me", map[string]string{"password": "correct horse"}); r.Status != 204 && r.Status != 200 {
			t.Fatalf("ann's erasure once decided: %d %s", r.Status, r.Body)
		}
		if r := ivan.Do(t, "DELETE", "/api/v1/me", map[string]string{"password": "correct horse"}); r.Status != 409 || r.Code() != "balance_not_zero" {
			t.Fatalf("ivan's erasure with a balance: %d %s", r.Status, r.Body)
		}
		// ivan still matches: his withdrawal is held too, then released.
		wd := ivan.Do(t, "POST", "/api/v1/wallet/withdrawals", map[string]any{"amount": 1_000, "currency": "CNY", "pin": screenPIN},
			"Idempotency-Key", ids.New("k"))
		if wd.Status != 202 {
			t.Fatalf("ivan's withdrawal: %d %s", wd.Status, wd.Body)
		}
		if r := ivan.Do(t, "DELETE", "/api/v1/me", map[string]string{"password": "correct horse"}); r.Status != 409 || r.Code() != "balance_not_zero" {
			t.Fatalf("ivan's erasure with a held withdrawal: %d %s", r.Status, r.Body)
		}
		if r := decide(t, adm, wd.Str("transaction.reference"), "release"); r.Status != 200 {
			t.Fatalf("release withdrawal: %d %s", r.Status, r.Body)
		}
		nodetest.WaitFor(t, 10*time.Second, func() bool {
			return ivan.Do(t, "GET", "/api/v1/wallet/transactions/"+wd.Str("transaction.id"), nil).Str("transaction.status") == "succeeded"
		})
		if r := ivan.Do(t, "DELETE", "/api/v1/me", map[string]string{"password": "correct horse"}); r.Status != 204 && r.Status != 200 {
			t.Fatalf("ivan's erasure once withdrawn: %d %s", r.Status, r.Body)
		}
		ledgerBalanced(t, n, "erased")
	})
}

// exportTransactions finds pay/transactions in a JSON export.
func exportTransactions(t testing.TB, doc map[string]any) []map[string]any {
	t.Helper()
	var found []any
	var walk func(v any, key string)
	walk = func(v any, key string) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				walk(c, k)
			}
		case []any:
			if strings.HasSuffix(key, "transactions") && found == nil {
				found = x
				return
			}
			for _, c := range x {
				walk(c, key)
			}
		}
	}
	walk(doc, "")
	if found == nil {
		t.Fatalf("no transactions in the export: %v", doc)
	}
	out := make([]map[string]any, 0, len(found))
	for _, it := range found {
		out = append(out, it.(map[string]any))
	}
	return out
}

var (
	screenKeyOnce sync.Once
	screenKey     *rsa.PrivateKey
)

// sshop is a merchant with credentials, a bound app and a plazapay client.
type sshop struct {
	client *plazapay.Client
	mchid  string
}

func screenShop(t testing.TB, n *node.Node, owner, name string) *sshop {
	t.Helper()
	screenKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		screenKey = k
	})
	const v3 = "0123456789abcdefghijklmnopqrstuv"
	o := nodetest.Signup(t, n.URL(), owner)
	r := o.Do(t, "POST", "/api/v1/merchants", map[string]any{"name": name, "region": "CN"})
	if r.Status != 201 {
		t.Fatalf("merchant: %d %s", r.Status, r.Body)
	}
	mchid := r.Str("merchant.mchid")
	pubPEM, _ := plazapay.PublicKeyPEM(&screenKey.PublicKey)
	if r := o.Do(t, "PUT", "/api/v1/merchants/"+mchid+"/credentials", map[string]any{"public_key_pem": string(pubPEM), "serial_no": "5157F09EFDC096DE", "apiv3_key": v3}); r.Status != 204 {
		t.Fatalf("credentials: %d %s", r.Status, r.Body)
	}
	if r := o.Do(t, "POST", "/api/v1/merchants/"+mchid+"/apps", map[string]any{"appid": "wx" + mchid}); r.Status != 201 {
		t.Fatalf("bind: %d %s", r.Status, r.Body)
	}
	pk := o.Do(t, "GET", "/api/v1/merchants/"+mchid+"/platform-key", nil)
	platform, err := plazapay.ParsePublicKeyPEM([]byte(pk.Str("public_key_pem")))
	if err != nil {
		t.Fatalf("platform key: %v %s", err, pk.Body)
	}
	c, err := plazapay.NewClient(plazapay.Config{BaseURL: n.URL(), MchID: mchid, SerialNo: "5157F09EFDC096DE", PrivateKey: screenKey,
		PlatformKey: platform, PlatformKeyID: pk.Str("public_key_id"), APIv3Key: v3, HTTP: &http.Client{Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	return &sshop{client: c, mchid: mchid}
}

// order places a Native order and answers its prepay id.
func (s *sshop) order(t testing.TB, no string, amount int64) string {
	t.Helper()
	code, err := s.client.PrepayNative(context.Background(), plazapay.NativeRequest{AppID: "wx" + s.mchid, Description: "Gadget",
		OutTradeNo: no, NotifyURL: "https://shop.example.com/notify", Amount: plazapay.Amount{Total: amount}})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(code)
	return u.Query().Get("pr")
}

// screenBenchList is a 10,000-entry generic list: 100 given names × 100
// surnames, so that a party sharing a given name with a hundred entries
// has real candidates to score.
func screenBenchList() string {
	var given, family []string
	for i := range 100 {
		given = append(given, fmt.Sprintf("%s%s", []string{"Ivan", "Anna", "Maria", "John", "Ahmed", "Wei", "Olga", "Pierre", "Yusuf", "Elena"}[i%10],
			[]string{"", "o", "a", "ek", "in", "us", "el", "ov", "is", "ar"}[i/10]))
		family = append(family, fmt.Sprintf("%s%s", []string{"Petrov", "Garcia", "Smith", "Rahman", "Zhang", "Novak", "Dubois", "Yilmaz", "Rossi", "Khan"}[i%10],
			[]string{"", "a", "er", "son", "ski", "ev", "ini", "oglu", "man", "ez"}[i/10]))
	}
	var b strings.Builder
	b.WriteString("id,name,aliases,type,country,program\n")
	for i, g := range given {
		for j, f := range family {
			fmt.Fprintf(&b, "B-%d-%d,%s %s,,individual,XX,BENCH\n", i, j, g, f)
		}
	}
	return b.String()
}

// BenchmarkTransferScreened is one cleared transfer over HTTP (SQLite,
// embedded NATS) with no watch list and with a 10,000-entry list: the
// difference is what screening both parties costs a real transfer.
func BenchmarkTransferScreened(b *testing.B) {
	for _, withList := range []bool{false, true} {
		name := "no_list"
		if withList {
			name = "list_10000"
		}
		b.Run(name, func(b *testing.B) {
			n := nodetest.Start(b, nodetest.Options{})
			adm := screenAdmin(b, n, "trust_op")
			if withList {
				r := adm.Do(b, "POST", "/api/v1/admin/watchlist/import?format=csv", screenBenchList(), "Content-Type", "text/csv")
				if r.Status != 200 || r.Get("imported").(float64) != 10_000 {
					b.Fatalf("import: %d %.300s", r.Status, r.Body)
				}
			}
			// Both share a given name with a hundred entries; neither matches.
			payer := person(b, n, "payer", "Ivan Kowalczyk", 1_000_000_000)
			person(b, n, "payee", "Anna Lindqvist", 0)
			if r := transfer(b, payer, "payee", 1); r.Status != 201 {
				b.Fatalf("warm-up transfer: %d %s", r.Status, r.Body)
			}
			b.ResetTimer()
			for b.Loop() {
				if r := transfer(b, payer, "payee", 1); r.Status != 201 {
					b.Fatalf("transfer: %d %s", r.Status, r.Body)
				}
			}
			b.StopTimer()
			// The engine's own share: both parties screened, as a transfer does.
			ctx := context.Background()
			const calls = 2000
			start := time.Now()
			for range calls {
				for _, name := range []string{"Ivan Kowalczyk", "Anna Lindqvist"} {
					if m, err := n.Trust.Screen(ctx, trust.Party{Type: trust.PartyUser, ID: "u", Name: name}); err != nil || m != nil {
						b.Fatalf("screen %s: %v %v", name, m, err)
					}
				}
			}
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/calls, "screen-ns/transfer")
		})
	}
}
