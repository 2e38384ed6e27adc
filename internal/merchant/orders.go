package merchant

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Trade types and states, as WeChat names them.
const (
	TradeJSAPI  = "JSAPI"
	TradeApp    = "APP"
	TradeNative = "NATIVE"
	TradeH5     = "MWEB"

	StateNotPay  = "NOTPAY"
	StateSuccess = "SUCCESS"
	StateClosed  = "CLOSED"
	StateRefund  = "REFUND"
)

var (
	outTradeNoRe  = regexp.MustCompile(`^[0-9A-Za-z_\-|*]{6,32}$`)
	outRefundNoRe = regexp.MustCompile(`^[0-9A-Za-z_\-|*@]{1,64}$`)
)

// OrderRequest is the body of POST /v3/pay/transactions/{jsapi,app,native,h5}.
type OrderRequest struct {
	AppID       string `json:"appid"`
	MchID       string `json:"mchid"`
	Description string `json:"description"`
	OutTradeNo  string `json:"out_trade_no"`
	TimeExpire  string `json:"time_expire,omitempty"`
	Attach      string `json:"attach,omitempty"`
	NotifyURL   string `json:"notify_url"`
	GoodsTag    string `json:"goods_tag,omitempty"`
	Amount      struct {
		Total    int64  `json:"total"`
		Currency string `json:"currency,omitempty"`
	} `json:"amount"`
	Payer *struct {
		OpenID string `json:"openid"`
	} `json:"payer,omitempty"`
	SceneInfo *struct {
		PayerClientIP string `json:"payer_client_ip"`
		H5Info        *struct {
			Type string `json:"type"`
		} `json:"h5_info,omitempty"`
	} `json:"scene_info,omitempty"`
}

// Order is an order as stored.
type Order struct {
	TransactionID, MchID, AppID, OutTradeNo, TradeType, Description, Attach, NotifyURL string
	Total                                                                              int64
	Currency, PayerOpenID, PayerUserID, RequestHash, PrepayID, TradeState              string
	Refunded                                                                           int64
	CreatedAt, ExpiresAt                                                               time.Time
	SuccessTime                                                                        *time.Time
}

func scanOrder(row interface{ Scan(...any) error }) (Order, error) {
	var o Order
	var created, expires int64
	var success sql.NullInt64
	err := row.Scan(&o.TransactionID, &o.MchID, &o.AppID, &o.OutTradeNo, &o.TradeType, &o.Description, &o.Attach, &o.NotifyURL,
		&o.Total, &o.Currency, &o.PayerOpenID, &o.PayerUserID, &o.RequestHash, &o.PrepayID, &o.TradeState, &o.Refunded,
		&created, &expires, &success)
	if err != nil {
		return o, err
	}
	o.CreatedAt, o.ExpiresAt = sqldb.FromMicro(created), sqldb.FromMicro(expires)
	if success.Valid {
		t := sqldb.FromMicro(success.Int64)
		o.SuccessTime = &t
	}
	return o, nil
}

// orderBy is the order of a transaction_id or prepay_id: query is
// selectOrderByTransactionID or selectOrderByPrepayID. Errors:
// ORDER_NOT_EXIST.
func (s *Service) orderBy(ctx context.Context, query, value string) (Order, error) {
	o, err := scanOrder(s.db.QueryRow(ctx, query, value))
	if errors.Is(err, sql.ErrNoRows) {
		return o, errOrderNotExist
	}
	return o, err
}

// state is the order's trade state now: an unpaid order past its expiry
// is closed.
func (s *Service) state(o Order) string {
	if o.TradeState == StateNotPay && s.now().After(o.ExpiresAt) {
		return StateClosed
	}
	return o.TradeState
}

