package pay

import (
	"fmt"
	"strings"

	"github.com/plaza-dev/plaza/internal/platform/errs"
)

// Currency is one ISO 4217 currency Plaza Pay holds, as
// GET /api/v1/pay/currencies serves it: the client formats, parses and
// limits amounts with these and keeps no list of its own.
type Currency struct {
	Code       string `json:"code"`
	MinorUnits int    `json:"minor_units"` // digits after the decimal point
	Symbol     string `json:"symbol"`
	MaxAmount  int64  `json:"max_amount"` // the most one movement may move, in minor units
}

// MaxAmount bounds one movement: 10,000,000.00 in any currency, far from
// int64's edge, so sums of many can never overflow.
const MaxAmount = 1_000_000_000

// currencyList is every currency Plaza Pay holds, in the order the client
// offers them (the first is the default).
var currencyList = []Currency{
	{Code: "CNY", MinorUnits: 2, Symbol: "¥", MaxAmount: MaxAmount},
	{Code: "USD", MinorUnits: 2, Symbol: "$", MaxAmount: MaxAmount},
	{Code: "EUR", MinorUnits: 2, Symbol: "€", MaxAmount: MaxAmount},
	{Code: "HKD", MinorUnits: 2, Symbol: "HK$", MaxAmount: MaxAmount},
}

// currencies looks a code up in currencyList.
var currencies = func() map[string]Currency {
	m := make(map[string]Currency, len(currencyList))
	for _, c := range currencyList {
		m[c.Code] = c
	}
	return m
}()

// Currencies is every currency Plaza Pay holds with its limits (a copy).
func Currencies() []Currency { return append([]Currency(nil), currencyList...) }

// checkMoney validates an amount a client sent. Errors: invalid_argument.
func checkMoney(field string, amount int64, currency string) (string, error) {
	cur := strings.ToUpper(strings.TrimSpace(currency))
	c, ok := currencies[cur]
	if !ok {
		codes := make([]string, len(currencyList))
		for i, c := range currencyList {
			codes[i] = c.Code
		}
		return "", errs.Field("currency", "Currency %q is not one Plaza Pay holds (%s).", currency, strings.Join(codes, ", "))
	}
	if amount <= 0 {
		return "", errs.Field(field, "The amount must be more than zero, in minor units (1234 is 12.34).")
	}
	if amount > c.MaxAmount {
		return "", errs.Field(field, "The amount is more than %s, the most one payment may move.", Format(c.MaxAmount, cur))
	}
	return cur, nil
}

// Format renders an amount for people: ¥12.34.
func Format(amount int64, currency string) string {
	c, ok := currencies[currency]
	if !ok {
		c.MinorUnits = 2 // an unknown code: no symbol, two decimals
	}
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	if c.MinorUnits == 0 {
		return fmt.Sprintf("%s%s%d", sign, c.Symbol, amount)
	}
	unit := int64(1)
	for range c.MinorUnits {
		unit *= 10
	}
	return fmt.Sprintf("%s%s%d.%0*d", sign, c.Symbol, amount/unit, c.MinorUnits, amount%unit)
}
