package web_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plaza-dev/plaza/internal/node"
	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/trust"
)

// Issue 12's story, in real browsers, with the real screening engine:
//
//   - the administrator imports, in the console's Watch lists tab, a list
//     holding "Ivan Petrovich Sidorov" and sees the count and hash;
//   - ann sends money in the chat to Ivan, whose display name is "Ivan
//     Sidorov": both see it held for review (chat bubble, wallet row); her
//     balance is down, his is not up;
//   - the administrator releases it with a note in Payment reviews, and
//     the money arrives in Ivan's open wallet;
//   - ann sends a second transfer from her wallet; the administrator
//     rejects it with a note, and ann has the money back;
//   - the audit log lists the import, both reviews opened, the release and
//     the rejection, and shows Verified.
//
// The ledger is balanced and reconciled after every step. Once on one
// SQLite node; once on two nodes sharing PostgreSQL and NATS, with the
// administrator on node 1 and the users on node 2.
func TestScreeningStory(t *testing.T) {
	if !watchlistTabBuilt(t, "wl-import") {
		t.Fatal("web/dist predates the Watch lists tab: rebuild it (cd web && npm run build) and commit it")
	}
	// plaza admin check-ledger, built once, audits the database after
	// every step.
	plaza := filepath.Join(t.TempDir(), "plaza")
	if out, err := exec.Command("go", "build", "-o", plaza, "../cmd/plaza").CombinedOutput(); err != nil {
		t.Fatalf("building plaza: %v %s", err, out)
	}
	t.Run("one node", func(t *testing.T) {
		n := nodetest.Start(t, nodetest.Options{})
		playScreening(t, plaza, n, n)
	})
	t.Run("two nodes", func(t *testing.T) {
		natsURL := os.Getenv("PLAZA_TEST_NATS")
		if natsURL == "" {
			dbtest.Require(t, "nats", "PLAZA_TEST_NATS is not set")
		}
		db := dbtest.PostgresURL(t)
		prefix := "screen" + ids.Token(5)
		n1 := nodetest.Start(t, nodetest.Options{DBURL: db, NATS: natsURL, Prefix: prefix})
		n2 := nodetest.Start(t, nodetest.Options{DBURL: db, NATS: natsURL, Prefix: prefix})
		playScreening(t, plaza, n1, n2)
	})
}

