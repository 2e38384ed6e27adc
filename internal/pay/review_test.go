package pay

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/trust"
)

// listScreener matches every party whose name contains one of its names
// (fakeAccounts names users by their id).
type listScreener struct {
	names []string
	calls atomic.Int64
}

func (l *listScreener) Screen(_ context.Context, p trust.Party) (*trust.Match, error) {
	l.calls.Add(1)
	for _, n := range l.names {
		if strings.Contains(strings.ToLower(p.Name), n) {
			return &trust.Match{EntryID: "sdn-" + n, Name: strings.ToUpper(n), Score: 0.93, Program: "SDGT", List: "ofac", ListHash: "h-list"}, nil
		}
	}
	return nil, nil
}

// roomConvs is chat as pay sees it: every conversation has three
// members, every pair a direct conversation; Post counts messages by kind.
type roomConvs struct {
	mu    sync.Mutex
	posts map[string]int
}

func (c *roomConvs) MemberCount(context.Context, string, string) (int, error) { return 3, nil }
func (c *roomConvs) DirectID(_ context.Context, a, b string) (string, error) {
	return "dm-" + a + "-" + b, nil
}
func (c *roomConvs) Post(_ context.Context, _ *sqldb.Tx, _, _, kind, _, _, _ string) (any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.posts == nil {
		c.posts = map[string]int{}
	}
	c.posts[kind]++
	return map[string]string{"kind": kind}, nil
}
func (c *roomConvs) count(kind string) int { c.mu.Lock(); defer c.mu.Unlock(); return c.posts[kind] }

