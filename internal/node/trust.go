package node

// Wiring of the trust component (issue 11). This file stands alone while
// node.go is being reshaped; the lead adds these lines to node.go:
//
//	// Node:
//	Trust *trust.Service
//
//	// Migrations(), after miniapp.Migrations:
//	trust.Migrations
//
//	// New, after n.MiniApps is made (trustTargets asks miniapp,
//	// merchant and account whether a policy's target exists):
//	if n.Trust, err = n.newTrust(ctx); err != nil {
//		n.Close()
//		return nil, err
//	}
//
//	// routes, with the other handlers:
//	(&trust.Handler{Service: n.Trust, Auth: auth}).Register(mux)
//
//	// Serve, in the list of scheduled work under one errgroup:
//	n.Trust.Run
//
// and, in cmd/plaza/main.go, auditCmd() in root.AddCommand.

import (
	"context"
	"crypto/ed25519"
	"net/url"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/trust"
)

// newTrust builds the trust Service: regions are account's ISO 3166-1
// list, and the audit log's checkpoints are signed with an Ed25519 key
// derived from the node's PIN key (so every node of one installation
// signs with the same key; the lead may give it its own secret instead).
func (n *Node) newTrust(ctx context.Context) (*trust.Service, error) {
	secret, err := n.pinKey(ctx)
	if err != nil {
		return nil, err
	}
	origin := "plaza/audit"
	if u, err := url.Parse(n.Config.PublicURL); err == nil && u.Host != "" {
		origin = u.Host + "/audit"
	}
	return trust.NewService(ctx, trust.Config{
		DB:          n.DB,
		Bus:         n.Bus,
		Log:         n.log,
		Targets:     trustTargets{n},
		ValidRegion: func(code string) bool { return account.RegionName(code) != "" },
		AuditKey:    ed25519.NewKeyFromSeed(derive(secret, "audit-log")),
		AuditOrigin: origin,
	})
}

// trustTargets tells trust whether a policy's target exists, and its
// name: an app by appid, a merchant by mchid, a user or developer by
// account id. The services are read at call time.
type trustTargets struct{ n *Node }

func (t trustTargets) Exists(ctx context.Context, typ trust.TargetType, id string) (string, bool, error) {
	var (
		name string
		err  error
	)
	switch typ {
	case trust.TargetApp:
		app, e := t.n.MiniApps.App(ctx, id)
		name, err = app.Name, e
	case trust.TargetMerchant:
		m, e := t.n.Merchant.Merchant(ctx, id)
		name, err = m.Name, e
	case trust.TargetUser, trust.TargetDeveloper:
		u, e := t.n.Accounts.User(ctx, id)
		name, err = u.DisplayName, e
	default:
		return "", false, nil
	}
	if errs.Is(err, errs.NotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return name, true, nil
}
