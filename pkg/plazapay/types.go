package plazapay

import (
	"encoding/json"
	"time"
)

// Amount is the amount of an order, in fen (分).
type Amount struct {
	Total    int64  `json:"total"`
	Currency string `json:"currency,omitempty"` // "CNY" when empty
}

// Payer identifies the paying user by openid under the order's appid.
type Payer struct {
	OpenID string `json:"openid"`
}

// NativeRequest is the body of POST /v3/pay/transactions/native (QR code).
// MchID is filled from the Client when empty.
type NativeRequest struct {
	AppID       string `json:"appid"`
	MchID       string `json:"mchid"`
	Description string `json:"description"`
	OutTradeNo  string `json:"out_trade_no"`
	TimeExpire  string `json:"time_expire,omitempty"` // RFC3339
	Attach      string `json:"attach,omitempty"`
	NotifyURL   string `json:"notify_url"`
	Amount      Amount `json:"amount"`
}

// JSAPIRequest is the body of POST /v3/pay/transactions/jsapi (official
// accounts and mini-programs). MchID is filled from the Client when empty.
type JSAPIRequest struct {
	AppID       string `json:"appid"`
	MchID       string `json:"mchid"`
	Description string `json:"description"`
	OutTradeNo  string `json:"out_trade_no"`
	TimeExpire  string `json:"time_expire,omitempty"` // RFC3339
	Attach      string `json:"attach,omitempty"`
	NotifyURL   string `json:"notify_url"`
	Amount      Amount `json:"amount"`
	Payer       Payer  `json:"payer"`
}

// AppRequest is the body of POST /v3/pay/transactions/app (native apps).
// MchID is filled from the Client when empty.
type AppRequest struct {
	AppID       string `json:"appid"`
	MchID       string `json:"mchid"`
	Description string `json:"description"`
	OutTradeNo  string `json:"out_trade_no"`
	TimeExpire  string `json:"time_expire,omitempty"` // RFC3339
	Attach      string `json:"attach,omitempty"`
	NotifyURL   string `json:"notify_url"`
	Amount      Amount `json:"amount"`
}

// H5Request is the body of POST /v3/pay/transactions/h5 (mobile browsers).
// MchID is filled from the Client when empty.
type H5Request struct {
	AppID       string      `json:"appid"`
	MchID       string      `json:"mchid"`
	Description string      `json:"description"`
	OutTradeNo  string      `json:"out_trade_no"`
	TimeExpire  string      `json:"time_expire,omitempty"` // RFC3339
	Attach      string      `json:"attach,omitempty"`
	NotifyURL   string      `json:"notify_url"`
	Amount      Amount      `json:"amount"`
	SceneInfo   H5SceneInfo `json:"scene_info"`
}

// H5SceneInfo is the scene_info of an H5 order.
type H5SceneInfo struct {
	PayerClientIP string `json:"payer_client_ip"`
	H5Info        H5Info `json:"h5_info"`
}

// H5Info describes the H5 page; Type is "iOS", "Android" or "Wap".
type H5Info struct {
	Type string `json:"type"`
}

// Transaction is an order as returned by the query endpoints, and the
// plaintext of a TRANSACTION.SUCCESS notification. Keys that an unpaid order
// lacks (transaction_id, bank_type, success_time, payer) are omitted when
// empty.
type Transaction struct {
	AppID          string            `json:"appid"`
	MchID          string            `json:"mchid"`
	OutTradeNo     string            `json:"out_trade_no"`
	TransactionID  string            `json:"transaction_id,omitempty"`
	TradeType      string            `json:"trade_type,omitempty"`   // JSAPI, NATIVE, APP, MWEB, …
	TradeState     string            `json:"trade_state"`            // SUCCESS, REFUND, NOTPAY, CLOSED, …
	TradeStateDesc string            `json:"trade_state_desc"`       // e.g. 支付成功
	BankType       string            `json:"bank_type,omitempty"`    // e.g. OTHERS, ICBC_DEBIT
	Attach         string            `json:"attach,omitempty"`       // echoed from the order
	SuccessTime    string            `json:"success_time,omitempty"` // RFC3339
	Payer          *Payer            `json:"payer,omitempty"`
	Amount         TransactionAmount `json:"amount"`
}

// TransactionAmount is the amount of a Transaction, in fen.
type TransactionAmount struct {
	Total         int64  `json:"total"`
	PayerTotal    int64  `json:"payer_total"`
	Currency      string `json:"currency"`
	PayerCurrency string `json:"payer_currency,omitempty"`
}

// RefundRequest is the body of POST /v3/refund/domestic/refunds. One of
// TransactionID and OutTradeNo is required; retry with the same OutRefundNo.
type RefundRequest struct {
	TransactionID string              `json:"transaction_id,omitempty"`
	OutTradeNo    string              `json:"out_trade_no,omitempty"`
	OutRefundNo   string              `json:"out_refund_no"`
	Reason        string              `json:"reason,omitempty"`
	NotifyURL     string              `json:"notify_url,omitempty"`
	Amount        RefundRequestAmount `json:"amount"`
}

