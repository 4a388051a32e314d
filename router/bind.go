package router

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
	"time"

	"vitess.io/vitess/go/vt/sqlparser"
)

// bindArgs returns a copy of ast with every ? placeholder (which the parser
// names :v1, :v2, …) replaced by its argument as a SQL literal. Rewritten
// per-shard statements are sent as text, so they carry their values.
func bindArgs(ast sqlparser.Statement, args []any) (sqlparser.Statement, error) {
	out := sqlparser.CloneStatement(ast)
	if len(args) == 0 {
		return out, nil
	}
	var err error
	res := sqlparser.Rewrite(out, func(c *sqlparser.Cursor) bool {
		if ae, ok := c.Node().(*sqlparser.AliasedExpr); ok && ae.As.IsEmpty() {
			if _, ok := ae.Expr.(*sqlparser.Argument); ok {
				ae.As = sqlparser.NewIdentifierCI("?") // the server's name for it
			}
		}
		a, ok := c.Node().(*sqlparser.Argument)
		if !ok || err != nil {
			return err == nil
		}
		v, e := argValue(a, args)
		if e != nil {
			err = e
			return false
		}
		_, inLimit := c.Parent().(*sqlparser.Limit)
		if inLimit {
			// A LIMIT takes a string that holds a number, as the server
			// takes a bound string there.
			if s, ok := v.(string); ok {
				if n, perr := strconv.ParseUint(strings.TrimSpace(s), 10, 64); perr == nil {
					v = n
				}
			}
		}
		if u, ok := v.(uint64); ok && !inLimit && u < 1<<63 {
			// An unsigned parameter is a BIGINT UNSIGNED to the server
			// (0 - 1 is out of its range), where the literal 0 is signed:
			// n | 0 is n as one. (A LIMIT takes only a literal; past 2^63
			// the literal is unsigned.)
			c.Replace(bitOrZero(strconv.FormatUint(u, 10)))
			return true
		}
		lit, e := literal(v)
		if e != nil {
			err = e
			return false
		}
		c.Replace(lit)
		return true
	}, nil)
	if err != nil {
		return nil, err
	}
	return res.(sqlparser.Statement), nil
}

// argValue returns the argument a placeholder stands for.
func argValue(a *sqlparser.Argument, args []any) (any, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(a.Name, "v"))
	if err != nil || n < 1 || n > len(args) {
		return nil, fmt.Errorf("router: placeholder :%s has no argument (%d given)", a.Name, len(args))
	}
	v := args[n-1]
	switch t := v.(type) {
	case Temporal, Decimal, TypedNull, Binary:
		return t, nil // typed, not its Value
	}
	if valuer, ok := v.(driver.Valuer); ok {
		return valuer.Value()
	}
	return v, nil
}

// Temporal is a DATE, DATETIME or TIME argument as a client of the binary
// protocol sends one (a parameter of the proxy's prepared statements). The
// router binds it as the typed literal (DATE'2024-01-05'), which the
// server reads as it reads the parameter: compared with a number, a DATE
// is the number 20240105, where the string '2024-01-05' would be 2024. It
// is no shard key's value: a read it would pin goes to every shard, and a
// write or an insert by it is refused as one without a key.
type Temporal struct {
	Kind TemporalKind
	// Text is the literal's string: 2024-01-05, 2024-01-05 12:34:56.000123
	// or -838:59:59.
	Text string
}

// Value is the literal's string, for a statement the router cannot parse
// and leaves the driver to bind.
func (t Temporal) Value() (driver.Value, error) { return t.Text, nil }

// Decimal is a DECIMAL argument as a client of the binary protocol sends
// one, its digits (-1.50). The router binds it as the decimal literal,
// which the server reads as it reads the parameter: as a DECIMAL, where
// the string '1.50' compares with a string column as a string, and
// multiplied makes a DOUBLE. As a shard key's value it is its string, as
// before. Digits that are no decimal literal are bound as the string.
type Decimal string

// Value is the decimal's digits, for a statement the router cannot parse
// and leaves the driver to bind.
func (d Decimal) Value() (driver.Value, error) { return string(d), nil }

