package proxy

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/scalelab/scalelab/internal/sqltext"
	"github.com/scalelab/scalelab/router"

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
	case t == sqltypes.Date || t == sqltypes.Datetime || t == sqltypes.Timestamp || t == sqltypes.Time:
		return temporalArg(t, v.ToString()), nil
	case t == sqltypes.Decimal:
		return router.Decimal(v.ToString()), nil
	default:
		// Text: a string literal the server converts, as it does a
		// client's text parameter.
		return v.ToString(), nil
	}
}

// temporalArg is a DATE, DATETIME, TIMESTAMP or TIME parameter as the
// protocol library reads it (2024-1-5, 2024-1-5 12:34:56.000123,
// -838:59:59), for the router to bind as the typed literal the server
// reads it as (DATE'2024-01-05'): as a string, a DATE compared with a
// number was the year, and a read by the shard key went to the year's
// shard. A zero date, which strict modes refuse as a literal and accept
// as a parameter, stays a string, written as the server writes it
// ('0000-00-00 12:34:56'). A TIME past 838 hours is 838:59:59, as the
// server clamps it.
func temporalArg(t sqltypes.Type, text string) any {
	date, clock, hasClock := strings.Cut(text, " ")
	if t == sqltypes.Time {
		date, clock, hasClock = "", text, true
	}
	var b strings.Builder
	zero := false
	if date != "" {
		ymd := strings.Split(date, "-")
		if len(ymd) != 3 {
			return text
		}
		zero = strings.Trim(date, "0-") == ""
		fmt.Fprintf(&b, "%04s-%02s-%02s", ymd[0], ymd[1], ymd[2])
	}
	if hasClock {
		whole, frac, _ := strings.Cut(clock, ".")
		sign := ""
		if strings.HasPrefix(whole, "-") {
			sign, whole = "-", whole[1:]
		}
		hms := strings.Split(whole, ":")
		if len(hms) != 3 {
			return text
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		if h, err := strconv.Atoi(hms[0]); t == sqltypes.Time && (err != nil || h > 838) {
			hms, frac = []string{"838", "59", "59"}, ""
		}
		fmt.Fprintf(&b, "%s%02s:%02s:%02s", sign, hms[0], hms[1], hms[2])
		if strings.Trim(frac, "0") != "" {
			b.WriteString("." + frac)
		}
	}
	if zero {
		return b.String()
	}
	kind := map[sqltypes.Type]router.TemporalKind{sqltypes.Date: router.Date, sqltypes.Datetime: router.DateTime, sqltypes.Timestamp: router.DateTime, sqltypes.Time: router.Time}[t]
	return router.Temporal{Kind: kind, Text: b.String()}
}
