package merchant

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"log/slog"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

type liveAccounts struct{}

func (liveAccounts) User(ctx context.Context, id string) (account.User, error) {
	return account.User{ID: id}, nil
}

// A live order is an ordinary NATIVE order bound to its buyer: a repeat
// answers it, only the buyer sees its prepay while it is unpaid, and
// closing it says whether it was paid.
func TestLiveOrder(t *testing.T) {
	dbtest.Run(t, []sqldb.Migrations{Migrations}, func(t *testing.T, db *sqldb.DB) {
		testKeyOnce.Do(func() { testKey, _ = rsa.GenerateKey(rand.Reader, 2048) })
		s, err := NewService(Config{DB: db, PlatformKey: testKey, Accounts: liveAccounts{}, Log: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		ctx := context.Background()
		m, err := s.CreateMerchant(ctx, "u_host", "Nova Store", "CN")
		if err != nil {
			t.Fatal(err)
		}
		in := LiveOrder{MchID: m.MchID, PayerUserID: "u_a", OutTradeNo: "lp_0001", Description: "Live: Nova 12", Total: 499900,
			Currency: "CNY", ExpiresAt: time.Now().Add(15 * time.Minute), Attach: "lr_1"}
		o, err := s.CreateLiveOrder(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if o.TradeType != TradeNative || o.PayerUserID != "u_a" || o.PrepayID == "" {
			t.Fatalf("order %+v", o)
		}
		again, err := s.CreateLiveOrder(ctx, in)
		if err != nil || again.PrepayID != o.PrepayID {
			t.Fatalf("repeat: %v %v", again.PrepayID, err)
		}
		other := in
		other.Total = 1
		if _, err := s.CreateLiveOrder(ctx, other); !errs.Is(err, errs.Conflict) {
			t.Fatalf("another order under the number: %v", err)
		}
		if tx, err := s.TransactionByOutTradeNo(ctx, m, "lp_0001"); err != nil || tx.TradeState != StateNotPay || tx.Amount.Total != 499900 {
			t.Fatalf("v3 query: %+v %v", tx, err)
		}
		if _, err := s.PrepayFor(ctx, "u_b", o.PrepayID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("another user sees it: %v", err)
		}
		if p, err := s.PrepayFor(ctx, "u_a", o.PrepayID); err != nil || p.Description != "Live: Nova 12" {
			t.Fatalf("the buyer: %+v %v", p, err)
		}
		for _, bad := range []LiveOrder{{MchID: m.MchID, OutTradeNo: "lp_0002", Description: "x", Total: 1},
			{MchID: m.MchID, PayerUserID: "u", OutTradeNo: "no", Description: "x", Total: 1},
			{MchID: m.MchID, PayerUserID: "u", OutTradeNo: "lp_0002", Description: "x", Total: 0},
			{MchID: m.MchID, PayerUserID: "u", OutTradeNo: "lp_0002", Description: "a\nb", Total: 1}} {
			if _, err := s.CreateLiveOrder(ctx, bad); !errs.Is(err, errs.InvalidArgument) {
				t.Fatalf("%+v: %v", bad, err)
			}
		}
		if _, err := s.CreateLiveOrder(ctx, LiveOrder{MchID: "1699999999", PayerUserID: "u", OutTradeNo: "lp_0003", Description: "x", Total: 1}); !errs.Is(err, errs.NotFound) {
			t.Fatalf("no merchant: %v", err)
		}

		// Closing: unpaid closes; a missing order counts as closed; paid does not close.
		if closed, err := s.CloseLiveOrder(ctx, m.MchID, "lp_0001"); err != nil || !closed {
			t.Fatalf("close: %v %v", closed, err)
		}
		if closed, err := s.CloseLiveOrder(ctx, m.MchID, "lp_none"); err != nil || !closed {
			t.Fatalf("close missing: %v %v", closed, err)
		}
		in.OutTradeNo = "lp_0004"
		if _, err := s.CreateLiveOrder(ctx, in); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, `UPDATE orders SET trade_state = 'SUCCESS' WHERE out_trade_no = 'lp_0004'`); err != nil {
			t.Fatal(err)
		}
		if closed, err := s.CloseLiveOrder(ctx, m.MchID, "lp_0004"); err != nil || closed {
			t.Fatalf("close paid: %v %v", closed, err)
		}
	})
}