// playScreening plays the story with the administrator on adminNode and
// the users on userNode (the same node, or two sharing a database); plaza
// is the built command.
func playScreening(t *testing.T, plaza string, adminNode, userNode *node.Node) {
	ctx := context.Background()
	alloc := bt.Allocator(t)
	users := userNode.URL()
	// checkLedger runs plaza admin check-ledger on the database the nodes
	// share (it exits 1 unless balanced and reconciled), and asks the
	// node's own pay service the same.
	checkLedger := func(step string) {
		t.Helper()
		c, err := userNode.Pay.CheckLedger(ctx)
		if err != nil || !c.Balanced || !c.Reconciled {
			t.Fatalf("the node's ledger check after %s: %v %+v", step, err, c)
		}
		cfg := userNode.Config
		out, err := exec.Command(plaza, "admin", "check-ledger", "--data", cfg.DataDir, "--db", cfg.DB).Output()
		var got struct {
			Balanced   bool  `json:"balanced"`
			Reconciled bool  `json:"reconciled"`
			Transfers  int64 `json:"transfers"`
		}
		if jerr := json.Unmarshal(out, &got); err != nil || jerr != nil || !got.Balanced || !got.Reconciled || got.Transfers == 0 {
			t.Fatalf("plaza admin check-ledger after %s: %v %s", step, err, out)
		}
	}
	if _, err := adminNode.Accounts.CreateAdmin(ctx, "operator", "correct horse", "CN"); err != nil {
		t.Fatal(err)
	}
	ann := nodetest.Signup(t, users, "ann")
	ivan := nodetest.NewClient(users)
	r := ivan.Do(t, "POST", "/api/v1/auth/signup", map[string]string{
		"username": "ivan", "password": "correct horse", "display_name": "Ivan Sidorov", "region": "RU",
	})
	if r.Status != 201 {
		t.Fatalf("signup ivan: %d %s", r.Status, r.Body)
	}
	ivan.Token = r.Str("token")
	nodetest.Befriend(t, ann, ivan, "ivan")
	conv := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "ivan"}).Str("conversation.id")
	ann.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": "369258", "password": "correct horse"})
	ann.Do(t, "POST", "/api/v1/wallet/topups", map[string]any{"amount": 10_000, "currency": "CNY"}, "Idempotency-Key", "seed")
	balance := func(c *nodetest.Client) int64 {
		t.Helper()
		r := c.Do(t, "GET", "/api/v1/wallet", nil)
		if r.Status != 200 {
			t.Fatalf("wallet: %d %s", r.Status, r.Body)
		}
		bs, _ := r.Get("balances").([]any)
		for _, b := range bs {
			if m, _ := b.(map[string]any); m["currency"] == "CNY" {
				f, _ := m["amount"].(float64)
				return int64(f)
			}
		}
		return 0
	}
	checkLedger("the top-up")

	// The administrator imports the list in the console.
	list := filepath.Join(t.TempDir(), "sanctions.csv")
	if err := os.WriteFile(list, []byte("id,name,aliases,type,country,program\n"+
		"T-1001,Ivan Petrovich Sidorov,,individual,RU,RUSSIA-EO14024\n"+
		"T-1002,Northwind Shipping LLC,Northwind Marine,entity,IR,SDGT\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	op := bt.New(t, alloc, "operator", bt.Desktop)
	login(op, adminNode.URL(), "operator")
	op.Run("opening Watch lists", bt.Click(`[data-tab="me"]`), bt.Visible("#me-admin"), bt.Click("#me-admin"),
		bt.Visible("#admin-nav-watchlists"), bt.Click("#admin-nav-watchlists"), bt.Visible("#admin-watchlists"))
	op.Run("importing the list", bt.Click("#wl-format-csv"), bt.Visible("#wl-csv"),
		chromedp.SetUploadFiles(chromedp.CSS("#wl-csv"), []string{list}),
		bt.Set("#wl-list", "partners"), bt.Click("#wl-import"), bt.Visible("#wl-result"), bt.Visible(`.watchlist-row[data-list="partners"]`))
	result := op.Text("#wl-result")
	hash := op.Attrs("#wl-result", "data-hash")
	if !strings.Contains(result, "Imported 2 entries") || !strings.Contains(result, "partners") || len(hash) != 1 ||
		!strings.HasPrefix(hash[0], "sha256:") || !strings.Contains(result, hash[0]) {
		t.Fatalf("import result: %q (hash %v)", result, hash)
	}
	if got := op.Text(`.watchlist-row[data-list="partners"]`); !strings.Contains(got, "2") {
		t.Fatalf("the list's row: %q", got)
	}
	op.Screenshot("imported")
	checkLedger("the import")
	// The users' node screens against the new list (over the bus when it
	// is another node).
	start := time.Now()
	nodetest.WaitFor(t, 5*time.Second, func() bool {
		m, err := userNode.Trust.Screen(ctx, trust.Party{Name: "Ivan Sidorov"})
		return err == nil && m != nil && m.EntryID == "T-1001"
	})
	t.Logf("the users' node screens against the import %v after the console showed it", time.Since(start).Round(time.Microsecond))

	// Ann sends Ivan 12.34 in their chat; it is held.
	annB := bt.New(t, alloc, "ann", bt.Phone)
	login(annB, users, "ann")
	row := `[data-conversation-id="` + conv + `"]`
	annB.Run("sending a transfer in the chat", bt.Visible(row), bt.Click(row),
		bt.Visible("#composer-more"), bt.Click("#composer-more"), bt.Visible("#send-transfer"), bt.Click("#send-transfer"),
		bt.Visible("#transfer-sheet #amount-input"), bt.Type("#amount-input", "12.34"), bt.Type("#transfer-note", "rent"),
		bt.Click("#money-submit"))
	enterPIN(annB, "369258")
	annB.Run("seeing it held in the chat", bt.Visible(`.transfer-bubble[data-status="held"]`))
	if got := annB.Text(`.transfer-bubble[data-status="held"]`); !strings.Contains(got, "Held for review") || !strings.Contains(got, "12.34") {
		t.Fatalf("ann's bubble: %q", got)
	}
	annB.Screenshot("chat-held")
	if got := balance(ann); got != 10_000-1_234 {
		t.Fatalf("ann's balance after the held transfer: %d", got)
	}
	if got := balance(ivan); got != 0 {
		t.Fatalf("ivan's balance after the held transfer: %d", got)
	}
	checkLedger("the held transfer")
	annB.Run("seeing it held in the wallet", chromedp.Navigate(users+"/"), bt.Visible(`[data-tab="wallet"]`),
		bt.Click(`[data-tab="wallet"]`), bt.Visible(".tx-row.tx-held"))
	bt.WaitText(annB, "#wallet-balance", "¥87.66")
	if got := annB.Text(".tx-row.tx-held"); !strings.Contains(got, "Held for review") || !strings.Contains(got, "12.34") {
		t.Fatalf("ann's wallet row: %q", got)
	}
	annB.Screenshot("wallet-held")

	ivanB := bt.New(t, alloc, "ivan", bt.Phone)
	login(ivanB, users, "ivan")
	ivanB.Run("seeing it held in the chat", bt.Visible(row), bt.Click(row), bt.Visible(`.transfer-bubble[data-status="held"]`))
	if got := ivanB.Text(`.transfer-bubble[data-status="held"]`); !strings.Contains(got, "Held for review") {
		t.Fatalf("ivan's bubble: %q", got)
	}
	ivanB.Screenshot("chat-held")
	ivanB.Run("seeing it held in the wallet", chromedp.Navigate(users+"/"), bt.Visible(`[data-tab="wallet"]`),
		bt.Click(`[data-tab="wallet"]`), bt.Visible(".tx-row.tx-held"), bt.Visible("#wallet-balance"))
	if got := ivanB.Text(".tx-row.tx-held"); !strings.Contains(got, "Held for review") || !strings.Contains(got, "12.34") {
		t.Fatalf("ivan's wallet row: %q", got)
	}
	if got := ivanB.Text("#wallet-balance"); strings.Contains(got, "12.34") {
		t.Fatalf("ivan's balance shows the held money: %q", got)
	}
	ivanB.Screenshot("wallet-held")

	// The administrator releases it; sent from the chat, it then waits for
	// Ivan to accept it (accept_required), and the money arrives in his open
	// wallet once he does.
	op.Run("opening Payment reviews", bt.Click("#admin-nav-reviews"), bt.Visible(`.review-card[data-state="open"]`))
	card := op.Text(`.review-card[data-state="open"]`)
	for _, want := range []string{"12.34", "Ivan Sidorov", "Ivan Petrovich Sidorov", "T-1001", "RUSSIA-EO14024", "partners", "Ann"} {
		if !strings.Contains(card, want) {
			t.Fatalf("review card lacks %q: %q", want, card)
		}
	}
	// "Ivan Sidorov" against "Ivan Petrovich Sidorov": the patronymic
	// omitted costs a little (0.907 in the README).
	if got := op.Text(`.review-card[data-state="open"] .review-score`); got != "91%" {
		t.Fatalf("score: %q", got)
	}
	op.Screenshot("review-open")
	op.Run("writing a note", bt.Type(".review-note", "Different person: date of birth differs"))
	start = time.Now()
	op.Run("releasing it", bt.Click(".review-release"))
	ivanB.Run("seeing it wait for him", bt.Visible(".tx-row.tx-pending_acceptance"))
	t.Logf("release click to Ivan's wallet showing it to accept: %v", time.Since(start).Round(time.Millisecond))
	ivanB.Run("accepting it", bt.Click(".tx-row.tx-pending_acceptance"), bt.Visible("#transfer-accept"), bt.Click("#transfer-accept"),
		bt.Visible(`#transaction-details[data-status="succeeded"]`), bt.Click(".transaction-page .back-button"), bt.Visible("#wallet-balance"))
	bt.WaitText(ivanB, "#wallet-balance", "¥12.34")
	op.Run("seeing the queue empty", bt.Visible("#reviews-empty"))
	if got := balance(ivan); got != 1_234 {
		t.Fatalf("ivan's balance after the release: %d", got)
	}
	if got := balance(ann); got != 10_000-1_234 {
		t.Fatalf("ann's balance after the release: %d", got)
	}
	checkLedger("the release")
	ivanB.Run("seeing it paid", bt.Visible(`.tx-row[data-kind="transfer"]:not(.tx-held)`))
	ivanB.Screenshot("wallet-released")
	op.Run("finding it under Released", bt.Click("#reviews-tab-released"), bt.Visible(`.review-card[data-state="released"]`))
	if got := op.Text(`.review-card[data-state="released"] .review-decision`); !strings.Contains(got, "date of birth differs") || !strings.Contains(got, "by operator") {
		t.Fatalf("release decision: %q", got)
	}
	op.Screenshot("review-released")

	// A second transfer, from ann's wallet, is rejected and returns.
	annB.Run("sending a transfer from the wallet", bt.Click("#wallet-transfer"), bt.Visible("#transfer-username"),
		bt.Type("#transfer-username", "ivan"), bt.Type("#amount-input", "20"), bt.Click("#money-submit"))
	enterPIN(annB, "369258")
	bt.WaitText(annB, "#wallet-balance", "¥67.66")
	annB.Run("seeing the second one held", bt.Visible(`.tx-row.tx-held`))
	annB.Screenshot("wallet-second-held")
	if got := balance(ivan); got != 1_234 {
		t.Fatalf("ivan's balance after the second held transfer: %d", got)
	}
	checkLedger("the second held transfer")
	op.Run("finding it open", bt.Click("#reviews-tab-open"), bt.Visible(`.review-card[data-state="open"]`))
	if got := op.Text(`.review-card[data-state="open"]`); !strings.Contains(got, "20.00") {
		t.Fatalf("second review card: %q", got)
	}
	op.Run("rejecting it", bt.Type(".review-note", "Confirmed match: listed person"))
	start = time.Now()
	op.Run("rejecting it", bt.Click(".review-reject"))
	bt.WaitText(annB, "#wallet-balance", "¥87.66")
	t.Logf("reject click to ann's balance showing ¥87.66: %v", time.Since(start).Round(time.Millisecond))
	op.Run("seeing the queue empty", bt.Visible("#reviews-empty"))
	if got := balance(ivan); got != 1_234 {
		t.Fatalf("ivan's balance after the rejection: %d", got)
	}
	checkLedger("the rejection")
	annB.Run("seeing it returned", bt.Visible(".tx-row.tx-rejected"))
	annB.Screenshot("wallet-rejected")
	op.Run("finding it under Rejected", bt.Click("#reviews-tab-rejected"), bt.Visible(`.review-card[data-state="rejected"]`))
	if got := op.Text(`.review-card[data-state="rejected"] .review-decision`); !strings.Contains(got, "Confirmed match") || !strings.Contains(got, "by operator") {
		t.Fatalf("reject decision: %q", got)
	}
	op.Screenshot("review-rejected")

	// The audit log records every step and verifies.
	op.Run("reading the audit log", bt.Click("#admin-nav-audit"), bt.Visible(`#audit-verified[data-ok="true"]`),
		bt.Visible(`.audit-row[data-action="review.rejected"]`))
	count := map[string]int{}
	for _, a := range op.Attrs(".audit-row", "data-action") {
		count[a]++
	}
	for a, want := range map[string]int{"watchlist.imported": 1, "review.opened": 2, "review.released": 1, "review.rejected": 1} {
		if count[a] != want {
			t.Errorf("the audit log has %d %s, want %d (%v)", count[a], a, want, count)
		}
	}
	op.Screenshot("audit")
	checkLedger("the story")
}
