package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/topology"
)

// TestOnlineReshardSurvivesSIGKILL reshards 2 → 4 shards online with
// scalelab reshard --online --switch while a writer changes items through
// a router that follows the topology file, and kills the command with
// SIGKILL during the copy, during the catch-up, while the switch holds
// writes, and after it published the new topology; each next run resumes.
// The writer never sees an error (held writes wait, and a resumed run
// releases or finishes the holds), vdiff finds no difference, and after
// --complete the new shards hold exactly the acknowledged rows.
func TestOnlineReshardSurvivesSIGKILL(t *testing.T) {
	sb, w := onlineSandbox(t, 30900, "cmdonline") // BasePort: 30900
	resumeAfterKills(t, []string{"reshard", "--topology", sb.TopologyPath(), "--shards", "4", "--online", "--switch"},
		[]string{"rows into shard", "caught up from shard", "holding writes", "published the new topology"},
		"switched: the new shards serve")
	time.Sleep(200 * time.Millisecond) // writes on the new shards
	w.halt(t)
	if _, stderr, err := runCommand(t, "vdiff", "--topology", sb.TopologyPath()); err != nil {
		t.Fatalf("vdiff after the switch: %v\n%s", err, stderr)
	}
	if _, stderr, err := runCommand(t, "reshard", "--topology", sb.TopologyPath(), "--complete"); err != nil {
		t.Fatalf("--complete: %v\n%s", err, stderr)
	}
	w.check(t, sb, 4, 8)
}

// TestOnlineReverseSurvivesSIGKILL switches a reshard 2 → 4 online under
// writes, then reverses it with scalelab reshard --reverse, killed while
// it holds writes on the new shards, after it published the old topology,
// and after it reported the reversal; each next run resumes. While the
// first holds writes, it is stopped, and the other workflow commands
// (reshard --complete, movetables, vdiff, down --purge) must refuse to run
// beside it (see busyWhile). The writer never sees an error, and the old
// shards end with exactly the acknowledged rows, the added shards gone.
func TestOnlineReverseSurvivesSIGKILL(t *testing.T) {
	sb, w := onlineSandbox(t, 31300, "cmdreverse") // BasePort: 31300
	if _, stderr, err := runCommand(t, "reshard", "--topology", sb.TopologyPath(), "--shards", "4", "--online", "--switch"); err != nil {
		t.Fatalf("switch: %v\n%s", err, stderr)
	}
	time.Sleep(200 * time.Millisecond) // writes on the new shards
	reverse := []string{"reshard", "--topology", sb.TopologyPath(), "--reverse"}
	if out, killed, err := runStopped(t, "holding writes", func(pid int) { busyWhile(t, sb, pid, "reshard --topology "+sb.TopologyPath()+" --reverse") }, reverse...); !killed {
		t.Fatalf("--reverse ended with %v before it held writes:\n%s", err, out)
	}
	resumeAfterKills(t, reverse,
		[]string{"published the new topology", "reversed: writes"},
		"reversed: the old shards serve again")
	time.Sleep(200 * time.Millisecond) // writes on the old shards
	w.halt(t)
	w.check(t, sb, 2, 4)
}

