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

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/shard"
	"github.com/scalelab/scalelab/topology"
	"github.com/scalelab/scalelab/vschema"
)

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
	sb := startSandbox(t, sandbox.Config{
		Shards: 2, Replicas: 1, BasePort: 26900, Name: "cmdreshard",
		Tables: map[string]topology.Table{"items": {Column: "id", Vindex: "hash"}},
	})
	dir := sb.Dir
	loadItems(t, sb.Topology)
	before := dbtest.ReadItems(t, sb.Topology)

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
	after := dbtest.ReadItems(t, topo)
	if len(after.ShardOf) != reshardRows || after.CRC != before.CRC {
		t.Errorf("after: %d rows with checksum %08x, want %d with %08x", len(after.ShardOf), after.CRC, reshardRows, before.CRC)
	}
	vs, err := vschema.New(topo)
	if err != nil {
		t.Fatal(err)
	}
	for id, s := range after.ShardOf {
		i, _ := vs.Locate("items", id)
		if name := want[i]; name != s {
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

// command is the scalelab command with args, to run in a process of its
// own: the test binary, told by runMainEnv to act as scalelab.
func command(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	return cmd
}

// runCommand runs the scalelab command in a process of its own.
func runCommand(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	cmd := command(args...)
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
	out, killed, err := runUntil(t, at, args...)
	if !killed {
		t.Fatalf("kill at %q: the run ended with %v before it printed that:\n%s", at, err, out)
	}
	return out
}

// runUntil runs the scalelab command and sends it SIGKILL as soon as a
// line of its progress contains at. It reports whether the kill ended the
// run, and else how the run ended.
func runUntil(t *testing.T, at string, args ...string) (string, bool, error) {
	t.Helper()
	return runStopped(t, at, nil, args...)
}

// runStopped is runUntil, except that when stopped is set, the command
// is first stopped with SIGSTOP at that line, and stopped runs with its
// pid before the kill: the command is frozen where it stands, holding
// what it holds.
func runStopped(t *testing.T, at string, stopped func(pid int), args ...string) (string, bool, error) {
	t.Helper()
	cmd := command(args...)
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
			if stopped != nil && cmd.Process.Signal(syscall.SIGSTOP) == nil {
				stopped(cmd.Process.Pid)
			}
			killed = cmd.Process.Signal(syscall.SIGKILL) == nil
		}
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !killed || !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		return out.String(), false, err
	}
	t.Logf("killed at %q:\n%s", at, out.String())
	return out.String(), true, nil
}

func loadItems(t *testing.T, topo *topology.Topology) {
	t.Helper()
	ctx := context.Background()
	r, err := router.Open(ctx, topo, router.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, q := range []string{dbtest.ItemsDDL, dbtest.ItemsInsert(reshardRows)} {
		if _, err := r.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
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
