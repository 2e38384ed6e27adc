package node

import (
	"context"

	"github.com/plaza-dev/plaza/internal/platform/errs"
)

// appOwners tells the merchant API who develops a mini-program (merchant
// cannot import miniapp, which imports it); n.MiniApps is read at call time
// because it is made after the merchant service.
type appOwners struct{ n *Node }

func (a appOwners) AppOwner(ctx context.Context, appid string) (string, bool, error) {
	app, err := a.n.MiniApps.App(ctx, appid)
	if errs.Is(err, errs.NotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return app.DeveloperID, true, nil
}
