package pay_test

import (
	"strings"
	"testing"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	paysvc "github.com/plaza-dev/plaza/internal/pay" // "pay" is api_test.go's helper
)

// GET /api/v1/pay/currencies answers anyone, signed in or not, with every
// currency Plaza Pay holds and its limits: the list the client uses.
func TestCurrenciesEndpoint(t *testing.T) {
	t.Parallel()
	want := `{"currencies":[` +
		`{"code":"CNY","minor_units":2,"symbol":"¥","max_amount":1000000000},` +
		`{"code":"USD","minor_units":2,"symbol":"$","max_amount":1000000000},` +
		`{"code":"EUR","minor_units":2,"symbol":"€","max_amount":1000000000},` +
		`{"code":"HKD","minor_units":2,"symbol":"HK$","max_amount":1000000000}]}`
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		for _, tc := range []struct {
			name   string
			client *nodetest.Client
		}{
			{"signed_out", nodetest.NewClient(n.URL())},
			{"signed_in", nodetest.Signup(t, n.URL(), "cora")},
		} {
			r := tc.client.Do(t, "GET", "/api/v1/pay/currencies", nil)
			if r.Status != 200 {
				t.Fatalf("%s: %d %s", tc.name, r.Status, r.Body)
			}
			if got := strings.TrimSpace(string(r.Body)); got != want {
				t.Errorf("%s: body %s, want %s", tc.name, got, want)
			}
		}
		// The endpoint's limit is the one the server enforces.
		c := wallet(t, n, "cyrus", 0)
		max := paysvc.Currencies()[0].MaxAmount
		if r := pay(t, c, "/api/v1/wallet/topups", map[string]any{"amount": max + 1, "currency": "CNY"}); r.Code() != "invalid_argument" {
			t.Errorf("top-up of max_amount+1: %d %s, want invalid_argument", r.Status, r.Body)
		}
		if r := pay(t, c, "/api/v1/wallet/topups", map[string]any{"amount": 100, "currency": "JPY"}); r.Code() != "invalid_argument" {
			t.Errorf("top-up in a currency not listed: %d %s, want invalid_argument", r.Status, r.Body)
		}
	})
}

// Currencies is a copy: changing it changes nothing the service enforces.
func TestCurrenciesIsACopy(t *testing.T) {
	t.Parallel()
	c := paysvc.Currencies()
	c[0].MaxAmount = 1
	if got := paysvc.Currencies()[0].MaxAmount; got != paysvc.MaxAmount {
		t.Fatalf("max_amount after changing a copy: %d, want %d", got, paysvc.MaxAmount)
	}
}
