package node

import (
	"context"

	"github.com/plaza-dev/plaza/internal/chat"
	"github.com/plaza-dev/plaza/internal/merchant"
	"github.com/plaza-dev/plaza/internal/pay"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// chatForPay lets pay post messages and check membership without
// importing chat.
type chatForPay struct{ c *chat.Service }

func (a chatForPay) MemberCount(ctx context.Context, convID, userID string) (int, error) {
	return a.c.MemberCount(ctx, convID, userID)
}

func (a chatForPay) DirectID(ctx context.Context, x, y string) (string, error) {
	return a.c.DirectBetween(ctx, x, y)
}

func (a chatForPay) Post(ctx context.Context, tx *sqldb.Tx, convID, senderID, kind, text, refID, clientID string) (any, error) {
	m, err := a.c.Post(ctx, tx, convID, senderID, kind, text, refID, clientID)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// erasureHooks lets account erasure settle what pay, merchant and chat hold
// for the user (account.ErasureHooks); account imports none of them.
type erasureHooks struct {
	pay      *pay.Service
	merchant *merchant.Service
	chat     *chat.Service
}

func (h erasureHooks) MoneyHeld(ctx context.Context, userID string) (string, error) {
	return h.pay.HeldFor(ctx, userID)
}

func (h erasureHooks) DisableMerchants(ctx context.Context, userID string) error {
	return h.merchant.CloseMerchantsOf(ctx, userID)
}

func (h erasureHooks) LeaveGroups(ctx context.Context, userID string) error {
	var groups []string
	for cursor := ""; ; {
		list, next, err := h.chat.List(ctx, userID, cursor, 200)
		if err != nil {
			return err
		}
		for _, c := range list {
			if c.Type == chat.GroupType {
				groups = append(groups, c.ID)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	for _, id := range groups {
		if err := h.chat.Leave(ctx, userID, id); err != nil && !errs.Is(err, errs.NotFound) {
			return err
		}
	}
	return nil
}
