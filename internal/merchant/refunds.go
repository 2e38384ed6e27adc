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
	"time"
	"unicode/utf8"

	"github.com/plaza-dev/plaza/internal/pay"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// RefundRequest is the body of POST /v3/refund/domestic/refunds.
type RefundRequest struct {
	TransactionID string `json:"transaction_id,omitempty"`
	OutTradeNo    string `json:"out_trade_no,omitempty"`
	OutRefundNo   string `json:"out_refund_no"`
	Reason        string `json:"reason,omitempty"`
	NotifyURL     string `json:"notify_url,omitempty"`
	FundsAccount  string `json:"funds_account,omitempty"`
	Amount        struct {
		Refund   int64  `json:"refund"`
		Total    int64  `json:"total"`
		Currency string `json:"currency"`
	} `json:"amount"`
}

// Refund is the v3 refund object.
type Refund struct {
	RefundID            string       `json:"refund_id"`
	OutRefundNo         string       `json:"out_refund_no"`
	TransactionID       string       `json:"transaction_id"`
	OutTradeNo          string       `json:"out_trade_no"`
	Channel             string       `json:"channel"`
	UserReceivedAccount string       `json:"user_received_account"`
	SuccessTime         string       `json:"success_time,omitempty"`
	CreateTime          string       `json:"create_time"`
	Status              string       `json:"status"`
	FundsAccount        string       `json:"funds_account"`
	Amount              refundAmount `json:"amount"`
	PromotionDetail     []any        `json:"promotion_detail"`
}

type refundAmount struct {
	Total            int64  `json:"total"`
	Refund           int64  `json:"refund"`
	From             []any  `json:"from"`
	PayerTotal       int64  `json:"payer_total"`
	PayerRefund      int64  `json:"payer_refund"`
	SettlementRefund int64  `json:"settlement_refund"`
	SettlementTotal  int64  `json:"settlement_total"`
	DiscountRefund   int64  `json:"discount_refund"`
	Currency         string `json:"currency"`
	RefundFee        int64  `json:"refund_fee"`
}

type refundRow struct {
	RefundID, MchID, OutRefundNo, TransactionID string
	Amount                                      int64
	Reason, NotifyURL, Status, RequestHash      string
	CreatedAt                                   time.Time
	SuccessTime                                 *time.Time
}

const (
	refundColumns = `refund_id, mchid, out_refund_no, transaction_id, amount, reason, notify_url, status, request_hash, created_at, success_time`
	insertRefund  = `INSERT INTO refunds (` + refundColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	addRefunded   = `UPDATE orders SET refunded = refunded + ?, trade_state = 'REFUND' WHERE transaction_id = ? AND refunded + ? <= total`
)

func scanRefund(row interface{ Scan(...any) error }) (refundRow, error) {
	var r refundRow
	var created int64
	var success sql.NullInt64
	err := row.Scan(&r.RefundID, &r.MchID, &r.OutRefundNo, &r.TransactionID, &r.Amount, &r.Reason, &r.NotifyURL, &r.Status, &r.RequestHash, &created, &success)
	r.CreatedAt = sqldb.FromMicro(created)
	if success.Valid {
		t := sqldb.FromMicro(success.Int64)
		r.SuccessTime = &t
	}
	return r, err
}

func (s *Service) refundByNo(ctx context.Context, q sqldb.Querier, mchid, no string) (refundRow, error) {
	r, err := scanRefund(q.QueryRow(ctx, `SELECT `+refundColumns+` FROM refunds WHERE mchid = ? AND out_refund_no = ?`, mchid, no))
	if errors.Is(err, sql.ErrNoRows) {
		return r, errResource
	}
	return r, err
}