// decimalDigits reports whether s is a decimal literal: an optional minus,
// digits, and a point with digits after it or before it.
func decimalDigits(s string) bool {
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" {
		return false
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// plainDecimal writes a DECIMAL parameter's text as a decimal literal:
// as it is when it is one, and without its exponent when it has one (Ruby
// sends a BigDecimal as 0.15e1, which the server reads as the DECIMAL
// 1.5, with as many decimals as the digits after the point less the
// exponent). A value past DECIMAL's 65 digits or 38 decimals, or one
// that is not a number, is not written.
func plainDecimal(s string) (string, bool) {
	if decimalDigits(s) {
		return s, true
	}
	mant, exp, ok := strings.Cut(strings.ToLower(s), "e")
	if !ok || strings.HasPrefix(mant, "+-") || strings.HasPrefix(exp, "+-") || !decimalDigits(strings.TrimPrefix(mant, "+")) {
		return "", false
	}
	e, err := strconv.Atoi(strings.TrimPrefix(exp, "+"))
	if err != nil || e < -maxDecimalDigits || e > maxDecimalDigits {
		return "", false
	}
	mant = strings.TrimPrefix(mant, "+")
	neg := strings.HasPrefix(mant, "-")
	whole, frac, _ := strings.Cut(strings.TrimPrefix(mant, "-"), ".")
	digits := whole + frac
	point := len(whole) + e // where the point goes in digits
	if point > len(digits) {
		digits += strings.Repeat("0", point-len(digits))
	}
	if point < 0 {
		digits, point = strings.Repeat("0", -point)+digits, 0
	}
	whole, frac = strings.TrimLeft(digits[:point], "0"), digits[point:]
	if whole == "" {
		whole = "0"
	}
	if len(frac) > maxDecimalScale || len(whole)+len(frac) > maxDecimalDigits {
		return "", false
	}
	out := whole
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out, true
}

// Binary is a binary string parameter as a client of the binary protocol
// sends one (a BLOB, BINARY or VARBINARY parameter: PHP's "b", JDBC's
// setBytes, a Node.js Buffer), which the server reads as a string of the
// binary character set: compared byte by byte, and a BLOB in a result.
// The router binds it as _binary'…', where a []byte argument, as
// go-sql-driver sends one to a prepared statement, is text of the
// connection's character set. As a shard key's value it is its bytes.
type Binary []byte

// TypedNull is a NULL parameter sent with a type that the server reads
// as a NULL of that type (PHP's bind_param("s", $null) sends a string's,
// bind_param("d", $null) a DOUBLE's): COALESCE(?, 1) is then the string
// '1' or the DOUBLE 1, where COALESCE(NULL, 1) is the integer. The router
// binds it as a CAST of NULL to the type.
type TypedNull int

// The types of a TypedNull.
const (
	NullString   TypedNull = iota + 1 // CAST(NULL AS CHAR)
	NullBinary                        // CAST(NULL AS BINARY): a BLOB's
	NullDouble                        // NULL + 0e0: a FLOAT's or DOUBLE's
	NullSigned                        // CAST(NULL AS SIGNED): an integer's (a BIGINT)
	NullUnsigned                      // CAST(NULL AS UNSIGNED): an unsigned integer's
)

var nullCasts = [...]string{NullString: "char", NullBinary: "binary", NullSigned: "signed", NullUnsigned: "unsigned"}

// Value is NULL, for a statement the router cannot parse and leaves the
// driver to bind.
func (TypedNull) Value() (driver.Value, error) { return nil, nil }

// TemporalKind is the type of a Temporal: its literal's keyword.
type TemporalKind int

const (
	Date     TemporalKind = iota // DATE'…'
	DateTime                     // TIMESTAMP'…', a DATETIME or TIMESTAMP parameter
	Time                         // TIME'…'
)

// literal turns a Go value into a SQL literal expression.
func literal(v any) (sqlparser.Expr, error) {
	switch x := v.(type) {
	case *textLiteral:
		return &sqlparser.Literal{Type: x.typ, Val: x.val}, nil
	case Temporal:
		typ := map[TemporalKind]sqlparser.ValType{Date: sqlparser.DateVal, DateTime: sqlparser.TimestampVal, Time: sqlparser.TimeVal}[x.Kind]
		return &sqlparser.Literal{Type: typ, Val: x.Text}, nil
	case Decimal:
		if d, ok := plainDecimal(string(x)); ok {
			return &sqlparser.Literal{Type: sqlparser.DecimalVal, Val: d}, nil
		}
		return sqlparser.NewStrLiteral(string(x)), nil
	case TypedNull:
		if x == NullDouble {
			// NULL + 0e0 is a DOUBLE's NULL on every server, where
			// CAST(NULL AS DOUBLE) is not read by MySQL before 8.0.17.
			return &sqlparser.BinaryExpr{Operator: sqlparser.PlusOp, Left: &sqlparser.NullVal{}, Right: sqlparser.NewFloatLiteral("0e0")}, nil
		}
		if x <= 0 || int(x) >= len(nullCasts) {
			return &sqlparser.NullVal{}, nil
		}
		return &sqlparser.CastExpr{Expr: &sqlparser.NullVal{}, Type: &sqlparser.ConvertType{Type: nullCasts[x]}}, nil
	case nil:
		return &sqlparser.NullVal{}, nil
	case int:
		return sqlparser.NewIntLiteral(strconv.FormatInt(int64(x), 10)), nil
	case int8:
		return sqlparser.NewIntLiteral(strconv.FormatInt(int64(x), 10)), nil
	case int16:
		return sqlparser.NewIntLiteral(strconv.FormatInt(int64(x), 10)), nil
	case int32:
		return sqlparser.NewIntLiteral(strconv.FormatInt(int64(x), 10)), nil
	case int64:
		return sqlparser.NewIntLiteral(strconv.FormatInt(x, 10)), nil
	case uint:
		return sqlparser.NewIntLiteral(strconv.FormatUint(uint64(x), 10)), nil
	case uint8:
		return sqlparser.NewIntLiteral(strconv.FormatUint(uint64(x), 10)), nil
	case uint16:
		return sqlparser.NewIntLiteral(strconv.FormatUint(uint64(x), 10)), nil
	case uint32:
		return sqlparser.NewIntLiteral(strconv.FormatUint(uint64(x), 10)), nil
	case uint64:
		return sqlparser.NewIntLiteral(strconv.FormatUint(x, 10)), nil
	case float32:
		// The server reads a FLOAT parameter as the double it widens to.
		return floatLiteral(float64(x)), nil
	case float64:
		return floatLiteral(x), nil
	case bool:
		if x {
			return sqlparser.NewIntLiteral("1"), nil
		}
		return sqlparser.NewIntLiteral("0"), nil
	case string:
		return sqlparser.NewStrLiteral(x), nil
	case []byte:
		if x == nil {
			return &sqlparser.NullVal{}, nil
		}
		return sqlparser.NewStrLiteral(string(x)), nil
	case Binary:
		if x == nil {
			return &sqlparser.NullVal{}, nil
		}
		return &sqlparser.IntroducerExpr{CharacterSet: "_binary", Expr: sqlparser.NewStrLiteral(string(x))}, nil
	case time.Time:
		// In the connections' time zone (UTC), as the driver sends a
		// time; the zero time is MySQL's zero date.
		if x.IsZero() {
			return sqlparser.NewStrLiteral("0000-00-00"), nil
		}
		return sqlparser.NewStrLiteral(x.UTC().Format("2006-01-02 15:04:05.999999")), nil
	}
	return nil, fmt.Errorf("router: cannot send an argument of type %T", v)
}

// floatLiteral is the literal of a DOUBLE parameter's value x. An exponent
// makes the literal a DOUBLE, as a bound float64 is (0.1 without one
// would be a DECIMAL), and 17 significant digits give x back exactly. The
// digits are all written, never the shortest form: the server sizes an
// expression over a literal by the literal's text, as it sizes one over
// a DOUBLE parameter by the most a double prints. 1e+18 DIV 1 is an INT
// to it (and 1e18 past an INT's range in the binary protocol), where
// ? DIV 1 bound to 1e18 is a BIGINT; 1.0000000000000000e+18 DIV 1 is one.
func floatLiteral(x float64) *sqlparser.Literal {
	return sqlparser.NewFloatLiteral(strconv.FormatFloat(x, 'e', 16, 64))
}

// bindsItself reports whether the router must put args into the text
// itself rather than leave them to the driver: the driver writes a
// float64 as a DECIMAL literal, []byte as a _binary string, a time in the
// caller's zone; and a placeholder in LIMIT or alone in the select list
// needs the handling of bindArgs.
func bindsItself(st *Statement, args []any) bool {
	if st.ArgShapes {
		return true
	}
	for _, a := range args {
		switch a.(type) {
		case float32, float64, []byte, bool, time.Time, Temporal, Decimal, TypedNull, Binary:
			return true
		}
	}
	return false
}

// exprValue returns the Go value of a literal or placeholder, for mapping
// it to a shard; ok is false for anything else (a column, a function…).
// A negative integer literal (-5) is one: the parser reads its sign as an
// operator.
func exprValue(e sqlparser.Expr, args []any) (any, bool, error) {
	if v, ok := signedInt(e, args); ok {
		return v, true, nil
	}
	switch x := e.(type) {
	case *sqlparser.Literal:
		switch x.Type {
		case sqlparser.IntVal, sqlparser.StrVal:
			return x.Val, true, nil
		case sqlparser.FloatVal:
			// A DOUBLE, as a float64 argument is (and is bound as).
			f, err := strconv.ParseFloat(x.Val, 64)
			return f, err == nil, nil
		}
		return nil, false, nil
	case *sqlparser.Argument:
		v, err := argValue(x, args)
		switch l := v.(type) {
		case *textLiteral: // as the literal it stands for
			if l.typ == sqlparser.FloatVal {
				f, perr := strconv.ParseFloat(l.val, 64)
				return f, err == nil && perr == nil, err
			}
			return l.val, err == nil && (l.typ == sqlparser.IntVal || l.typ == sqlparser.StrVal), err
		case Temporal:
			return nil, false, err // as DATE'…' is: no key
		case Decimal:
			return string(l), err == nil, err
		case Binary:
			return []byte(l), err == nil, err
		case TypedNull:
			return nil, err == nil, err // a NULL, as nil is
		}
		return v, err == nil, err
	}
	return nil, false, nil
}

// intLiteral reports whether e is an integer literal of the statement's
// text, or a placeholder shapeOf made of one.
func intLiteral(e sqlparser.Expr, args []any) bool {
	if _, ok := signedInt(e, args); ok {
		return true
	}
	switch x := e.(type) {
	case *sqlparser.Literal:
		return x.Type == sqlparser.IntVal
	case *sqlparser.Argument:
		v, err := argValue(x, args)
		l, ok := v.(*textLiteral)
		return err == nil && ok && l.typ == sqlparser.IntVal
	}
	return false
}

// signedInt is the value of a negative integer literal of the text (-5),
// which the parser reads as an operator on 5, as MySQL reads it (a
// BIGINT, or a DECIMAL past its range, which no key equals), or on a
// placeholder shapeOf made of one (-(5) is shaped -(?)). Two signs (- -5)
// are an expression. (The parser drops a plus sign: +5 is 5.)
func signedInt(e sqlparser.Expr, args []any) (string, bool) {
	u, ok := e.(*sqlparser.UnaryExpr)
	if !ok || u.Operator != sqlparser.UMinusOp {
		return "", false
	}
	switch u.Expr.(type) {
	case *sqlparser.Literal, *sqlparser.Argument: // a sign on a sign is not one
		if !intLiteral(u.Expr, args) {
			return "", false
		}
	default:
		return "", false
	}
	v, _, _ := exprValue(u.Expr, args) // the literal's digits
	return "-" + v.(string), true
}
