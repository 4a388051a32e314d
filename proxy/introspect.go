package proxy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/scalelab/scalelab/router"
	"vitess.io/vitess/go/sqltypes"
	querypb "vitess.io/vitess/go/vt/proto/query"
)

// RouteCommand is the statement that shows how the router routes a
// statement, from any MySQL client:
//
//	SHOW scalelab_route SELECT * FROM sbtest1 WHERE id = 7;
//
// It answers with one (field, value) row per field of router.Trace. To
// trace, the router must run the statement, so only reads are run (in the
// client's session, with its transaction and consistency mode, and their
// rows discarded); for any other statement the answer gives its kind and
// tables, and says it was not run.
const RouteCommand = "SHOW scalelab_route"

// kindIntrospect labels RouteCommand in metrics.
const kindIntrospect = "introspect"

var routeCommandRE = regexp.MustCompile(`(?is)^\s*show\s+scalelab_route\s+(.+?)[\s;]*$`)

// routeTarget returns the statement a RouteCommand asks about.
func routeTarget(query string) (string, bool) {
	// Every other statement fails here, before the regular expression,
	// which cost about 1% of the proxy's CPU when run on every statement.
	// The white space is the expression's \s.
	q := strings.TrimLeft(query, " \t\n\f\r")
	if len(q) < len(RouteCommand) || !strings.EqualFold(q[:4], "show") {
		return "", false
	}
	m := routeCommandRE.FindStringSubmatch(query)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// introspect answers a RouteCommand.
func introspect(ctx context.Context, s *router.Session, r *router.Router, target string, args []any, batch int) (*sqltypes.Result, error) {
	st := r.Classify(target)
	var tr router.Trace
	if st.Kind == router.Read {
		rows, err := s.QueryContext(router.WithTrace(ctx, &tr), target, args...)
		if err != nil {
			return nil, err
		}
		if rows != nil {
			if err := stream(rows, batch, false, func(*sqltypes.Result) error { return nil }); err != nil {
				return nil, err
			}
		}
	} else {
		tr.Kind, tr.Tables = st.Kind.String(), st.Tables
		tr.Route = "not run"
		tr.Reason = fmt.Sprintf("%s runs a statement to trace it, so it only runs reads; this is a %s statement (see `scalelab query --route` to run and trace it)", RouteCommand, st.Kind)
	}
	return traceResult(tr)
}

// traceResult renders a trace as (field, value) rows, in the order and
// with the names of its JSON form, so fields the router adds later show up
// without a change here.
func traceResult(tr router.Trace) (*sqltypes.Result, error) {
	b, err := json.Marshal(tr)
	if err != nil {
		return nil, err
	}
	text := func(name string) *querypb.Field {
		return &querypb.Field{Name: name, Type: sqltypes.VarChar, Charset: utf8mb4GeneralCI, ColumnLength: 1024}
	}
	res := &sqltypes.Result{Fields: []*querypb.Field{text("field"), text("value")}}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // {
		return nil, err
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		name := key.(string)
		value := traceValue(name, v)
		if _, isNum := v.(json.Number); isNum && strings.HasSuffix(name, "_ms") {
			name = strings.TrimSuffix(name, "_ms") // the value is a Go duration: 281.6µs
		}
		res.Rows = append(res.Rows, []sqltypes.Value{sqltypes.NewVarChar(name), sqltypes.NewVarChar(value)})
	}
	return res, nil
}

// traceValue prints one JSON value of a trace for people: durations (in
// milliseconds in JSON, *_ms) as Go durations, lists joined by commas.
func traceValue(key string, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = fmt.Sprint(p)
		}
		return strings.Join(parts, ",")
	case json.Number:
		if strings.HasSuffix(key, "_ms") {
			if f, err := x.Float64(); err == nil {
				return time.Duration(f * float64(time.Millisecond)).String()
			}
		}
		return x.String()
	case map[string]any:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}
