package node_test

import (
	"testing"

	"github.com/plaza-dev/plaza/internal/merchant"
	"github.com/plaza-dev/plaza/internal/pay"
)

// merchant keeps its own copies of the ledger's limit and refusal code
// (it must not import pay); they must not drift from pay's.
func TestMerchantLedgerCopiesMatchPay(t *testing.T) {
	if merchant.MaxAmount != pay.MaxAmount {
		t.Fatalf("merchant.MaxAmount %d, pay.MaxAmount %d", merchant.MaxAmount, pay.MaxAmount)
	}
	if merchant.InsufficientFunds != pay.InsufficientFunds {
		t.Fatalf("merchant.InsufficientFunds %q, pay.InsufficientFunds %q", merchant.InsufficientFunds, pay.InsufficientFunds)
	}
}
