package router

import (
	"testing"

	"vitess.io/vitess/go/vt/sqlparser"
)

// TestDecimalLiteral: a DECIMAL argument is bound as the decimal literal
// when its digits are one, or are one with an exponent (Ruby's BigDecimal
// sends 0.15e1), as the server reads it, and as a string otherwise; as a
// key, it is its string.
func TestDecimalLiteral(t *testing.T) {
	for in, want := range map[Decimal]string{
		"1.50": "1.50", "-2": "-2", ".5": ".5", "7.": "7.", "0": "0",
		"1e5": "100000", "0.15e1": "1.5", "-0.15E+1": "-1.5", "1.50e0": "1.50", "0.1e-29": "0.000000000000000000000000000001",
		"0.99999999999999999999999999999999999995e35": "99999999999999999999999999999999999.995", "12e-2": "0.12", "+0.5e1": "5",
		"1e-39": "'1e-39'", "+-1e1": "'+-1e1'", "1e+-2": "'1e+-2'", "9e70": "'9e70'", "e5": "'e5'", "1e": "'1e'", "1e5x": "'1e5x'",
		"": "''", "-": "'-'", ".": "'.'", "+1": "'+1'", "1.2.3": "'1.2.3'", "1 ": "'1 '",
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

// TestTypedNullLiteral: a NULL parameter sent with a type is bound as a
// CAST of NULL to it, which the server types as it types the parameter.
func TestTypedNullLiteral(t *testing.T) {
	for in, want := range map[TypedNull]string{
		NullString: "cast(null as char)", NullBinary: "cast(null as binary)", NullDouble: "null + 0e0",
		NullSigned: "cast(null as signed)", NullUnsigned: "cast(null as unsigned)", 0: "null", 99: "null",
	} {
		lit, err := literal(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := sqlparser.String(lit); got != want {
			t.Errorf("%d: bound as %s, want %s", in, got, want)
		}
	}
}
