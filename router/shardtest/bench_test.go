package shardtest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/topology"
)

// benchSetup loads 40,000 rows into bench_items over the 4 shards and
// returns a router and direct pools to each shard's replica (the node the
// router reads from).
func benchSetup(b *testing.B) (*router.Router, *topology.Topology, []*sqlx.DB) {
	sb := dbtest.Sandbox(b)
	topo := *sb.Topology
	topo.Tables = map[string]topology.Table{"bench_items": {Column: "id", Vindex: "hash"}}
	ctx := context.Background()
	r, err := router.Open(ctx, &topo, router.Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Close() })
	var n int
	if err := r.With(router.Strong).GetContext(ctx, &n, "SELECT COUNT(*) FROM bench_items"); err != nil || n != 40000 {
		for _, q := range []string{"DROP TABLE IF EXISTS bench_items",
			"CREATE TABLE bench_items (id BIGINT UNSIGNED PRIMARY KEY, v VARCHAR(64) NOT NULL, dt DATETIME(6) NOT NULL, KEY (dt))"} {
			if _, err := r.ExecContext(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
		for start := 1; start <= 40000; start += 2000 {
			var q strings.Builder
			q.WriteString("INSERT INTO bench_items (id, v, dt) VALUES ")
			for id := start; id < start+2000; id++ {
				if id > start {
					q.WriteByte(',')
				}
				fmt.Fprintf(&q, "(%d, 'value-%d', '2025-01-01' + INTERVAL %d SECOND)", id, id, id*37%86400)
			}
			if _, err := r.ExecContext(ctx, q.String()); err != nil {
				b.Fatal(err)
			}
		}
	}
	// Fresh statistics on every node, and replicas that have applied
	// everything, every row included, before anything is measured: right
	// after the load, a shard ran ORDER BY dt DESC LIMIT 10 about 60 times
	// slower for seconds, which made whichever benchmark ran first look
	// slow.
	for _, s := range topo.Shards {
		if _, err := dbtest.Open(b, &topo, s.Primary.HostPort).ExecContext(ctx, "ANALYZE TABLE bench_items"); err != nil {
			b.Fatal(err)
		}
	}
	if err := replica.WaitCaughtUp(ctx, &topo, 0); err != nil {
		b.Fatal(err)
	}
	var direct []*sqlx.DB
	for _, s := range topo.Shards {
		cfg := topo.MySQLConfig(s.Replicas[0].HostPort, topo.User)
		cfg.InterpolateParams = true
		c, err := mysql.NewConnector(cfg)
		if err != nil {
			b.Fatal(err)
		}
		db := sqlx.NewDb(sql.OpenDB(c), "mysql")
		b.Cleanup(func() { db.Close() })
		direct = append(direct, db)
	}
	return r, &topo, direct
}

// BenchmarkTargetedPointSelect: a point select through the router over 4
// shards against the same select on a direct pool to the owning shard's
// replica, at concurrency 4.
//
//	SCALELAB_REQUIRE_DB=1 go test -run XXX -bench 'Targeted|Scatter' -count 5 ./router/shardtest
func BenchmarkTargetedPointSelect(b *testing.B) {
	r, _, direct := benchSetup(b)
	ctx := context.Background()
	vs := r.VSchema()
	owner := func(id int) *sqlx.DB { i, _ := vs.Locate("bench_items", id); return direct[i] }
	run := func(b *testing.B, get func(id int, dest *string) error) {
		b.ReportAllocs()
		b.SetParallelism(2)
		b.RunParallel(func(pb *testing.PB) {
			id := 0
			for pb.Next() {
				id = (id*7919+13)%40000 + 1
				var v string
				if err := get(id, &v); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	b.Run("direct", func(b *testing.B) {
		run(b, func(id int, v *string) error {
			return owner(id).GetContext(ctx, v, "SELECT v FROM bench_items WHERE id = ?", id)
		})
	})
	b.Run("router", func(b *testing.B) {
		run(b, func(id int, v *string) error {
			return r.GetContext(ctx, v, "SELECT v FROM bench_items WHERE id = ?", id)
		})
	})
}

// BenchmarkScatterOrderByLimit: ORDER BY dt DESC LIMIT 10 scattered over 4
// shards against each shard's own query run directly, and against the
// floor: the four at once with no router. router-vs-floor runs the floor
// and the scatter in turns and reports their ratio, the figure to read on
// a noisy machine:
//
//	SCALELAB_REQUIRE_DB=1 go test -run XXX -bench 'Scatter.*/router-vs' -count 5 ./router/shardtest
func BenchmarkScatterOrderByLimit(b *testing.B) {
	r, topo, direct := benchSetup(b)
	ctx := context.Background()
	const q = "SELECT id, v, dt FROM bench_items ORDER BY dt DESC, id DESC LIMIT 10"
	type row struct {
		ID uint64 `db:"id"`
		V  string `db:"v"`
		Dt string `db:"dt"`
	}
	for i, db := range direct {
		b.Run("direct-shard-"+topo.Shards[i].Name, func(b *testing.B) {
			b.ReportAllocs()
			for n := 0; n < b.N; n++ {
				var rows []row
				if err := db.SelectContext(ctx, &rows, q); err != nil || len(rows) != 10 {
					b.Fatal(len(rows), err)
				}
			}
		})
	}
	// The floor for any scatter: the four shard queries at once, from four
	// goroutines, with no router in between.
	floor := func(b *testing.B) {
		var wg sync.WaitGroup
		for _, db := range direct {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var rows []row
				if err := db.SelectContext(ctx, &rows, q); err != nil || len(rows) != 10 {
					b.Error(len(rows), err)
				}
			}()
		}
		wg.Wait()
	}
	scatter := func(b *testing.B) {
		var rows []row
		if err := r.SelectContext(ctx, &rows, q); err != nil || len(rows) != 10 {
			b.Fatal(len(rows), err)
		}
	}
	for _, bm := range []struct {
		name string
		op   func(*testing.B)
	}{{"direct-all-shards-parallel", floor}, {"router-scatter", scatter}} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			defer dbtest.ClientCPU(b)()
			for n := 0; n < b.N; n++ {
				bm.op(b)
			}
		})
	}
	// The two in turns, each iteration one of each, the first of the two
	// alternating: on a shared machine, whatever else runs slows both
	// alike, so the ratio holds where the separate figures drift.
	b.Run("router-vs-floor", func(b *testing.B) {
		var took [2]time.Duration
		ops := [2]func(*testing.B){floor, scatter}
		for n := 0; n < b.N; n++ {
			for k := range 2 {
				i := (n + k) % 2
				start := time.Now()
				ops[i](b)
				took[i] += time.Since(start)
			}
		}
		b.ReportMetric(float64(took[0].Microseconds())/float64(b.N), "floor-µs/op")
		b.ReportMetric(float64(took[1].Microseconds())/float64(b.N), "router-µs/op")
		b.ReportMetric(float64(took[1])/float64(took[0]), "router/floor")
	})
}
