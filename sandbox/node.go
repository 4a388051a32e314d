package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/machine"
	"github.com/scalelab/scalelab/topology"
)

// NodeState is what the state file records about one node.
type NodeState struct {
	Name  string        `json:"name"`
	Shard string        `json:"shard"`
	Role  topology.Role `json:"role"`
	Port  int           `json:"port"`
	Pid   int           `json:"pid"`
	// Dir holds the node's my.cnf, data dir, error log and pid file.
	Dir string `json:"dir"`
	// Socket is the node's unix socket; admin work goes through it as root.
	Socket string `json:"socket"`
	// Relay is the port of the node's netsim client relay, its address in
	// the topology; 0 without netsim, when that is Port.
	Relay int `json:"relay,omitempty"`
}

// Addr is the node's address in the topology: its relay's under netsim,
// else its server's.
func (n NodeState) Addr() string {
	port := n.Port
	if n.Relay != 0 {
		port = n.Relay
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

func (n NodeState) cnf() string     { return filepath.Join(n.Dir, "my.cnf") }
func (n NodeState) datadir() string { return filepath.Join(n.Dir, "data") }
func (n NodeState) tmpdir() string  { return filepath.Join(n.Dir, "tmp") }

// ErrorLog is the path of the node's server error log.
func (n NodeState) ErrorLog() string { return filepath.Join(n.Dir, "error.log") }

// Alive reports whether the node's recorded process is running.
func (n NodeState) Alive() bool { return alive(n.Pid, n.cnf()) }

// osUser is the user the server runs as: the current one. mariadbd and
// mysqld refuse to run as root unless told to, so name it explicitly.
func osUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "root"
}

// socketPath keeps unix socket paths under the 107-byte limit: a deep
// sandbox dir gets its sockets in the temp dir instead.
func socketPath(nodeDir string, port int) string {
	p := filepath.Join(nodeDir, "mysqld.sock")
	if len(p) < 100 {
		return p
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("scalelab-%d.sock", port))
}

// writeConfig writes the node's own defaults file, so no system my.cnf leaks
// in: the server is started with --defaults-file pointing at it.
func writeConfig(n NodeState, f flavor.Flavor, t *topology.Topology) error {
	limits := t.Machine.Limits(n.Name)
	lines := []string{
		"[mysqld]",
		"user=" + osUser(),
		"datadir=" + n.datadir(),
		"tmpdir=" + n.tmpdir(),
		"port=" + strconv.Itoa(n.Port),
		"bind-address=127.0.0.1",
		"socket=" + n.Socket,
		"pid-file=" + filepath.Join(n.Dir, "mysqld.pid"),
		"log-error=" + n.ErrorLog(),
		// The port is unique on the machine, so it is a unique server id too,
		// and it lets a student tell nodes apart in SHOW SLAVE HOSTS.
		"server-id=" + strconv.Itoa(n.Port),
		"log-bin=binlog",
		"relay-log=relay",
		"skip-name-resolve",
		"local-infile=ON",
		"max_connections=1000",
		// Small memory settings: a laptop runs a dozen of these.
		"innodb_buffer_pool_size=" + bufferPool(limits),
		"innodb_log_file_size=16M",
		"innodb_log_buffer_size=8M",
		"key_buffer_size=8M",
		"table_open_cache=400",
		"performance_schema=OFF",
		// A lab measures the database's work, not fsync: the machine it runs
		// on is not where durability is taught.
		"innodb_flush_log_at_trx_commit=2",
		"sync_binlog=0",
	}
	lines = append(lines, f.ServerOptions(flavor.NodeOptions{CPU: limits.CPU, SemiSync: t.SemiSync, Primary: n.Role == topology.Primary})...)
	if t.Netsim != nil {
		// A partition drops no connection: it goes silent. A replica
		// notices a silent source after slave_net_timeout (the source
		// sends a heartbeat every half of it), as failover detection
		// needs, instead of the default minute.
		lines = append(lines, "slave_net_timeout=4")
	}
	if n.Role == topology.Replica {
		lines = append(lines, "read_only=ON")
	}
	return os.WriteFile(n.cnf(), []byte(strings.Join(lines, "\n")+"\n"), 0o600)
}

// initDataDir runs the flavor's installer on an empty data dir.
func initDataDir(ctx context.Context, srv Server, n NodeState) error {
	if err := os.MkdirAll(n.tmpdir(), 0o700); err != nil {
		return err
	}
	prog, args := srv.Flavor.InstallArgs(srv.Path, n.datadir(), n.tmpdir(), osUser())
	if p, err := lookPath(prog, sbinDirs); err == nil {
		prog = p
	}
	cmd := exec.CommandContext(ctx, prog, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("initialize data dir with %s: %v: %s", filepath.Base(prog), err, errorLines(string(out)))
	}
	return nil
}

// startProcess launches the server in its own session, so that a Ctrl-C in
// the terminal that ran `scalelab up` does not reach it after up returns.
// The returned channel closes when the process exits (reaped by us).
func startProcess(srv Server, n NodeState) (int, <-chan struct{}, error) {
	logf, err := os.OpenFile(n.ErrorLog(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return 0, nil, err
	}
	defer logf.Close()
	cmd := exec.Command(srv.Path, "--defaults-file="+n.cnf())
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return 0, nil, fmt.Errorf("start %s: %w", srv.Path, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	return cmd.Process.Pid, done, nil
}

// rootDB opens a connection to the node as root over its unix socket,
// with the sandbox's root password (see State.RootPassword).
func (s *Sandbox) rootDB(n NodeState) *sql.DB { return rootDB(n, s.State.RootPassword) }

// rootDB opens a connection to the node as root over its unix socket,
// with password: empty on a fresh node, until bootstrap sets one.
func rootDB(n NodeState, password string) *sql.DB {
	cfg := mysql.NewConfig()
	cfg.User = "root"
	cfg.Passwd = password
	cfg.Net = "unix"
	cfg.Addr = n.Socket
	cfg.InterpolateParams = true
	cfg.Timeout = 2 * time.Second
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		panic(err) // a static config cannot fail to validate
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(2)
	return db
}

// erAccessDenied is ER_ACCESS_DENIED_ERROR.
const erAccessDenied = 1045

// waitReady polls the node until it answers a ping, the process exits, or
// ctx ends. Readiness is polled, never slept.
func waitReady(ctx context.Context, db *sql.DB, exited <-chan struct{}, n NodeState) error {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		last = db.PingContext(pctx)
		cancel()
		var me *mysql.MySQLError
		if last == nil || errors.As(last, &me) && me.Number == erAccessDenied {
			// Access denied is an answer too: a fresh node's root has no
			// password yet when the sandbox already has one.
			return nil
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("not ready in time: %v", last)
			}
			return ctx.Err()
		case <-exited:
			return fmt.Errorf("server exited during startup: %s", lastLines(readFile(n.ErrorLog()), 8))
		case <-tick.C:
		}
	}
}

// errorLines picks the lines of installer output that say what went wrong.
func errorLines(out string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "ERROR") || strings.Contains(l, "[ERROR]") {
			keep = append(keep, strings.TrimSpace(l))
		}
	}
	if len(keep) == 0 {
		return lastLines(out, 5)
	}
	return strings.Join(keep, " | ")
}

func readFile(p string) string {
	b, _ := os.ReadFile(p)
	return string(b)
}

// lastLines returns the last n non-empty lines of s, joined by " | ".
func lastLines(s string, n int) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			keep = append(keep, l)
		}
	}
	if len(keep) > n {
		keep = keep[len(keep)-n:]
	}
	return strings.Join(keep, " | ")
}

// bufferPool sizes InnoDB's buffer pool: 64 MiB, or a quarter of the
// node's memory limit when that is less, so that the server, its
// connections and its other buffers fit inside the limit; never below
// 8 MiB.
func bufferPool(l machine.Limits) string {
	size := int64(64 << 20)
	if l.Memory > 0 {
		size = max(min(size, l.Memory/4), 8<<20)
	}
	return strconv.FormatInt(size>>20, 10) + "M"
}
