package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/shard"
	"github.com/scalelab/scalelab/topology"
)

// runMainEnv makes the test binary run the scalelab command instead of the
// tests, so that a test can kill a real scalelab process.
const runMainEnv = "SCALELAB_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

const reshardRows = 3000

// TestReshardSurvivesSIGKILL kills `scalelab reshard --shards 4` with
// SIGKILL at every step of a 2 → 4 hash reshard, in turn: while the new
// shards' data dirs are initialized, while their servers are configured,
// after they joined, during the row copy, and after the copy, the
// verification and the switch.
// Each next run resumes the last one. The end state must be the same as an
// uninterrupted run's: every row exactly once, on the shard its keyspace id
// names, on the primary and its replica, and no server process left over.
func TestReshardSurvivesSIGKILL(t *testing.T) {
	srv := dbtest.RequireServer(t)
	dir, err := os.MkdirTemp("", "scalelab-cmd-reshard-")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sb, err := sandbox.Start(ctx, sandbox.Config{
		Dir: dir, Shards: 2, Replicas: 1, BasePort: 26900, Server: srv, Name: "cmdreshard",
		Tables: map[string]topology.Table{"items": {Column: "id", Vindex: "hash"}},
	})
	if err != nil {
		os.RemoveAll(dir)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// The killed runs changed the sandbox: stop what its files now hold.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if now, err := sandbox.Open(dir); err == nil {
			sb = now
		}
		if err := sb.Stop(ctx); err != nil {
			t.Errorf("stop sandbox: %v", err)
		}
		os.RemoveAll(dir)
	})
	loadItems(t, sb.Topology)
	before := itemsLayout(t, sb.Topology)

	args := []string{"reshard", "--topology", sb.TopologyPath(), "--shards", "4"}
	var resumedAfterAdd bool
	for i, at := range []string{"initialized", "configured", "done: shards-added", "rows into shard", "done: rows-copied", "done: verified", "done: switched"} {
		out := runKilled(t, at, args...)
		if i == 1 && strings.Contains(out, "removing the half-added shards") {
			resumedAfterAdd = true
		}
	}
	if !resumedAfterAdd {
		t.Error("the run after the kill during initialization did not remove the half-added shards")
	}
	stdout, stderr, err := runCommand(t, args...)
	if err != nil {
		t.Fatalf("final run: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, `after phase "switched"`) || !strings.Contains(stdout, "moved") {
		t.Errorf("final run: want it to resume after the switch and print the rows moved; got\n%s%s", stderr, stdout)
	}

	topo, err := topology.Load(sb.TopologyPath())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := shard.GenerateNames(4)
	if got := topo.ShardNames(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("topology shards %v, want %v", got, want)
	}
	after := itemsLayout(t, topo)
	if len(after.shardOf) != reshardRows || after.crc != before.crc {
		t.Errorf("after: %d rows with checksum %08x, want %d with %08x", len(after.shardOf), after.crc, reshardRows, before.crc)
	}
	v, _ := shard.NewVindex("hash", nil)
	m, _ := shard.NewMap(want)
	for id, s := range after.shardOf {
		k, _ := v.Map(id)
		if _, name := m.Shard(k); name != s {
			t.Fatalf("id %d is on shard %s, its keyspace id belongs to %s", id, s, name)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "reshard.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("reshard.json after the final run: %v, want it gone", err)
	}
	// Every server process under the sandbox dir is one of its nodes: the
	// killed runs left none behind.
	final, err := sandbox.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if procs, ok := processesUnder(dir); ok && procs != len(final.State.Nodes) {
		t.Errorf("%d live processes under the sandbox dir, want its %d nodes", procs, len(final.State.Nodes))
	}
	for _, n := range final.State.Nodes {
		if !n.Alive() {
			t.Errorf("node %s is not running", n.Name)
		}
	}
}

// runCommand runs the scalelab command in a process of its own.
func runCommand(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// runKilled runs the scalelab command and sends it SIGKILL as soon as a
// line of its progress contains at. It returns the progress, and fails t if
// the run ended before that line.
func runKilled(t *testing.T, at string, args ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	sc := bufio.NewScanner(pipe)
	killed := false
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if !killed && strings.Contains(sc.Text(), at) {
			killed = cmd.Process.Signal(syscall.SIGKILL) == nil
		}
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !killed || !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("kill at %q: the run ended with %v before it printed that:\n%s", at, err, out.String())
	}
	t.Logf("killed at %q:\n%s", at, out.String())
	return out.String()
}

func loadItems(t *testing.T, topo *topology.Topology) {
	t.Helper()
	ctx := context.Background()
	r, err := router.Open(ctx, topo, router.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.ExecContext(ctx, "CREATE TABLE items (id BIGINT UNSIGNED PRIMARY KEY, name VARCHAR(32) NOT NULL, qty INT)"); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("INSERT INTO items (id, name, qty) VALUES ")
	for id := 1; id <= reshardRows; id++ {
		if id > 1 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(%d, 'item-%d', %d)", id, id, id%17)
	}
	if _, err := r.ExecContext(ctx, b.String()); err != nil {
		t.Fatal(err)
	}
}

type layout struct {
	shardOf map[uint64]string // id → shard name
	crc     uint32            // XOR of every row's CRC32
}

// itemsLayout reads where every row is, after each replica has caught up
// with its primary, and checks that each replica holds its primary's rows.
func itemsLayout(t *testing.T, topo *topology.Topology) layout {
	t.Helper()
	l := layout{shardOf: map[uint64]string{}}
	for _, s := range topo.Shards {
		primary := dbtest.OpenAdmin(t, topo, s.Primary.HostPort)
		var pos string
		if err := primary.QueryRow("SELECT @@GLOBAL.gtid_binlog_pos").Scan(&pos); err != nil {
			t.Fatal(err)
		}
		var onPrimary uint32
		for i, addr := range append([]topology.Addr{s.Primary}, s.Replicas...) {
			db := dbtest.OpenAdmin(t, topo, addr.HostPort)
			if i > 0 {
				var res int
				if err := db.QueryRow("SELECT MASTER_GTID_WAIT(?, 30)", pos).Scan(&res); err != nil || res != 0 {
					t.Fatalf("replica %s of shard %s did not catch up: %d %v", addr.HostPort, s.Name, res, err)
				}
			}
			rows, err := db.Query("SELECT id, CRC32(CONCAT_WS('#', id, name, qty)) FROM items")
			if err != nil {
				t.Fatal(err)
			}
			var crc uint32
			for rows.Next() {
				var id uint64
				var c uint32
				if err := rows.Scan(&id, &c); err != nil {
					t.Fatal(err)
				}
				crc ^= c
				if i > 0 {
					continue
				}
				if prev, ok := l.shardOf[id]; ok {
					t.Errorf("id %d is on shard %s and on shard %s", id, prev, s.Name)
				}
				l.shardOf[id] = s.Name
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			rows.Close()
			if i == 0 {
				onPrimary = crc
				l.crc ^= crc
			} else if crc != onPrimary {
				t.Errorf("replica %s of shard %s: checksum %08x, its primary %08x", addr.HostPort, s.Name, crc, onPrimary)
			}
		}
	}
	return l
}

// processesUnder counts the live processes whose command line names a path
// under dir. It reports false where there is no /proc to read.
func processesUnder(dir string) (int, bool) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, false
	}
	n := 0
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.Contains(cmdline, []byte(dir+string(filepath.Separator))) {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if i := bytes.LastIndexByte(stat, ')'); err == nil && i > 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
			continue // a zombie: killed, waiting for its reaper
		}
		n++
	}
	return n, true
}
