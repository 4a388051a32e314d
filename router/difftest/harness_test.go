package difftest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/proxy"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/schema"
	"github.com/scalelab/scalelab/topology"
	vtmysql "vitess.io/vitess/go/mysql"
	"vitess.io/vitess/go/sqltypes"
	querypb "vitess.io/vitess/go/vt/proto/query"
)

// singleDB is the database on the first shard's primary that holds the
// unsharded copy of the rows.
const singleDB = "diff_single"

// dataSeed fixes the dataset; the statements' seeds are separate.
const dataSeed = 20261128

// env is the two sides of every comparison: the router over four shards,
// and one server with the same rows; and both again through the MySQL
// protocol, the router behind scalelab's proxy.
type env struct {
	topo   *topology.Topology
	r      *router.Router
	single *sql.DB
	// Protocol-level parameters for a real client (Vitess's MySQL client,
	// which keeps every field's metadata and every value's bytes).
	proxyParams, singleParams vtmysql.ConnParams

	mu      sync.Mutex
	weights map[string]string // text value → its sort key, hex
}

var shared struct {
	once sync.Once
	e    *env
	err  error
}

// setup loads the dataset on both sides once per test binary.
func setup(t testing.TB) *env {
	t.Helper()
	sb := dbtest.Sandbox(t)
	shared.once.Do(func() { shared.e, shared.err = start(sb.Topology) })
	if shared.err != nil {
		t.Fatalf("difftest: %v", shared.err)
	}
	return shared.e
}

func start(base *topology.Topology) (*env, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	topo := *base
	topo.Tables = schema.ShardedTables()
	r, err := router.Open(ctx, &topo, router.Config{})
	if err != nil {
		return nil, err
	}
	e := &env{topo: &topo, r: r, weights: map[string]string{}}
	ddl, err := schema.CreateTables(topo.Flavor)
	if err != nil {
		return nil, err
	}
	primary := topo.Shards[0].Primary.HostPort
	adminCfg := topo.MySQLConfig(primary, topo.AdminCredentials())
	admin, err := openDB(adminCfg)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+singleDB); err != nil {
		return nil, err
	}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+singleDB); err != nil {
		return nil, err
	}
	singleCfg := topo.MySQLConfig(primary, topo.AdminCredentials())
	singleCfg.DBName = singleDB
	if e.single, err = openDB(singleCfg); err != nil {
		return nil, err
	}
	for _, t := range schema.DropTables() {
		if _, err := r.ExecContext(ctx, t); err != nil {
			return nil, fmt.Errorf("sharded: %s: %w", t, err)
		}
	}
	data := makeDataset(dataSeed)
	for _, q := range append(ddl, data.inserts()...) {
		if _, err := r.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("sharded: %.60s: %w", q, err)
		}
		if _, err := e.single.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("single: %.60s: %w", q, err)
		}
	}
	if err := waitReplicas(ctx, &topo); err != nil {
		return nil, err
	}
	// The proxy's router passes dates and times on as text, as the
	// scalelab proxy command's does.
	pr, err := router.Open(ctx, &topo, router.Config{Replica: replica.Config{TimesAsText: true}})
	if err != nil {
		return nil, err
	}
	srv, err := proxy.New(pr, proxy.Config{Listen: "127.0.0.1:0", Metrics: "-", Users: map[string]string{topo.User.Name: topo.User.Password}})
	if err != nil {
		return nil, err
	}
	if err := srv.Start(context.Background()); err != nil {
		return nil, err
	}
	host, port, err := splitHostPort(srv.Addr().String())
	if err != nil {
		return nil, err
	}
	e.proxyParams = vtmysql.ConnParams{Host: host, Port: port, Uname: topo.User.Name, Pass: topo.User.Password, DbName: topo.DatabaseName(), Charset: 45}
	host, port, err = splitHostPort(primary)
	if err != nil {
		return nil, err
	}
	ac := topo.AdminCredentials()
	e.singleParams = vtmysql.ConnParams{Host: host, Port: port, Uname: ac.Name, Pass: ac.Password, DbName: singleDB, Charset: 45}
	return e, nil
}

