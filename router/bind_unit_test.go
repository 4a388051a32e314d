package router

import (
	"testing"

	"vitess.io/vitess/go/vt/sqlparser"
)

// TestDecimalLiteral: a DECIMAL argument is bound as the decimal literal
// when its digits are one, and as a string otherwise; as a key, it is its
// string.
func TestDecimalLiteral(t *testing.T) {
	for in, want := range map[Decimal]string{
		"1.50": "1.50", "-2": "-2", ".5": ".5", "7.": "7.", "0": "0",
		"1e5": "'1e5'", "": "''", "-": "'-'", ".": "'.'", "+1": "'+1'", "1.2.3": "'1.2.3'", "1 ": "'1 '",
	} {
		lit, err := literal(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := sqlparser.String(lit); got != want {
			t.Errorf("%q: bound as %s, want %s", in, got, want)
		}
	}
	v, ok, err := exprValue(sqlparser.NewArgument("v1"), []any{Decimal("12.0")})
	if err != nil || !ok || v != "12.0" {
		t.Errorf("key value of DECIMAL 12.0: %v, %v, %v", v, ok, err)
	}
}
