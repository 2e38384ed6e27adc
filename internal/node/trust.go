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
//	// New, after n.MiniApps is made (Targets will ask miniapp, merchant
//	// and account once they answer Exists; see trustTargets):
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
		Targets:     nil, // TODO(issue 11): miniapp apps and developers, merchant ids, account users
		ValidRegion: func(code string) bool { return account.RegionName(code) != "" },
		AuditKey:    ed25519.NewKeyFromSeed(derive(secret, "audit-log")),
		AuditOrigin: origin,
	})
}
