package difftest

// Tests for what a one-statement corpus cannot express: arguments bound to
// placeholders (through the router's API and through the proxy's real
// prepared statements), results in the binary protocol, and sessions
// through the proxy (transactions, SET, user variables, sql_mode). Every
// test compares with the unsharded server, e.single.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/router"
)

type argQueryer interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

// queryArgs runs text with args and renders the answer: column names and
// types, then rows.
func (e *env) queryArgs(ctx context.Context, q argQueryer, text string, args ...any) (*answer, error) {
	rows, err := q.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, err
	}
	if rows == nil {
		return &answer{}, nil
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	a := &answer{}
	for _, ct := range cts {
		a.cols = append(a.cols, ct.Name()+" "+typeClass(ct.DatabaseTypeName()))
	}
	var raw [][]any
	for rows.Next() {
		vals := make([]any, len(cts))
		ptrs := make([]any, len(cts))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		raw = append(raw, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, row := range raw {
		parts := make([]string, len(row))
		for j, v := range row {
			parts[j] = plainValue(v)
		}
		a.rows = append(a.rows, strings.Join(parts, " | "))
	}
	return a, nil
}

// plainValue renders a value without its Go type: the binary protocol
// returns a BIGINT UNSIGNED above 2^63 as text, the text protocol as a
// uint64, and the column types are compared on their own.
func plainValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return strconv.Quote(string(x))
	case string:
		return strconv.Quote(x)
	case time.Time:
		return x.Format("2006-01-02 15:04:05.999999999")
	case float64:
		return strconv.FormatFloat(x, 'g', floatDigits, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', 7, 32)
	}
	return strconv.Quote(fmt.Sprint(v))
}

// typeClass is the kind of a column type that the binary and the text
// protocol agree on: a literal in a statement's text is an INT or a
// VARCHAR where the same value bound as a parameter is a BIGINT or a
// CHAR, but a DECIMAL is never a DOUBLE.
func typeClass(name string) string {
	switch name {
	case "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "BIGINT", "UNSIGNED TINYINT", "UNSIGNED SMALLINT", "UNSIGNED MEDIUMINT", "UNSIGNED INT", "UNSIGNED BIGINT":
		return "integer"
	case "CHAR", "VARCHAR", "TEXT", "TINYTEXT", "MEDIUMTEXT", "LONGTEXT":
		return "text"
	case "BINARY", "VARBINARY", "BLOB", "TINYBLOB", "MEDIUMBLOB", "LONGBLOB":
		return "binary"
	}
	return name
}

// compareArgs runs one statement with arguments on both sides.
func (e *env) compareArgs(ctx context.Context, got, want argQueryer, text string, ordered bool, args ...any) (verdict, string) {
	w, err := e.queryArgs(ctx, want, text, args...)
	if err != nil {
		return invalid, err.Error()
	}
	g, err := e.queryArgs(ctx, got, text, args...)
	if isRefusal(err) {
		return refused, err.Error()
	}
	if err != nil {
		return differ, "the router failed where the server answered: " + err.Error()
	}
	if d := diffLists("columns", g.cols, w.cols, true); d != "" {
		return differ, d
	}
	if d := diffLists("rows", g.rows, w.rows, ordered); d != "" {
		return differ, d
	}
	return same, ""
}

// isRefusal reports a refusal, from the router or, as error 1235,
// through the proxy.
func isRefusal(err error) bool {
	var me *mysql.MySQLError
	return errors.Is(err, router.ErrUnsupported) ||
		errors.As(err, &me) && me.Number == 1235 && strings.Contains(me.Message, "router: unsupported")
}

// proxyDB opens a go-sql-driver pool on the proxy: real COM_STMT_PREPARE
// and COM_STMT_EXECUTE for every statement with arguments.
func (e *env) proxyDB(t testing.TB) *sql.DB {
	t.Helper()
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd = e.proxyParams.Uname, e.proxyParams.Pass
	cfg.Net, cfg.Addr = "tcp", fmt.Sprintf("%s:%d", e.proxyParams.Host, e.proxyParams.Port)
	cfg.DBName = e.proxyParams.DbName
	cfg.ParseTime = true
	cfg.InterpolateParams = false
	db, err := openDB(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// prepared runs a statement as a server-side prepared statement.
type prepared struct{ db *sql.DB }

func (p prepared) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := p.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	st.Close()
	return rows, err
}

// sessionPair is one client connection to each side.
type sessionPair struct {
	proxy, single *sql.Conn
}

func (e *env) sessionPair(t testing.TB, pdb *sql.DB) *sessionPair {
	t.Helper()
	ctx := context.Background()
	pc, err := pdb.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := e.single.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Their session state must not reach another test through a pool.
		for _, c := range []*sql.Conn{pc, sc} {
			_ = c.Raw(func(any) error { return driver.ErrBadConn })
			c.Close()
		}
	})
	return &sessionPair{proxy: pc, single: sc}
}

