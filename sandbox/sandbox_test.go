package sandbox_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/topology"
)

// The tests in this file start their own sandboxes, each at its own ports.
const (
	basePortMain      = 25000 // BasePort: 25000 (2 shards x 3 nodes)
	basePortTaken     = 25100 // BasePort: 25100
	basePortInterrupt = 25200 // BasePort: 25200
	basePortAccounts  = 25300 // BasePort: 25300 (1 shard x 2 nodes)
	basePortStopped   = 25400 // BasePort: 25400 (1 shard x 2 nodes)
	basePortMachine   = 25500 // BasePort: 25500 (1 shard x 1 node)
)

func start(t *testing.T, srv sandbox.Server, cfg sandbox.Config) *sandbox.Sandbox {
	t.Helper()
	cfg.Server = srv
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sb, err := sandbox.Start(ctx, cfg)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { sb.Stop(context.Background()) })
	return sb
}

// processesIn lists live server processes whose command line names dir.
func processesIn(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc to scan")
	}
	var out []string
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !strings.Contains(string(cmd), dir) {
			continue
		}
		stat, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if i := strings.LastIndexByte(string(stat), ')'); i > 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
			continue // a zombie has exited; only its parent's bookkeeping remains
		}
		out = append(out, e.Name()+" "+strings.ReplaceAll(string(cmd), "\x00", " "))
	}
	return out
}

func TestUpReplicatesAndDownStops(t *testing.T) {
	srv := dbtest.RequireServer(t)
	dir := t.TempDir()
	sb := start(t, srv, sandbox.Config{Dir: dir, Shards: 2, Replicas: 2, BasePort: basePortMain})
	topo := sb.Topology
	ctx := context.Background()

	if got := len(processesIn(t, dir)); got != 6 {
		t.Fatalf("got %d server processes, want 6", got)
	}
	if got := topo.ShardNames(); fmt.Sprint(got) != "[-80 80-]" {
		t.Errorf("got shards %v, want [-80 80-]", got)
	}
	st, err := os.Stat(sb.TopologyPath())
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("topology file mode %v, want 0600", st.Mode().Perm())
	}
	if _, err := topology.Load(sb.TopologyPath()); err != nil {
		t.Fatalf("written topology does not load: %v", err)
	}

	// Every node is reached through its socket: the server sees a client
	// of localhost, where a TCP client would be 127.0.0.1:port.
	for _, n := range topo.Nodes() {
		sock := topo.Socket(n.Addr)
		if sock == "" || topo.MySQLConfig(n.Addr, topo.User).Net != "unix" {
			t.Errorf("%s: the topology gives no usable socket (shard sockets %v)", n.Name, topo.Shards)
			continue
		}
		var host string
		if err := dbtest.Open(t, topo, n.Addr).QueryRowContext(ctx, "SELECT HOST FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()").Scan(&host); err != nil || host != "localhost" {
			t.Errorf("%s: the server saw client host %q (%v), want localhost: a connection over %s", n.Name, host, err, sock)
		}
	}

	for i, s := range topo.Shards {
		primary := dbtest.Open(t, topo, s.Primary.HostPort)
		if _, err := primary.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS t (id INT PRIMARY KEY, v VARCHAR(20))"); err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("row on %s", s.Name)
		if _, err := primary.ExecContext(ctx, "INSERT INTO t VALUES (?, ?)", i, want); err != nil {
			t.Fatal(err)
		}
		fl, err := flavor.Lookup(topo.Flavor)
		if err != nil {
			t.Fatal(err)
		}
		gtid, err := flavor.Position(ctx, primary, fl)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range s.Replicas {
			db := dbtest.Open(t, topo, r.HostPort)
			if ok, err := flavor.WaitApplied(ctx, db, fl, gtid, 10*time.Second); err != nil || !ok {
				t.Fatalf("replica %s did not reach %s: %v", r, gtid, err)
			}
			var got string
			if err := db.QueryRowContext(ctx, "SELECT v FROM t WHERE id = ?", i).Scan(&got); err != nil {
				t.Fatalf("read on replica %s: %v", r, err)
			}
			if got != want {
				t.Errorf("replica %s: got %q, want %q", r, got, want)
			}
			_, err := db.ExecContext(ctx, "INSERT INTO t VALUES (100, 'x')")
			var me *mysql.MySQLError
			if !errors.As(err, &me) || me.Number != 1290 {
				t.Errorf("write on replica %s: got %v, want error 1290 (read-only)", r, err)
			}
		}
	}

	// A replica that has applied every transaction can still report a
	// second of lag for a moment (its clock passed a second boundary
	// since the last event's timestamp): probe again until none lags, for
	// up to 10 s, then check what the last probe saw.
	var status []replica.NodeStatus
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var err error
		if status, err = replica.Probe(ctx, topo, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(status, func(n replica.NodeStatus) bool { return n.Role == topology.Replica && n.SecondsBehind != 0 }) || time.Now().After(deadline) {
			break
		}
	}
	for _, n := range status {
		if !n.Up {
			t.Errorf("%s is down: %s", n.Name, n.Error)
		}
		if n.Role == topology.Replica && (n.IORunning != "Yes" || n.SQLRunning != "Yes" || n.SecondsBehind != 0) {
			t.Errorf("%s: io=%s sql=%s lag=%d, want Yes Yes 0", n.Name, n.IORunning, n.SQLRunning, n.SecondsBehind)
		}
		if n.ReadOnly != (n.Role == topology.Replica) {
			t.Errorf("%s: read_only=%v for a %s", n.Name, n.ReadOnly, n.Role)
		}
	}

	t.Run("second up reports the running sandbox", func(t *testing.T) {
		_, err := sandbox.Start(ctx, sandbox.Config{Dir: dir, Shards: 2, Replicas: 2, BasePort: basePortMain, Server: srv})
		if !errors.Is(err, sandbox.ErrRunning) {
			t.Fatalf("got %v, want ErrRunning", err)
		}
		if got := len(processesIn(t, dir)); got != 6 {
			t.Fatalf("second up changed the sandbox: %d processes, want 6", got)
		}
	})

	if err := sb.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if left := processesIn(t, dir); len(left) != 0 {
		t.Fatalf("down left processes running: %v", left)
	}

	t.Run("up again restarts with data", func(t *testing.T) {
		sb2 := start(t, srv, sandbox.Config{Dir: dir})
		db := dbtest.Open(t, sb2.Topology, topo.Shards[1].Replicas[1].HostPort)
		var got string
		if err := db.QueryRowContext(ctx, "SELECT v FROM t WHERE id = 1").Scan(&got); err != nil || got != "row on 80-" {
			t.Fatalf("after restart: got %q %v, want %q", got, err, "row on 80-")
		}
		if err := sb2.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		if left := processesIn(t, dir); len(left) != 0 {
			t.Fatalf("down left processes running: %v", left)
		}
	})
}

