package merchant

import (
	"context"
	"strconv"
	"strings"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

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
	o, err := s.orderBy(ctx, selectOrderByPrepayID, prepayID)
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
	if err := s.allowPayer(ctx, userID, o.MchID, o.AppID); err != nil {
		return nil, err
	}
	return s.PrepayFor(ctx, userID, prepayID)
}

// AppPaymentRequest checks what an app hands over to pay an App order (the
// parameters of plazapay.AppPayment, WeChat's PayReq): partnerid the
// order's mchid, package "Sign=WXPay", prepayid of an App order placed for
// appid, a timestamp within the order's life, and sign made with the
// merchant's key over appid\ntimestamp\nnoncestr\nprepayid\n. It returns
// what the payer is asked to confirm (then POST /api/v1/pay/confirm).
// Errors: bad_pay_sign.
func (s *Service) AppPaymentRequest(ctx context.Context, userID, appid, partnerID, prepayID, pkg, nonceStr, timeStamp, sign string) (Prepay, error) {
	refuse := func(why string) error {
		return errs.E(BadPaySign, "The app payment request does not check out: %s.", why)
	}
	if pkg != "Sign=WXPay" {
		return Prepay{}, refuse(`package must be "Sign=WXPay"`)
	}
	ts, err := strconv.ParseInt(timeStamp, 10, 64)
	if err != nil || nonceStr == "" || len(nonceStr) > 32 {
		return Prepay{}, refuse("timestamp is unix seconds and noncestr 1 to 32 characters")
	}
	o, err := s.orderBy(ctx, selectOrderByPrepayID, prepayID)
	if err != nil || o.AppID != appid || o.TradeType != TradeApp || o.MchID != partnerID {
		return Prepay{}, refuse("prepayid is not an App order of this app and partnerid")
	}
	if ts < o.CreatedAt.Unix()-300 || ts > s.now().Unix()+300 {
		return Prepay{}, refuse("timestamp is outside the order's life")
	}
	m, err := s.verifiedMerchant(ctx, o.MchID)
	if err != nil || !m.HasCredentials {
		return Prepay{}, refuse("the merchant has no key")
	}
	if err := plazapay.VerifyAppPaySign(m.publicKey, appid, timeStamp, nonceStr, prepayID, sign); err != nil {
		return Prepay{}, refuse("sign was not made with the merchant's key over appid, timestamp, noncestr and prepayid")
	}
	if err := s.allowPayer(ctx, userID, o.MchID, o.AppID); err != nil {
		return Prepay{}, err
	}
	return s.PrepayFor(ctx, userID, prepayID)
}
