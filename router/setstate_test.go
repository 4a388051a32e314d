package router_test

// Tests of a session's SET of user variables and its refusals, written by
// an independent reviewer: each compares the session with one direct
// connection that ran the same statements.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/router"
)

// setcmpDirect is a direct connection to the first primary, in the
// topology's database.
func setcmpDirect(t *testing.T, r *router.Router, db string, addr string) *sql.Conn {
	t.Helper()
	sb := dbtest.Sandbox(t)
	c, err := dbtest.OpenAdmin(t, sb.Topology, addr).Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.ExecContext(context.Background(), "USE "+db); err != nil {
		t.Fatal(err)
	}
	return c
}

type setcmpQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// setcmpRead answers read as one string: its values and column types,
// or its error.
func setcmpRead(q setcmpQuerier, read string) string {
	rows, err := q.QueryContext(context.Background(), read)
	if err != nil {
		return "ERROR " + err.Error()
	}
	defer rows.Close()
	types, _ := rows.ColumnTypes()
	vals := make([]sql.RawBytes, len(types))
	ptrs := make([]any, len(types))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if !rows.Next() {
		return "ERROR no row " + fmt.Sprint(rows.Err())
	}
	if err := rows.Scan(ptrs...); err != nil {
		return "ERROR " + err.Error()
	}
	var out []string
	for i, v := range vals {
		s := "NULL"
		if v != nil {
			s = fmt.Sprintf("%q", string(v))
		}
		out = append(out, types[i].DatabaseTypeName()+":"+s)
	}
	return strings.Join(out, " ")
}

// setcmpCompare runs set in a fresh Session and on a direct connection,
// then each read several times through the session (its replicas and
// primary) and once directly, and reports every difference.
func setcmpCompare(t *testing.T, set string, reads ...string) {
	t.Helper()
	r, sb := openRouter(t, router.Config{Replica: quiet()})
	setupKV(t, r)
	ctx := context.Background()
	direct := setcmpDirect(t, r, sb.Topology.DatabaseName(), r.Sets()[0].Primary().Addr)
	s := r.NewSession()
	defer s.Close()
	_, serr := s.ExecContext(ctx, set)
	_, derr := direct.ExecContext(ctx, set)
	if (serr == nil) != (derr == nil) {
		t.Fatalf("%s: session error %v, direct error %v", set, serr, derr)
	}
	if serr != nil {
		return
	}
	for _, read := range reads {
		want := setcmpRead(direct, read)
		for i := 0; i < 6; i++ {
			if got := setcmpRead(s, read); got != want {
				t.Errorf("after %s\n  %s\n  session: %s\n  direct:  %s", set, read, got, want)
				break
			}
		}
	}
}

// A computed SET that is the session's first runs once, as it would on
// one connection.
func TestSetStateFirstComputedSetRunsTwice(t *testing.T) {
	setcmpCompare(t, "SET @n = COALESCE(@n, 0) + 1", "SELECT @n")
}

// A string variable of any character set reads back the same bytes,
// character set and collation.
func TestSetStateNonUTF8StringVariables(t *testing.T) {
	for _, cs := range []string{"latin1", "ucs2", "utf16", "utf32"} {
		t.Run(cs, func(t *testing.T) {
			setcmpCompare(t, "SET @s = CONVERT(CONCAT('caf', X'C3A9') USING "+cs+")",
				"SELECT HEX(@s), CHARSET(@s), COLLATION(@s), CHAR_LENGTH(@s)")
		})
	}
}

// An unsigned integer stays unsigned.
func TestSetStateUnsignedVariable(t *testing.T) {
	setcmpCompare(t, "SET @u = CAST(1 AS UNSIGNED)", "SELECT @u", "SELECT @u - 2")
}

// @"dq" is the variable dq.
func TestSetStateDoubleQuotedName(t *testing.T) {
	setcmpCompare(t, `SET @"dq" = 1 + 1`, "SELECT @dq")
}

