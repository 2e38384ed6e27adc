package plazapay

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// PrepayNative places a Native (QR code) order and returns its code_url.
func (c *Client) PrepayNative(ctx context.Context, req NativeRequest) (codeURL string, err error) {
	if req.MchID == "" {
		req.MchID = c.MchID
	}
	var out struct {
		CodeURL string `json:"code_url"`
	}
	if err := c.Do(ctx, http.MethodPost, "/v3/pay/transactions/native", req, &out); err != nil {
		return "", err
	}
	if out.CodeURL == "" {
		return "", errors.New("plazapay: native prepay: answer has no code_url")
	}
	return out.CodeURL, nil
}

// PrepayJSAPI places a JSAPI / mini-program order and returns its prepay_id
// (valid 2 h; pass it to RequestPayment).
func (c *Client) PrepayJSAPI(ctx context.Context, req JSAPIRequest) (prepayID string, err error) {
	if req.MchID == "" {
		req.MchID = c.MchID
	}
	var out struct {
		PrepayID string `json:"prepay_id"`
	}
	if err := c.Do(ctx, http.MethodPost, "/v3/pay/transactions/jsapi", req, &out); err != nil {
		return "", err
	}
	if out.PrepayID == "" {
		return "", errors.New("plazapay: jsapi prepay: answer has no prepay_id")
	}
	return out.PrepayID, nil
}

// PrepayApp places an App order and returns its prepay_id (pass it to
// AppPayment).
func (c *Client) PrepayApp(ctx context.Context, req AppRequest) (prepayID string, err error) {
	if req.MchID == "" {
		req.MchID = c.MchID
	}
	var out struct {
		PrepayID string `json:"prepay_id"`
	}
	if err := c.Do(ctx, http.MethodPost, "/v3/pay/transactions/app", req, &out); err != nil {
		return "", err
	}
	if out.PrepayID == "" {
		return "", errors.New("plazapay: app prepay: answer has no prepay_id")
	}
	return out.PrepayID, nil
}

// AppPayment builds the parameters an app passes to the payment SDK for
// prepayID: partnerid = MchID, package "Sign=WXPay", a fresh noncestr, the
// timestamp, and sign = AppPaySign over appid, timestamp, noncestr and
// prepayid.
func (c *Client) AppPayment(appID, prepayID string) (AppPaymentParams, error) {
	p := AppPaymentParams{AppID: appID, PartnerID: c.MchID, PrepayID: prepayID, Package: "Sign=WXPay",
		NonceStr: NewNonce(), TimeStamp: strconv.FormatInt(c.now().Unix(), 10)}
	var err error
	if p.Sign, err = AppPaySign(c.PrivateKey, appID, p.TimeStamp, p.NonceStr, prepayID); err != nil {
		return AppPaymentParams{}, err
	}
	return p, nil
}

// PrepayH5 places an H5 order and returns its h5_url.
func (c *Client) PrepayH5(ctx context.Context, req H5Request) (h5URL string, err error) {
	if req.MchID == "" {
		req.MchID = c.MchID
	}
	var out struct {
		H5URL string `json:"h5_url"`
	}
	if err := c.Do(ctx, http.MethodPost, "/v3/pay/transactions/h5", req, &out); err != nil {
		return "", err
	}
	if out.H5URL == "" {
		return "", errors.New("plazapay: h5 prepay: answer has no h5_url")
	}
	return out.H5URL, nil
}

