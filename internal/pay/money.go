package pay

import (
	"fmt"
	"strings"

	"github.com/plaza-dev/plaza/internal/platform/errs"
)

// currencies are the ISO 4217 currencies Plaza Pay holds, with their minor
// unit digits and symbols.
var currencies = map[string]struct {
	digits int
	symbol string
}{
	"CNY": {2, "¥"}, "USD": {2, "$"}, "EUR": {2, "€"}, "HKD": {2, "HK$"},
}

// MaxAmount bounds one movement: 10,000,000.00 in any currency, far from
// int64's edge, so sums of many can never overflow.
const MaxAmount = 1_000_000_000

// checkMoney validates an amount a client sent. Errors: invalid_argument.
func checkMoney(field string, amount int64, currency string) (string, error) {
	cur := strings.ToUpper(strings.TrimSpace(currency))
	if _, ok := currencies[cur]; !ok {
		return "", errs.Field("currency", "Currency %q is not one Plaza Pay holds (CNY, USD, EUR, HKD).", currency)
	}
	if amount <= 0 {
		return "", errs.Field(field, "The amount must be more than zero, in minor units (1234 is 12.34).")
	}
	if amount > MaxAmount {
		return "", errs.Field(field, "The amount is more than %s, the most one payment may move.", Format(MaxAmount, cur))
	}
	return cur, nil
}

// Format renders an amount for people: ¥12.34.
func Format(amount int64, currency string) string {
	c := currencies[currency]
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	return fmt.Sprintf("%s%s%d.%02d", sign, c.symbol, amount/100, amount%100)
}
