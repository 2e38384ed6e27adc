package pay

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The history statements have one placeholder per wallet currency in each
// IN list, then the payee twice (reviews, acceptances), the cursor and
// limit (or, first, the id).
func TestHistoryStatementsFitTheCurrencies(t *testing.T) {
	if got, want := strings.Count(selectHistoryPage, "?"), 2*len(walletCurrencies)+5; got != want {
		t.Fatalf("selectHistoryPage has %d placeholders, want %d", got, want)
	}
	if got, want := strings.Count(selectUserTransaction, "?"), 2*len(walletCurrencies)+3; got != want {
		t.Fatalf("selectUserTransaction has %d placeholders, want %d", got, want)
	}
	// A currency added to money.go needs its placeholders here too.
	if len(walletCurrencies) != len(currencyList) {
		t.Fatalf("history lists wallets in %v; pay holds %d currencies", walletCurrencies, len(currencyList))
	}
	for _, c := range walletCurrencies {
		if _, ok := currencies[c]; !ok {
			t.Fatalf("wallet currency %s is not a currency pay holds", c)
		}
	}
}

// SQL lives in store.go only: no other file of the package (tests aside)
// holds a string literal that reads as a statement.
func TestSQLOnlyInStore(t *testing.T) {
	statement := regexp.MustCompile(`(?i)^\s*(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|SAVEPOINT|ALTER\s|CREATE\s)`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if name == "store.go" || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil && statement.MatchString(strings.ReplaceAll(s, "\n", " ")) {
				t.Errorf("%s: SQL outside store.go: %.60s", fset.Position(lit.Pos()), s)
			}
			return true
		})
	}
}