// QueryByOutTradeNo fetches an order by the merchant's out_trade_no (any state).
func (c *Client) QueryByOutTradeNo(ctx context.Context, outTradeNo string) (*Transaction, error) {
	var t Transaction
	path := "/v3/pay/transactions/out-trade-no/" + url.PathEscape(outTradeNo) + "?mchid=" + url.QueryEscape(c.MchID)
	if err := c.Do(ctx, http.MethodGet, path, nil, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// QueryByID fetches a paid order by its transaction_id.
func (c *Client) QueryByID(ctx context.Context, transactionID string) (*Transaction, error) {
	var t Transaction
	path := "/v3/pay/transactions/id/" + url.PathEscape(transactionID) + "?mchid=" + url.QueryEscape(c.MchID)
	if err := c.Do(ctx, http.MethodGet, path, nil, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// Close closes an unpaid order; the server answers 204 No Content.
func (c *Client) Close(ctx context.Context, outTradeNo string) error {
	body := struct {
		MchID string `json:"mchid"`
	}{c.MchID}
	return c.Do(ctx, http.MethodPost, "/v3/pay/transactions/out-trade-no/"+url.PathEscape(outTradeNo)+"/close", body, nil)
}

// Refund requests a refund (idempotent per OutRefundNo). An empty
// Amount.Currency is sent as "CNY".
func (c *Client) Refund(ctx context.Context, req RefundRequest) (*Refund, error) {
	if req.Amount.Currency == "" {
		req.Amount.Currency = "CNY"
	}
	var r Refund
	if err := c.Do(ctx, http.MethodPost, "/v3/refund/domestic/refunds", req, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// QueryRefund fetches a refund by the merchant's out_refund_no.
func (c *Client) QueryRefund(ctx context.Context, outRefundNo string) (*Refund, error) {
	var r Refund
	if err := c.Do(ctx, http.MethodGet, "/v3/refund/domestic/refunds/"+url.PathEscape(outRefundNo), nil, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// TradeBill asks for the trade bill (all types, plain CSV) of billDate
// (YYYY-MM-DD, a day that is over); fetch the file with DownloadBill.
func (c *Client) TradeBill(ctx context.Context, billDate string) (*BillURL, error) {
	return c.TradeBillWith(ctx, BillRequest{BillDate: billDate})
}

// TradeBillWith asks for a trade bill (GET /v3/bill/tradebill).
func (c *Client) TradeBillWith(ctx context.Context, req BillRequest) (*BillURL, error) {
	q := url.Values{"bill_date": {req.BillDate}}
	if req.BillType != "" {
		q.Set("bill_type", req.BillType)
	}
	if req.TarType != "" {
		q.Set("tar_type", req.TarType)
	}
	var b BillURL
	if err := c.Do(ctx, http.MethodGet, "/v3/bill/tradebill?"+q.Encode(), nil, &b); err != nil {
		return nil, err
	}
	b.gzip = req.TarType == "GZIP"
	return &b, nil
}

// FundFlowBill asks for a fund flow bill (GET /v3/bill/fundflowbill);
// AccountType defaults to BASIC.
func (c *Client) FundFlowBill(ctx context.Context, req BillRequest) (*BillURL, error) {
	q := url.Values{"bill_date": {req.BillDate}}
	if req.AccountType != "" {
		q.Set("account_type", req.AccountType)
	}
	if req.TarType != "" {
		q.Set("tar_type", req.TarType)
	}
	var b BillURL
	if err := c.Do(ctx, http.MethodGet, "/v3/bill/fundflowbill?"+q.Encode(), nil, &b); err != nil {
		return nil, err
	}
	b.gzip = req.TarType == "GZIP"
	return &b, nil
}

// DownloadBill fetches the file of b, decompresses it when it was asked
// for with tar_type GZIP, and checks its SHA-1 against b.HashValue (which
// covers the plain CSV). It returns the CSV.
func (c *Client) DownloadBill(ctx context.Context, b *BillURL) ([]byte, error) {
	data, err := c.Download(ctx, b.DownloadURL)
	if err != nil {
		return nil, err
	}
	if b.gzip {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("plazapay: bill: %w", err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			return nil, fmt.Errorf("plazapay: bill: %w", err)
		}
	}
	if !strings.EqualFold(b.HashType, "SHA1") {
		return nil, fmt.Errorf("plazapay: bill: hash_type %q", b.HashType)
	}
	sum := sha1.Sum(data)
	if !strings.EqualFold(hex.EncodeToString(sum[:]), b.HashValue) {
		return nil, fmt.Errorf("%w: the bill's SHA-1 is not hash_value", ErrVerification)
	}
	return data, nil
}

// Download fetches a bill file from a BillURL.DownloadURL (absolute, or a
// path relative to BaseURL) with a signed GET. Its answer is not signed and
// not verified; check BillURL.HashValue yourself. Non-2xx is an *APIError.
func (c *Client) Download(ctx context.Context, rawURL string) ([]byte, error) {
	if strings.HasPrefix(rawURL, "/") && !strings.HasPrefix(rawURL, "//") {
		rawURL = strings.TrimRight(c.BaseURL, "/") + rawURL
	} else if u, err := url.Parse(rawURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("plazapay: download URL %q is not http(s)", rawURL)
	}
	resp, data, err := c.send(ctx, http.MethodGet, rawURL, nil, 0)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, newAPIError(resp.StatusCode, data)
	}
	return data, nil
}

// RequestPayment builds the parameters a mini-program passes to
// plaza.requestPayment / wx.requestPayment for prepayID: timeStamp (unix
// seconds), a fresh nonceStr, package "prepay_id=…", signType "RSA" and the
// paySign over appID with the merchant key.
func (c *Client) RequestPayment(appID, prepayID string) (PaymentParams, error) {
	p := PaymentParams{
		TimeStamp: strconv.FormatInt(c.now().Unix(), 10),
		NonceStr:  NewNonce(),
		Package:   "prepay_id=" + prepayID,
		SignType:  "RSA",
	}
	var err error
	if p.PaySign, err = PaySign(c.PrivateKey, appID, p.TimeStamp, p.NonceStr, p.Package); err != nil {
		return PaymentParams{}, err
	}
	return p, nil
}