// Values the review checked: each must read the same as on a direct
// connection.
func TestSetStateValues(t *testing.T) {
	cases := []struct{ set, read string }{
		{"SET @f = 0.1e0 + 0.2e0", "SELECT @f, @f = 0.1e0 + 0.2e0"},
		{"SET @f = 1e-320 * 1", "SELECT @f, @f = 1e-320 * 1, @f > 0"},
		{"SET @f = 4.9406564584124654e-324 * 1", "SELECT @f, @f > 0"},
		{"SET @f = -1e0 * 0", "SELECT @f, CONCAT(@f), 1/@f"},
		{"SET @f = 1.7976931348623157e308 * 1", "SELECT @f, @f = 1.7976931348623157e308"},
		{"SET @f = PI() * 1e10", "SELECT @f, @f = PI() * 1e10"},
		{"SET @f = 1/3e0", "SELECT @f, @f = 1/3e0"},
		{"SET @d = 12345678901234567890123456789012345678901234567890.123456789 * -1", "SELECT @d, @d * 1"},
		{"SET @d = -0.000000000000000000000000000001 * 1", "SELECT @d"},
		{"SET @d = 1/3", "SELECT @d, @d * 3"},
		{"SET @d = 1.50 * 1", "SELECT @d, CONCAT(@d)"},
		{"SET @d = CAST(-0.0 AS DECIMAL(10,2))", "SELECT @d, CONCAT(@d)"},
		{"SET @i = -9223372036854775807 - 1", "SELECT @i, @i - 0"},
		{"SET @i = 18446744073709551615 + 0", "SELECT @i, @i + 0"},
		{"SET @b = b'101' | 0", "SELECT @b"},
		{"SET @b = CAST(b'101' AS BINARY)", "SELECT HEX(@b), CHARSET(@b)"},
		{"SET @s = CONCAT('')", "SELECT @s IS NULL, @s = '', CHARSET(@s), COLLATION(@s)"},
		{"SET @s = CAST(NULL AS CHAR)", "SELECT @s IS NULL, CHARSET(@s)"},
		{"SET @s = CONCAT('a') COLLATE utf8mb4_bin", "SELECT @s, COLLATION(@s), COERCIBILITY(@s), @s = 'A'"},
		{"SET @s = CONVERT(CONCAT('a') USING latin1) COLLATE latin1_bin", "SELECT @s, COLLATION(@s), COERCIBILITY(@s), @s = 'A'"},
		{"SET @j = JSON_OBJECT('a', 1, 'b', 'é')", "SELECT @j, CHARSET(@j), COLLATION(@j), JSON_VALID(@j)"},
		{"SET @t = TIMESTAMP('2026-01-02 03:04:05.123456')", "SELECT @t, CHARSET(@t), @t + 0"},
		{"SET @t = TIME('-838:59:59')", "SELECT @t, @t + 0"},
		{"SET @x = UNHEX('00FF'), @y = CONCAT(@x)", "SELECT HEX(@x), HEX(@y), CHARSET(@y)"},
		{"SET @a = 1, @b = @a + 1", "SELECT @a, @b"},
		{"SET @a = 5 * 1, @b = @a + 1, @a = 7", "SELECT @a, @b"},
		{"SET @`a b` = 1 + 1, @`c``d` = 2 + 2", "SELECT @`a b`, @`c``d`"},
		{"SET @A = 1 + 1", "SELECT @a"},
		{"SET @v = (SELECT v FROM kv WHERE k = 1)", "SELECT @v"},
		{"SET @v = (SELECT v FROM kv WHERE k = 999)", "SELECT @v"},
		{"SET @z = 'x', @z2 = CONCAT(@z, 'y')", "SELECT @z, @z2"},
		{"SET @g = ST_AsText(POINT(1, 2))", "SELECT @g"},
		{"SET @e = 1e0 * 0.5", "SELECT @e, @e * 2"},
		{"SET @u = UUID_SHORT() * 0", "SELECT @u"},
		{"SET @tr = TRUE AND 1", "SELECT @tr"},
	}
	for _, tc := range cases {
		t.Run(tc.set, func(t *testing.T) {
			setcmpCompare(t, tc.set, tc.read)
		})
	}
}

