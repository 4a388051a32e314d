package proxy_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/proxy"
	"vitess.io/vitess/go/mysql/sqlerror"
)

// TestMetricsSumsAgree sends targeted, scattered and failing statements
// through the proxy and reads /metrics: the statements by route and by
// node sum to the same total, each sharded statement counts once by
// shape, and errors are labelled by their number.
func TestMetricsSumsAgree(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	db := f.open(t, nil)
	ctx := context.Background()
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS kvs (id BIGINT PRIMARY KEY, v VARCHAR(40), n DECIMAL(10,2), d DATETIME(6), b VARBINARY(8))",
		"SELECT /*+ scalelab_consistency=strong */ v FROM kvs WHERE id = 1",             // single-shard
		"SELECT /*+ scalelab_consistency=strong */ COUNT(*) FROM kvs",                   // scatter: 2 shards
		"SELECT /*+ scalelab_consistency=strong */ v FROM kvs WHERE id IN (1, 2, 3, 4)", // one or two shards
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := db.ExecContext(ctx, "SELECT nope FROM kvs WHERE id = 1"); mysqlErrNum(err) != 1054 {
		t.Fatalf("got %v, want error 1054", err)
	}
	m := scrape(t, "http://"+f.srv.MetricsAddr().String()+"/metrics")
	routes, nodes, shapes := m["scalelab_router_statements_total"], m["scalelab_router_node_statements_total"], m["scalelab_router_sharded_statements_total"]
	if routes == 0 || routes != nodes {
		t.Errorf("statements by route sum to %v, by node to %v: want the same, not 0", routes, nodes)
	}
	if shapes != 5 { // the DDL (on every shard), the three reads and the failing one
		t.Errorf("sharded statements by shape sum to %v, want 5", shapes)
	}
	if m[`scalelab_proxy_errors_total{errno="1054"}`] != 1 {
		t.Errorf("errors by number: %v", m)
	}
}

// scrape reads a Prometheus text page into sums by metric name, and
// values by full series.
func scrape(t testing.TB, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(io.LimitReader(resp.Body, 1<<20))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		series := line[:i]
		out[series] = v
		if j := strings.IndexByte(series, '{'); j > 0 {
			out[series[:j]] += v
		}
	}
	return out
}

// TestMetricsCountOwnErrors: the errors the proxy answers itself, outside
// the statement handler, count by their number as the handler's do: an
// execution and a reset of a statement not prepared, executions it
// refuses unread, and a COM_PROCESS_KILL cut short. They went uncounted.
func TestMetricsCountOwnErrors(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	setupPrepared(t, f)
	rc := dialRaw(t, f)
	if got := rc.execute(777, true, 1); fmt.Sprint(got) != "[error: Unknown prepared statement handler (777) given to mysqld_stmt_execute]" {
		t.Fatalf("an execution of statement 777 answered %q", got)
	}
	rc.write(stmtResetPayload(777))
	if p := rc.read(); !isError(p, sqlerror.ERUnknownStmtHandler) {
		t.Fatalf("a reset of statement 777 answered %q, want error 1243", p)
	}
	id := rc.prepare("SELECT CONCAT('n=', LENGTH(?))")
	rc.write(longDataPayload(id, 5, "x"))
	if got := rc.execute(id, true, 1); fmt.Sprint(got) != "[error: Incorrect arguments to mysqld_stmt_send_long_data]" {
		t.Fatalf("an execution after bad long data answered %q", got)
	}
	rc.write(execPayload(id, []byte{0}, []byte{8}, nil)) // the types cut short
	if got := rc.result(); fmt.Sprint(got) != "[error: Malformed communication packet]" {
		t.Fatalf("an execution with its types cut short answered %q", got)
	}
	rc.write([]byte{0x0c}) // COM_PROCESS_KILL without its id
	if p := rc.read(); !isError(p, sqlerror.ERUnknownComError) {
		t.Fatalf("a COM_PROCESS_KILL without its id answered %q, want error 1047", p)
	}
	m := scrape(t, "http://"+f.srv.MetricsAddr().String()+"/metrics")
	for errno, want := range map[string]float64{"1835": 1, "1047": 1} {
		if n := m[`scalelab_proxy_errors_total{errno="`+errno+`"}`]; n != want {
			t.Errorf("errors numbered %s: %v, want %v", errno, n, want)
		}
	}
	if n := m[`scalelab_proxy_errors_total{errno="1243"}`]; n != 2 {
		t.Errorf("errors numbered 1243: %v, want 2", n)
	}
	if n := m[`scalelab_proxy_errors_total{errno="1210"}`]; n != 1 {
		t.Errorf("errors numbered 1210: %v, want 1", n)
	}
}