// script runs steps on both connections. A step "! q" must be refused by
// the proxy, and ends the script. A step "= q" or "~ q" is a query
// whose answers must agree, in order or as multisets, with args[n] bound
// to the placeholders of step n (from 1): a real prepared statement on
// each side. Any other step is run on both sides, and must succeed on
// both.
func (e *env) script(t *testing.T, sp *sessionPair, steps []string, args map[int][]any) {
	t.Helper()
	ctx := context.Background()
	for i, s := range steps {
		switch {
		case strings.HasPrefix(s, "! "):
			// The proxy must refuse it, naming its shape; the session
			// stops here.
			_, err := sp.proxy.ExecContext(ctx, s[2:])
			if err == nil || !strings.Contains(err.Error(), "router: unsupported") {
				t.Errorf("step %d: got %v, want a refusal (1235) naming its shape\n  %s", i+1, err, s[2:])
			}
			return
		case strings.HasPrefix(s, "= "), strings.HasPrefix(s, "~ "):
			q := s[2:]
			v, d := e.compareArgs(ctx, sp.proxy, sp.single, q, s[0] == '=', args[i+1]...)
			if v != same {
				t.Errorf("step %d: %v: %s\n  %s", i+1, v, d, q)
			}
		default:
			// USE {db}: each side's own database.
			ws, gs := strings.ReplaceAll(s, "{db}", singleDB), strings.ReplaceAll(s, "{db}", e.proxyParams.DbName)
			_, werr := sp.single.ExecContext(ctx, ws)
			_, gerr := sp.proxy.ExecContext(ctx, gs)
			if werr != nil {
				t.Fatalf("step %d: the unsharded server rejects it: %v\n  %s", i+1, werr, s)
			}
			if gerr != nil {
				t.Errorf("step %d: the proxy failed where the server did not: %v\n  %s", i+1, gerr, s)
			}
		}
	}
}

// argCase is one statement with its arguments.
type argCase struct {
	name    string
	q       string
	args    []any
	ordered bool
	// refuseOK allows a refusal naming its shape.
	refuseOK bool
}

var utcPlus2 = time.FixedZone("UTC+2", 2*3600)