// CreateOrder places an order for merchant m. A repeat with the same
// out_trade_no and the same fields returns the first order; with other
// fields, 403 OUT_TRADE_NO_USED; blocked by a trust policy for every
// region, 403 NO_AUTH.
func (s *Service) CreateOrder(ctx context.Context, m Merchant, tradeType string, raw []byte) (Order, error) {
	in, err := parseOrder(m.MchID, tradeType, raw)
	if err != nil {
		return Order{}, err
	}
	if err := s.checkOrder(ctx, m, tradeType, &in); err != nil {
		return Order{}, err
	}
	if gone, err := s.closed(ctx, m); err != nil || gone {
		if err != nil {
			return Order{}, err
		}
		return Order{}, Refusal(403, "NO_AUTH", "Merchant %s is closed: its owner's account was erased. It takes no new orders; refunds still work.", m.MchID)
	}
	if err := s.allowOrder(ctx, m.MchID, in.AppID); err != nil {
		return Order{}, err
	}
	if held, err := s.suspended(ctx, m.MchID); err != nil || held {
		if err != nil {
			return Order{}, err
		}
		return Order{}, Refusal(403, "NO_AUTH", "Merchant %s is under review and takes no new orders for now.", m.MchID)
	}
	now := s.now()
	expires := now.Add(7 * 24 * time.Hour)
	if in.TimeExpire != "" {
		t, err := time.Parse(time.RFC3339, in.TimeExpire)
		if err != nil {
			return Order{}, ParamError("/time_expire", "time_expire must be an RFC 3339 time, such as 2026-06-08T10:34:56+08:00.")
		}
		expires = maxTime(t, now.Add(time.Minute))
	}
	canon, _ := json.Marshal(in)
	sum := sha256.Sum256(append([]byte(tradeType+"\n"), canon...))
	hash := hex.EncodeToString(sum[:])
	o := Order{
		TransactionID: fmt.Sprintf("4200%s%016d", now.UTC().Format("20060102"), rand.Int64N(1e16)),
		MchID:         m.MchID, AppID: in.AppID, OutTradeNo: in.OutTradeNo, TradeType: tradeType, Description: in.Description,
		Attach: in.Attach, NotifyURL: in.NotifyURL, Total: in.Amount.Total, Currency: in.Amount.Currency, RequestHash: hash,
		PrepayID: fmt.Sprintf("wx%s%018d", now.UTC().Format("02150405"), rand.Int64N(1e18)), TradeState: StateNotPay,
		CreatedAt: now, ExpiresAt: expires,
	}
	if in.Payer != nil {
		o.PayerOpenID = in.Payer.OpenID
	}
	err = s.exec(ctx, m.MchID, insertOrder, o.TransactionID, o.MchID, o.AppID, o.OutTradeNo, o.TradeType, o.Description, o.Attach,
		o.NotifyURL, o.Total, o.Currency, o.PayerOpenID, "", o.RequestHash, o.PrepayID, o.TradeState,
		sqldb.Micro(o.CreatedAt), sqldb.Micro(o.ExpiresAt))
	if sqldb.IsUniqueViolation(err) {
		prior, perr := s.orderByOutTradeNo(ctx, m.MchID, in.OutTradeNo)
		if perr != nil {
			return Order{}, perr
		}
		if prior.RequestHash != hash {
			return Order{}, Refusal(403, "OUT_TRADE_NO_USED", "out_trade_no %s was used for another order.", in.OutTradeNo)
		}
		if st := s.state(prior); st != StateNotPay {
			return Order{}, Refusal(400, "ORDER_CLOSED", "Order %s is %s.", in.OutTradeNo, st)
		}
		return prior, nil
	}
	return o, err
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (s *Service) checkOrder(ctx context.Context, m Merchant, tradeType string, in *OrderRequest) error {
	if err := validateOrder(m.MchID, tradeType, in); err != nil {
		return err
	}
	if err := s.checkNotifyURL("/notify_url", in.NotifyURL); err != nil { // notify.go
		return err
	}
	var bound string
	if err := s.db.QueryRow(ctx, selectAppMchID, in.AppID).Scan(&bound); err != nil || bound != m.MchID {
		return Refusal(400, "APPID_MCHID_NOT_MATCH", "appid %s is not bound to mchid %s.", in.AppID, m.MchID)
	}
	return nil
}

// parseOrder reads and checks an order body on its own (the fuzzed
// surface): everything but whether the appid is bound.
func parseOrder(mchid, tradeType string, raw []byte) (OrderRequest, error) {
	var in OrderRequest
	if err := json.Unmarshal(raw, &in); err != nil {
		return in, ParamError("/body", "The body is not a valid order: %v", err)
	}
	return in, validateOrder(mchid, tradeType, &in)
}

func validateOrder(mchid, tradeType string, in *OrderRequest) error {
	switch {
	case in.MchID != mchid:
		return ParamError("/mchid", "mchid must be the signing merchant's (%s).", mchid)
	case in.AppID == "":
		return ParamError("/appid", "appid is required.")
	case in.Description == "" || utf8.RuneCountInString(in.Description) > 127:
		return ParamError("/description", "description has 1 to 127 characters.")
	case hasControl(in.Description):
		return ParamError("/description", "description must not contain control characters (line breaks, tabs, NUL, …).")
	case !outTradeNoRe.MatchString(in.OutTradeNo):
		return ParamError("/out_trade_no", "out_trade_no has 6 to 32 of 0-9 A-Z a-z _ - | *.")
	case utf8.RuneCountInString(in.Attach) > 128:
		return ParamError("/attach", "attach has at most 128 characters.")
	case hasControl(in.Attach):
		return ParamError("/attach", "attach must not contain control characters (line breaks, tabs, NUL, …).")
	case !validNotifyURL(in.NotifyURL): // notify.go
		return ParamError("/notify_url", "notify_url is an absolute http(s) URL with a host and no user info, of at most 255 characters.")
	case in.Amount.Total <= 0 || in.Amount.Total > MaxAmount:
		return ParamError("/amount/total", "amount.total is a whole number of fen, more than 0.")
	}
	if in.Amount.Currency == "" {
		in.Amount.Currency = "CNY"
	}
	if in.Amount.Currency != "CNY" && in.Amount.Currency != "USD" && in.Amount.Currency != "EUR" && in.Amount.Currency != "HKD" {
		return ParamError("/amount/currency", "Currency code is invalid.")
	}
	switch tradeType {
	case TradeJSAPI:
		if in.Payer == nil || in.Payer.OpenID == "" {
			return ParamError("/payer/openid", "A JSAPI order needs payer.openid.")
		}
	case TradeH5:
		if in.SceneInfo == nil || in.SceneInfo.PayerClientIP == "" || in.SceneInfo.H5Info == nil || in.SceneInfo.H5Info.Type == "" {
			return ParamError("/scene_info", "An H5 order needs scene_info.payer_client_ip and scene_info.h5_info.type.")
		}
		in.Payer = nil
	default:
		in.Payer = nil
	}
	if in.TimeExpire != "" {
		if _, err := time.Parse(time.RFC3339, in.TimeExpire); err != nil {
			return ParamError("/time_expire", "time_expire must be an RFC 3339 time, such as 2026-06-08T10:34:56+08:00.")
		}
	}
	return nil
}

// hasControl reports C0/C1 control characters, DEL, invalid UTF-8, and
// the bidi controls and line/paragraph separators that would let a field
// break or disguise a bill line.
func hasControl(v string) bool {
	if !utf8.ValidString(v) {
		return true
	}
	for _, r := range v {
		switch {
		case r < 0x20, r >= 0x7f && r < 0xa0:
			return true
		case r == 0x2028, r == 0x2029, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f:
			return true
		}
	}
	return false
}

func (s *Service) orderByOutTradeNo(ctx context.Context, mchid, no string) (Order, error) {
	o, err := scanOrder(s.db.QueryRow(ctx, selectOrderByOutTradeNo, mchid, no))
	if errors.Is(err, sql.ErrNoRows) {
		return o, errOrderNotExist
	}
	return o, err
}

// CloseOrder closes an unpaid order (closing it again does nothing).
func (s *Service) CloseOrder(ctx context.Context, m Merchant, outTradeNo string) error {
	o, err := s.orderByOutTradeNo(ctx, m.MchID, outTradeNo)
	if err != nil {
		return err
	}
	switch s.state(o) {
	case StateSuccess, StateRefund:
		return Refusal(400, "ORDER_PAID", "Order %s is paid; refund it instead.", outTradeNo)
	}
	res, err := s.db.Exec(ctx, closeOrder, o.TransactionID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		// Closed already, or paid since it was read: look again.
		if o, err = s.orderByOutTradeNo(ctx, m.MchID, outTradeNo); err != nil {
			return err
		}
		if st := s.state(o); st == StateSuccess || st == StateRefund {
			return Refusal(400, "ORDER_PAID", "Order %s is paid; refund it instead.", outTradeNo)
		}
	}
	return nil
}

// TransactionByID is merchant m's order by transaction_id, as the v3
// transaction object. Errors: ORDER_NOT_EXIST (also for another
// merchant's order, and for a failed read).
func (s *Service) TransactionByID(ctx context.Context, m Merchant, id string) (Transaction, error) {
	o, err := s.orderBy(ctx, selectOrderByTransactionID, id)
	if err != nil || o.MchID != m.MchID {
		return Transaction{}, errOrderNotExist
	}
	return s.transaction(o), nil
}

// TransactionByOutTradeNo is merchant m's order by out_trade_no, as the
// v3 transaction object. Errors: ORDER_NOT_EXIST.
func (s *Service) TransactionByOutTradeNo(ctx context.Context, m Merchant, no string) (Transaction, error) {
	o, err := s.orderByOutTradeNo(ctx, m.MchID, no)
	if err != nil {
		return Transaction{}, err
	}
	return s.transaction(o), nil
}

// Transaction is the v3 transaction object.
type Transaction struct {
	AppID           string `json:"appid"`
	MchID           string `json:"mchid"`
	OutTradeNo      string `json:"out_trade_no"`
	TransactionID   string `json:"transaction_id,omitempty"`
	TradeType       string `json:"trade_type"`
	TradeState      string `json:"trade_state"`
	TradeStateDesc  string `json:"trade_state_desc"`
	BankType        string `json:"bank_type,omitempty"`
	Attach          string `json:"attach"`
	SuccessTime     string `json:"success_time,omitempty"`
	Payer           *payer `json:"payer,omitempty"`
	Amount          amount `json:"amount"`
	PromotionDetail []any  `json:"promotion_detail"`
}

type payer struct {
	OpenID string `json:"openid"`
}

type amount struct {
	Total         int64  `json:"total"`
	PayerTotal    int64  `json:"payer_total"`
	Currency      string `json:"currency"`
	PayerCurrency string `json:"payer_currency"`
}

var stateDesc = map[string]string{
	StateNotPay: "未支付", StateSuccess: "支付成功", StateClosed: "已关闭", StateRefund: "转入退款",
}

func (s *Service) transaction(o Order) Transaction {
	st := s.state(o)
	t := Transaction{AppID: o.AppID, MchID: o.MchID, OutTradeNo: o.OutTradeNo, TradeType: o.TradeType, TradeState: st,
		TradeStateDesc: stateDesc[st], Attach: o.Attach, Amount: amount{Total: o.Total, Currency: o.Currency, PayerCurrency: o.Currency},
		PromotionDetail: []any{}}
	if st == StateSuccess || st == StateRefund {
		t.TransactionID, t.BankType = o.TransactionID, "OTHERS"
		t.Amount.PayerTotal = o.Total
		t.Payer = &payer{OpenID: o.PayerOpenID}
		if o.SuccessTime != nil {
			t.SuccessTime = o.SuccessTime.In(chinaTime).Format(time.RFC3339)
		}
	}
	return t
}

var chinaTime = time.FixedZone("CST", 8*3600)
