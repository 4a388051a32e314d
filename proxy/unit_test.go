package proxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
	"vitess.io/vitess/go/sqltypes"
	querypb "vitess.io/vitess/go/vt/proto/query"
)

func TestCountParams(t *testing.T) {
	for _, tc := range []struct {
		name, query string
		want        int
	}{
		{"none", "SELECT 1", 0},
		{"two", "SELECT c FROM sbtest1 WHERE id BETWEEN ? AND ?", 2},
		{"in string", "SELECT '?', \"?\", `?` FROM t WHERE a = ?", 1},
		{"escaped quote", `SELECT 'it\'s ?' , ?`, 1},
		{"doubled quote", `SELECT 'a''?' , ?`, 1},
		{"line comment", "SELECT ? -- what?\n, ?", 2},
		{"hash comment", "SELECT ? # ?\n", 1},
		{"block comment", "SELECT /* ? */ ?", 1},
		{"hint counts", "SELECT /*+ MAX_EXECUTION_TIME(?) */ ?", 2},
		{"executable comment counts", "SELECT /*! ? */ 1", 1},
		{"minus minus without space", "SELECT 1--?", 1},
		{"unterminated string", "SELECT '?", 0},
		{"unterminated comment", "SELECT /* ?", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := countParams(tc.query); got != tc.want {
				t.Errorf("countParams(%q): got %d, want %d", tc.query, got, tc.want)
			}
		})
	}
}

func FuzzCountParams(f *testing.F) {
	for _, s := range []string{"SELECT ?", "SELECT '?'", "/* ? */ ?", "-- ?\n?", "`?`?", `'\'?'`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if n := countParams(q); n < 0 || n > strings.Count(q, "?") {
			t.Fatalf("countParams(%q) = %d, with %d question marks", q, n, strings.Count(q, "?"))
		}
	})
}

