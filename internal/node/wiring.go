package node

import (
	"context"

	"github.com/plaza-dev/plaza/internal/chat"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// chatForPay lets pay post messages and check membership without
// importing chat.
type chatForPay struct{ c *chat.Service }

func (a chatForPay) MemberCount(ctx context.Context, convID, userID string) (int, error) {
	return a.c.MemberCount(ctx, convID, userID)
}

func (a chatForPay) SeesRedPacket(ctx context.Context, convID, userID, rpID string) (bool, error) {
	return a.c.SeesRedPacket(ctx, convID, userID, rpID)
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
