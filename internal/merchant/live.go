package merchant

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Live orders: a viewer's purchase in a live room (package live) is an
// ordinary NATIVE order of the room's merchant — the v3 query, the
// merchant's signed notification, the bills and the payer's
// /pay/prepay + /pay/confirm all see it as any other — placed by Plaza on
// the merchant's behalf rather than through a signed /v3 request, and
// bound to its buyer from the start (payer_user_id) so that no one else
// may pay it.

// LiveOrder is the order a live purchase places.
type LiveOrder struct {
	MchID, PayerUserID, OutTradeNo, Description, NotifyURL, Attach string
	Total                                                          int64
	Currency                                                       string
	ExpiresAt                                                      time.Time
}

const selectLatestNotifyURL = `SELECT notify_url FROM orders WHERE mchid = ? AND notify_url <> '' ORDER BY created_at DESC LIMIT 1`

// CreateLiveOrder places live order in as an ordinary NATIVE order for
// its merchant, with the merchant's first bound appid (or none) and, when
// in has no notify URL, the one of the merchant's most recent order. A
// repeat of the out_trade_no for the same payer and amount answers the
// first order. It returns the order (its PrepayID is what the payer
// confirms). Errors: not_found (no merchant), invalid_argument, and
// CreateOrder's refusals (closed, under review, blocked for everyone).
func (s *Service) CreateLiveOrder(ctx context.Context, in LiveOrder) (Order, error) {
	m, err := s.Merchant(ctx, in.MchID)
	if err != nil {
		return Order{}, err
	}
	if in.Currency == "" {
		in.Currency = "CNY"
	}
	switch {
	case in.PayerUserID == "":
		return Order{}, errs.Field("payer", "A live order names its payer.")
	case !outTradeNoRe.MatchString(in.OutTradeNo):
		return Order{}, errs.Field("out_trade_no", "out_trade_no has 6 to 32 of 0-9 A-Z a-z _ - | *.")
	case in.Total <= 0 || in.Total > MaxAmount:
		return Order{}, errs.Field("amount", "The amount is a whole number of minor units, more than 0.")
	case in.Description == "" || len([]rune(in.Description)) > 127 || hasControl(in.Description):
		return Order{}, errs.Field("description", "A description has 1 to 127 characters and no control characters.")
	case len([]rune(in.Attach)) > 128 || hasControl(in.Attach):
		return Order{}, errs.Field("attach", "attach has at most 128 characters and no control characters.")
	case in.Currency != "CNY" && in.Currency != "USD" && in.Currency != "EUR" && in.Currency != "HKD":
		return Order{}, errs.Field("currency", "Currency code is invalid.")
	}
	if gone, err := s.closed(ctx, m); err != nil || gone {
		if err != nil {
			return Order{}, err
		}
		return Order{}, errs.E(MerchantClosed, "This shop has closed and takes no orders.")
	}
	if held, err := s.suspended(ctx, m.MchID); err != nil || held {
		if err != nil {
			return Order{}, err
		}
		return Order{}, errs.E(MerchantUnderReview, "This shop is under review and takes no orders for now.")
	}
	if in.NotifyURL == "" {
		_ = s.db.QueryRow(ctx, selectLatestNotifyURL, m.MchID).Scan(&in.NotifyURL)
	}
	if in.NotifyURL != "" && !validNotifyURL(in.NotifyURL) {
		in.NotifyURL = ""
	}
	appid := ""
	if len(m.AppIDs) > 0 {
		appid = m.AppIDs[0]
	}
	now := s.now()
	expires := maxTime(in.ExpiresAt, now.Add(time.Minute))
	sum := sha256.Sum256(fmt.Appendf(nil, "live\n%s\n%s\n%d\n%s", in.PayerUserID, in.OutTradeNo, in.Total, in.Currency))
	o := Order{
		TransactionID: fmt.Sprintf("4200%s%016d", now.UTC().Format("20060102"), rand.Int64N(1e16)),
		MchID:         m.MchID, AppID: appid, OutTradeNo: in.OutTradeNo, TradeType: TradeNative, Description: in.Description,
		Attach: in.Attach, NotifyURL: in.NotifyURL, Total: in.Total, Currency: in.Currency, PayerUserID: in.PayerUserID,
		RequestHash: hex.EncodeToString(sum[:]),
		PrepayID:    fmt.Sprintf("wx%s%018d", now.UTC().Format("02150405"), rand.Int64N(1e18)), TradeState: StateNotPay,
		CreatedAt: now, ExpiresAt: expires,
	}
	err = s.exec(ctx, m.MchID, insertOrder, o.TransactionID, o.MchID, o.AppID, o.OutTradeNo, o.TradeType, o.Description, o.Attach,
		o.NotifyURL, o.Total, o.Currency, "", o.PayerUserID, o.RequestHash, o.PrepayID, o.TradeState,
		sqldb.Micro(o.CreatedAt), sqldb.Micro(o.ExpiresAt))
	if sqldb.IsUniqueViolation(err) {
		prior, perr := s.orderByOutTradeNo(ctx, m.MchID, in.OutTradeNo)
		if perr != nil {
			return Order{}, perr
		}
		if prior.RequestHash != o.RequestHash {
			return Order{}, errs.E(errs.Conflict, "out_trade_no %s was used for another order.", in.OutTradeNo)
		}
		return prior, nil
	}
	return o, err
}

// CloseLiveOrder closes live order outTradeNo of mchid if it is unpaid:
// closed is true when it is now closed (or never existed: nothing can pay
// it), false when it was paid.
func (s *Service) CloseLiveOrder(ctx context.Context, mchid, outTradeNo string) (closed bool, err error) {
	m, err := s.Merchant(ctx, mchid)
	if err != nil {
		return false, err
	}
	err = s.CloseOrder(ctx, m, outTradeNo)
	var me *Error
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &me) && me.Code == "ORDER_NOT_EXIST":
		return true, nil
	case errors.As(err, &me) && me.Code == "ORDER_PAID":
		return false, nil
	}
	return false, err
}

// livePayerMayView reports whether userID may see (and so pay) order o
// as a payer: an unpaid order bound to a payer from its creation (a live
// order) shows only to that payer (PrepayFor asks, beside its JSAPI rule).
func livePayerMayView(o Order, userID string) bool {
	return o.TradeState != StateNotPay || o.PayerUserID == "" || o.PayerUserID == userID
}
