package bench_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/bench"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/topology"
)

// TestOpenTarget opens each kind of target on the package sandbox and
// checks where its statements run.
func TestOpenTarget(t *testing.T) {
	sb := dbtest.Sandbox(t)
	topo := sb.Topology
	primary, err := topo.Node("0/primary")
	if err != nil {
		t.Fatal(err)
	}
	admin := topo.MySQLConfig(primary.Addr, topo.AdminCredentials())
	admin.DBName = ""
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		cfg      bench.TargetConfig
		wantDesc string // the Description's start
		wantDB   string // what SELECT DATABASE() says through the target
		wantPort string // what SELECT @@port says, for a direct target
	}{
		{"first node", bench.TargetConfig{Topology: topo, Clients: 3},
			primary.Addr + "/" + topo.DatabaseName() + " as " + topo.User.Name + " (direct)", topo.DatabaseName(), primary.Addr},
		{"a replica", bench.TargetConfig{Topology: topo, Node: "0/replica-1", BlockingIO: bench.DefaultBlockingIO},
			"", topo.DatabaseName(), topo.Shards[0].Replicas[0].HostPort},
		{"node with a new schema", bench.TargetConfig{Topology: topo, Node: "0/primary", CreateSchema: "bench_open_node", Clients: 2},
			primary.Addr + "/bench_open_node as " + topo.User.Name + " (direct)", "bench_open_node", primary.Addr},
		{"dsn with a new schema", bench.TargetConfig{DSN: admin, CreateSchema: "bench_open_dsn"},
			// A DSN is named as it reads: here the node's socket.
			admin.Addr + "/bench_open_dsn as " + admin.User + " (direct)", "bench_open_dsn", primary.Addr},
		{"router with a new schema", bench.TargetConfig{Router: true, Topology: topo, CreateSchema: "bench_open_router", Consistency: router.Strong},
			"topology " + topo.Name + ", database bench_open_router (router, strong reads)", "bench_open_router", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := bench.OpenTarget(ctx, tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer o.Close()
			if !strings.HasPrefix(o.Description, tc.wantDesc) {
				t.Errorf("got description %q, want %q", o.Description, tc.wantDesc)
			}
			var db string
			if err := scanOne(ctx, o.Target, "SELECT DATABASE()", &db); err != nil || db != tc.wantDB {
				t.Errorf("got database %q (%v), want %q", db, err, tc.wantDB)
			}
			if tc.wantPort == "" {
				return
			}
			var port string
			if err := scanOne(ctx, o.Target, "SELECT @@port", &port); err != nil || !strings.HasSuffix(tc.wantPort, ":"+port) {
				t.Errorf("got port %q (%v), want the one of %s", port, err, tc.wantPort)
			}
			if pool, ok := o.Target.(*bench.Pool); ok && pool.Stats().MaxOpenConnections != max(tc.cfg.Clients, 1) {
				t.Errorf("got a pool of %d connections, want %d", pool.Stats().MaxOpenConnections, max(tc.cfg.Clients, 1))
			}
		})
	}
	t.Run("unknown node", func(t *testing.T) {
		_, err := bench.OpenTarget(ctx, bench.TargetConfig{Topology: topo, Node: "9/primary"})
		if !errors.Is(err, topology.ErrNoNode) {
			t.Errorf("got %v, want ErrNoNode", err)
		}
	})
}

func scanOne(ctx context.Context, q bench.Queryer, query string, dest any) error {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		return errors.New("no row")
	}
	if err := rows.Scan(dest); err != nil {
		return err
	}
	return rows.Close()
}
