package router_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/topology"
)

// BenchmarkPointSelect compares a primary-key select through the router
// with the same select on a direct sql.DB to the same replica, at
// concurrency 4 (RunParallel with parallelism 2 on 2 cores). Run both in
// one invocation and compare with benchstat:
//
//	SCALELAB_REQUIRE_DB=1 go test -run XXX -bench PointSelect -count 6 ./router
func BenchmarkPointSelect(b *testing.B) {
	sb := dbtest.Sandbox(b)
	ctx := context.Background()
	topo := *sb.Topology
	// A topology whose shard has only replica-1, so the router and the
	// direct pool read from the same server.
	sh := topo.Shards[0]
	sh.Replicas = sh.Replicas[:1]
	topo.Shards = []topology.Shard{sh}
	r, err := router.Open(ctx, &topo, router.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	if _, err := r.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS bench_kv (k BIGINT PRIMARY KEY, v VARCHAR(64) NOT NULL)"); err != nil {
		b.Fatal(err)
	}
	if _, err := r.ExecContext(ctx, "INSERT IGNORE INTO bench_kv SELECT seq, CONCAT('value-', seq) FROM seq_1_to_10000"); err != nil {
		b.Fatal(err)
	}
	cfg := topo.MySQLConfig(sh.Replicas[0].HostPort, topo.User)
	cfg.InterpolateParams = true // the router's pools interpolate too
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		b.Fatal(err)
	}
	direct := sql.OpenDB(conn)
	defer direct.Close()
	directx := sqlx.NewDb(direct, "mysql") // both sides scan through sqlx
	// Let the replica catch up before measuring.
	var n int
	for n < 10000 {
		if err := direct.QueryRowContext(ctx, "SELECT COUNT(*) FROM bench_kv").Scan(&n); err != nil {
			b.Fatal(err)
		}
	}
	type getter func(ctx context.Context, dest any, q string, args ...any) error
	run := func(b *testing.B, get getter) {
		b.ReportAllocs()
		b.SetParallelism(2)
		b.RunParallel(func(pb *testing.PB) {
			k := 0
			for pb.Next() {
				k = (k*7919 + 1) % 10000
				var v string
				if err := get(ctx, &v, "SELECT v FROM bench_kv WHERE k = ?", k+1); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	b.Run("direct", func(b *testing.B) {
		run(b, func(ctx context.Context, dest any, q string, args ...any) error {
			return sqlx.GetContext(ctx, directx, dest, q, args...)
		})
	})
	b.Run("router", func(b *testing.B) {
		run(b, func(ctx context.Context, dest any, q string, args ...any) error {
			return r.GetContext(ctx, dest, q, args...)
		})
	})
}
