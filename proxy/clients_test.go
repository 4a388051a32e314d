package proxy_test

import (
	"context"
	"database/sql"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/proxy"
	"github.com/scalelab/scalelab/sandbox"
)

func TestMariaDBCLI(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	run := func(sql string, extra ...string) (string, error) {
		return f.cli(t, "mariadb", append(append([]string{"--batch", "--skip-column-names", "--comments"}, extra...), "-e", sql, f.topo.DatabaseName())...)
	}
	out, err := run(`CREATE TABLE IF NOT EXISTS cli_kv (id BIGINT PRIMARY KEY, v VARCHAR(20));
		DELETE FROM cli_kv;
		INSERT INTO cli_kv VALUES (1, 'one'), (2, 'two');
		BEGIN; UPDATE cli_kv SET v = 'uno' WHERE id = 1; SELECT v FROM cli_kv WHERE id = 1; COMMIT;
		SET autocommit = 0; UPDATE cli_kv SET v = 'dos' WHERE id = 2; ROLLBACK; SET autocommit = 1;
		SELECT /*+ scalelab_consistency=strong */ GROUP_CONCAT(v ORDER BY id) FROM cli_kv;`)
	if err != nil {
		t.Fatalf("mariadb: %v\n%s", err, out)
	}
	if got, want := strings.Fields(out), []string{"uno", "uno,two"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %q, want %q", got, want)
	}
	waitReplicated(t, f.topo, "SELECT GROUP_CONCAT(v ORDER BY id) FROM "+f.topo.DatabaseName()+".cli_kv", "uno,two")

	t.Run("USE", func(t *testing.T) {
		out, err := run("USE information_schema; SELECT COUNT(*) > 0 FROM TABLES WHERE TABLE_NAME = 'cli_kv'; SELECT DATABASE();")
		if err != nil {
			t.Fatalf("mariadb: %v\n%s", err, out)
		}
		if got := strings.Fields(out); len(got) != 2 || got[0] != "1" || got[1] != "information_schema" {
			t.Errorf("got %q, want [1 information_schema]", got)
		}
	})

	t.Run("error path keeps the connection", func(t *testing.T) {
		out, err := run("SELECT nope FROM cli_kv; SELECT 40 + 2;", "--force")
		if err == nil {
			t.Fatalf("got no error, want 1054\n%s", out)
		}
		if !strings.Contains(out, "ERROR 1054 (42S22)") || !strings.Contains(out, "42") {
			t.Errorf("got %q, want ERROR 1054 (42S22) and then 42", out)
		}
	})

	t.Run("route introspection", func(t *testing.T) {
		out, err := run("SHOW scalelab_route SELECT v FROM cli_kv WHERE id = 1")
		if err != nil {
			t.Fatalf("mariadb: %v\n%s", err, out)
		}
		if !strings.Contains(out, "route\treplica") || !strings.Contains(out, "node\t-80/replica-1") {
			t.Errorf("got %q, want the read routed to -80/replica-1", out)
		}
		if !regexp.MustCompile(`\nduration\t[0-9.]+[µm]?s\n`).MatchString(out) {
			t.Errorf("got %q, want a duration row with a Go duration (its JSON name is duration_ms)", out)
		}
		out, err = run("SET scalelab_consistency = 'strong'; SHOW scalelab_route SELECT v FROM cli_kv WHERE id = 1")
		if err != nil || !strings.Contains(out, "route\tprimary") {
			t.Errorf("under strong: got %q, %v, want route primary", out, err)
		}
		out, err = run("SHOW scalelab_route DELETE FROM cli_kv")
		if err != nil || !strings.Contains(out, "route\tnot run") {
			t.Errorf("a write: got %q, %v, want it not run", out, err)
		}
		if out, _ := run("SELECT COUNT(*) FROM cli_kv"); strings.TrimSpace(out) != "2" {
			t.Errorf("rows after SHOW scalelab_route DELETE: got %q, want 2", out)
		}
	})

	t.Run("caching_sha2_password", func(t *testing.T) {
		out, err := run("SELECT 7", "--default-auth=caching_sha2_password")
		if err != nil || strings.TrimSpace(out) != "7" {
			t.Errorf("got %q, %v, want 7", out, err)
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		out, err := f.cli(t, "mariadb", "--password=wrong", "-e", "SELECT 1")
		if err == nil || !strings.Contains(out, "ERROR 1045 (28000)") {
			t.Errorf("got %q, %v, want ERROR 1045 (28000)", out, err)
		}
	})
}

func TestGoDriver(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	setup := f.open(t, nil)
	ctx := context.Background()
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS kvs (id BIGINT PRIMARY KEY, v VARCHAR(40), n DECIMAL(10,2), d DATETIME(6), b VARBINARY(8))",
		"DELETE FROM kvs WHERE id IN (1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32)",
	} {
		if _, err := setup.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, interpolate := range []bool{true, false} {
		t.Run(fmt.Sprintf("interpolateParams=%v", interpolate), func(t *testing.T) {
			db := f.open(t, func(c *mysql.Config) { c.InterpolateParams = interpolate; c.ParseTime = true })
			base := int64(1)
			if !interpolate {
				base = 17
			}
			for i := int64(0); i < 16; i++ {
				res, err := db.ExecContext(ctx, "INSERT INTO kvs (id, v, n, d, b) VALUES (?, ?, ?, ?, ?)",
					base+i, fmt.Sprintf("it's %d", i), "12.50", "2024-02-29 10:11:12.123456", []byte{0, 1, 0xff})
				if err != nil {
					t.Fatal(err)
				}
				if n, _ := res.RowsAffected(); n != 1 {
					t.Fatalf("rows affected: got %d, want 1", n)
				}
			}
			var v, n string
			var d sql.NullTime
			var b []byte
			err := db.QueryRowContext(ctx, "SELECT /*+ scalelab_consistency=strong */ v, n, d, b FROM kvs WHERE id = ?", base+3).Scan(&v, &n, &d, &b)
			if err != nil {
				t.Fatal(err)
			}
			if v != "it's 3" || n != "12.50" || d.Time.Format("2006-01-02 15:04:05.000000") != "2024-02-29 10:11:12.123456" || string(b) != "\x00\x01\xff" {
				t.Errorf("got %q %q %v %q", v, n, d.Time, b)
			}
			var count int
			if err := db.QueryRowContext(ctx, "SELECT /*+ scalelab_consistency=strong */ COUNT(*) FROM kvs WHERE id BETWEEN ? AND ?", base, base+15).Scan(&count); err != nil || count != 16 {
				t.Errorf("scatter count: got %d, %v, want 16", count, err)
			}
			// Backend errors keep their number; the connection stays usable.
			conn, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := conn.ExecContext(ctx, "SELECT nope FROM kvs WHERE id = ?", 1); mysqlErrNum(err) != 1054 {
				t.Errorf("got %v, want error 1054", err)
			}
			// A transaction on one shard works; a second shard is refused
			// with 1235 and the router's message.
			tx, err := conn.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			var refused error
			for id := base; id < base+16 && refused == nil; id++ {
				_, refused = tx.ExecContext(ctx, "UPDATE kvs SET v = 'tx' WHERE id = ?", id)
			}
			tx.Rollback()
			if mysqlErrNum(refused) != 1235 || !strings.Contains(refused.Error(), "second shard") {
				t.Errorf("cross-shard transaction: got %v, want error 1235 naming the second shard", refused)
			}
			if err := conn.QueryRowContext(ctx, "SELECT 1").Scan(&count); err != nil {
				t.Errorf("connection after errors: %v", err)
			}
		})
	}

	t.Run("multiStatements", func(t *testing.T) {
		db := f.open(t, func(c *mysql.Config) { c.MultiStatements = true })
		rows, err := db.QueryContext(ctx, "SELECT 1; SELECT 'two', 2; DO 0")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var sets []string
		for {
			cols, _ := rows.Columns()
			for rows.Next() {
			}
			sets = append(sets, strings.Join(cols, ","))
			if !rows.NextResultSet() {
				break
			}
		}
		if got := strings.Join(sets, " | "); got != "1 | two,2" {
			t.Errorf("result sets: got %q, want %q", got, "1 | two,2")
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		db := f.open(t, func(c *mysql.Config) { c.Passwd = "wrong" })
		if err := db.PingContext(ctx); mysqlErrNum(err) != 1045 {
			t.Errorf("got %v, want error 1045", err)
		}
	})
}

// TestStatusCommandLineKeepsHints runs the mariadb command line that
// scalelab status prints (with the sandbox's defaults file): the
// consistency hint in a statement reaches the proxy, where the client's
// default would strip it as a comment.
func TestStatusCommandLineKeepsHints(t *testing.T) {
	if _, err := exec.LookPath("mariadb"); err != nil {
		t.Skip("mariadb is not installed")
	}
	f := startProxy(t, proxy.Config{}, quiet())
	defaults, err := (&sandbox.Sandbox{Dir: t.TempDir(), Topology: f.topo}).ClientDefaults()
	if err != nil {
		t.Fatal(err)
	}
	db := f.open(t, nil)
	if _, err := db.Exec("CREATE TABLE IF NOT EXISTS hint_kv (id BIGINT PRIMARY KEY, v INT)"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ sql, route string }{
		{"SHOW scalelab_route SELECT v FROM hint_kv WHERE id = 1", "replica"},
		{"SHOW scalelab_route SELECT /*+ scalelab_consistency=strong */ v FROM hint_kv WHERE id = 1", "primary"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		out, err := exec.CommandContext(ctx, "mariadb", "--defaults-file="+defaults, "-h", f.host, "-P", strconv.Itoa(f.port), "--batch", "-e", tc.sql).CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("%s: %v\n%s", tc.sql, err, out)
		}
		if !strings.Contains(string(out), "route\t"+tc.route+"\n") {
			t.Errorf("%s: got\n%s\nwant route %s", tc.sql, out, tc.route)
		}
	}
}

// TestProcedureResultSets calls a procedure with two SELECTs: as a text
// query the client gets both sets, and as a prepared statement, where
// the proxy sends one set, an error that says so rather than the first
// set alone.
func TestProcedureResultSets(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	ctx := context.Background()
	for _, s := range f.topo.Shards {
		admin := adminDB(t, f.topo, s.Primary.HostPort)
		for _, q := range []string{"DROP PROCEDURE IF EXISTS two_sets", "CREATE PROCEDURE two_sets() BEGIN SELECT 1 AS a; SELECT 2 AS b; END",
			"DROP PROCEDURE IF EXISTS one_set", "CREATE PROCEDURE one_set() BEGIN SELECT 3 AS c; END"} {
			if _, err := admin.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	db := f.open(t, nil)
	sets := func(rows *sql.Rows, err error) ([]int, error) {
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var got []int
		for {
			for rows.Next() {
				var v int
				if err := rows.Scan(&v); err != nil {
					return got, err
				}
				got = append(got, v)
			}
			if !rows.NextResultSet() {
				return got, rows.Err()
			}
		}
	}
	if got, err := sets(db.QueryContext(ctx, "CALL two_sets()")); err != nil || fmt.Sprint(got) != "[1 2]" {
		t.Errorf("text CALL two_sets(): got %v, %v, want [1 2]", got, err)
	}
	prepared := func(q string) ([]int, error) {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			return nil, err
		}
		defer st.Close()
		return sets(st.QueryContext(ctx))
	}
	if got, err := prepared("CALL one_set()"); err != nil || fmt.Sprint(got) != "[3]" {
		t.Errorf("prepared CALL one_set(): got %v, %v, want [3]", got, err)
	}
	got, err := prepared("CALL two_sets()")
	if mysqlErrNum(err) != 1235 || !strings.Contains(err.Error(), "text query") {
		t.Errorf("prepared CALL two_sets(): got %v, %v, want error 1235 that says to run it as a text query", got, err)
	}
	var one int
	if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Errorf("after the refusal: got %d, %v, want 1", one, err)
	}
}
