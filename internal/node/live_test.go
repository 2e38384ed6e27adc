package node

import (
	"testing"

	"github.com/plaza-dev/plaza/internal/live"
	"github.com/plaza-dev/plaza/internal/merchant"
)

// live hears of payments on merchant's subject without importing it.
func TestLivePaymentSubject(t *testing.T) {
	if live.PaymentSubject != merchant.PaymentSucceededSubject {
		t.Fatalf("live listens on %q, merchant publishes on %q", live.PaymentSubject, merchant.PaymentSucceededSubject)
	}
}