// setcmpSession is a session that already holds state (its primary is
// pinned), with a direct connection that ran the same.
func setcmpSession(t *testing.T, r *router.Router) (*router.Session, *sql.Conn) {
	t.Helper()
	sb := dbtest.Sandbox(t)
	direct := setcmpDirect(t, r, sb.Topology.DatabaseName(), r.Sets()[0].Primary().Addr)
	s := r.NewSession()
	t.Cleanup(func() { s.Close() })
	for _, c := range []interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}{s, direct} {
		if _, err := c.ExecContext(context.Background(), "SET @warm = 1"); err != nil {
			t.Fatal(err)
		}
	}
	return s, direct
}

// A SET that assigns a user variable and a system variable from itself
// runs once on every connection.
func TestSetStateMixedSystemVariableTwiceOnPrimary(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	setupKV(t, r)
	ctx := context.Background()
	s, direct := setcmpSession(t, r)
	const set = "SET @a = 1 + 1, @@session.max_sort_length = @@session.max_sort_length + 1"
	for _, c := range []interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}{s, direct} {
		if _, err := c.ExecContext(ctx, set); err != nil {
			t.Fatal(err)
		}
	}
	want := setcmpRead(direct, "SELECT @@session.max_sort_length")
	s.SetConsistency(router.Strong) // read on the primary
	if got := setcmpRead(s, "SELECT @@session.max_sort_length"); got != want {
		t.Errorf("primary: got %s, want %s", got, want)
	}
	s.SetConsistency(router.Eventual)
	if got := setcmpRead(s, "SELECT @@session.max_sort_length"); got != want {
		t.Errorf("replica: got %s, want %s", got, want)
	}
}

// A computed SET works under sql_select_limit = 0.
func TestSetStateSelectLimitZero(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	setupKV(t, r)
	ctx := context.Background()
	s, direct := setcmpSession(t, r)
	for _, q := range []string{"SET sql_select_limit = 0", "SET @a = NOW()"} {
		if _, err := direct.ExecContext(ctx, q); err != nil {
			t.Fatalf("direct %s: %v", q, err)
		}
		if _, err := s.ExecContext(ctx, q); err != nil {
			t.Errorf("session %s: %v", q, err)
		}
	}
}

