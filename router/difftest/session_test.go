package difftest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/router"
)

func TestProbe(t *testing.T) {
	path := os.Getenv("PROBE")
	if path == "" {
		t.Skip()
	}
	e := setup(t)
	ctx := context.Background()
	for _, c := range readCorpus(t, path) {
		if os.Getenv("DUMP") != "" {
			_, cts, raw, err := query(ctx, e.single, c.sql)
			if err != nil {
				t.Logf("L%d err %v", c.line, err)
				continue
			}
			rows, _ := e.renderRows(ctx, cts, raw, false, false)
			t.Logf("L%d %s\n%s", c.line, c.sql, strings.Join(rows, "\n"))
			continue
		}
		v, detail := e.check(ctx, c.sql, c.opts)
		t.Logf("L%d %v: %s\n    %s", c.line, v, detail, c.sql)
	}
}

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
	if errors.Is(err, router.ErrUnsupported) {
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

type argCase struct {
	q       string
	args    []any
	ordered bool
}

var utcPlus2 = time.FixedZone("UTC+2", 2*3600)

var probeArgs = []argCase{
	{q: "SELECT id, name FROM users WHERE id IN (1, 2, 24, 26) AND name = ?", args: []any{[]byte("alice")}},
	{q: "SELECT id, name FROM users WHERE id IN (1, 2, 24, 26) AND name = ?", args: []any{"alice"}},
	{q: "SELECT id, name FROM users WHERE id IN (1, 2, 3, 4) AND name = ?", args: []any{[]byte("alice")}},
	{q: "SELECT id FROM images WHERE id = 7 AND ? + ? = 0.3", args: []any{0.1, 0.2}},
	{q: "SELECT id FROM images WHERE id IN (7, 3) AND ? + ? = 0.3", args: []any{0.1, 0.2}},
	{q: "SELECT id, ? AS f FROM images WHERE id = 7", args: []any{1.5}},
	{q: "SELECT id, ? AS f FROM images WHERE id IN (3, 7)", args: []any{1.5}},
	{q: "SELECT id, ? FROM images WHERE id = 7", args: []any{int64(5)}},
	{q: "SELECT id, ? FROM images WHERE id IN (3, 7)", args: []any{int64(5)}},
	{q: "SELECT id, ? AS f FROM images WHERE id IN (3, 7)", args: []any{float32(0.1)}},
	{q: "SELECT id, ? AS f FROM images WHERE id = 7", args: []any{float32(0.1)}},
	{q: "SELECT COUNT(*) FROM images WHERE dt < ?", args: []any{time.Date(2025, 3, 2, 12, 0, 0, 0, utcPlus2)}},
	{q: "SELECT COUNT(*) FROM images WHERE id IN (4, 6, 7, 8, 12, 25, 29, 34) AND dt < ?", args: []any{time.Date(2025, 3, 2, 12, 0, 0, 0, utcPlus2)}},
	{q: "SELECT id, ? AS t FROM images WHERE id IN (3, 7)", args: []any{time.Time{}}},
	{q: "SELECT id, ? AS t FROM images WHERE id = 7", args: []any{time.Time{}}},
	{q: "SELECT id, ? AS t FROM images WHERE id IN (3, 7)", args: []any{time.Date(2025, 3, 2, 12, 0, 0, 500000000, time.UTC)}},
	{q: "SELECT id, ? AS b FROM images WHERE id IN (3, 7)", args: []any{[]byte(nil)}},
	{q: "SELECT id, ? AS b FROM images WHERE id = 7", args: []any{[]byte(nil)}},
	{q: "SELECT id FROM images WHERE id = ?", args: []any{true}},
	{q: "SELECT id FROM images WHERE id IN (?, ?)", args: []any{true, int64(3)}},
	{q: "SELECT id, name FROM images WHERE id IN (1, 2, 24, 26) ORDER BY ?, id LIMIT 2", args: []any{int64(2)}, ordered: true},
	{q: "SELECT id, name FROM images ORDER BY ?, id LIMIT 3", args: []any{int64(2)}, ordered: true},
	{q: "SELECT id, name FROM images ORDER BY ? DESC, id LIMIT 3", args: []any{"name"}, ordered: true},
	{q: "SELECT id FROM users WHERE id = ?", args: []any{uint64(18446744073709551615)}},
	{q: "SELECT id FROM users WHERE id = ?", args: []any{int64(9223372036854775807)}},
	{q: "SELECT id FROM users WHERE id = ?", args: []any{"9223372036854775808"}},
	{q: "SELECT id FROM users WHERE id IN (?, ?, ?)", args: []any{"5abc", "+7", []byte(" 9")}},
	{q: "SELECT id FROM users WHERE id = ?", args: []any{"18446744073709551615"}},
	{q: "SELECT id FROM users WHERE id = ?", args: []any{int64(-1)}},
	{q: "SELECT id FROM users WHERE id = ?", args: []any{nil}},
	{q: "SELECT id FROM images ORDER BY id LIMIT ?", args: []any{int64(3)}, ordered: true},
	{q: "SELECT id FROM images ORDER BY id LIMIT ?, ?", args: []any{int64(397), int64(10)}, ordered: true},
	{q: "SELECT id FROM images WHERE id IN (4, 6, 7) ORDER BY id LIMIT ?", args: []any{int64(2)}, ordered: true},
	{q: "SELECT id FROM images ORDER BY id LIMIT ?", args: []any{"3"}, ordered: true},
	{q: "SELECT id FROM images WHERE id = 7 ORDER BY id LIMIT ?", args: []any{"3"}, ordered: true},
	{q: "SELECT id FROM images ORDER BY id LIMIT ?", args: []any{uint64(18446744073709551615)}, ordered: true},
	{q: "SELECT COUNT(*) FROM images WHERE name = ?", args: []any{"back\\slash"}},
	{q: "SELECT COUNT(*) FROM images WHERE name = ?", args: []any{"O'Brien"}},
	{q: "SELECT COUNT(*) FROM images WHERE name = ?", args: []any{[]byte("ALICE")}},
	{q: "SELECT COUNT(*) FROM images WHERE name LIKE ?", args: []any{"a\\_b"}},
	{q: "SELECT id, ? + 0 AS x FROM images WHERE id IN (3, 7)", args: []any{time.Date(2025, 3, 2, 12, 0, 0, 0, time.UTC)}},
	{q: "SELECT id, ? + 0 AS x FROM images WHERE id = 7", args: []any{time.Date(2025, 3, 2, 12, 0, 0, 0, time.UTC)}},
	{q: "SELECT id, ? / 3 AS x FROM images WHERE id = 7", args: []any{1.0}},
	{q: "SELECT id, ? / 3 AS x FROM images WHERE id IN (3, 7)", args: []any{1.0}},
	{q: "SELECT id, ? AS x FROM images WHERE id IN (3, 7)", args: []any{"5abc"}},
	{q: "SELECT id, ? AS x FROM images WHERE id = 7", args: []any{"5abc"}},
	{q: "SELECT id, CHARSET(?) AS x, COLLATION(?) AS y FROM images WHERE id = 7", args: []any{[]byte("a"), []byte("a")}},
	{q: "SELECT id, CHARSET(?) AS x, COLLATION(?) AS y FROM images WHERE id IN (3, 7)", args: []any{[]byte("a"), []byte("a")}},
	{q: "SELECT id, CHARSET(?) AS x, COLLATION(?) AS y FROM images WHERE id IN (3, 7)", args: []any{"a", "a"}},
	{q: "SELECT id, ? AS x FROM images WHERE id IN (3, 7)", args: []any{int64(9007199254740993)}},
	{q: "SELECT COUNT(*) FROM users WHERE id > ?", args: []any{int64(9007199254740993)}},
	{q: "SELECT COUNT(*) FROM users WHERE id > ?", args: []any{9007199254740993.0}},
	{q: "SELECT id FROM users WHERE id = ?", args: []any{9223372036854775807.0}},
	{q: "SELECT id FROM images WHERE id = ?", args: []any{7.0}},
	{q: "SELECT id FROM images WHERE id = ?", args: []any{"7.0"}},
	{q: "SELECT id FROM images WHERE id = ?", args: []any{[]byte("7")}},
	{q: "SELECT id FROM images WHERE id = ?", args: []any{sql.NullInt64{Int64: 7, Valid: true}}},
	{q: "SELECT id FROM images WHERE id = ?", args: []any{sql.NullString{String: "7", Valid: true}}},
	{q: "SELECT id, ? AS x FROM images WHERE id IN (3, 7)", args: []any{"\x00a\\'\"\n\r\t\x1a%_"}},
	{q: "SELECT id, ? AS x FROM images WHERE id = 7", args: []any{"\x00a\\'\"\n\r\t\x1a%_"}},
	{q: "SELECT id, ? AS x FROM images WHERE id IN (3, 7)", args: []any{"\xff\xfe"}},
	{q: "SELECT id, HEX(?) AS x FROM images WHERE id IN (3, 7)", args: []any{[]byte{0xff, 0x00, 0x41}}},
	{q: "SELECT id, HEX(?) AS x FROM images WHERE id = 7", args: []any{[]byte{0xff, 0x00, 0x41}}},
	{q: "SELECT id, LENGTH(?) AS x FROM images WHERE id IN (3, 7)", args: []any{"日本"}},
	{q: "SELECT id FROM images WHERE id = 7 AND ? = 'ALICE'", args: []any{[]byte("alice")}},
	{q: "SELECT id FROM images WHERE id IN (3, 7) AND ? = 'ALICE'", args: []any{[]byte("alice")}},
	{q: "SELECT id, ? = 'ALICE' AS x FROM images WHERE id = 7", args: []any{"alice"}},
	{q: "SELECT id, name FROM images WHERE id IN (1, 2, 24, 26) ORDER BY ?, id LIMIT 2", args: []any{int64(2)}, ordered: true},
	{q: "SELECT id, name FROM images WHERE id IN (1, 2, 24, 26) ORDER BY ? DESC, id", args: []any{int64(2)}, ordered: true},
	{q: "SELECT id, name FROM images ORDER BY ?, id LIMIT 3", args: []any{int64(2)}, ordered: true},
	{q: "SELECT id, name FROM images ORDER BY ? DESC, id LIMIT 3", args: []any{int64(2)}, ordered: true},
	{q: "SELECT id, name FROM images WHERE id < 30 ORDER BY ? DESC, id", args: []any{"x"}, ordered: true},
	{q: "SELECT user_id, COUNT(*) FROM images WHERE id < 30 GROUP BY ?", args: []any{int64(1)}},
	{q: "SELECT id, user_id FROM images WHERE id < 30 GROUP BY ?, id", args: []any{int64(2)}},
}

func TestProbeArgs(t *testing.T) {
	if os.Getenv("PROBEARGS") == "" {
		t.Skip()
	}
	e := setup(t)
	ctx := context.Background()
	for i, c := range probeArgs {
		v, d := e.compareArgs(ctx, e.r, e.single, c.q, c.ordered, c.args...)
		t.Logf("#%d %v: %s\n    %s %#v", i, v, d, c.q, c.args)
	}
}

var _ = mysql.NewConfig

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

func TestProbeProxyPrepared(t *testing.T) {
	path := os.Getenv("PROBEPREP")
	if path == "" {
		t.Skip()
	}
	e := setup(t)
	ctx := context.Background()
	pdb := e.proxyDB(t)
	for _, c := range readCorpus(t, path) {
		if c.refuse != "" || c.opts.collation {
			continue
		}
		v, d := e.compareArgs(ctx, prepared{pdb}, prepared{e.single}, c.sql, c.opts.ordered)
		if v != same && v != refused {
			t.Logf("L%d %v: %s\n    %s", c.line, v, d, c.sql)
		}
	}
	for i, c := range probeArgs {
		v, d := e.compareArgs(ctx, pdb, e.single, c.q, c.ordered, c.args...)
		t.Logf("#%d %v: %s\n    %s %#v", i, v, d, c.q, c.args)
	}
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

// script runs steps on both connections. A step "= q" or "~ q" is a query
// whose answers must agree, in order or as multisets; any other step is
// run on both sides, and must succeed on both.
func (e *env) script(t *testing.T, sp *sessionPair, steps []string) {
	t.Helper()
	ctx := context.Background()
	for i, s := range steps {
		switch {
		case strings.HasPrefix(s, "= "), strings.HasPrefix(s, "~ "):
			q := s[2:]
			v, d := e.compareArgs(ctx, sp.proxy, sp.single, q, s[0] == '=')
			if v != same {
				t.Errorf("step %d: %v: %s\n  %s", i+1, v, d, q)
			}
		default:
			_, werr := sp.single.ExecContext(ctx, s)
			_, gerr := sp.proxy.ExecContext(ctx, s)
			if werr != nil {
				t.Fatalf("step %d: the unsharded server rejects it: %v\n  %s", i+1, werr, s)
			}
			if gerr != nil {
				t.Errorf("step %d: the proxy failed where the server did not: %v\n  %s", i+1, gerr, s)
			}
		}
	}
}

var probeScripts = [][]string{
	{"SET @v = 7", "~ SELECT id, name FROM images WHERE id = @v"},
	{"SET @v = 7", "BEGIN", "~ SELECT id, name FROM images WHERE id = @v", "COMMIT"},
	{"BEGIN", "SET @v = 7", "COMMIT", "~ SELECT id, name FROM images WHERE id = @v"},
	{"BEGIN", "~ SELECT id FROM images WHERE id = 7", "SET @v = 3", "~ SELECT id, name FROM images WHERE id = @v", "COMMIT"},
	{"SET collation_connection = utf8mb4_bin", "= SELECT id FROM images WHERE id <= 40 ORDER BY IF(id % 2 = 0, 'a', 'B'), id"},
	{"SET collation_connection = utf8mb4_bin", "BEGIN", "= SELECT id FROM images WHERE id <= 40 ORDER BY IF(id % 2 = 0, 'a', 'B'), id", "COMMIT"},
	{"SET sql_mode = 'NO_BACKSLASH_ESCAPES'", "~ SELECT COUNT(*) FROM images WHERE name = 'back\\slash'", "~ SELECT COUNT(*) FROM images WHERE name LIKE 'a\\_b'"},
	{"SET sql_mode = 'ANSI_QUOTES'", "~ SELECT COUNT(*) FROM images WHERE \"name\" = 'alice'"},
	{"SET sql_mode = 'PIPES_AS_CONCAT'", "~ SELECT COUNT(*) FROM images WHERE id = 1 || 2", "= SELECT id, name || '!' AS x FROM images ORDER BY id LIMIT 3"},
	{"SET sql_mode = 'HIGH_NOT_PRECEDENCE'", "~ SELECT COUNT(*) FROM images WHERE NOT id BETWEEN 5 AND 10"},
	{"SET time_zone = '+05:00'", "= SELECT id, UNIX_TIMESTAMP(dt) AS u FROM images ORDER BY id LIMIT 5"},
	{"SET time_zone = '+05:00'", "BEGIN", "= SELECT id, UNIX_TIMESTAMP(dt) AS u FROM images ORDER BY id LIMIT 5", "COMMIT"},
	{"SELECT @v := 7", "~ SELECT id, name FROM images WHERE id = @v"},
	{"SET @v = 7", "SET autocommit = 0", "~ SELECT id, name FROM images WHERE id = @v", "COMMIT", "SET autocommit = 1"},
	{"SET SESSION sql_select_limit = 3", "= SELECT id FROM images ORDER BY id", "~ SELECT id FROM images WHERE id IN (3, 7, 8, 11, 12)"},
	{"SET @v = (SELECT COUNT(*) FROM images)", "~ SELECT @v", "~ SELECT COUNT(*) FROM images WHERE id <= @v"},
	{"SET @v = 7", "BEGIN", "~ SELECT @v", "COMMIT"},
	{"SET lc_time_names = 'de_DE'", "= SELECT id, DAYNAME(dt) AS d FROM images ORDER BY id LIMIT 5", "BEGIN", "= SELECT id, DAYNAME(dt) AS d FROM images ORDER BY id LIMIT 5", "COMMIT"},
	{"SET NAMES latin1", "= SELECT id, name FROM users WHERE id <= 12 ORDER BY name, id", "= SELECT id, name FROM users ORDER BY name, id"},
	{"BEGIN", "INSERT INTO images (id, user_id, parent_id, name, path, dt) VALUES (1001, 5, NULL, 'new', '/n', '2025-03-01 12:00:00')", "~ SELECT COUNT(*), MAX(id) FROM images", "~ SELECT id FROM images WHERE id = 1001", "ROLLBACK", "~ SELECT COUNT(*), MAX(id) FROM images"},
	{"SET sql_mode = 'ANSI'", "~ SELECT COUNT(*) FROM images WHERE \"name\" = 'alice'"},
	{"SET default_week_format = 1", "= SELECT id, WEEK(dt) AS w FROM images ORDER BY id LIMIT 5"},
	{"SET SESSION div_precision_increment = 9", "~ SELECT AVG(id), AVG(user_id) FROM images", "= SELECT id, id / 7 AS q FROM images ORDER BY id LIMIT 3"},
}

func TestProbeScripts(t *testing.T) {
	if os.Getenv("PROBESCRIPTS") == "" {
		t.Skip()
	}
	e := setup(t)
	pdb := e.proxyDB(t)
	for i, s := range probeScripts {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			e.script(t, e.sessionPair(t, pdb), s)
		})
	}
}