// Shard 0 holds users 1 ('Alice') and 2 ('alice'); shard 3 images 4, 6,
// 7, 8 and 12; images 3 and 7 are on two shards.
var argCases = []argCase{
	// Strings that the key compares with as numbers.
	{name: "key string prefix", q: "SELECT id FROM users WHERE id IN (?, ?, ?)", args: []any{"5abc", "+7", []byte(" 9")}},
	{name: "key string 5abc", q: "SELECT id, name FROM images WHERE id = ?", args: []any{"5abc"}},
	{name: "key string +7", q: "SELECT id, name FROM images WHERE id = ?", args: []any{"+7"}},
	{name: "key string 7.0", q: "SELECT id FROM images WHERE id = ?", args: []any{"7.0"}},
	{name: "key bytes", q: "SELECT id FROM images WHERE id = ?", args: []any{[]byte("7")}},
	{name: "key int64 beyond 2^53", q: "SELECT COUNT(*) FROM users WHERE id > ?", args: []any{int64(9007199254740993)}},
	{name: "key int64 max", q: "SELECT id FROM users WHERE id = ?", args: []any{int64(9223372036854775807)}},
	{name: "key uint64 max", q: "SELECT id FROM users WHERE id = ?", args: []any{uint64(18446744073709551615)}},
	{name: "key uint64 IN", q: "SELECT id FROM users WHERE id IN (?, ?)", args: []any{uint64(18446744073709551615), uint64(9223372036854775808)}},
	{name: "key string beyond 2^63", q: "SELECT id FROM users WHERE id = ?", args: []any{"9223372036854775808"}},
	{name: "key string uint64 max", q: "SELECT id FROM users WHERE id = ?", args: []any{"18446744073709551615"}},
	{name: "key float64 2^63", q: "SELECT id FROM users WHERE id = ?", args: []any{9223372036854775807.0}},
	{name: "key float64", q: "SELECT id FROM images WHERE id = ?", args: []any{7.0}},
	{name: "key int64 -1", q: "SELECT id FROM users WHERE id = ?", args: []any{int64(-1)}},
	{name: "key nil", q: "SELECT id FROM users WHERE id = ?", args: []any{nil}},
	{name: "key NullInt64", q: "SELECT id FROM images WHERE id = ?", args: []any{sql.NullInt64{Int64: 7, Valid: true}}},
	{name: "key NullString", q: "SELECT id FROM images WHERE id = ?", args: []any{sql.NullString{String: "7", Valid: true}}},
	{name: "key bool", q: "SELECT id FROM images WHERE id = ?", args: []any{true}},
	{name: "key bool in IN", q: "SELECT id FROM images WHERE id IN (?, ?)", args: []any{true, int64(3)}},
	// LIMIT ?.
	{name: "LIMIT ? scatter", q: "SELECT id FROM images ORDER BY id LIMIT ?", args: []any{int64(3)}, ordered: true},
	{name: "LIMIT ?, ?", q: "SELECT id FROM images ORDER BY id LIMIT ?, ?", args: []any{int64(397), int64(10)}, ordered: true},
	{name: "LIMIT ? pinned", q: "SELECT id FROM images WHERE id IN (4, 6, 7) ORDER BY id LIMIT ?", args: []any{int64(2)}, ordered: true},
	{name: "LIMIT uint64 max", q: "SELECT id FROM images ORDER BY id LIMIT ?", args: []any{uint64(18446744073709551615)}, ordered: true},
	{name: "LIMIT string scatter", q: "SELECT id FROM images ORDER BY id LIMIT ?", args: []any{"3"}, ordered: true, refuseOK: true},
	{name: "LIMIT string pinned", q: "SELECT id FROM images WHERE id = 7 ORDER BY id LIMIT ?", args: []any{"3"}, ordered: true, refuseOK: true},
	{name: "ORDER BY ? pinned", q: "SELECT id, name FROM images WHERE id IN (1, 2, 24, 26) ORDER BY ?, id LIMIT 2", args: []any{int64(2)}, ordered: true},
	{name: "ORDER BY ? scatter", q: "SELECT id, name FROM images ORDER BY ? DESC, id LIMIT 3", args: []any{"name"}, ordered: true},
	// Values: strings with quotes and escapes, bytes, NULL bytes.
	{name: "string escapes scatter", q: "SELECT id, ? AS x FROM images WHERE id IN (3, 7)", args: []any{"\x00a\\'\"\n\r\t\x1a%_"}},
	{name: "string escapes pinned", q: "SELECT id, ? AS x FROM images WHERE id = 7", args: []any{"\x00a\\'\"\n\r\t\x1a%_"}},
	{name: "string backslash", q: "SELECT COUNT(*) FROM images WHERE name = ?", args: []any{"back\\slash"}},
	{name: "string quote", q: "SELECT COUNT(*) FROM images WHERE name = ?", args: []any{"O'Brien"}},
	{name: "string LIKE escape", q: "SELECT COUNT(*) FROM images WHERE name LIKE ?", args: []any{"a\\_b"}},
	{name: "bytes column compare", q: "SELECT id, name FROM users WHERE id IN (1, 2, 24, 26) AND name = ?", args: []any{[]byte("alice")}},
	{name: "bytes compare scatter", q: "SELECT COUNT(*) FROM images WHERE name = ?", args: []any{[]byte("ALICE")}},
	{name: "bytes vs literal pinned", q: "SELECT id FROM images WHERE id = 7 AND ? = 'ALICE'", args: []any{[]byte("alice")}},
	{name: "bytes vs literal scatter", q: "SELECT id FROM images WHERE id IN (3, 7) AND ? = 'ALICE'", args: []any{[]byte("alice")}},
	{name: "bytes charset pinned", q: "SELECT id, CHARSET(?) AS x, COLLATION(?) AS y FROM images WHERE id = 7", args: []any{[]byte("a"), []byte("a")}},
	{name: "bytes charset scatter", q: "SELECT id, CHARSET(?) AS x, COLLATION(?) AS y FROM images WHERE id IN (3, 7)", args: []any{[]byte("a"), []byte("a")}},
	{name: "bytes hex scatter", q: "SELECT id, HEX(?) AS x FROM images WHERE id IN (3, 7)", args: []any{[]byte{0xff, 0x00, 0x41}}},
	{name: "nil bytes pinned", q: "SELECT id, ? AS b FROM images WHERE id = 7", args: []any{[]byte(nil)}},
	{name: "nil bytes scatter", q: "SELECT id, ? AS b FROM images WHERE id IN (3, 7)", args: []any{[]byte(nil)}},
	{name: "nil scatter", q: "SELECT id, ? AS b FROM images WHERE id IN (3, 7)", args: []any{nil}},
	// Numbers: a float64 is a DOUBLE, never a DECIMAL.
	{name: "float64 sum pinned", q: "SELECT id FROM images WHERE id = 7 AND ? + ? = 0.3", args: []any{0.1, 0.2}},
	{name: "float64 sum scatter", q: "SELECT id FROM images WHERE id IN (7, 3) AND ? + ? = 0.3", args: []any{0.1, 0.2}},
	{name: "float64 type pinned", q: "SELECT id, ? AS f FROM images WHERE id = 7", args: []any{1.5}},
	{name: "float64 type scatter", q: "SELECT id, ? AS f FROM images WHERE id IN (3, 7)", args: []any{1.5}},
	{name: "float64 quotient pinned", q: "SELECT id, ? / 3 AS x FROM images WHERE id = 7", args: []any{1.0}},
	{name: "float64 quotient scatter", q: "SELECT id, ? / 3 AS x FROM images WHERE id IN (3, 7)", args: []any{1.0}},
	{name: "float32 scatter", q: "SELECT id, ? AS f FROM images WHERE id IN (3, 7)", args: []any{float32(0.1)}},
	{name: "float32 pinned", q: "SELECT id, ? AS f FROM images WHERE id = 7", args: []any{float32(0.1)}},
	{name: "int64 beyond 2^53 value", q: "SELECT id, ? AS x FROM images WHERE id IN (3, 7)", args: []any{int64(9007199254740993)}},
	{name: "uint64 value", q: "SELECT id, ? AS x FROM images WHERE id IN (3, 7)", args: []any{uint64(18446744073709551615)}},
	{name: "column name pinned", q: "SELECT id, ? FROM images WHERE id = 7", args: []any{int64(5)}},
	{name: "column name scatter", q: "SELECT id, ? FROM images WHERE id IN (3, 7)", args: []any{int64(5)}},
	// Times: in the connection's time zone (UTC), zero as '0000-00-00'.
	{name: "time UTC+2 scatter", q: "SELECT COUNT(*) FROM images WHERE dt < ?", args: []any{time.Date(2025, 3, 2, 12, 0, 0, 0, utcPlus2)}},
	{name: "time UTC+2 multi-shard", q: "SELECT id FROM images WHERE id IN (3, 7, 11, 1) AND dt < ?", args: []any{time.Date(2025, 3, 2, 12, 0, 0, 0, utcPlus2)}},
	{name: "time UTC+2 pinned", q: "SELECT COUNT(*) FROM images WHERE id IN (4, 6, 7, 8, 12, 25, 29, 34) AND dt < ?", args: []any{time.Date(2025, 3, 2, 12, 0, 0, 0, utcPlus2)}},
	{name: "zero time scatter", q: "SELECT id, ? AS t FROM images WHERE id IN (3, 7)", args: []any{time.Time{}}},
	{name: "zero time pinned", q: "SELECT id, ? AS t FROM images WHERE id = 7", args: []any{time.Time{}}},
	{name: "time fraction scatter", q: "SELECT id, ? AS t FROM images WHERE id IN (3, 7)", args: []any{time.Date(2025, 3, 2, 12, 0, 0, 500000000, time.UTC)}},
	{name: "time plus zero scatter", q: "SELECT id, ? + 0 AS x FROM images WHERE id IN (3, 7)", args: []any{time.Date(2025, 3, 2, 12, 0, 0, 0, time.UTC)}},
	{name: "time compare scatter", q: "SELECT COUNT(*) FROM images WHERE dt BETWEEN ? AND ?", args: []any{time.Date(2025, 3, 1, 15, 0, 0, 0, time.UTC), time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)}},
	// IN lists of placeholders, split per shard.
	{name: "IN placeholders", q: "SELECT id, name FROM images WHERE id IN (?, ?, ?, ?, ?)", args: []any{int64(1), "3", []byte("4"), uint64(11), "7abc"}},
	{name: "IN placeholders ordered", q: "SELECT id FROM images WHERE id IN (?, ?, ?, ?) ORDER BY name, id", args: []any{int64(1), int64(3), int64(4), int64(11)}, ordered: true},
	{name: "IN placeholders and value", q: "SELECT id FROM images WHERE id IN (?, ?) AND name <> ?", args: []any{int64(3), int64(7), "x"}},
}

