package proxy_test

import (
	"context"
	"database/sql"
	"errors"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/proxy"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/topology"
)

func TestMain(m *testing.M) {
	dbtest.Main(m, dbtest.Options{BasePort: 26500, Shards: 2, Replicas: 1})
}

// shardedTables are the tables the tests shard by id with the hash vindex.
var shardedTables = []string{"sbtest1", "sbtest2", "sbtest3", "sbtest4", "kvs", "clientmatrix", "relaybench_sharded", "dumped", "cidjobs", "coldefs", "floats", "namesbin", "midstream", "rets", "panics"}

// shardedTopology is the package sandbox's topology with shardedTables
// sharded by id.
func shardedTopology(t testing.TB) *topology.Topology {
	t.Helper()
	sb := dbtest.Sandbox(t)
	topo := *sb.Topology
	topo.Tables = map[string]topology.Table{}
	for _, name := range shardedTables {
		topo.Tables[name] = topology.Table{Column: "id", Vindex: "hash"}
	}
	return &topo
}

type fixture struct {
	srv  *proxy.Server
	r    *router.Router
	topo *topology.Topology
	host string
	port int
	// relay is set when the proxy relays reads (not Config.NoRelay).
	relay bool
}

// startProxy serves a fresh router over the sharded topology on a free
// port, shut down when t ends.
func startProxy(t testing.TB, cfg proxy.Config, rcfg router.Config) *fixture {
	t.Helper()
	return startProxyOver(t, shardedTopology(t), cfg, rcfg)
}

// startProxyOver is startProxy over topo.
func startProxyOver(t testing.TB, topo *topology.Topology, cfg proxy.Config, rcfg router.Config) *fixture {
	t.Helper()
	ctx := context.Background()
	r, err := router.Open(ctx, topo, rcfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Listen = "127.0.0.1:0"
	if cfg.Metrics == "" {
		cfg.Metrics = "127.0.0.1:0"
	}
	users := map[string]string{topo.User.Name: topo.User.Password}
	for u, p := range cfg.Users {
		users[u] = p // another user, beside the topology's
	}
	cfg.Users = users
	if cfg.Logf == nil {
		cfg.Logf = t.Logf
	}
	srv, err := proxy.New(r, cfg)
	if err != nil {
		r.Close()
		t.Fatal(err)
	}
	if err := srv.Start(ctx); err != nil {
		r.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		r.Close()
	})
	host, port := splitAddr(t, srv.Addr().String())
	return &fixture{srv: srv, r: r, topo: topo, host: host, port: port, relay: !cfg.NoRelay}
}

func splitAddr(t testing.TB, addr string) (string, int) {
	t.Helper()
	i := strings.LastIndexByte(addr, ':')
	port, err := strconv.Atoi(addr[i+1:])
	if err != nil {
		t.Fatal(err)
	}
	return addr[:i], port
}

// open returns a go-sql-driver pool to the proxy, closed when t ends.
func (f *fixture) open(t testing.TB, adjust func(*mysql.Config)) *sql.DB {
	t.Helper()
	cfg := f.topo.MySQLConfig(net.JoinHostPort(f.host, strconv.Itoa(f.port)), f.topo.User)
	cfg.ParseTime = false
	if adjust != nil {
		adjust(cfg)
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	t.Cleanup(func() { db.Close() })
	return db
}

// cli runs a client tool against the proxy with the application user.
func (f *fixture) cli(t *testing.T, tool string, args ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Skipf("%s is not installed", tool)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	base := []string{"-h" + f.host, "-P" + strconv.Itoa(f.port), "-u" + f.topo.User.Name, "-p" + f.topo.User.Password}
	if tool == "sysbench" {
		base = []string{"--mysql-host=" + f.host, "--mysql-port=" + strconv.Itoa(f.port),
			"--mysql-user=" + f.topo.User.Name, "--mysql-password=" + f.topo.User.Password, "--mysql-db=" + f.topo.DatabaseName()}
	}
	out, err := exec.CommandContext(ctx, tool, append(base, args...)...).CombinedOutput()
	return string(out), err
}

// adminDB opens a pool straight to a node as the admin user.
func adminDB(t *testing.T, topo *topology.Topology, addr string) *sql.DB {
	t.Helper()
	return dbtest.OpenAdmin(t, topo, addr)
}

func mysqlErrNum(err error) int {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return int(me.Number)
	}
	return 0
}

// quiet keeps the router's background work out of the servers' counters.
func quiet() router.Config {
	return router.Config{Replica: replica.Config{HeartbeatInterval: 50 * time.Millisecond, RawIO: true}}
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		<-tick.C
	}
}

// waitReplicated polls every replica of the first shard until query
// returns want, so reads routed there see the test's writes.
func waitReplicated(t *testing.T, topo *topology.Topology, query, want string) {
	t.Helper()
	for _, n := range topo.Nodes() {
		if n.Role != topology.Replica || n.Shard != topo.Shards[0].Name {
			continue
		}
		db := adminDB(t, topo, n.Addr)
		waitFor(t, n.Name+" to replicate", 30*time.Second, func() bool {
			var got string
			err := db.QueryRow(query).Scan(&got)
			return err == nil && got == want
		})
	}
}
