package proxy

import (
	"fmt"
	"github.com/scalelab/scalelab/internal/sqltext"
	"strconv"

	vtmysql "vitess.io/vitess/go/mysql"
	"vitess.io/vitess/go/sqltypes"
)

// countParams counts the ? placeholders of a prepared statement, skipping
// string literals, quoted identifiers and comments. MySQL executable
// comments (/*! … */) and optimizer hints (/*+ … */) are SQL, so their
// placeholders count.
func countParams(query string) int {
	n := 0
	for i := 0; i < len(query); i++ {
		switch c := query[i]; c {
		case '?':
			n++
		case '\'', '"', '`':
			i = sqltext.QuoteEnd(query, i)
		case '#':
			i = sqltext.LineEnd(query, i)
		case '-':
			if i+2 < len(query) && query[i+1] == '-' && (query[i+2] == ' ' || query[i+2] == '\t' || query[i+2] == '\n' || query[i+2] == '\r') {
				i = sqltext.LineEnd(query, i)
			} else if i+2 == len(query) && query[i+1] == '-' {
				i = len(query)
			}
		case '/':
			if i+1 < len(query) && query[i+1] == '*' && (i+2 >= len(query) || (query[i+2] != '!' && query[i+2] != '+')) {
				i = skipBlockComment(query, i)
			}
		}
	}
	return n
}

func skipBlockComment(s string, i int) int {
	for j := i + 2; j+1 < len(s); j++ {
		if s[j] == '*' && s[j+1] == '/' {
			return j + 1
		}
	}
	return len(s)
}

// paramName is Vitess's name for the i-th (0-based) placeholder.
func paramName(i int) string { return "v" + strconv.Itoa(i+1) }

// bindArgs turns the parameters of a COM_STMT_EXECUTE into arguments for
// the router, in placeholder order.
func bindArgs(p *vtmysql.PrepareData) ([]any, error) {
	if p.ParamsCount == 0 {
		return nil, nil
	}
	args := make([]any, p.ParamsCount)
	for i := range args {
		bv, ok := p.BindVars[paramName(i)]
		if !ok || bv == nil {
			return nil, fmt.Errorf("proxy: parameter %d of %d was not sent", i+1, p.ParamsCount)
		}
		v, err := sqltypes.BindVariableToValue(bv)
		if err != nil {
			return nil, fmt.Errorf("proxy: parameter %d: %w", i+1, err)
		}
		args[i], err = argOf(v)
		if err != nil {
			return nil, fmt.Errorf("proxy: parameter %d: %w", i+1, err)
		}
	}
	return args, nil
}

// argOf converts one parameter to the Go value go-sql-driver interpolates
// the same way the server would read the binary parameter.
func argOf(v sqltypes.Value) (any, error) {
	switch t := v.Type(); {
	case v.IsNull():
		return nil, nil
	case sqltypes.IsSigned(t):
		return v.ToInt64()
	case sqltypes.IsUnsigned(t):
		return v.ToUint64()
	case sqltypes.IsFloat(t):
		return v.ToFloat64()
	case t == sqltypes.Blob || t == sqltypes.VarBinary || t == sqltypes.Binary || t == sqltypes.Bit:
		return v.ToBytes()
	default:
		// Text, decimals, dates and times: a string literal the server
		// converts, as it does a client's text parameter.
		return v.ToString(), nil
	}
}