// RefundRequestAmount is the amount of a RefundRequest, in fen.
type RefundRequestAmount struct {
	Refund   int64  `json:"refund"`
	Total    int64  `json:"total"`
	Currency string `json:"currency"` // Client.Refund sends "CNY" when empty
}

// Refund is a refund as returned by the refund endpoints. The times are
// RFC3339 and omitted while unset (the official SDK fails on "").
type Refund struct {
	RefundID            string       `json:"refund_id"`
	OutRefundNo         string       `json:"out_refund_no"`
	TransactionID       string       `json:"transaction_id"`
	OutTradeNo          string       `json:"out_trade_no"`
	Channel             string       `json:"channel"` // ORIGINAL, BALANCE, OTHER_BALANCE, OTHER_BANKCARD
	UserReceivedAccount string       `json:"user_received_account"`
	SuccessTime         *time.Time   `json:"success_time,omitempty"`
	CreateTime          *time.Time   `json:"create_time,omitempty"`
	Status              string       `json:"status"`        // SUCCESS, CLOSED, PROCESSING, ABNORMAL
	FundsAccount        string       `json:"funds_account"` // UNSETTLED, AVAILABLE, …
	Amount              RefundAmount `json:"amount"`
}

// RefundAmount is the amount of a Refund, in fen.
type RefundAmount struct {
	Total       int64       `json:"total"`
	Refund      int64       `json:"refund"`
	PayerTotal  int64       `json:"payer_total"`
	PayerRefund int64       `json:"payer_refund"`
	Currency    string      `json:"currency"`
	From        []FundsFrom `json:"from"`
}

// MarshalJSON encodes a nil From as [] (never null), as WeChat does.
func (a RefundAmount) MarshalJSON() ([]byte, error) {
	type plain RefundAmount
	if a.From == nil {
		a.From = []FundsFrom{}
	}
	return json.Marshal(plain(a))
}

// FundsFrom is one source account of a refund.
type FundsFrom struct {
	Account string `json:"account"` // AVAILABLE, UNAVAILABLE
	Amount  int64  `json:"amount"`
}

// BillURL is the answer of the bill endpoints.
type BillURL struct {
	HashType    string `json:"hash_type"` // SHA1
	HashValue   string `json:"hash_value"`
	DownloadURL string `json:"download_url"`

	gzip bool // asked for with tar_type GZIP
}

// Notification is the envelope of a notification POSTed to notify_url.
type Notification struct {
	ID           string               `json:"id"`
	CreateTime   *time.Time           `json:"create_time,omitempty"`
	ResourceType string               `json:"resource_type"` // encrypt-resource
	EventType    string               `json:"event_type"`    // TRANSACTION.SUCCESS, REFUND.SUCCESS, …
	Summary      string               `json:"summary"`
	Resource     NotificationResource `json:"resource"`
}

// NotificationResource is the encrypted resource of a Notification.
type NotificationResource struct {
	OriginalType   string `json:"original_type"` // transaction, refund
	Algorithm      string `json:"algorithm"`     // AEAD_AES_256_GCM
	Ciphertext     string `json:"ciphertext"`
	AssociatedData string `json:"associated_data"`
	Nonce          string `json:"nonce"`
}

// PaymentParams is what a mini-program passes to plaza.requestPayment /
// wx.requestPayment.
type PaymentParams struct {
	TimeStamp string `json:"timeStamp"` // unix seconds, as a string
	NonceStr  string `json:"nonceStr"`
	Package   string `json:"package"`  // prepay_id=…
	SignType  string `json:"signType"` // RSA
	PaySign   string `json:"paySign"`
}

// AppPaymentParams is what an app hands to the payment SDK (WeChat's
// PayReq) for an App order: appid, partnerid (the mchid), prepayid,
// package "Sign=WXPay", noncestr, timestamp (unix seconds) and sign.
type AppPaymentParams struct {
	AppID     string `json:"appid"`
	PartnerID string `json:"partnerid"`
	PrepayID  string `json:"prepayid"`
	Package   string `json:"package"`
	NonceStr  string `json:"noncestr"`
	TimeStamp string `json:"timestamp"`
	Sign      string `json:"sign"`
}

// BillRequest asks for a bill. BillDate is YYYY-MM-DD (a closed day);
// BillType (trade bills: ALL, SUCCESS, REFUND) or AccountType (fund flow
// bills: BASIC, OPERATION, FEES) may be empty for the default; TarType is
// "" (plain CSV) or "GZIP".
type BillRequest struct {
	BillDate    string
	BillType    string
	AccountType string
	TarType     string
}
