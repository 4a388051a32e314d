package proxy_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/proxy"
	"github.com/scalelab/scalelab/topology"
)

// BenchmarkRelayPointSelect: a text point select on an unsharded table,
// straight to the replica the router reads it from and through the
// proxy's relay, one client at a time. The proxy runs in the benchmark's
// process, so through-proxy minus direct, in allocations and in
// client-cpu-µs/op, is what the proxy spends on a statement (and a share
// of the router's health checks, which the slower side is charged more
// of). The two run one after the other: compare them within one run.
//
//	SCALELAB_REQUIRE_DB=1 go test -run XXX -bench RelayPointSelect -count 5 ./proxy
func BenchmarkRelayPointSelect(b *testing.B) {
	f := startProxy(b, proxy.Config{}, quiet())
	ctx := context.Background()
	setup := f.open(b, nil)
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS relaybench (id INT PRIMARY KEY, c CHAR(120) NOT NULL)",
		"INSERT IGNORE INTO relaybench SELECT seq, REPEAT('x', 120) FROM seq_1_to_1000",
	} {
		if _, err := setup.ExecContext(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	tr, err := f.r.Route("SELECT c FROM relaybench WHERE id = 1")
	if err != nil || len(tr.Shards) != 1 {
		b.Fatal(tr.Shards, err)
	}
	var replicaAddr string
	for _, n := range f.topo.Nodes() {
		if n.Shard == tr.Shards[0] && n.Role == topology.Replica {
			replicaAddr = n.Addr
		}
	}
	if replicaAddr == "" {
		b.Fatalf("shard %s has no replica", tr.Shards[0])
	}
	cfg := f.topo.MySQLConfig(replicaAddr, f.topo.User)
	cfg.ParseTime = false
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		b.Fatal(err)
	}
	direct := sql.OpenDB(conn)
	b.Cleanup(func() { direct.Close() })
	through := f.open(b, nil)
	for _, db := range []*sql.DB{direct, through} {
		db.SetMaxIdleConns(4)
		var n int
		// The replica has the rows once the count reads back.
		for n != 1000 {
			if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM relaybench").Scan(&n); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, side := range []struct {
		name string
		db   *sql.DB
	}{{"direct", direct}, {"proxy", through}} {
		b.Run(side.name, func(b *testing.B) {
			relayed := f.relayed(b)
			b.ReportAllocs()
			b.ResetTimer()
			cpu := dbtest.ClientCPU(b)
			var c []byte
			for i := range b.N {
				q := fmt.Sprintf("SELECT c FROM relaybench WHERE id = %d", i%1000+1)
				if err := side.db.QueryRowContext(ctx, q).Scan(&c); err != nil || len(c) != 120 {
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
