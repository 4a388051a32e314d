package proxy_test

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scalelab/scalelab/proxy"
)

func TestMariaDBSlap(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	db := f.open(t, nil)
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS slap_kv (id BIGINT PRIMARY KEY, v BIGINT)",
		"INSERT IGNORE INTO slap_kv VALUES (1, 1), (2, 2), (3, 3)",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	waitReplicated(t, f.topo, "SELECT COUNT(*) FROM "+f.topo.DatabaseName()+".slap_kv", "3")
	out, err := f.cli(t, "mariadb-slap", "--concurrency=16", "--iterations=2", "--number-of-queries=1600",
		"--create-schema="+f.topo.DatabaseName(), "--no-drop",
		"--query=SELECT v FROM slap_kv WHERE id = 2; SELECT SUM(v) FROM slap_kv", "--delimiter=;")
	if err != nil {
		t.Fatalf("mariadb-slap: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Average number of seconds to run all queries") || !strings.Contains(out, "Number of clients running queries: 16") {
		t.Errorf("mariadb-slap output:\n%s", out)
	}
}

// TestSysbench runs sysbench through the proxy with its tables sharded by
// id, and checks where the statements went with the router's counters.
func TestSysbench(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	const tables, size = 2, 2000
	common := []string{fmt.Sprintf("--tables=%d", tables), fmt.Sprintf("--table-size=%d", size)}
	f.cli(t, "sysbench", append([]string{"oltp_point_select"}, append(common, "cleanup")...)...)
	if out, err := f.cli(t, "sysbench", append([]string{"oltp_point_select"}, append(common, "prepare")...)...); err != nil {
		t.Fatalf("sysbench prepare: %v\n%s", err, out)
	}
	// Needs sharded routing: the rows of every table are split between
	// the two shards by the hash vindex.
	for i := 1; i <= tables; i++ {
		total := 0
		for _, s := range f.topo.Shards {
			var n int
			if err := adminDB(t, f.topo, s.Primary.HostPort).QueryRow(fmt.Sprintf("SELECT COUNT(*) FROM %s.sbtest%d", f.topo.DatabaseName(), i)).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 0 || n == size {
				t.Errorf("sbtest%d on shard %s: %d of %d rows, want them split between the shards", i, s.Name, n, size)
			}
			total += n
		}
		if total != size {
			t.Errorf("sbtest%d: %d rows over the shards, want %d", i, total, size)
		}
	}
	for _, s := range f.topo.Shards {
		for _, r := range s.Replicas {
			db := adminDB(t, f.topo, r.HostPort)
			waitFor(t, r.HostPort+" to replicate sbtest", 30*time.Second, func() bool {
				var n int
				return db.QueryRow(fmt.Sprintf("SELECT COUNT(*) FROM %s.sbtest%d", f.topo.DatabaseName(), tables)).Scan(&n) == nil && n > 0
			})
		}
	}
	for _, test := range []struct {
		name  string
		extra []string
	}{
		{"oltp_point_select", nil},
		// Without BEGIN/COMMIT, so that reads may go to replicas (inside a
		// transaction they stay on primaries; checked below). Its DISTINCT
		// range queries scatter and are merged by the router.
		{"oltp_read_only", []string{"--skip_trx=on"}},
	} {
		for _, mode := range []string{"auto", "disable"} {
			t.Run(test.name+"/"+mode, func(t *testing.T) {
				before := f.r.Stats()
				args := append([]string{test.name, "--threads=4", "--time=3", "--db-ps-mode=" + mode}, common...)
				out, err := f.cli(t, "sysbench", append(append(args, test.extra...), "run")...)
				if err != nil || strings.Contains(out, "FATAL") || !strings.Contains(out, "ignored errors:                      0 ") {
					t.Fatalf("sysbench: %v\n%s", err, out)
				}
				after := f.r.Stats()
				routes := func(k string) uint64 { return after.Routes[k] - before.Routes[k] }
				nodes := func(k string) uint64 { return after.Nodes[k] - before.Nodes[k] }
				if routes("replica") == 0 {
					t.Errorf("reads on replicas: got 0 (routes %v)", after.Routes)
				}
				if p := nodes("-80/primary") + nodes("80-/primary"); p > routes("replica")/100 {
					t.Errorf("statements on primaries: got %d, want almost none of %d reads", p, routes("replica"))
				}
				// Needs sharded routing: point selects go to a single shard,
				// and both shards' replicas serve them.
				if after.Shapes["single-shard"] == before.Shapes["single-shard"] {
					t.Errorf("single-shard statements: got 0 (shapes %v)", after.Shapes)
				}
				for _, n := range []string{"-80/replica-1", "80-/replica-1"} {
					if nodes(n) == 0 {
						t.Errorf("reads on %s: got 0 (nodes %v)", n, after.Nodes)
					}
				}
			})
		}
	}
	t.Run("oltp_read_only with its transactions", func(t *testing.T) {
		// Needs sharded routing: each sysbench transaction reads both
		// shards, in one read-only transaction per shard on the primaries.
		for _, mode := range []string{"auto", "disable"} {
			before := f.r.Stats()
			out, err := f.cli(t, "sysbench", append([]string{"oltp_read_only", "--threads=4", "--time=3", "--db-ps-mode=" + mode}, append(common, "run")...)...)
			if err != nil || strings.Contains(out, "FATAL") || !strings.Contains(out, "ignored errors:                      0 ") {
				t.Fatalf("sysbench (%s): %v\n%s", mode, err, out)
			}
			after := f.r.Stats()
			for _, n := range []string{"-80/primary", "80-/primary"} {
				if after.Nodes[n] == before.Nodes[n] {
					t.Errorf("%s: no transaction reads on %s (nodes %v)", mode, n, after.Nodes)
				}
			}
		}
	})
}

// TestMariaDBDumpRoundTrip dumps a sharded table through the proxy with
// mariadb-dump, drops it, and loads the dump back through the proxy with
// the mariadb client: the rows come back the same, over both shards. The
// dump saves the session's sql_mode and client character set in user
// variables and restores them from those (SET SQL_MODE=@OLD_SQL_MODE),
// values the router reads back on the primary before the session keeps
// them.
func TestMariaDBDumpRoundTrip(t *testing.T) {
	for _, tool := range []string{"mariadb-dump", "mariadb"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	f := startProxy(t, proxy.Config{}, quiet())
	db := f.open(t, nil)
	execAll := func(queries ...string) {
		t.Helper()
		for _, q := range queries {
			if _, err := db.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	execAll("DROP TABLE IF EXISTS dumped",
		"CREATE TABLE dumped (id BIGINT PRIMARY KEY, v VARCHAR(64) CHARACTER SET utf8mb4)",
		`INSERT INTO dumped (id, v) VALUES (1, 'plain'), (2, 'it''s'), (3, 'back\\slash'), (4, '/* no comment */ -- nor this'), (5, 'ü😀'), (6, NULL), (77, '"quoted"'), (1000, '')`)
	rows := func() []string {
		t.Helper()
		var got []string
		// On the primaries: a replica may not have the rows yet.
		rs, err := db.Query("SELECT /*+ scalelab_consistency=strong */ id, COALESCE(v, 'NULL') FROM dumped ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		for rs.Next() {
			var id int64
			var v string
			if err := rs.Scan(&id, &v); err != nil {
				t.Fatal(err)
			}
			got = append(got, strconv.FormatInt(id, 10)+"="+v)
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		return got
	}
	before := rows()
	if len(before) != 8 {
		t.Fatalf("before the dump: %v, want the 8 rows inserted", before)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	login := []string{"-h" + f.host, "-P" + strconv.Itoa(f.port), "-u" + f.topo.User.Name, "-p" + f.topo.User.Password}
	dump, err := exec.CommandContext(ctx, "mariadb-dump", append(login, "--complete-insert", "--skip-lock-tables", f.topo.DatabaseName(), "dumped")...).Output()
	if err != nil {
		t.Fatalf("mariadb-dump: %v", err)
	}
	if !strings.Contains(string(dump), "SET SQL_MODE=@OLD_SQL_MODE") || !strings.Contains(string(dump), "INSERT INTO `dumped`") {
		t.Fatalf("the dump lacks its rows or its sql_mode restore:\n%s", dump)
	}
	execAll("DROP TABLE dumped")
	load := exec.CommandContext(ctx, "mariadb", append(login, f.topo.DatabaseName())...)
	load.Stdin = strings.NewReader(string(dump))
	if out, err := load.CombinedOutput(); err != nil {
		t.Fatalf("loading the dump through the proxy: %v\n%s", err, out)
	}
	if after := rows(); !slices.Equal(after, before) {
		t.Errorf("after the round trip:\n%v\nwant\n%v", after, before)
	}
	for _, s := range f.topo.Shards {
		var n int
		if err := adminDB(t, f.topo, s.Primary.HostPort).QueryRow("SELECT COUNT(*) FROM " + f.topo.DatabaseName() + ".dumped").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 || n == len(before) {
			t.Errorf("shard %s holds %d of the %d rows; want them split", s.Name, n, len(before))
		}
	}
}
