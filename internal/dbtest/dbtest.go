// Package dbtest gives integration tests a real sandbox: one per test
// package, started on first use from the package's TestMain and stopped by
// pid when the package's tests end. Tests are skipped only when no server
// binary exists and SCALELAB_REQUIRE_DB is unset; CI sets it, so there a
// missing server fails the run.
//
//	func TestMain(m *testing.M) {
//		dbtest.Main(m, dbtest.Options{BasePort: 26100, Shards: 1, Replicas: 2})
//	}
//
//	func TestSomething(t *testing.T) {
//		sb := dbtest.Sandbox(t)
//		db := dbtest.Open(t, sb.Topology, sb.Topology.Nodes()[0].Addr)
//		...
//	}
package dbtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/topology"
)

// EnvRequire, when set to anything, turns a missing server into a failure.
const EnvRequire = "SCALELAB_REQUIRE_DB"

// EnvPortOffset, when set to a number, moves a package's sandbox ports by
// that much, so that two runs of one package's tests can share a machine.
const EnvPortOffset = "SCALELAB_TEST_PORT_OFFSET"

// Options shape a package's sandbox. BasePort must be unique across the
// repository's test packages (TestBasePortsUnique checks it) and away from
// the user's default sandbox ports.
type Options struct {
	BasePort int
	Shards   int
	Replicas int
	// Main adds the topology's main node (sandbox.Config.Main).
	Main bool
	// Tables is the topology's tables section (sandbox.Config.Tables).
	Tables map[string]topology.Table
	// Keyspaces split the tables by function (sandbox.Config.Keyspaces);
	// Shards, Replicas and Tables are then unused.
	Keyspaces []sandbox.KeyspaceConfig
}

// pkg is the one sandbox of the test binary: tests of a package share it.
var pkg struct {
	opts Options
	once sync.Once
	sb   *sandbox.Sandbox
	dir  string
	err  error
	skip string
}

// Main runs the package's tests and stops the sandbox afterwards, if one was
// started. Call it from TestMain.
func Main(m *testing.M, opts Options) {
	if off, err := strconv.Atoi(os.Getenv(EnvPortOffset)); err == nil {
		opts.BasePort += off
	}
	pkg.opts = opts
	code := m.Run()
	if pkg.sb != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if err := pkg.sb.Stop(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "dbtest: stop sandbox:", err)
			code = 1
		}
		cancel()
	}
	if pkg.dir != "" {
		os.RemoveAll(pkg.dir)
	}
	os.Exit(code)
}

// Sandbox returns the package's sandbox, starting it on first use. Without
// a server binary it skips t, or fails it when SCALELAB_REQUIRE_DB is set.
func Sandbox(t testing.TB) *sandbox.Sandbox {
	t.Helper()
	if pkg.opts.BasePort == 0 {
		t.Fatal("dbtest: call dbtest.Main from TestMain with a BasePort")
	}
	pkg.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		srv, err := sandbox.FindServer(ctx)
		if errors.Is(err, sandbox.ErrNoServer) && os.Getenv(EnvRequire) == "" {
			pkg.skip = err.Error()
			return
		}
		if err != nil {
			pkg.err = err
			return
		}
		if n := reapOrphans(); n > 0 {
			fmt.Fprintf(os.Stderr, "dbtest: stopped %d server(s) orphaned by an earlier test run\n", n)
		}
		pkg.dir, err = os.MkdirTemp("", "scalelab-test-")
		if err != nil {
			pkg.err = err
			return
		}
		pkg.sb, pkg.err = sandbox.Start(ctx, sandbox.Config{
			Dir:       pkg.dir,
			Shards:    pkg.opts.Shards,
			Replicas:  pkg.opts.Replicas,
			Main:      pkg.opts.Main,
			Tables:    pkg.opts.Tables,
			Keyspaces: pkg.opts.Keyspaces,
			BasePort:  pkg.opts.BasePort,
			Server:    srv,
			Name:      "test",
		})
	})
	if pkg.skip != "" {
		t.Skip("no database server; set " + EnvRequire + "=1 to fail instead: " + pkg.skip)
	}
	if pkg.err != nil {
		t.Fatalf("dbtest: start sandbox: %v", pkg.err)
	}
	return pkg.sb
}

// Open returns a pool to addr as the application user, closed when t ends.
func Open(t testing.TB, topo *topology.Topology, addr string) *sql.DB {
	t.Helper()
	return open(t, topo.MySQLConfig(addr, topo.User))
}

// OpenAdmin returns a pool to addr as the admin user, closed when t ends.
func OpenAdmin(t testing.TB, topo *topology.Topology, addr string) *sql.DB {
	t.Helper()
	return open(t, topo.MySQLConfig(addr, topo.AdminCredentials()))
}

func open(t testing.TB, cfg *mysql.Config) *sql.DB {
	t.Helper()
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatalf("dbtest: connector for %s: %v", cfg.Addr, err)
	}
	db := sql.OpenDB(conn)
	t.Cleanup(func() { db.Close() })
	return db
}

// RequireServer skips (or, with SCALELAB_REQUIRE_DB, fails) t when no server
// binary exists, for tests that start their own sandboxes.
func RequireServer(t testing.TB) sandbox.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv, err := sandbox.FindServer(ctx)
	if errors.Is(err, sandbox.ErrNoServer) && os.Getenv(EnvRequire) == "" {
		t.Skip("no database server; set " + EnvRequire + "=1 to fail instead: " + err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// WorkflowFiles reads the files that say a sandbox's state (the
// workflow's, the topology and the nodes), for a test to check that a
// refused command changed none of them.
func WorkflowFiles(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, f := range []string{"reshard.json", "topology.yaml", "state.json"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		out[f] = b
	}
	return out
}
