package chaos_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/scalelab/scalelab/chaos"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/sandbox"
)

// basePort: BasePort: 27800 (1 shard x 2 nodes)
const basePort = 27800

// TestActions runs every action on a real sandbox and checks its effect
// from the servers, and that each was recorded.
func TestActions(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sb, err := sandbox.Start(ctx, sandbox.Config{Dir: t.TempDir(), Shards: 1, Replicas: 1, BasePort: basePort, Server: dbtest.RequireServer(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Stop(context.Background()) })
	c := sb.Cluster()
	const replicaNode = "0/replica-1"
	primary := dbtest.OpenAdmin(t, sb.Topology, sb.Topology.Shards[0].Primary.HostPort)
	replicaDB := dbtest.OpenAdmin(t, sb.Topology, sb.Topology.Shards[0].Replicas[0].HostPort)
	answers := func(db *sql.DB) bool {
		pctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		defer cancel()
		return db.QueryRowContext(pctx, "SELECT 1").Scan(new(int)) == nil
	}
	do := func(action, node string, delay time.Duration) {
		t.Helper()
		if _, err := chaos.Do(ctx, c, action, node, chaos.Options{Delay: delay}); err != nil {
			t.Fatalf("%s %s: %v", action, node, err)
		}
	}

	do(chaos.Stop, replicaNode, 0)
	if answers(replicaDB) {
		t.Error("a stopped node answered")
	}
	do(chaos.Resume, replicaNode, 0)
	if !answers(replicaDB) {
		t.Error("a resumed node did not answer")
	}

	// A replica 30 s behind does not show a row written now; without the
	// delay it catches up.
	do(chaos.Lag, replicaNode, 30*time.Second)
	if _, err := primary.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS scalelab.chaos_check (id INT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := replicaDB.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'scalelab' AND table_name = 'chaos_check'").Scan(&n); err != nil || n != 0 {
		t.Errorf("a replica 30 s behind shows a table created now (%d, %v)", n, err)
	}
	do(chaos.Lag, replicaNode, 0)
	if err := sb.WaitReplication(ctx); err != nil {
		t.Errorf("after the delay was removed: %v", err)
	}

	_, before, _ := sb.NodeState(replicaNode)
	do(chaos.Restart, replicaNode, 0)
	_, after, _ := sb.NodeState(replicaNode)
	if after.Pid == before.Pid || !after.Alive() {
		t.Errorf("restart: pid %d → %d, alive %v: want a new process", before.Pid, after.Pid, after.Alive())
	}
	do(chaos.Kill, replicaNode, 0)
	if _, n, _ := sb.NodeState(replicaNode); n.Alive() {
		t.Error("a killed node is alive")
	}
	if _, err := chaos.Do(ctx, c, "explode", replicaNode, chaos.Options{}); !errors.Is(err, chaos.ErrUnknownAction) {
		t.Errorf("an unknown action: got %v", err)
	}
	if _, err := chaos.Do(ctx, c, chaos.Lag, "0/primary", chaos.Options{Delay: time.Second}); err == nil {
		t.Error("a primary was made to lag")
	}

	f, err := os.Open(filepath.Join(sb.Dir, chaos.LogFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var ev chaos.Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil || ev.Node != replicaNode || ev.At.IsZero() {
			t.Errorf("record line %q: %v", sc.Text(), err)
		}
		got = append(got, ev.Action)
	}
	want := []string{chaos.Stop, chaos.Resume, chaos.Lag, chaos.Lag, chaos.Restart, chaos.Kill}
	if len(got) != len(want) {
		t.Fatalf("recorded %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("recorded %v, want %v", got, want)
			break
		}
	}
}