func openDB(cfg *mysql.Config) (*sql.DB, error) {
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(conn), nil
}

func splitHostPort(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	return host, port, err
}

// waitReplicas returns when every replica has applied what its primary
// has, so reads routed to replicas see the whole dataset.
func waitReplicas(ctx context.Context, topo *topology.Topology) error {
	return replica.WaitCaughtUp(ctx, topo, 0)
}

// cmpOpts says how two answers must agree.
type cmpOpts struct {
	// ordered: the ORDER BY fully determines the order of the rows, so
	// they compare in order; otherwise as multisets.
	ordered bool
	// collation: the server may pick any of several values that are equal
	// under the collation ('Alice' or 'alice' for a group, a MIN or a
	// DISTINCT), so text compares by its sort key.
	collation bool
	// noProxy skips the protocol-level comparison.
	noProxy bool
}

// verdict is the outcome of one comparison.
type verdict int

const (
	same    verdict = iota
	refused         // the router refused the shape, naming it
	invalid         // the unsharded server rejected the statement
	differ
	// dataError: a shard raised a data exception (SQLSTATE class 22, such
	// as 1690 out of range) that the unsharded server did not: each shard
	// evaluates expressions over its own first rows, so an expression that
	// overflows on a row the single server never reached (it stopped at
	// its LIMIT) fails there. An error, never a wrong answer.
	dataError
)

// answer is one side's result, rendered for comparison.
type answer struct {
	cols []string // name and type of each column
	rows []string
}

// floatDigits is how many significant digits of a DOUBLE must agree. A
// sum of doubles depends on the order of its additions: the shards add
// their own rows, then the router adds the partial sums, while one server
// adds the rows in the order its plan reads them (and a different plan
// on the same server changes the last digits too).
const floatDigits = 12

func render(v any) string {
	return renderAs(v, -1)
}

func renderAs(v any, digits int) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'g', digits, 64)
	}
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return "'" + string(x) + "'"
	case string:
		return "'" + x + "'"
	case time.Time:
		return x.Format("2006-01-02 15:04:05.999999999")
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

func query(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, text string) (*answer, []*sql.ColumnType, [][]any, error) {
	rows, err := q.QueryContext(ctx, text)
	if err != nil {
		return nil, nil, nil, err
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, nil, nil, err
	}
	a := &answer{}
	for _, ct := range cts {
		// Nullability is left out: the server derives it from its plan,
		// which differs with the rows a server holds (a join whose table
		// has one matching row becomes a constant), so one query gives
		// different flags on a shard and on the unsharded server.
		p, s, _ := ct.DecimalSize()
		a.cols = append(a.cols, fmt.Sprintf("%s %s(%d,%d)", ct.Name(), ct.DatabaseTypeName(), p, s))
	}
	var raw [][]any
	vals := make([]any, len(cts))
	ptrs := make([]any, len(cts))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, nil, err
		}
		row := append([]any(nil), vals...)
		raw = append(raw, row)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, nil, err
	}
	return a, cts, raw, nil
}

// renderRows renders rows; with keys, text columns render as their
// collation sort keys and doubles to floatDigits digits.
func (e *env) renderRows(ctx context.Context, cts []*sql.ColumnType, raw [][]any, keys, tolerant bool) ([]string, error) {
	out := make([]string, len(raw))
	for i, row := range raw {
		parts := make([]string, len(row))
		for j, v := range row {
			if keys && v != nil && isText(cts[j]) {
				k, err := e.sortKey(ctx, v)
				if err != nil {
					return nil, err
				}
				parts[j] = "key:" + k
				continue
			}
			if tolerant {
				parts[j] = renderAs(v, floatDigits)
				continue
			}
			parts[j] = render(v)
		}
		out[i] = strings.Join(parts, " | ")
	}
	return out, nil
}

