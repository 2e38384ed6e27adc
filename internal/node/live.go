package node

import (
	"context"

	"github.com/plaza-dev/plaza/internal/live"
	"github.com/plaza-dev/plaza/internal/merchant"
)

// LiveMerchants is live.Merchants over the merchant component: rooms
// belong to merchants their caller owns, and a purchase in a room is an
// ordinary merchant order (merchant.CreateLiveOrder).
type LiveMerchants struct{ M *merchant.Service }

var _ live.Merchants = LiveMerchants{}

func liveInfo(m merchant.Merchant) live.MerchantInfo {
	return live.MerchantInfo{MchID: m.MchID, Name: m.Name, OwnerID: m.OwnerID, Region: m.Region}
}

// Owned is merchant mchid if userID owns it (a mini-program's developer
// owns the merchants they created and bound their apps to). Errors:
// not_found.
func (a LiveMerchants) Owned(ctx context.Context, userID, mchid string) (live.MerchantInfo, error) {
	m, err := a.M.Owned(ctx, userID, mchid)
	if err != nil {
		return live.MerchantInfo{}, err
	}
	return liveInfo(m), nil
}

// Info is merchant mchid. Errors: not_found.
func (a LiveMerchants) Info(ctx context.Context, mchid string) (live.MerchantInfo, error) {
	m, err := a.M.Merchant(ctx, mchid)
	if err != nil {
		return live.MerchantInfo{}, err
	}
	return liveInfo(m), nil
}

// CreateLiveOrder places the purchase's merchant order and returns its
// prepay_id.
func (a LiveMerchants) CreateLiveOrder(ctx context.Context, o live.LiveOrder) (string, error) {
	m, err := a.M.CreateLiveOrder(ctx, merchant.LiveOrder{MchID: o.MchID, PayerUserID: o.PayerID, OutTradeNo: o.OutTradeNo,
		Description: o.Description, NotifyURL: o.NotifyURL, Attach: o.Attach, Total: o.Total, Currency: o.Currency, ExpiresAt: o.ExpiresAt})
	if err != nil {
		return "", err
	}
	return m.PrepayID, nil
}

// CloseLiveOrder closes the purchase's unpaid order; false when it was
// paid.
func (a LiveMerchants) CloseLiveOrder(ctx context.Context, mchid, outTradeNo string) (bool, error) {
	return a.M.CloseLiveOrder(ctx, mchid, outTradeNo)
}
