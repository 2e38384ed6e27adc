package merchant

import (
	"context"

	"github.com/plaza-dev/plaza/internal/platform/errs"
)

// A merchant whose owner has erased their account is closed: it takes no
// new orders and no payments; refunds of its past orders stay possible
// (its settlement balance stays for them), as do queries and bills.

const closeOwnersOrders = `UPDATE orders SET trade_state = 'CLOSED'
	WHERE trade_state = 'NOTPAY' AND mchid IN (SELECT mchid FROM merchants WHERE owner_id = ?)`

// CloseMerchantsOf closes the unpaid orders of every merchant ownerID
// owns, once their account is erased (account.ErasureHooks).
func (s *Service) CloseMerchantsOf(ctx context.Context, ownerID string) error {
	mchs, err := s.MerchantsOf(ctx, ownerID)
	if err != nil {
		return err
	}
	if _, err := s.db.Exec(ctx, closeOwnersOrders, ownerID); err != nil {
		return err
	}
	for _, m := range mchs {
		s.forget(m.MchID)
	}
	return nil
}

// closed reports whether m's owner has erased their account.
func (s *Service) closed(ctx context.Context, m Merchant) (bool, error) {
	_, err := s.accounts.User(ctx, m.OwnerID)
	if errs.Is(err, errs.NotFound) {
		return true, nil
	}
	return false, err
}

// MerchantClosed is the wallet-side code for paying a closed merchant.
const MerchantClosed = "merchant_closed"

func init() { errs.Register(MerchantClosed, 422) }