func screenedSvc(t *testing.T, db *sqldb.DB, rail Rail, c *clock, convs Conversations) *Service {
	t.Helper()
	s, err := NewService(Config{DB: db, Accounts: fakeAccounts{}, Conversations: convs, Rail: rail, PINKey: []byte("k"), Now: c.now,
		Screener: &listScreener{names: []string{"eve", "evil mart"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func fund(t *testing.T, s *Service, user string, amount int64) {
	t.Helper()
	setPIN(t, s, user)
	if _, _, err := s.TopUp(context.Background(), req(user, "fund-"+user), amount, "CNY"); err != nil {
		t.Fatal(err)
	}
}

func openReviews(t *testing.T, s *Service) []Review {
	t.Helper()
	items, _, err := s.Reviews(context.Background(), ReviewOpen, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func events(t *testing.T, db *sqldb.DB, subject string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM outbox_events WHERE subject = ?`, subject).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A transfer to or from a matched party is held: 202 held, the money in
// the review account (the ledger balanced and reconciled at every step),
// a retry replays the held answer, payer and payee see it held; release
// pays the payee once, reject returns to the payer once, and a decided
// review refuses a second decision.
func TestHeldTransferReleaseAndReject(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, sets, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := screenedSvc(t, db, newWorld(), newClock(), &roomConvs{})
		fund(t, s, "ann", 10_000)
		fund(t, s, "eve", 10_000)

		tx, replay, err := s.Transfer(ctx, req("ann", "t1"), "eve", 1_000, "CNY", "rent", "123456")
		if err != nil || replay || tx.Status != StatusHeld || !tx.Held() || !strings.HasPrefix(tx.Reference, "rv_") {
			t.Fatalf("held transfer: %+v %v %v", tx, replay, err)
		}
		if a, e := bal(t, s, "ann"), bal(t, s, "eve"); a != 9_000 || e != 10_000 {
			t.Fatalf("held: ann %d eve %d", a, e)
		}
		c := audit(t, s, true)
		if !holdOf(c, "review:screening:CNY", 1_000, 1) {
			t.Fatalf("review hold not reconciled: %+v", c.Holds)
		}
		again, replay, err := s.Transfer(ctx, req("ann", "t1"), "eve", 1_000, "CNY", "rent", "123456")
		if err != nil || !replay || !again.Held() || again.ID != tx.ID || again.Status != StatusHeld {
			t.Fatalf("retry of a held transfer: %+v %v %v", again, replay, err)
		}
		if bal(t, s, "ann") != 9_000 {
			t.Fatal("the retry moved money again")
		}
		rv := openReviews(t, s)
		if len(rv) != 1 || rv[0].SubjectType != "user" || rv[0].SubjectID != "eve" || rv[0].Match.EntryID != "sdn-eve" ||
			rv[0].Match.ListHash != "h-list" || rv[0].Amount != 1_000 || rv[0].Counterparty == nil || rv[0].Counterparty.ID != "ann" || rv[0].Counterparty.Name != "ann" ||
			rv[0].TransactionID != tx.ID {
			t.Fatalf("open reviews: %+v", rv)
		}
		for _, who := range []string{"ann", "eve"} {
			got, err := s.Transaction(ctx, who, tx.ID)
			if err != nil || got.Status != StatusHeld {
				t.Fatalf("%s sees %+v %v", who, got, err)
			}
			if who == "eve" && (got.Direction != "in" || got.Counterparty == nil || got.Counterparty.ID != "ann") {
				t.Fatalf("the payee sees %+v", got)
			}
		}
		if _, err := s.Release(ctx, "admin", rv[0].ID, strings.Repeat("x", MaxReviewNote+1)); !errs.Is(err, errs.InvalidArgument) {
			t.Fatalf("long note: %v", err)
		}
		if _, err := s.Release(ctx, "admin", "rv_nope", ""); !errs.Is(err, errs.NotFound) {
			t.Fatalf("unknown review: %v", err)
		}
		done, err := s.Release(ctx, "admin", rv[0].ID, "false positive: another Eve")
		if err != nil || done.State != ReviewReleased || done.DecidedBy != "admin" || done.DecidedAt == nil || done.Note == "" {
			t.Fatalf("release: %+v %v", done, err)
		}
		for _, decide := range []func(context.Context, string, string, string) (Review, error){s.Release, s.Reject} {
			if _, err := decide(ctx, "admin2", rv[0].ID, ""); !errs.Is(err, errs.Conflict) {
				t.Fatalf("second decision: %v", err)
			}
		}
		if a, e := bal(t, s, "ann"), bal(t, s, "eve"); a != 9_000 || e != 11_000 {
			t.Fatalf("released: ann %d eve %d", a, e)
		}
		audit(t, s, true)
		hist, _, err := s.History(ctx, "eve", "", 50)
		if err != nil {
			t.Fatal(err)
		}
		in := 0
		for _, h := range hist {
			if h.Kind == KindTransfer && h.Direction == "in" {
				in++
				if h.ID != tx.ID || h.Status != "succeeded" {
					t.Fatalf("the payee's transfer after release: %+v", h)
				}
			}
		}
		if in != 1 {
			t.Fatalf("the payee sees %d incoming transfers, want 1: %+v", in, hist)
		}
		if got, _ := s.Transaction(ctx, "ann", tx.ID); got.Status != "succeeded" {
			t.Fatalf("the payer's transfer after release: %+v", got)
		}
		if got, _, _ := s.Transfer(ctx, req("ann", "t1"), "eve", 1_000, "CNY", "rent", "123456"); !got.Held() {
			t.Fatalf("a retry after release is still the first (held) answer: %+v", got)
		}

		// The matched payer: rejected, the money goes back to them.
		out, _, err := s.Transfer(ctx, req("eve", "t2"), "ann", 2_500, "CNY", "", "123456")
		if err != nil || !out.Held() {
			t.Fatalf("payer match: %+v %v", out, err)
		}
		audit(t, s, true)
		if _, err := s.Reject(ctx, "admin", out.Reference, "true match"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Reject(ctx, "admin", out.Reference, "again"); !errs.Is(err, errs.Conflict) {
			t.Fatalf("second reject: %v", err)
		}
		if a, e := bal(t, s, "ann"), bal(t, s, "eve"); a != 9_000 || e != 11_000 {
			t.Fatalf("rejected: ann %d eve %d", a, e)
		}
		if got, _ := s.Transaction(ctx, "eve", out.ID); got.Status != "rejected" {
			t.Fatalf("the payer's rejected transfer: %+v", got)
		}
		c = audit(t, s, true)
		if !holdOf(c, "review:screening:CNY", 0, 0) {
			t.Fatalf("money left in review: %+v", c.Holds)
		}
		if o, d := events(t, db, ReviewOpenedSubject), events(t, db, ReviewDecidedSubject); o != 2 || d != 2 {
			t.Fatalf("events: %d opened, %d decided (want 2, 2)", o, d)
		}
		if n := events(t, db, TransferCompletedSubject); n != 1 {
			t.Fatalf("%d transfer_completed events, want 1 (the released one)", n)
		}
		all, _, _ := s.Reviews(ctx, "", "", 10)
		if len(all) != 2 {
			t.Fatalf("all reviews: %+v", all)
		}
		if _, _, err := s.Reviews(ctx, "pending", "", 10); !errs.Is(err, errs.InvalidArgument) {
			t.Fatalf("bad state: %v", err)
		}
	})
}

// decisions are the review_decided events in the outbox.
func decisions(t *testing.T, db *sqldb.DB) []ReviewEvent {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT payload FROM outbox_events WHERE subject = ? ORDER BY id`, ReviewDecidedSubject)
	if err != nil {
		t.Fatal(err)
	}
	out, err := sqldb.ScanAll(rows, func(rows *sql.Rows) (ReviewEvent, error) {
		var b []byte
		var e ReviewEvent
		if err := rows.Scan(&b); err != nil {
			return e, err
		}
		return e, json.Unmarshal(b, &e)
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func holdOf(c LedgerCheck, account string, balance, items int64) bool {
	for _, h := range c.Holds {
		if h.Account == account {
			return h.Balance == balance && h.OpenItems == items && h.OK
		}
	}
	return balance == 0 && items == 0
}

// Red packets, claims, withdrawals and merchant payments are held too, and
// each is finished by its release (the packet posted, the share paid, the
// rail asked, the merchant paid) or returned by its rejection.
func TestHeldRedPacketsWithdrawalsAndPayments(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, sets, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w, convs := newWorld(), &roomConvs{}
		s := screenedSvc(t, db, w, newClock(), convs)
		fund(t, s, "ann", 10_000)
		fund(t, s, "eve", 10_000)
		fund(t, s, "ben", 10_000)

		// A red packet from a matched sender: held, no packet, no message.
		rp, _, replay, err := s.SendRedPacket(ctx, req("eve", "rp"), "room", RedPacketInput{Total: 300, Count: 3, Currency: "CNY", PIN: "123456", Split: SplitEqual})
		if err != nil || replay || !rp.Held() || rp.Status != StatusHeld {
			t.Fatalf("held red packet: %+v %v", rp, err)
		}
		if _, err := s.RedPacket(ctx, "ann", rp.ID); !errs.Is(err, errs.NotFound) || convs.count("red_packet") != 0 {
			t.Fatalf("a held packet is visible: %v, %d posts", err, convs.count("red_packet"))
		}
		if again, _, replay, err := s.SendRedPacket(ctx, req("eve", "rp"), "room", RedPacketInput{Total: 300, Count: 3, Currency: "CNY", PIN: "123456", Split: SplitEqual}); err != nil || !replay || !again.Held() || again.ID != rp.ID {
			t.Fatalf("retry of a held packet: %+v %v", again, err)
		}
		audit(t, s, true)
		rv := openReviews(t, s)
		if len(rv) != 1 || rv[0].Kind != ReviewRedPacket {
			t.Fatalf("reviews: %+v", rv)
		}
		if _, err := s.Release(ctx, "admin", rv[0].ID, ""); err != nil {
			t.Fatal(err)
		}
		if got, err := s.RedPacket(ctx, "ann", rp.ID); err != nil || got.Status != "active" || got.Total != 300 || convs.count("red_packet") != 1 {
			t.Fatalf("released packet: %+v %v (%d posts)", got, err, convs.count("red_packet"))
		}
		audit(t, s, true)

		// A matched claimer of ann's packet: the share is taken and held.
		pk, _, _, err := s.SendRedPacket(ctx, req("ann", "rp2"), "room", RedPacketInput{Total: 200, Count: 2, Currency: "CNY", PIN: "123456", Split: SplitEqual})
		if err != nil || pk.Held() {
			t.Fatalf("clean packet: %+v %v", pk, err)
		}
		m, held, err := s.ClaimHeld(ctx, "eve", pk.ID)
		if err != nil || !held || m.Amount != 100 {
			t.Fatalf("held claim: %+v %v %v", m, held, err)
		}
		if _, _, err := s.ClaimHeld(ctx, "eve", pk.ID); !errs.Is(err, errs.Conflict) {
			t.Fatalf("second claim: %v", err)
		}
		audit(t, s, true)
		claimRv := openReviews(t, s)[0]
		if _, err := s.Reject(ctx, "admin", claimRv.ID, "match"); err != nil {
			t.Fatal(err)
		}
		if a, e := bal(t, s, "ann"), bal(t, s, "eve"); a != 10_000-200+100 || e != 10_000-300 {
			t.Fatalf("rejected claim: ann %d (the share back), eve %d", a, e)
		}
		audit(t, s, true)

		// A matched withdrawal: the rail is asked only when released.
		wd, _, err := s.Withdraw(ctx, req("eve", "wd"), 1_000, "CNY", "123456")
		if err != nil || !wd.Held() || w.count() != 3 { // three top-ups so far
			t.Fatalf("held withdrawal: %+v %v (rail %d)", wd, err, w.count())
		}
		audit(t, s, true)
		if _, err := s.Release(ctx, "admin", wd.Reference, "ok"); err != nil {
			t.Fatal(err)
		}
		var st string
		db.QueryRow(ctx, `SELECT status FROM withdrawals WHERE user_id = 'eve'`).Scan(&st)
		if st != "succeeded" || w.count() != 4 || bal(t, s, "eve") != 10_000-300-1_000 {
			t.Fatalf("released withdrawal: %s, rail %d, eve %d", st, w.count(), bal(t, s, "eve"))
		}
		audit(t, s, true)

		// A merchant payment whose merchant matched: held, within not run,
		// no one else can pay the order meanwhile.
		ran := 0
		within := func(*sqldb.Tx, string) error { ran++; return nil }
		pay, err := s.Charge(ctx, "ben", "123456", "m9", "Evil Mart Ltd", Money{700, "CNY"}, "order-9", "Evil Mart · tea", within)
		if err != nil || pay.Status != StatusHeld || ran != 0 {
			t.Fatalf("held payment: %+v %v (within ran %d)", pay, err, ran)
		}
		if _, err := s.Charge(ctx, "ann", "123456", "m9", "Evil Mart Ltd", Money{700, "CNY"}, "order-9", "", within); !errs.Is(err, errs.Conflict) {
			t.Fatalf("paying a held order: %v", err)
		}
		audit(t, s, true)
		payRv := openReviews(t, s)[0]
		if payRv.SubjectType != "merchant" || payRv.SubjectID != "m9" || payRv.Counterparty == nil || payRv.Counterparty.ID != "ben" {
			t.Fatalf("payment review: %+v", payRv)
		}
		if _, err := s.Release(ctx, "admin", payRv.ID, ""); err != nil {
			t.Fatal(err)
		}
		if b, _ := s.MerchantBalance(ctx, "m9", "CNY"); b != 700 || bal(t, s, "ben") != 10_000-700 {
			t.Fatalf("released payment: merchant %d, ben %d", b, bal(t, s, "ben"))
		}
		if _, err := s.Charge(ctx, "ann", "123456", "m9", "Evil Mart Ltd", Money{700, "CNY"}, "order-9", "", within); !errs.Is(err, errs.Conflict) {
			t.Fatalf("paying a released order: %v", err)
		}
		c := audit(t, s, true)
		if !holdOf(c, "review:screening:CNY", 0, 0) {
			t.Fatalf("money left in review: %+v", c.Holds)
		}
		decided := 0
		for _, e := range decisions(t, db) {
			if e.Reference == "order-9" && e.Kind == ReviewPayment && e.State == ReviewReleased && e.MchID == "m9" && e.TransferID != "" {
				decided++
			}
		}
		if decided != 1 {
			t.Fatalf("%d review_decided events for the order, want 1", decided)
		}

		// A merchant's own review holds no money and suspends it until released.
		if _, err := s.OpenMerchantReview(ctx, "m7", "Evil Mart", "CN", trust.Match{EntryID: "sdn-x", Name: "EVIL MART", Score: 0.9}); err != nil {
			t.Fatal(err)
		}
		if sus, err := s.MerchantSuspended(ctx, "m7"); err != nil || !sus {
			t.Fatalf("suspended: %v %v", sus, err)
		}
		if _, err := s.OpenMerchantReview(ctx, "m7", "Evil Mart", "CN", trust.Match{EntryID: "sdn-x"}); !errs.Is(err, errs.Conflict) {
			t.Fatalf("a second open review of one merchant: %v", err)
		}
		mrv := openReviews(t, s)[0]
		if _, err := s.Release(ctx, "admin", mrv.ID, ""); err != nil {
			t.Fatal(err)
		}
		if sus, _ := s.MerchantSuspended(ctx, "m7"); sus {
			t.Fatal("a released merchant is still suspended")
		}
		audit(t, s, true)
	})
}

// Two administrators on two nodes decide one review at once, some
// releasing, some rejecting: exactly one decision wins, the others get
// conflict, and the money moved once.
func TestConcurrentDecisionsOnTwoNodes(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		c := newClock()
		var s1, s2 *Service
		if dialect == "sqlite" {
			db := dbtest.SQLite(t, sets...)
			s1, s2 = screenedSvc(t, db, newWorld(), c, &roomConvs{}), screenedSvc(t, db, newWorld(), c, &roomConvs{})
		} else {
			a, b := twoNodes(t, dialect, newWorld(), c)
			s1, s2 = screenedSvc(t, a.db, newWorld(), c, &roomConvs{}), screenedSvc(t, b.db, newWorld(), c, &roomConvs{})
		}
		fund(t, s1, "ann", 10_000)
		fund(t, s1, "eve", 10_000)
		for round := range 3 {
			tx, _, err := s1.Transfer(ctx, req("ann", fmt.Sprint("c", round)), "eve", 1_000, "CNY", "", "123456")
			if err != nil || !tx.Held() {
				t.Fatalf("held: %+v %v", tx, err)
			}
			var won, lost atomic.Int64
			parallel(8, func(i int) {
				node := []*Service{s1, s2}[i%2]
				decide := node.Release
				if i/2%2 == 1 {
					decide = node.Reject
				}
				rv, err := decide(ctx, fmt.Sprint("admin", i), tx.Reference, "")
				switch {
				case err == nil:
					won.Add(1)
					if rv.State != ReviewReleased && rv.State != ReviewRejected {
						t.Errorf("decided review: %+v", rv)
					}
				case errs.Is(err, errs.Conflict):
					lost.Add(1)
				default:
					t.Errorf("decision %d: %v", i, err)
				}
			})
			if won.Load() != 1 || lost.Load() != 7 {
				t.Fatalf("round %d: %d won, %d conflict (want 1, 7)", round, won.Load(), lost.Load())
			}
			audit(t, s1, true)
		}
		a, e := bal(t, s1, "ann"), bal(t, s1, "eve")
		if a+e != 20_000 || a > 10_000 || e < 10_000 || (10_000-a)%1_000 != 0 {
			t.Fatalf("after 3 contested decisions: ann %d eve %d", a, e)
		}
		items, _, _ := s1.Reviews(ctx, "", "", 10)
		paid := int64(0)
		for _, it := range items {
			if it.State == ReviewReleased {
				paid += it.Amount
			}
		}
		if e != 10_000+paid {
			t.Fatalf("eve has %d, but the released reviews hold %d", e, paid)
		}
	})
}

// The kill -9 tests: a child process (this test binary) dies with SIGKILL
// at a named point of a hold or a decision; the parent then finds the
// ledger balanced and reconciled, the review whole (still open when the
// decision's transaction died), and finishes the work exactly once.
func TestKilledMidHoldOrReleaseLeavesTheMoneyWhole(t *testing.T) {
	if os.Getenv("PAY_KILL_DSN") != "" {
		killChild()
		return
	}
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			var dsn string
			if dialect == "sqlite" {
				dsn = filepath.Join(t.TempDir(), "plaza.db")
			} else {
				dsn = dbtest.PostgresURL(t)
			}
			db, err := sqldb.Open(context.Background(), dsn, "")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if err := db.Migrate(context.Background(), slog.New(slog.DiscardHandler), sets...); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			w, c := newWorld(), newClock()
			s := screenedSvc(t, db, w, c, &roomConvs{})
			fund(t, s, "ann", 10_000)
			fund(t, s, "eve", 10_000)

			// Killed between the hold and the answer: nothing happened;
			// the retry holds it once.
			kill(t, dsn, "hold:moved", "transfer")
			audit(t, s, true)
			if a := bal(t, s, "ann"); a != 10_000 || len(openReviews(t, s)) != 0 {
				t.Fatalf("after the kill ann has %d, %d open reviews", a, len(openReviews(t, s)))
			}
			tx, replay, err := s.Transfer(ctx, req("ann", "k1"), "eve", 1_000, "CNY", "", "123456")
			if err != nil || replay || !tx.Held() {
				t.Fatalf("the retry: %+v %v %v", tx, replay, err)
			}
			audit(t, s, true)

			// Killed in the middle of the release (money moved, not
			// committed): still open, and releasing pays once.
			kill(t, dsn, "decide:moved", "release")
			audit(t, s, true)
			if rv := openReviews(t, s); len(rv) != 1 || bal(t, s, "eve") != 10_000 {
				t.Fatalf("after the kill: %d open, eve %d", len(rv), bal(t, s, "eve"))
			}
			if _, err := s.Release(ctx, "admin", tx.Reference, ""); err != nil {
				t.Fatal(err)
			}
			if a, e := bal(t, s, "ann"), bal(t, s, "eve"); a != 9_000 || e != 11_000 {
				t.Fatalf("released after the kill: ann %d eve %d", a, e)
			}
			audit(t, s, true)

			// A withdrawal released, killed after the commit and before the
			// rail: recovery returns it (the rail never saw it).
			wd, _, err := s.Withdraw(ctx, req("eve", "kw"), 2_000, "CNY", "123456")
			if err != nil || !wd.Held() {
				t.Fatalf("held withdrawal: %+v %v", wd, err)
			}
			kill(t, dsn, "decide:committed", "release")
			audit(t, s, true)
			if len(openReviews(t, s)) != 0 {
				t.Fatal("the committed release is open again")
			}
			c.advance(10 * 60e9)
			if n, err := s.SettleStale(ctx, 60e9); err != nil || n != 1 {
				t.Fatalf("recovery: %d %v", n, err)
			}
			if e := bal(t, s, "eve"); e != 11_000 {
				t.Fatalf("eve has %d after the unpaid withdrawal returned, want 11000", e)
			}
			c2 := audit(t, s, true)
			for _, h := range c2.Holds {
				if h.Balance != 0 {
					t.Fatalf("money left in flight: %+v", c2.Holds)
				}
			}
		})
	}
}

// kill runs the child: it does step (on the one open review, or a
// transfer) and dies at point.
func kill(t *testing.T, dsn, point, step string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledMidHoldOrReleaseLeavesTheMoneyWhole$")
	cmd.Env = append(os.Environ(), "PAY_KILL_DSN="+dsn, "PAY_KILL_POINT="+point, "PAY_KILL_STEP="+step)
	out, err := cmd.CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the child was not killed at %s: %v\n%s", point, err, out)
	}
}

func killChild() {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, os.Getenv("PAY_KILL_DSN"), "")
	if err != nil {
		panic(err)
	}
	s, err := NewService(Config{DB: db, Accounts: fakeAccounts{}, Conversations: &roomConvs{}, Rail: newWorld(), PINKey: []byte("k"),
		Screener: &listScreener{names: []string{"eve"}}})
	if err != nil {
		panic(err)
	}
	point := os.Getenv("PAY_KILL_POINT")
	crashAt = func(p string) {
		if p == point {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	}
	switch os.Getenv("PAY_KILL_STEP") {
	case "transfer":
		_, _, err = s.Transfer(ctx, req("ann", "k1"), "eve", 1_000, "CNY", "", "123456")
	case "release":
		var items []Review
		items, _, err = s.Reviews(ctx, ReviewOpen, "", 1)
		if err == nil && len(items) == 1 {
			_, err = s.Release(ctx, "admin", items[0].ID, "")
		}
	}
	fmt.Println("not killed:", err)
	os.Exit(3)
}
