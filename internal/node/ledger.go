package node

import (
	"context"

	"github.com/plaza-dev/plaza/internal/merchant"
	"github.com/plaza-dev/plaza/internal/pay"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// payLedger is pay's Service as the merchant component's Ledger: the same
// four methods, with merchant's own value types (merchant never imports
// pay).
type payLedger struct{ pay *pay.Service }

var _ merchant.Ledger = payLedger{}

func (l payLedger) Charge(ctx context.Context, payerID, pin, mchid, mchName string, m merchant.Money, reference, note string,
	within func(tx *sqldb.Tx, transferID string) error) (merchant.Payment, error) {
	t, err := l.pay.Charge(ctx, payerID, pin, mchid, mchName, pay.Money(m), reference, note, within)
	return payment(t), err
}

func (l payLedger) RefundPayment(ctx context.Context, mchid, payerID string, m merchant.Money, reference, key string,
	within func(tx *sqldb.Tx, transferID string) error) error {
	return l.pay.RefundPayment(ctx, mchid, payerID, pay.Money(m), reference, key, within)
}

func (l payLedger) MerchantBalance(ctx context.Context, mchid, currency string) (int64, error) {
	return l.pay.MerchantBalance(ctx, mchid, currency)
}

func (l payLedger) Transaction(ctx context.Context, userID, id string) (merchant.Payment, error) {
	t, err := l.pay.Transaction(ctx, userID, id)
	return payment(t), err
}

// payment is a ledger transaction in merchant's type, field for field.
func payment(t pay.Transaction) merchant.Payment {
	p := merchant.Payment{ID: t.ID, Kind: t.Kind, Amount: t.Amount, Currency: t.Currency, Direction: t.Direction,
		Note: t.Note, Status: t.Status, Reference: t.Reference, CreatedAt: t.CreatedAt}
	if t.Counterparty != nil {
		c := merchant.Counterparty(*t.Counterparty)
		p.Counterparty = &c
	}
	return p
}
