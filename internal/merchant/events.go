package merchant

import (
	"context"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/outbox"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Bus subjects of the merchant component's facts. Both are written to the
// platform outbox (outbox.Add) inside the transaction that makes the
// change, so that a committed payment or refund is never lost to its
// subscribers; the relay publishes them at least once, and consumers must
// be idempotent (key on TransactionID or RefundID).
const (
	// PaymentSucceededSubject: an order was paid (PaymentSucceeded).
	PaymentSucceededSubject = "events.merchant.payment_succeeded"
	// RefundSucceededSubject: a refund of a paid order succeeded
	// (RefundSucceeded).
	RefundSucceededSubject = "events.merchant.refund_succeeded"
)

// PaymentSucceeded is the payload of PaymentSucceededSubject.
type PaymentSucceeded struct {
	TransactionID string `json:"transaction_id"`
	PrepayID      string `json:"prepay_id"`
	MchID         string `json:"mchid"`
	AppID         string `json:"appid"`
	OutTradeNo    string `json:"out_trade_no"`
	TradeType     string `json:"trade_type"`
	Amount        int64  `json:"amount"`
	Currency      string `json:"currency"`
	PayerUserID   string `json:"payer_user_id"`
	// TransferID is the ledger transfer that moved the money.
	TransferID string    `json:"transfer_id"`
	At         time.Time `json:"at"`
}

// RefundSucceeded is the payload of RefundSucceededSubject.
type RefundSucceeded struct {
	RefundID      string `json:"refund_id"`
	OutRefundNo   string `json:"out_refund_no"`
	TransactionID string `json:"transaction_id"`
	MchID         string `json:"mchid"`
	AppID         string `json:"appid"`
	OutTradeNo    string `json:"out_trade_no"`
	// Amount is this refund's, in Currency (the order's).
	Amount      int64  `json:"amount"`
	Currency    string `json:"currency"`
	PayerUserID string `json:"payer_user_id"`
	// TransferID is the ledger transfer that moved the money back.
	TransferID string    `json:"transfer_id"`
	At         time.Time `json:"at"`
}

// addEvent writes one of these events to the platform outbox inside tx.
func addEvent(ctx context.Context, tx *sqldb.Tx, subject string, payload any) error {
	return outbox.Add(ctx, tx, subject, payload)
}