// A string variable keeps its bytes under another character_set_results.
func TestSetStateSetNamesLatin1(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	setupKV(t, r)
	ctx := context.Background()
	s, direct := setcmpSession(t, r)
	for _, q := range []string{"SET NAMES latin1", "SET @s = CONVERT(X'E4B8AD' USING utf8mb4)"} {
		for _, c := range []interface {
			ExecContext(context.Context, string, ...any) (sql.Result, error)
		}{s, direct} {
			if _, err := c.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
	}
	const read = "SELECT HEX(@s), CHARSET(@s)"
	want := setcmpRead(direct, read)
	if got := setcmpRead(s, read); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// In a transaction, a SET's subquery sees the transaction's own writes.
func TestSetStateSetInTransaction(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	setupKV(t, r)
	ctx := context.Background()
	for i, warm := range []bool{false, true} {
		t.Run(fmt.Sprint("warm=", warm), func(t *testing.T) {
			var s *router.Session
			var direct *sql.Conn
			if warm {
				s, direct = setcmpSession(t, r)
			} else {
				sb := dbtest.Sandbox(t)
				direct = setcmpDirect(t, r, sb.Topology.DatabaseName(), r.Sets()[0].Primary().Addr)
				s = r.NewSession()
				defer s.Close()
			}
			for j, c := range []interface {
				ExecContext(context.Context, string, ...any) (sql.Result, error)
			}{s, direct} {
				k := 424200 + 10*i + j
				for _, q := range []string{
					"BEGIN",
					fmt.Sprintf("INSERT INTO kv VALUES (%d, 7)", k),
					"SET @c = (SELECT COUNT(*) FROM kv WHERE k BETWEEN 424200 AND 424299)",
					"ROLLBACK",
				} {
					if _, err := c.ExecContext(ctx, q); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
			}
			want := setcmpRead(direct, "SELECT @c")
			for i := 0; i < 4; i++ {
				if got := setcmpRead(s, "SELECT @c"); got != want {
					t.Fatalf("got %s, want %s", got, want)
				}
			}
		})
	}
}

// TestSetStateSetColonEquals: SET @v := expr, which the parser does not
// read, is refused, by the session and by the pooled router, rather than
// run on one connection; nothing keeps the value.
func TestSetStateSetColonEquals(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	setupKV(t, r)
	ctx := context.Background()
	for _, warm := range []bool{false, true} {
		s := r.NewSession()
		if warm {
			s, _ = setcmpSession(t, r)
		}
		if _, err := s.ExecContext(ctx, "SET @x := 0"); !errors.Is(err, router.ErrUnsupported) {
			t.Errorf("session (warm %v): SET @x := 0: got %v, want ErrUnsupported", warm, err)
		}
		s.Close()
	}
	if _, err := r.ExecContext(ctx, "SET @x := 0"); !errors.Is(err, router.ErrUnsupported) {
		t.Errorf("pooled router: SET @x := 0: got %v, want ErrUnsupported", err)
	}
}

// Creating a stored program runs nothing its body says: the router must
// not refuse it for what the body holds (the server may, for privileges).
func TestSetStateCreateProgramsNotRefused(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	ctx := context.Background()
	for _, q := range []string{
		"CREATE PROCEDURE r3_next() BEGIN UPDATE seq3 SET id = LAST_INSERT_ID(id + 1); END",
		"CREATE PROCEDURE r3_loop() BEGIN DECLARE x INT DEFAULT 0; SET x := x + 1; SELECT x; END",
		"CREATE TRIGGER r3_trg BEFORE INSERT ON seq3 FOR EACH ROW SET NEW.id := NEW.id + 1",
	} {
		t.Run(q, func(t *testing.T) {
			s := r.NewSession()
			defer s.Close()
			if _, err := s.ExecContext(ctx, q); errors.Is(err, router.ErrUnsupported) {
				t.Errorf("session: %v", err)
			}
			if _, err := r.ExecContext(ctx, q); errors.Is(err, router.ErrUnsupported) {
				t.Errorf("pooled router: %v", err)
			}
		})
	}
}

// IS_FREE_LOCK and IS_USED_LOCK take no lock.
func TestSetStateSetFromLockInspection(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	s := r.NewSession()
	defer s.Close()
	for _, q := range []string{"SET @f = IS_FREE_LOCK('job')", "SET @o = IS_USED_LOCK('job')"} {
		if _, err := s.ExecContext(context.Background(), q); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
}

// A SET with placeholders takes its arguments' values, on every connection
// of the session, with their types.
func TestSetStateSetPlaceholder(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	setupKV(t, r)
	ctx := context.Background()
	for _, warm := range []bool{false, true} {
		s := r.NewSession()
		if warm {
			s, _ = setcmpSession(t, r)
		}
		if _, err := s.ExecContext(ctx, "SET @p = ?, @q = ?, @f = ?", 5, "it's", 1.5); err != nil {
			t.Fatalf("SET @p = ?, @q = ?, @f = ?: %v", err)
		}
		for i := 0; i < 4; i++ {
			var got string
			if err := s.GetContext(ctx, &got, "SELECT CONCAT_WS('|', @p + 1, @q, @f * 2)"); err != nil || got != "6|it's|3" {
				t.Fatalf("warm %v: got %q, %v; want 6|it's|3", warm, got, err)
			}
		}
		s.Close()
	}
}