func TestPortTaken(t *testing.T) {
	srv := dbtest.RequireServer(t)
	port := basePortTaken + 1 // the first replica's port
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	dir := t.TempDir()
	_, err = sandbox.Start(context.Background(), sandbox.Config{Dir: dir, Replicas: 1, BasePort: basePortTaken, Server: srv})
	var pe *sandbox.PortInUseError
	if !errors.As(err, &pe) || pe.Port != port {
		t.Fatalf("got %v, want a PortInUseError for port %d", err, port)
	}
	if !strings.Contains(err.Error(), strconv.Itoa(port)) {
		t.Errorf("error %q does not name port %d", err, port)
	}
	if left := processesIn(t, dir); len(left) != 0 {
		t.Fatalf("processes left running: %v", left)
	}
}

func TestInterruptStopsStartedNodes(t *testing.T) {
	srv := dbtest.RequireServer(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := 0
	_, err := sandbox.Start(ctx, sandbox.Config{
		Dir: dir, Shards: 2, Replicas: 1, BasePort: basePortInterrupt, Server: srv,
		Progress: func(e sandbox.Event) {
			// Ctrl-C arrives as soon as the first server is up.
			if strings.HasPrefix(e.Step, "started") {
				started++
				cancel()
			}
		},
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if started == 0 {
		t.Fatal("no node started before the interrupt; the test proves nothing")
	}
	if left := processesIn(t, dir); len(left) != 0 {
		t.Fatalf("interrupted up left processes running: %v", left)
	}
	if _, err := sandbox.Open(dir); !errors.Is(err, sandbox.ErrNotFound) {
		t.Errorf("interrupted up left a state file behind: %v", err)
	}
}