func isText(ct *sql.ColumnType) bool {
	switch ct.DatabaseTypeName() {
	case "CHAR", "VARCHAR", "TEXT", "TINYTEXT", "MEDIUMTEXT", "LONGTEXT":
		return true
	}
	return false
}

// sortKey asks the unsharded server for a text value's sort key under the
// sample schema's collation.
func (e *env) sortKey(ctx context.Context, v any) (string, error) {
	s := render(v)
	e.mu.Lock()
	k, ok := e.weights[s]
	e.mu.Unlock()
	if ok {
		return k, nil
	}
	err := e.single.QueryRowContext(ctx,
		"SELECT HEX(WEIGHT_STRING(TRIM(TRAILING ' ' FROM CONVERT(? USING utf8mb4)) COLLATE utf8mb4_unicode_520_ci))", v).Scan(&k)
	if err != nil {
		return "", err
	}
	e.mu.Lock()
	e.weights[s] = k
	e.mu.Unlock()
	return k, nil
}

// check runs q on both sides and compares the answers; detail says how
// they differ. A refusal must be router.ErrUnsupported, or
// router.ErrNeedsSession for a statement that makes state of its
// connection (e.router is the pooled router).
func (e *env) check(ctx context.Context, q string, o cmpOpts) (verdict, string) {
	want, wantTypes, wantRaw, err := query(ctx, e.single, q)
	if err != nil {
		return invalid, err.Error()
	}
	// Twice: a merge's second run may take its lean plan (the shards
	// send no sort keys once the first run showed no text is compared).
	for run, prefix := range []string{"", "on its second run: "} {
		got, gotTypes, gotRaw, err := query(ctx, e.r, q)
		if (errors.Is(err, router.ErrUnsupported) || errors.Is(err, router.ErrNeedsSession) || errors.Is(err, router.ErrConnectionValue)) && run == 0 {
			return refused, err.Error()
		}
		var me *mysql.MySQLError
		if errors.As(err, &me) && me.SQLState[0] == '2' && me.SQLState[1] == '2' && run == 0 {
			return dataError, err.Error()
		}
		if err != nil {
			return differ, prefix + "the router failed where the server answered: " + err.Error()
		}
		if d := diffLists("columns", got.cols, want.cols, true); d != "" {
			return differ, prefix + d
		}
		// First exactly; then with the allowances: doubles to floatDigits
		// digits, and text by sort key where the statement lets the server
		// pick among equal strings.
		for _, lenient := range []bool{false, true} {
			g, err := e.renderRows(ctx, gotTypes, gotRaw, lenient && o.collation, lenient)
			if err != nil {
				return differ, prefix + err.Error()
			}
			w, err := e.renderRows(ctx, wantTypes, wantRaw, lenient && o.collation, lenient)
			if err != nil {
				return differ, prefix + err.Error()
			}
			d := diffLists("rows", g, w, o.ordered)
			if d == "" {
				break
			}
			if lenient {
				return differ, prefix + d
			}
		}
	}
	if o.noProxy {
		return same, ""
	}
	if d := e.checkProxy(ctx, q, o); d != "" {
		return differ, d
	}
	return same, ""
}

// diffLists compares two lists, in order or as multisets, and describes
// the first difference.
func diffLists(what string, got, want []string, ordered bool) string {
	if !ordered {
		got = append([]string(nil), got...)
		want = append([]string(nil), want...)
		sort.Strings(got)
		sort.Strings(want)
	}
	for i := 0; i < max(len(got), len(want)); i++ {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w || i >= len(got) || i >= len(want) {
			return fmt.Sprintf("%s differ at %d (got %d, want %d):\n  got  %q\n  want %q", what, i, len(got), len(want), g, w)
		}
	}
	return ""
}

// protocol is one connection per side for the protocol comparison.
type protocol struct{ proxy, single *vtmysql.Conn }

var conns struct {
	mu sync.Mutex
	p  *protocol
}