func TestRouteTarget(t *testing.T) {
	for _, tc := range []struct {
		query, want string
		ok          bool
	}{
		{"SHOW scalelab_route SELECT 1", "SELECT 1", true},
		{"  show   SCALELAB_ROUTE\n select * from t where id = 1 ;  ", "select * from t where id = 1", true},
		{"SHOW scalelab_routes SELECT 1", "", false},
		{"SHOW TABLES", "", false},
		{"SELECT 'SHOW scalelab_route x'", "", false},
		{"\t\f\r\nShOw scalelab_route SELECT 2", "SELECT 2", true},
		{"\vSHOW scalelab_route SELECT 2", "", false}, // \v is not \s
		{"SHOW", "", false},
		{"(SHOW scalelab_route SELECT 1)", "", false},
	} {
		got, ok := routeTarget(tc.query)
		if got != tc.want || ok != tc.ok {
			t.Errorf("routeTarget(%q): got %q, %v, want %q, %v", tc.query, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzRouteTarget checks that routeTarget's quick test before its
// regular expression never turns away a statement the expression takes.
func FuzzRouteTarget(f *testing.F) {
	for _, s := range []string{"SHOW scalelab_route SELECT 1", " \n\tshow Scalelab_Route x;", "\vSHOW scalelab_route x", "SELECT 1", "show"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		got, ok := routeTarget(q)
		var want string
		m := routeCommandRE.FindStringSubmatch(q)
		if m != nil {
			want = m[1]
		}
		if got != want || ok != (m != nil) {
			t.Fatalf("routeTarget(%q) = %q, %v; the expression alone: %q, %v", q, got, ok, want, m != nil)
		}
	})
}

// TestConsistencyHint: the hint a statement's comment holds, and text
// like it where it is no hint.
func TestConsistencyHint(t *testing.T) {
	for _, tc := range []struct {
		query   string
		want    router.Consistency
		ok, bad bool
	}{
		{"SELECT /*+ scalelab_consistency=strong */ 1", router.Strong, true, false},
		{"SELECT 1 /* scalelab_consistency = 'read-your-writes' */", router.ReadYourWrites, true, false},
		{"SET scalelab_consistency = 'strong'", "", false, false},
		{"SELECT /*+ scalelab_consistency=sometimes */ 1", "", false, true},
		{"SELECT 1", "", false, false},
		// Hints are read in any case, and among others in one comment.
		{"SELECT /*+ SCALELAB_CONSISTENCY=STRONG */ v FROM t", router.Strong, true, false},
		{"SELECT /*+ MAX_EXECUTION_TIME(5000) scalelab_consistency=strong */ v FROM t", router.Strong, true, false},
		{"SELECT /*+ scalelab_consistency=strong NO_INDEX_MERGE(t) */ v FROM t", router.Strong, true, false},
		{"SELECT /*+scalelab_consistency='Read-Your-Writes'*/ v FROM t", router.ReadYourWrites, true, false},
		{"/* scalelab_consistency=strong */ SELECT v FROM t", router.Strong, true, false},
		// In a string or a quoted name it is data, not a hint.
		{"SELECT v FROM t WHERE name <> '/*+ scalelab_consistency=eventual */'", "", false, false},
		{`SELECT v FROM t WHERE name <> "/* scalelab_consistency=eventual */"`, "", false, false},
		{"SELECT v FROM t WHERE name <> 'it\\'s /* scalelab_consistency=eventual */'", "", false, false},
		{"SELECT `/*+ scalelab_consistency=strong */` FROM t", "", false, false},
		{"SELECT v FROM t WHERE a = '/*' /*+ scalelab_consistency=strong */", router.Strong, true, false},
		// Nor is another name that ends in it, or an executable comment.
		{"SELECT /*+ my_scalelab_consistency=strong */ v FROM t", "", false, false},
		{"SELECT /*!50000 scalelab_consistency=strong */ v FROM t", "", false, false},
	} {
		got, ok, err := router.ConsistencyHint(tc.query)
		if got != tc.want || ok != tc.ok || (err != nil) != tc.bad {
			t.Errorf("ConsistencyHint(%q): got %q, %v, %v; want %q, %v, error %v", tc.query, got, ok, err, tc.want, tc.ok, tc.bad)
		}
	}
}

func TestToSQLError(t *testing.T) {
	// A dial out of the DSN's time: Go's error says DeadlineExceeded too.
	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	_, dialTimeout := (&net.Dialer{}).DialContext(expired, "tcp", "127.0.0.1:1")
	backend := &mysql.MySQLError{Number: 1054, SQLState: [5]byte{'4', '2', 'S', '2', '2'}, Message: "Unknown column 'x' in 'SELECT'"}
	for _, tc := range []struct {
		name  string
		err   error
		num   int
		state string
		msg   string
	}{
		{"backend unchanged", fmt.Errorf("router: on -80/replica-1: %w", backend), 1054, "42S22", backend.Message},
		{"cross-shard transaction", fmt.Errorf("%w: it began on shard -80", router.ErrCrossShardTx), 1235, "42000", router.ErrCrossShardTx.Error()},
		{"resharded transaction", router.ErrTxResharded, 1213, "40001", "rolled back"},
		{"unsupported shape", fmt.Errorf("%w: GROUP BY on a non-key column", router.ErrUnsupported), 1235, "42000", "GROUP BY"},
		{"needs session", router.ErrNeedsSession, 1235, "42000", "router.Session"},
		{"backend down", mysql.ErrInvalidConn, 1105, "HY000", "backend connection failed"},
		{"primary down", fmt.Errorf("%w: shard -80, -80/primary (127.0.0.1:1): no answer", router.ErrPrimaryDown), 1105, "HY000", "primary is down"},
		{"no replica", fmt.Errorf("router: strong read: %w", replica.ErrNoReplica), 1105, "HY000", "no healthy replica"},
		{"dial timed out", fmt.Errorf("router: on -80/replica-1: %w", dialTimeout), 1105, "HY000", "backend connection failed"},
		{"node silent at a SET's check", fmt.Errorf("router: -80/primary did not answer the check of the session's SET or USE within 10s: %w", replica.ErrUnresponsive), 1105, "HY000", "backend connection failed"},
		{"statement timed out", fmt.Errorf("router: on -80/replica-1: %w", context.DeadlineExceeded), 1317, "70100", "interrupted"},
		{"write left in part", fmt.Errorf("router: shard 80-: commit: %w", fmt.Errorf("%w (shards -80 committed their part): %w", router.ErrPartialWrite, backend)), 1180, "HY000", "applied in part"},
		{"router closed", router.ErrClosed, 1053, "08S01", "shutting down"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := toSQLError(tc.err)
			if int(got.Num) != tc.num || got.State != tc.state || !strings.Contains(got.Message, tc.msg) {
				t.Errorf("got %d (%s) %q, want %d (%s) containing %q", got.Num, got.State, got.Message, tc.num, tc.state, tc.msg)
			}
		})
	}
}

func TestErrorPacket(t *testing.T) {
	got := errorPacket(errTooManyConnections(2), 0)
	wantPrefix := []byte{byte(len(got) - 4), 0, 0, 0, 0xff, 0x10, 0x04, '#', '0', '8', '0', '0', '4'}
	if !strings.HasPrefix(string(got), string(wantPrefix)) {
		t.Errorf("got % x, want prefix % x", got[:13], wantPrefix)
	}
	if !strings.Contains(string(got), "--max-connections") {
		t.Errorf("got %q, want the flag named", got)
	}
	if !errors.Is(ErrNoUsers, ErrNoUsers) {
		t.Fatal("unreachable")
	}
}

// TestShortTimes: DATETIME and TIMESTAMP values bound for the binary
// protocol lose an all-zero fraction and a midnight time, as the server
// encodes them (7 or 4 bytes), and keep the rest.
func TestShortTimes(t *testing.T) {
	r := &sqltypes.Result{
		Fields: []*querypb.Field{{Type: sqltypes.Datetime}, {Type: sqltypes.Timestamp}, {Type: sqltypes.VarChar}},
		Rows: [][]sqltypes.Value{
			{sqltypes.MakeTrusted(sqltypes.Datetime, []byte("2024-01-01 00:00:00.000000")), sqltypes.MakeTrusted(sqltypes.Timestamp, []byte("1970-01-01 00:00:01.00")), sqltypes.NewVarChar("2024-01-01 00:00:00.000")},
			{sqltypes.MakeTrusted(sqltypes.Datetime, []byte("2024-01-01 12:00:00.000100")), sqltypes.MakeTrusted(sqltypes.Timestamp, []byte("2024-02-29 00:00:00")), sqltypes.NULL},
			{sqltypes.MakeTrusted(sqltypes.Datetime, []byte("0000-00-00 00:00:00")), sqltypes.NULL, sqltypes.NewVarChar("x")},
		},
	}
	shortTimes(r)
	want := [][]string{
		{"2024-01-01", "1970-01-01 00:00:01", "2024-01-01 00:00:00.000"},
		{"2024-01-01 12:00:00.000100", "2024-02-29", "NULL"},
		{"0000-00-00", "NULL", "x"},
	}
	for i, row := range r.Rows {
		for j, v := range row {
			got := "NULL"
			if !v.IsNull() {
				got = v.ToString()
			}
			if got != want[i][j] {
				t.Errorf("row %d column %d: %q, want %q", i, j, got, want[i][j])
			}
		}
	}
}

func TestReadTimeoutDefault(t *testing.T) {
	for _, tc := range []struct {
		name      string
		set, want time.Duration
	}{
		{"zero is the default", 0, DefaultReadTimeout},
		{"negative is never", -1, 0},
		{"set", 5 * time.Second, 5 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Config{Users: map[string]string{"u": "p"}, ReadTimeout: tc.set}.withDefaults()
			if err != nil {
				t.Fatal(err)
			}
			if cfg.ReadTimeout != tc.want {
				t.Errorf("got %v, want %v", cfg.ReadTimeout, tc.want)
			}
		})
	}
}