// CreateRefund refunds part or all of a paid order, idempotently by
// out_refund_no; several refunds may add up to what was paid, never more.
func (s *Service) CreateRefund(ctx context.Context, m Merchant, raw []byte) (Refund, error) {
	var in RefundRequest
	if err := json.Unmarshal(raw, &in); err != nil {
		return Refund{}, paramError("/body", "The body is not a valid refund: %v", err)
	}
	switch {
	case !outRefundNoRe.MatchString(in.OutRefundNo):
		return Refund{}, paramError("/out_refund_no", "out_refund_no has 1 to 64 of 0-9 A-Z a-z _ - | * @.")
	case in.TransactionID == "" && in.OutTradeNo == "":
		return Refund{}, paramError("/transaction_id", "Give transaction_id or out_trade_no.")
	case in.Amount.Refund <= 0 || in.Amount.Total <= 0:
		return Refund{}, paramError("/amount/refund", "amount.refund and amount.total are whole numbers of fen, more than 0.")
	case utf8.RuneCountInString(in.Reason) > 80:
		return Refund{}, paramError("/reason", "reason has at most 80 characters.")
	}
	if in.NotifyURL != "" { // without one, the order's is used
		if err := s.checkNotifyURL("/notify_url", in.NotifyURL); err != nil { // notify.go
			return Refund{}, err
		}
	}
	var o orderRow
	var err error
	if in.TransactionID != "" {
		o, err = s.orderBy(ctx, s.db, "transaction_id", in.TransactionID)
	} else {
		o, err = s.orderByOutTradeNo(ctx, m.MchID, in.OutTradeNo)
	}
	if err != nil || o.MchID != m.MchID {
		return Refund{}, errResource
	}
	canon, _ := json.Marshal(in)
	sum := sha256.Sum256(canon)
	hash := hex.EncodeToString(sum[:])
	if prior, err := s.refundByNo(ctx, s.db, m.MchID, in.OutRefundNo); err == nil {
		if prior.RequestHash != hash {
			return Refund{}, v3err(400, "INVALID_REQUEST", "out_refund_no %s was used for another refund.", in.OutRefundNo)
		}
		return s.refundView(prior, o), nil
	}
	switch {
	case o.TradeState != StateSuccess && o.TradeState != StateRefund:
		return Refund{}, v3err(400, "INVALID_REQUEST", "Order %s is not paid (%s).", o.OutTradeNo, s.state(o))
	case in.Amount.Total != o.Total:
		return Refund{}, paramError("/amount/total", "amount.total %d is not the order's total %d.", in.Amount.Total, o.Total)
	case in.Amount.Currency != "" && in.Amount.Currency != o.Currency:
		return Refund{}, paramError("/amount/currency", "The order was paid in %s.", o.Currency)
	case in.Amount.Refund > o.Total-o.Refunded:
		return Refund{}, v3err(400, "INVALID_REQUEST", "The refund %d is more than the %d still refundable.", in.Amount.Refund, o.Total-o.Refunded)
	}
	now := s.now()
	r := refundRow{RefundID: fmt.Sprintf("5030%s%016d", now.UTC().Format("20060102"), rand.Int64N(1e16)), MchID: m.MchID,
		OutRefundNo: in.OutRefundNo, TransactionID: o.TransactionID, Amount: in.Amount.Refund, Reason: in.Reason,
		NotifyURL: in.NotifyURL, Status: "SUCCESS", RequestHash: hash, CreatedAt: now, SuccessTime: &now}
	if r.NotifyURL == "" {
		r.NotifyURL = o.NotifyURL
	}
	err = s.pay.RefundPayment(ctx, m.MchID, o.PayerUserID, pay.Money{Amount: r.Amount, Currency: o.Currency}, o.TransactionID,
		m.MchID+":"+r.OutRefundNo, func(tx *sqldb.Tx, _ string) error {
			res, err := tx.Exec(ctx, addRefunded, r.Amount, o.TransactionID, r.Amount)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return v3err(400, "INVALID_REQUEST", "The refund is more than what is still refundable.")
			}
			if _, err := tx.Exec(ctx, insertRefund, r.RefundID, r.MchID, r.OutRefundNo, r.TransactionID, r.Amount, r.Reason,
				r.NotifyURL, r.Status, r.RequestHash, sqldb.Micro(now), sqldb.Micro(now)); err != nil {
				return err
			}
			return s.enqueue(ctx, tx, m, r.NotifyURL, "REFUND.SUCCESS", "refund", "退款成功", r.RefundID, map[string]any{
				"mchid": m.MchID, "transaction_id": o.TransactionID, "out_trade_no": o.OutTradeNo, "refund_id": r.RefundID,
				"out_refund_no": r.OutRefundNo, "refund_status": "SUCCESS", "success_time": now.In(chinaTime).Format(time.RFC3339),
				"user_received_account": "Plaza Pay wallet",
				"amount":                map[string]int64{"total": o.Total, "refund": r.Amount, "payer_total": o.Total, "payer_refund": r.Amount},
			})
		})
	if errs.Is(err, pay.InsufficientFunds) {
		return Refund{}, v3err(403, "NOT_ENOUGH", "The merchant's balance is too low for this refund.")
	}
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) {
			return Refund{}, ae
		}
		if sqldb.IsUniqueViolation(err) { // a concurrent twin won: answer with it
			prior, perr := s.refundByNo(ctx, s.db, m.MchID, in.OutRefundNo)
			if perr == nil && prior.RequestHash == hash {
				return s.refundView(prior, o), nil
			}
			if perr == nil { // the twin was another refund
				return Refund{}, v3err(400, "INVALID_REQUEST", "out_refund_no %s was used for another refund.", in.OutRefundNo)
			}
		}
		return Refund{}, err
	}
	return s.refundView(r, o), nil
}

// QueryRefund is a merchant's refund by out_refund_no.
func (s *Service) QueryRefund(ctx context.Context, m Merchant, no string) (Refund, error) {
	r, err := s.refundByNo(ctx, s.db, m.MchID, no)
	if err != nil {
		return Refund{}, err
	}
	o, err := s.orderBy(ctx, s.db, "transaction_id", r.TransactionID)
	if err != nil {
		return Refund{}, err
	}
	return s.refundView(r, o), nil
}

func (s *Service) refundView(r refundRow, o orderRow) Refund {
	v := Refund{RefundID: r.RefundID, OutRefundNo: r.OutRefundNo, TransactionID: o.TransactionID, OutTradeNo: o.OutTradeNo,
		Channel: "ORIGINAL", UserReceivedAccount: "Plaza Pay wallet", CreateTime: r.CreatedAt.In(chinaTime).Format(time.RFC3339),
		Status: r.Status, FundsAccount: "AVAILABLE", PromotionDetail: []any{},
		Amount: refundAmount{Total: o.Total, Refund: r.Amount, From: []any{}, PayerTotal: o.Total, PayerRefund: r.Amount,
			SettlementRefund: r.Amount, SettlementTotal: o.Total, Currency: o.Currency}}
	if r.SuccessTime != nil {
		v.SuccessTime = r.SuccessTime.In(chinaTime).Format(time.RFC3339)
	}
	return v
}