// TestPlaceholders binds Go values through the router's QueryContext and
// through database/sql on the unsharded server (server-side prepared
// statements): the answers, and the columns' names and kinds, must agree.
func TestPlaceholders(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	for _, c := range argCases {
		t.Run(c.name, func(t *testing.T) {
			v, d := e.compareArgs(ctx, e.r, e.single, c.q, c.ordered, c.args...)
			if v != same && !(v == refused && c.refuseOK) {
				t.Errorf("%v: %s\n  %s %#v", v, d, c.q, c.args)
			}
		})
	}
}

// TestPreparedThroughProxy binds the same values with COM_STMT_PREPARE and
// COM_STMT_EXECUTE: go-sql-driver with interpolateParams=false against the
// proxy, and against the unsharded server.
func TestPreparedThroughProxy(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	pdb := e.proxyDB(t)
	for _, c := range argCases {
		t.Run(c.name, func(t *testing.T) {
			v, d := e.compareArgs(ctx, pdb, e.single, c.q, c.ordered, c.args...)
			if v != same && !(v == refused && c.refuseOK) {
				t.Errorf("%v: %s\n  %s %#v", v, d, c.q, c.args)
			}
		})
	}
}

// TestPreparedResults runs the corpus2 statements that the router answers
// right in the text protocol as prepared statements, whose results travel
// in the binary protocol: the proxy converts the router's values to it.
func TestPreparedResults(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	pdb := e.proxyDB(t)
	n := 0
	for _, c := range readCorpus(t, "testdata/corpus2.sql") {
		if c.refuse != "" || c.opts.collation || c.opts.noProxy {
			continue
		}
		if v, _ := e.check(ctx, c.sql, cmpOpts{ordered: c.opts.ordered, noProxy: true}); v != same {
			continue // reported by TestHandCorpus2
		}
		n++
		v, d := e.compareArgs(ctx, prepared{pdb}, prepared{e.single}, c.sql, c.opts.ordered)
		if v != same && v != invalid {
			t.Errorf("corpus2.sql:%d: prepared through the proxy: %v: %s\n  %s", c.line, v, d, c.sql)
		}
	}
	if n < 100 {
		t.Fatalf("only %d statements compared", n)
	}
}