// resumeAfterKills runs the command args, killing it with SIGKILL at each
// point in turn (see runKilled), then once more to the end, and checks
// that the final run reports done.
func resumeAfterKills(t *testing.T, args, points []string, done string) {
	t.Helper()
	for _, at := range points {
		runKilled(t, at, args...)
	}
	stdout, stderr, err := runCommand(t, args...)
	if err != nil {
		t.Fatalf("final run: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, done) {
		t.Errorf("final run: want it to report %q; got\n%s%s", done, stderr, stdout)
	}
}

// itemsWriter changes items through a router that follows the topology
// file, a change every millisecond or so, and keeps what was
// acknowledged.
type itemsWriter struct {
	mu      sync.Mutex
	model   map[uint64][2]any // name, qty
	stop    chan struct{}
	done    chan struct{}
	acked   int
	longest time.Duration
	err     error
}

// onlineSandbox starts a sandbox of two shards with items loaded and a
// writer running through a following router.
func onlineSandbox(t *testing.T, port int, name string) (*sandbox.Sandbox, *itemsWriter) {
	sb := startSandbox(t, sandbox.Config{
		Shards: 2, Replicas: 1, BasePort: port, Name: name,
		Tables: map[string]topology.Table{"items": {Column: "id", Vindex: "hash"}},
	})
	loadItems(t, sb.Topology)
	ctx := context.Background()
	w := &itemsWriter{model: map[uint64][2]any{}, stop: make(chan struct{}), done: make(chan struct{})}
	for id := uint64(1); id <= reshardRows; id++ {
		w.model[id] = [2]any{fmt.Sprintf("item-%d", id), int(id % 17)}
	}
	r, err := router.Open(ctx, sb.Topology, router.Config{TopologyPath: sb.TopologyPath()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	go func() {
		defer close(w.done)
		for i := 1; ; i++ {
			select {
			case <-w.stop:
				return
			default:
			}
			start := time.Now()
			var err error
			switch id := uint64(i*7%reshardRows + 1); i % 3 {
			case 0:
				id = uint64(100000 + i)
				if _, err = r.ExecContext(ctx, "INSERT INTO items (id, name, qty) VALUES (?, ?, ?)", id, fmt.Sprintf("new-%d", i), i%100); err == nil {
					w.mu.Lock()
					w.model[id] = [2]any{fmt.Sprintf("new-%d", i), i % 100}
					w.mu.Unlock()
				}
			case 1:
				if _, err = r.ExecContext(ctx, "UPDATE items SET qty = ? WHERE id = ?", 1000+i, id); err == nil {
					w.mu.Lock()
					if it, ok := w.model[id]; ok {
						w.model[id] = [2]any{it[0], 1000 + i}
					}
					w.mu.Unlock()
				}
			case 2:
				id = uint64(i*13%reshardRows + 1)
				if _, err = r.ExecContext(ctx, "DELETE FROM items WHERE id = ?", id); err == nil {
					w.mu.Lock()
					delete(w.model, id)
					w.mu.Unlock()
				}
			}
			if err != nil {
				w.err = fmt.Errorf("write %d: %w", i, err)
				return
			}
			w.longest = max(w.longest, time.Since(start))
			w.acked++
			time.Sleep(time.Millisecond) // a steady rate, and CPU for the runs
		}
	}()
	return sb, w
}

// halt stops the writer; it fails t if a write failed.
func (w *itemsWriter) halt(t *testing.T) {
	t.Helper()
	close(w.stop)
	<-w.done
	if w.err != nil {
		t.Error(w.err)
	}
	t.Logf("%d acknowledged writes; the longest took %v", w.acked, w.longest)
}

// check reads every item back over the topology file, which must have
// shards shards, and compares them with what was acknowledged; the
// sandbox must have nodes nodes, each a live process.
func (w *itemsWriter) check(t *testing.T, sb *sandbox.Sandbox, shards, nodes int) {
	t.Helper()
	ctx := context.Background()
	topo, err := topology.Load(sb.TopologyPath())
	if err != nil {
		t.Fatal(err)
	}
	if len(topo.Shards) != shards {
		t.Fatalf("%d shards, want %d", len(topo.Shards), shards)
	}
	rr, err := router.Open(ctx, topo, router.Config{Consistency: router.Strong})
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Close()
	var got []struct {
		ID   uint64 `db:"id"`
		Name string `db:"name"`
		Qty  int    `db:"qty"`
	}
	if err := rr.SelectContext(ctx, &got, "SELECT id, name, qty FROM items"); err != nil {
		t.Fatal(err)
	}
	seen := map[uint64]bool{}
	for _, g := range got {
		want, ok := w.model[g.ID]
		switch {
		case seen[g.ID]:
			t.Errorf("item %d is there twice", g.ID)
		case !ok:
			t.Errorf("item %d is there, but its delete was acknowledged", g.ID)
		case want != [2]any{g.Name, g.Qty}:
			t.Errorf("item %d: %q %d, acknowledged %v", g.ID, g.Name, g.Qty, want)
		}
		seen[g.ID] = true
	}
	for id := range w.model {
		if !seen[id] {
			t.Errorf("acknowledged item %d is missing", id)
		}
	}
	final, err := sandbox.Open(sb.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if procs, ok := processesUnder(sb.Dir); ok && procs != len(final.State.Nodes) {
		t.Errorf("%d live processes under the sandbox dir, want its %d nodes", procs, len(final.State.Nodes))
	}
	if len(final.State.Nodes) != nodes {
		t.Errorf("%d nodes, want %d", len(final.State.Nodes), nodes)
	}
}

// busyWhile checks, while the workflow command pid (its command line
// ending in holds) holds the sandbox's workflow lock, that every other
// workflow command refuses at once with status 1, naming it, and changes
// nothing: the workflow's state, the topology and the nodes stay as they
// are.
func busyWhile(t *testing.T, sb *sandbox.Sandbox, pid int, holds string) {
	t.Helper()
	files := func() map[string][]byte { return dbtest.WorkflowFiles(t, sb.Dir) }
	before := files()
	topo := sb.TopologyPath()
	for _, args := range [][]string{
		{"reshard", "--topology", topo, "--complete"},
		{"reshard", "--topology", topo, "--reverse"},
		{"movetables", "--topology", topo, "--complete"},
		{"vdiff", "--topology", topo},
		{"down", "--topology", topo, "--purge"},
	} {
		_, stderr, err := runCommand(t, args...)
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Errorf("%s while pid %d holds the workflow: %v, want exit status 1\n%s", strings.Join(args, " "), pid, err, stderr)
			continue
		}
		want := fmt.Sprintf("scalelab: reshard: another workflow command is running on this sandbox (pid %d: %s %s); wait for it to end\n", pid, filepath.Base(os.Args[0]), holds)
		if stderr != want {
			t.Errorf("%s while pid %d holds the workflow says\n%s, want\n%s", strings.Join(args, " "), pid, stderr, want)
		}
	}
	for f, b := range files() {
		if !bytes.Equal(b, before[f]) {
			t.Errorf("%s changed while pid %d held the workflow", f, pid)
		}
	}
}
