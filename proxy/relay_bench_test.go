package proxy_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/proxy"
	"github.com/scalelab/scalelab/topology"
)

// BenchmarkRelayPointSelect: a point select, straight to the replica the
// router reads it from and through the proxy's relay, one client at a
// time, on an unsharded and a sharded table, in text (literals inlined,
// a new text for each id) and as a server-side prepared statement. The
// proxy runs in the benchmark's process, so through-proxy minus direct,
// in allocations and in client-cpu-µs/op, is what the proxy spends on a
// statement (and a share of the router's health checks, which the slower
// side is charged more of). The sides run one after the other: compare
// them within one run.
//
//	SCALELAB_REQUIRE_DB=1 go test -run XXX -bench RelayPointSelect -count 5 ./proxy
func BenchmarkRelayPointSelect(b *testing.B) {
	f := startProxy(b, proxy.Config{}, quiet())
	ctx := context.Background()
	setup := f.open(b, nil)
	const rows = 1000
	for _, table := range []string{"relaybench", "relaybench_sharded"} {
		values := make([]string, rows) // the router does not shard INSERT … SELECT
		for i := range values {
			values[i] = fmt.Sprintf("(%d, '%s')", i+1, strings.Repeat("x", 120))
		}
		for _, q := range []string{
			"CREATE TABLE IF NOT EXISTS " + table + " (id INT PRIMARY KEY, c CHAR(120) NOT NULL)",
			"INSERT IGNORE INTO " + table + " (id, c) VALUES " + strings.Join(values, ", "),
		} {
			if _, err := setup.ExecContext(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
		// Every id's replica has the rows, on each shard the table has.
		tr, err := f.r.Route("SELECT c FROM " + table)
		if err != nil {
			b.Fatal(err)
		}
		direct := map[string]*sql.DB{}
		for _, n := range f.topo.Nodes() {
			if n.Role == topology.Replica && slices.Contains(tr.Shards, n.Shard) && direct[n.Shard] == nil {
				direct[n.Shard] = openDirect(b, f.topo, n.Addr)
			}
		}
		if len(direct) != len(tr.Shards) {
			b.Fatalf("%s: shards %v, replicas on %d of them", table, tr.Shards, len(direct))
		}
		// A direct side reads one shard's replica: the ids it reads are
		// that shard's.
		text := "SELECT c FROM " + table + " WHERE id = %d"
		shard := tr.Shards[0]
		var ids []int
		for id := 1; id <= rows; id++ {
			rt, err := f.r.Route(fmt.Sprintf(text, id))
			if err != nil {
				b.Fatal(err)
			}
			if rt.Shards[0] == shard {
				ids = append(ids, id)
			}
		}
		// The replica has the rows once the count reads back.
		for n, deadline := 0, time.Now().Add(30*time.Second); n != len(ids); {
			if err := direct[shard].QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
				b.Fatal(err)
			}
			if time.Now().After(deadline) {
				b.Fatalf("%s: the replica of shard %s has %d rows after 30 s, want %d", table, shard, n, len(ids))
			}
		}
		for _, prepared := range []bool{false, true} {
			mode := map[bool]string{false: "text", true: "prepared"}[prepared]
			through := f.open(b, nil)
			through.SetMaxIdleConns(4)
			for _, side := range []struct {
				name string
				db   *sql.DB
			}{{"direct", direct[shard]}, {"proxy", through}} {
				b.Run(fmt.Sprintf("%s/%s/%s", table, mode, side.name), func(b *testing.B) {
					var stmt *sql.Stmt
					if prepared {
						var err error
						if stmt, err = side.db.PrepareContext(ctx, "SELECT c FROM "+table+" WHERE id = ?"); err != nil {
							b.Fatal(err)
						}
						defer stmt.Close()
					}
					relayed := f.relayed(b)
					b.ReportAllocs()
					b.ResetTimer()
					cpu := dbtest.ClientCPU(b)
					var c []byte
					for i := range b.N {
						id := ids[i%len(ids)]
						var err error
						if prepared {
							err = stmt.QueryRowContext(ctx, id).Scan(&c)
						} else {
							err = side.db.QueryRowContext(ctx, fmt.Sprintf(text, id)).Scan(&c)
						}
						if err != nil || len(c) != 120 {
							b.Fatal(len(c), err)
						}
					}
					b.StopTimer()
					cpu()
					// The proxy's statements took the relay, not the full path.
					if n := f.relayed(b) - relayed; side.db == through && n < float64(b.N) {
						b.Fatalf("%v of %d statements relayed", n, b.N)
					}
				})
			}
		}
	}
}

// openDirect opens a pool straight to one node, closed when b ends.
func openDirect(b *testing.B, topo *topology.Topology, addr string) *sql.DB {
	b.Helper()
	cfg := topo.MySQLConfig(addr, topo.User)
	cfg.ParseTime = false
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		b.Fatal(err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxIdleConns(4)
	b.Cleanup(func() { db.Close() })
	return db
}
