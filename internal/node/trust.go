package node

// The trust component's wiring: who may be a policy's target.

import (
	"context"
	"net/url"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/trust"
)

// newTrust builds the trust Service: regions are account's ISO 3166-1
// list, and the audit log's checkpoints are signed with the
// installation's audit key (platform/secrets), shared by every node.
func (n *Node) newTrust(ctx context.Context) (*trust.Service, error) {
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
		AuditKey:    n.keys.Audit,
		Regions: func(ctx context.Context, userID string) (string, error) {
			u, err := n.Accounts.User(ctx, userID)
			if errs.Is(err, errs.NotFound) {
				return "", nil
			}
			return u.Region, err
		},
		AuditOrigin:  origin,
		ScreenReview: n.Config.ScreenReview,
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