func (e *env) protocolConns(ctx context.Context) (*protocol, error) {
	conns.mu.Lock()
	defer conns.mu.Unlock()
	if conns.p != nil {
		return conns.p, nil
	}
	pc, err := vtmysql.Connect(ctx, &e.proxyParams)
	if err != nil {
		return nil, fmt.Errorf("connect to the proxy: %w", err)
	}
	sc, err := vtmysql.Connect(ctx, &e.singleParams)
	if err != nil {
		pc.Close()
		return nil, fmt.Errorf("connect to the unsharded server: %w", err)
	}
	conns.p = &protocol{proxy: pc, single: sc}
	return conns.p, nil
}

// relevantFlags are the column flags compared: UNSIGNED. NOT NULL is
// left out for the reason given in query.
const relevantFlags = uint32(querypb.MySqlFlag_UNSIGNED_FLAG)

// checkProxy compares what a real client sees from the proxy and from the
// unsharded server: each column's name, type, decimals and flags, and
// the bytes of every value.
func (e *env) checkProxy(ctx context.Context, q string, o cmpOpts) string {
	pc, err := e.protocolConns(ctx)
	if err != nil {
		return err.Error()
	}
	want, err := pc.single.ExecuteFetch(q, 1<<20, true)
	if err != nil {
		return "" // compared at the router level already
	}
	got, err := pc.proxy.ExecuteFetch(q, 1<<20, true)
	if err != nil {
		conns.mu.Lock()
		pc.proxy.Close()
		pc.single.Close()
		conns.p = nil
		conns.mu.Unlock()
		return "through the proxy: " + err.Error()
	}
	fields := func(r *sqltypes.Result) []string {
		var out []string
		for _, f := range r.Fields {
			// A string's decimals mean nothing to a client, and the
			// driver under the router does not report them.
			dec := f.Decimals
			if sqltypes.IsText(f.Type) || sqltypes.IsBinary(f.Type) {
				dec = 0
			}
			// The driver under the router does not report a text column's
			// collation, so a _bin collation's BINARY flag (from which the
			// client derives VARBINARY) is not carried; true binary
			// strings (charset 63) are.
			typ := f.Type
			if f.Charset != 63 {
				switch typ {
				case sqltypes.VarBinary:
					typ = sqltypes.VarChar
				case sqltypes.Binary:
					typ = sqltypes.Char
				case sqltypes.Blob:
					typ = sqltypes.Text
				}
			}
			out = append(out, fmt.Sprintf("%s %s decimals=%d flags=%#x", f.Name, typ, dec, f.Flags&relevantFlags))
		}
		return out
	}
	if d := diffLists("proxy columns", fields(got), fields(want), true); d != "" {
		return d
	}
	rows := func(r *sqltypes.Result, tolerant bool) []string {
		var out []string
		for _, row := range r.Rows {
			parts := make([]string, len(row))
			for i, v := range row {
				switch {
				case v.IsNull():
					parts[i] = "NULL"
				case tolerant && (r.Fields[i].Type == sqltypes.Float64 || r.Fields[i].Type == sqltypes.Float32):
					f, err := strconv.ParseFloat(string(v.Raw()), 64)
					if err != nil {
						parts[i] = "bad float " + strconv.Quote(string(v.Raw()))
						continue
					}
					parts[i] = renderAs(f, floatDigits)
				default:
					parts[i] = strconv.Quote(string(v.Raw()))
				}
			}
			out = append(out, strings.Join(parts, " | "))
		}
		return out
	}
	if o.collation {
		if len(got.Rows) != len(want.Rows) {
			return fmt.Sprintf("proxy rows: got %d, want %d", len(got.Rows), len(want.Rows))
		}
		return ""
	}
	if d := diffLists("proxy rows", rows(got, false), rows(want, false), o.ordered); d == "" {
		return ""
	}
	return diffLists("proxy rows", rows(got, true), rows(want, true), o.ordered)
}
