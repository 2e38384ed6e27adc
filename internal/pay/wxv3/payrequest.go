package wxv3

import (
	"context"
	"strconv"
	"strings"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// BadPaySign is the code for a payment request that does not check out.
const BadPaySign = "bad_pay_sign"

// PaymentRequest checks what a mini-program passed to requestPayment:
// package "prepay_id=…" of an order placed for this app, a timeStamp within
// the order's life, and a paySign made with the key of the merchant the
// app is bound to. It returns what the payer is asked to confirm.
func (s *Service) PaymentRequest(ctx context.Context, userID, appid, timeStamp, nonceStr, pkg, signType, paySign string) (any, error) {
	refuse := func(why string) error { return errs.E(BadPaySign, "The payment request does not check out: %s.", why) }
	if signType != "RSA" {
		return nil, refuse("signType must be RSA")
	}
	prepayID, ok := strings.CutPrefix(pkg, "prepay_id=")
	if !ok || prepayID == "" {
		return nil, refuse(`package must be "prepay_id=…"`)
	}
	ts, err := strconv.ParseInt(timeStamp, 10, 64)
	if err != nil || nonceStr == "" || len(nonceStr) > 32 {
		return nil, refuse("timeStamp is unix seconds and nonceStr 1 to 32 characters")
	}
	o, err := s.orderBy(ctx, s.db, "prepay_id", prepayID)
	if err != nil || o.AppID != appid {
		return nil, refuse("the order was not placed for this app")
	}
	if ts < o.CreatedAt.Unix()-300 || ts > s.now().Unix()+300 {
		return nil, refuse("timeStamp is outside the order's life")
	}
	m, err := s.verifiedMerchant(ctx, o.MchID)
	if err != nil || !m.HasCredentials {
		return nil, refuse("the merchant has no key")
	}
	if err := plazapay.VerifyPaySign(m.publicKey, appid, timeStamp, nonceStr, pkg, paySign); err != nil {
		return nil, refuse("paySign was not made with the merchant's key over this request")
	}
	return s.PrepayFor(ctx, userID, prepayID)
}