// sessionScripts are client sessions through the proxy, each on one
// connection. Images: 7 is 'Emile' on shard 3; 3 is 'img054' on shard 1.
var sessionScripts = []struct {
	name  string
	steps []string
	args  map[int][]any // by step, from 1
}{
	// Session state outside a transaction: controls that must pass.
	{"user variable as key", []string{"SET @v = 7", "~ SELECT id, name FROM images WHERE id = @v", "~ SELECT id, name FROM images WHERE id IN (@v, 3)"}, nil},
	{"user variable in ORDER BY", []string{"SET @d = -1", "= SELECT id FROM images ORDER BY CAST(id AS SIGNED) * @d LIMIT 5", "= SELECT id, name FROM images ORDER BY IF(@d < 0, name, id), id LIMIT 10"}, nil},
	{"collation_connection", []string{"SET collation_connection = utf8mb4_bin", "= SELECT id FROM images WHERE id <= 40 ORDER BY IF(id % 2 = 0, 'a', 'B'), id", "~ SELECT id, 'a' = 'A' AS x FROM images WHERE id IN (3, 7)"}, nil},
	{"SET NAMES", []string{"SET NAMES utf8mb4 COLLATE utf8mb4_bin", "= SELECT id FROM images WHERE id <= 40 ORDER BY IF(id % 2 = 0, 'a', 'B'), id", "SET NAMES latin1", "= SELECT id, name FROM users ORDER BY name, id"}, nil},
	{"time_zone", []string{"SET time_zone = '+05:00'", "= SELECT id, UNIX_TIMESTAMP(dt) AS u FROM images ORDER BY id LIMIT 5", "= SELECT id, FROM_UNIXTIME(1740830400 + id) AS f FROM images ORDER BY id LIMIT 3"}, nil},
	{"div_precision_increment", []string{"SET SESSION div_precision_increment = 9", "~ SELECT AVG(id), AVG(user_id) FROM images", "= SELECT id, id / 7 AS q FROM images ORDER BY id LIMIT 3"}, nil},
	{"reads on several shards in a transaction", []string{"BEGIN", "~ SELECT COUNT(*), SUM(user_id) FROM images", "~ SELECT id, name FROM images WHERE id IN (3, 7, 11, 1)", "= SELECT id, name FROM images ORDER BY name DESC, id LIMIT 5", "~ SELECT image_id, COUNT(*) FROM likes GROUP BY image_id", "COMMIT"}, nil},
	{"START TRANSACTION READ ONLY", []string{"START TRANSACTION READ ONLY", "~ SELECT COUNT(*) FROM images", "= SELECT id FROM images ORDER BY dt DESC, id LIMIT 5", "COMMIT"}, nil},
	{"START TRANSACTION WITH CONSISTENT SNAPSHOT", []string{"START TRANSACTION WITH CONSISTENT SNAPSHOT", "~ SELECT COUNT(*) FROM likes", "ROLLBACK"}, nil},
	{"USE the topology's database", []string{"USE {db}", "~ SELECT COUNT(*), SUM(id) FROM images", "~ SELECT id, name FROM images WHERE id IN (1, 7)", "BEGIN", "~ SELECT id, name FROM images WHERE id = 7", "COMMIT"}, nil},
	{"read your own write", []string{"BEGIN", "INSERT INTO images (id, user_id, parent_id, name, path, dt) VALUES (1001, 5, NULL, 'new', '/n', '2025-03-01 12:00:00')", "~ SELECT COUNT(*), MAX(id) FROM images", "~ SELECT id, name FROM images WHERE id = 1001", "= SELECT id FROM images ORDER BY name DESC, id LIMIT 3", "ROLLBACK", "~ SELECT COUNT(*), MAX(id) FROM images"}, nil},
	{"read your own update", []string{"BEGIN", "UPDATE images SET name = 'zzzz' WHERE id = 7", "~ SELECT name FROM images WHERE id = 7", "~ SELECT COUNT(*) FROM images WHERE name = 'zzzz'", "= SELECT id, name FROM images ORDER BY name DESC, id LIMIT 2", "ROLLBACK", "~ SELECT name FROM images WHERE id = 7"}, nil},
	{"read your own delete, autocommit off", []string{"SET autocommit = 0", "DELETE FROM likes WHERE image_id = 7", "~ SELECT COUNT(*) FROM likes", "~ SELECT image_id, COUNT(*) FROM likes WHERE image_id IN (3, 7) GROUP BY image_id", "ROLLBACK", "SET autocommit = 1", "~ SELECT COUNT(*) FROM likes"}, nil},
	// Session state and transactions.
	{"variable set before BEGIN", []string{"SET @v = 7", "BEGIN", "~ SELECT id, name FROM images WHERE id = @v", "~ SELECT @v", "COMMIT"}, nil},
	{"variable set in a transaction", []string{"BEGIN", "SET @v = 7", "COMMIT", "~ SELECT id, name FROM images WHERE id = @v"}, nil},
	{"variable set in a transaction, read there", []string{"BEGIN", "~ SELECT id FROM images WHERE id = 7", "SET @v = 3", "~ SELECT id, name FROM images WHERE id = @v", "COMMIT"}, nil},
	{"variable with autocommit off", []string{"SET @v = 7", "SET autocommit = 0", "~ SELECT id, name FROM images WHERE id = @v", "COMMIT", "SET autocommit = 1"}, nil},
	{"collation in a transaction", []string{"SET collation_connection = utf8mb4_bin", "BEGIN", "= SELECT id FROM images WHERE id <= 40 ORDER BY IF(id % 2 = 0, 'a', 'B'), id", "COMMIT"}, nil},
	{"time_zone in a transaction", []string{"SET time_zone = '+05:00'", "BEGIN", "= SELECT id, UNIX_TIMESTAMP(dt) AS u FROM images ORDER BY id LIMIT 5", "COMMIT"}, nil},
	{"lc_time_names in a transaction", []string{"SET lc_time_names = 'de_DE'", "= SELECT id, DAYNAME(dt) AS d FROM images ORDER BY id LIMIT 5", "BEGIN", "= SELECT id, DAYNAME(dt) AS d FROM images ORDER BY id LIMIT 5", "COMMIT"}, nil},
	// Session state the router does not see.
	{"variable assigned by SELECT", []string{"! SELECT @v := 7"}, nil},
	{"variable from a subquery", []string{"! SET @v = (SELECT COUNT(*) FROM images)"}, nil},
	{"sql_select_limit", []string{"! SET SESSION sql_select_limit = 3"}, nil},
	{"savepoint before a write on another shard", []string{"BEGIN", "~ SELECT id, name FROM images WHERE id = 3", "SAVEPOINT s", "INSERT INTO images (id, user_id, parent_id, name, path, dt) VALUES (1001, 5, NULL, 'new', '/n', '2025-03-01 12:00:00')", "ROLLBACK TO SAVEPOINT s", "~ SELECT COUNT(*), MAX(id) FROM images", "ROLLBACK"}, nil},
	// sql_mode changes how the text parses, and the router parses in the
	// default mode: it refuses the modes that change parsing. (A bound
	// parameter compares in the client's handshake collation, not
	// collation_connection, on MariaDB; the router, which binds values as
	// literals, does not reproduce that, and no script here asks it to.)
	{"NO_BACKSLASH_ESCAPES", []string{"! SET sql_mode = 'NO_BACKSLASH_ESCAPES'"}, nil},
	{"ANSI_QUOTES", []string{"! SET sql_mode = 'ANSI_QUOTES'"}, nil},
	{"PIPES_AS_CONCAT", []string{"! SET sql_mode = 'PIPES_AS_CONCAT'"}, nil},
	{"ANSI", []string{"! SET sql_mode = 'ANSI'"}, nil},
	{"HIGH_NOT_PRECEDENCE", []string{"! SET sql_mode = 'HIGH_NOT_PRECEDENCE'"}, nil},
	{"sql_mode as a number", []string{"! SET sql_mode = 1048576"}, nil},
	// In these a backslash can end a character: the string's end moves.
	{"SET NAMES gbk", []string{"! SET NAMES gbk"}, nil},
	{"SET CHARACTER SET sjis", []string{"! SET CHARACTER SET sjis"}, nil},
	// MariaDB Connector/J's login statement appends a mode to the session's.
	{"sql_mode appended as a driver does", []string{"SET autocommit=1, sql_mode = concat(@@sql_mode,',STRICT_TRANS_TABLES')", "~ SELECT @@sql_mode", "~ SELECT id, name FROM images WHERE id IN (3, 7)", "= SELECT id, name FROM images ORDER BY name DESC, id LIMIT 5"}, nil},
	{"sql_mode appended with a parse mode", []string{"! SET sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')"}, nil},
	// A computed sql_mode is read back on the first shard's primary: one
	// holding a parse mode is refused, any other runs on every shard.
	{"sql_mode computed otherwise", []string{"SET sql_mode = REPLACE(@@sql_mode, 'STRICT_TRANS_TABLES', '')", "~ SELECT @@sql_mode", "INSERT INTO images (id, user_id, parent_id, name, path, dt) VALUES (1002, 5, NULL, REPEAT('n', 300), '/n', '2025-03-01 12:00:00')", "~ SELECT id, LENGTH(name) FROM images WHERE id = 1002", "DELETE FROM images WHERE id = 1002"}, nil},
	{"sql_mode computed to a parse mode", []string{"SET @m = 'PIPES_AS_CONCAT'", "! SET sql_mode = @m"}, nil},
	{"a dump's sql_mode saved and restored", []string{"SET @OLD_SQL_MODE = @@SQL_MODE, SQL_MODE = 'NO_AUTO_VALUE_ON_ZERO'", "~ SELECT @@sql_mode", "SET SQL_MODE = @OLD_SQL_MODE", "~ SELECT @@sql_mode", "= SELECT id, name FROM images ORDER BY name DESC, id LIMIT 5"}, nil},
	{"sql_mode as a bare word", []string{"SET sql_mode = STRICT_TRANS_TABLES", "~ SELECT @@sql_mode", "~ SELECT id, name FROM images WHERE id IN (3, 7)"}, nil},
}

// TestProxySessions runs each script on one proxy connection and one
// connection to the unsharded server.
func TestProxySessions(t *testing.T) {
	e := setup(t)
	pdb := e.proxyDB(t)
	for _, s := range sessionScripts {
		t.Run(s.name, func(t *testing.T) {
			e.script(t, e.sessionPair(t, pdb), s.steps, s.args)
		})
	}
}
