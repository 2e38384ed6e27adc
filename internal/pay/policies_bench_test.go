package pay_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	paysvc "github.com/plaza-dev/plaza/internal/pay"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/trust"
)

// inForce stores count active policies straight into trust's table (the
// API would append each to the audit log, which is not what is measured)
// and reloads the index: users, merchants, apps and developers in a mix
// of regions and scopes, a few of them on payer for other scopes and
// regions, so that the payer's own entry in the index is not empty.
func inForce(b *testing.B, n *node.Node, count int, payer string) {
	b.Helper()
	ctx := context.Background()
	types := []string{"user", "merchant", "app", "developer"}
	regions := []string{"US", "CN", "US,GB", "*"}
	scopes := []string{"payments", "distribution,hosting", "messaging", "payments,messaging"}
	at := sqldb.Micro(time.Now().Add(-time.Hour))
	err := n.DB.Tx(ctx, func(tx *sqldb.Tx) error {
		for i := range count {
			target, region, scope := fmt.Sprintf("t%05d", i), regions[i%4], scopes[i/4%4]
			if i < 4 {
				target, region, scope = payer, "CN", "payments" // the payer, elsewhere
			}
			typ := types[i%4]
			if i < 4 {
				typ = "user"
			}
			if _, err := tx.Exec(ctx, `INSERT INTO trust_policies (id, kind, target_type, target_id, target_name, regions, scopes,
				effective_at, expires_at, reason, legal_ref, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				ids.New("pol"), "block", typ, target, "", region, scope, at, nil, "bench", "", "bench", at); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := n.Trust.Reload(ctx); err != nil {
		b.Fatal(err)
	}
	if count > 16 { // policy 16 blocks paying user t00016 in the US
		q := trust.Question{UserID: payer, Target: trust.Target{Type: trust.TargetUser, ID: "t00016"}, Scope: trust.ScopePayments}
		if n.Trust.Check(ctx, q) == nil {
			b.Fatal("the policies are not in force")
		}
	}
}

// BenchmarkTransferPolicyCheck is what pay asks trust before a transfer
// (the payer's region about the payee, then the payee's about the payee),
// with 10,000 policies in force.
func BenchmarkTransferPolicyCheck(b *testing.B) {
	for _, count := range []int{0, 10_000} {
		b.Run(fmt.Sprintf("policies=%d", count), func(b *testing.B) {
			n := nodetest.Start(b, nodetest.Options{})
			ctx := context.Background()
			wallet(b, n, "ann", 0)
			wallet(b, n, "ben", 0)
			a, _ := n.Accounts.UserByUsername(ctx, "ann")
			bb, _ := n.Accounts.UserByUsername(ctx, "ben")
			inForce(b, n, count, a.ID)
			q1 := trust.Question{UserID: a.ID, Target: trust.Target{Type: trust.TargetUser, ID: bb.ID}, Scope: trust.ScopePayments}
			q2 := trust.Question{UserID: bb.ID, Target: trust.Target{Type: trust.TargetUser, ID: bb.ID}, Scope: trust.ScopePayments}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if n.Trust.Check(ctx, q1) != nil || n.Trust.Check(ctx, q2) != nil {
					b.Fatal("blocked")
				}
			}
		})
	}
}

// BenchmarkTransfer is a whole transfer (service call, SQLite) with no
// policies and with 10,000 in force.
func BenchmarkTransfer(b *testing.B) {
	for _, count := range []int{0, 10_000} {
		b.Run(fmt.Sprintf("policies=%d", count), func(b *testing.B) {
			n := nodetest.Start(b, nodetest.Options{})
			ctx := context.Background()
			wallet(b, n, "ann", 100_000_000)
			wallet(b, n, "ben", 0)
			a, _ := n.Accounts.UserByUsername(ctx, "ann")
			inForce(b, n, count, a.ID)
			b.ResetTimer()
			for b.Loop() {
				if _, _, err := n.Pay.Transfer(ctx, paysvc.Request{UserID: a.ID, Key: ids.New("k"), Hash: "h"}, "ben", 1, "CNY", "", pin); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
