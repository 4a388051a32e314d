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
		a, ok := c.Node().(*sqlparser.Argument)
		if !ok || err != nil {
			return err == nil
		}
		v, e := argValue(a, args)
		if e != nil {
			err = e
			return false
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
	if valuer, ok := v.(driver.Valuer); ok {
		return valuer.Value()
	}
	return v, nil
}

// literal turns a Go value into a SQL literal expression.
func literal(v any) (sqlparser.Expr, error) {
	switch x := v.(type) {
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
		return sqlparser.NewFloatLiteral(strconv.FormatFloat(float64(x), 'e', -1, 32)), nil
	case float64:
		return sqlparser.NewFloatLiteral(strconv.FormatFloat(x, 'e', -1, 64)), nil
	case bool:
		if x {
			return sqlparser.NewIntLiteral("1"), nil
		}
		return sqlparser.NewIntLiteral("0"), nil
	case string:
		return sqlparser.NewStrLiteral(x), nil
	case []byte:
		return sqlparser.NewStrLiteral(string(x)), nil
	case time.Time:
		return sqlparser.NewStrLiteral(x.Format("2006-01-02 15:04:05.999999")), nil
	}
	return nil, fmt.Errorf("router: cannot send an argument of type %T", v)
}

// exprValue returns the Go value of a literal or placeholder, for mapping
// it to a shard; ok is false for anything else (a column, a function…).
func exprValue(e sqlparser.Expr, args []any) (any, bool, error) {
	switch x := e.(type) {
	case *sqlparser.Literal:
		switch x.Type {
		case sqlparser.IntVal, sqlparser.StrVal:
			return x.Val, true, nil
		}
		return nil, false, nil
	case *sqlparser.Argument:
		v, err := argValue(x, args)
		return v, err == nil, err
	}
	return nil, false, nil
}
