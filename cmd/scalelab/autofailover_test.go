package main

import (
	"bytes"
	"context"
	"database/sql"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/topology"
)

// TestProxyAutoFailover kills the primary under a proxy started with
// --auto-failover: the proxy's own watcher fails the shard over, and a
// write sent after the kill is buffered and lands on the new primary. With
// semi-sync, no acknowledged write is lost. The proxy runs on one thread
// (--threads 1), as its benchmark against haproxy does, and says so.
// The sandbox takes ports from 29200 (3 nodes); the proxy listens on 29290.
func TestProxyAutoFailover(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{Shards: 1, Replicas: 2, BasePort: 29200, Name: "autofail", SemiSync: true})
	port := 29290
	if off, err := strconv.Atoi(os.Getenv(dbtest.EnvPortOffset)); err == nil {
		port += off
	}
	listen := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	var stderr lockedBuffer
	cmd := command("proxy", "--threads", "1", "--auto-failover", "--interval", "200ms", "--listen", listen, "--metrics", "-", "--topology", sb.TopologyPath())
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGKILL); _ = cmd.Wait() })

	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr, cfg.DBName = sb.Topology.User.Name, sb.Topology.User.Password, "tcp", listen, "scalelab"
	cfg.Timeout = 2 * time.Second
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	deadline := time.Now().Add(30 * time.Second)
	for db.PingContext(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("the proxy did not answer on %s: %s", listen, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(stderr.String(), "threads: 1)") {
		t.Errorf("the proxy started with --threads 1 did not say it runs one thread: %s", stderr.String())
	}
	for _, q := range []string{"CREATE TABLE IF NOT EXISTS auto_acked (id INT PRIMARY KEY)", "INSERT INTO auto_acked VALUES (1)"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	old := sb.Topology.Shards[0].Primary.HostPort
	if err := sb.KillNode(ctx, "0/primary"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO auto_acked VALUES (2)"); err != nil {
		t.Fatalf("a write after the primary was killed failed (the proxy should buffer it until its failover): %v\n%s", err, stderr.String())
	}
	now, err := topology.Load(sb.TopologyPath())
	if err != nil {
		t.Fatal(err)
	}
	if now.Shards[0].Primary.HostPort == old {
		t.Fatalf("the topology still names %s primary", old)
	}
	newDB := dbtest.Open(t, now, now.Shards[0].Primary.HostPort)
	var n int
	if err := newDB.QueryRowContext(ctx, "SELECT COUNT(*) FROM scalelab.auto_acked").Scan(&n); err != nil || n != 2 {
		t.Errorf("the new primary has %d acknowledged rows (%v), want 2", n, err)
		for _, nd := range now.Nodes() {
			var ids string
			err := dbtest.OpenAdmin(t, now, nd.Addr).QueryRowContext(ctx, "SELECT GROUP_CONCAT(id) FROM scalelab.auto_acked").Scan(&ids)
			t.Logf("%s %s: %q %v", nd.Name, nd.Addr, ids, err)
		}
		t.Logf("proxy:\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "auto-failover:") {
		t.Errorf("the proxy did not report its failover:\n%s", stderr.String())
	}
}

// lockedBuffer collects a process's output while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
