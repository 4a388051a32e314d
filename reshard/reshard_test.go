package reshard_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/reshard"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/shard"
	"github.com/scalelab/scalelab/topology"
	"github.com/scalelab/scalelab/vschema"
)

// Each case reshards a sandbox of its own (resharding changes it for good).
var cases = []struct {
	vindex   string
	from, to int
	basePort int
	// moved is the expected share of rows that move, ±0.06.
	moved float64
}{
	{"hash", 2, 4, 27000, 0.5},         // BasePort: 27000
	{"xxhash", 2, 4, 27100, 0.5},       // BasePort: 27100
	{"modulo", 2, 4, 27200, 0.5},       // BasePort: 27200
	{"modulo", 2, 3, 27300, 2.0 / 3.0}, // BasePort: 27300
}

const rows = 3000

func startSandbox(t testing.TB, shards, basePort int, vindex string) *sandbox.Sandbox {
	t.Helper()
	srv := dbtest.RequireServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sb, err := sandbox.Start(ctx, sandbox.Config{
		Dir: t.TempDir(), Shards: shards, Replicas: 1, BasePort: basePort, Server: srv,
		Tables: map[string]topology.Table{"items": {Column: "id", Vindex: vindex}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Stop what the state file holds when the test ends: the shards a
		// reshard added too, also after a failure.
		now := sb
		if opened, err := sandbox.Open(sb.Dir); err == nil {
			now = opened
		}
		now.Stop(context.Background())
	})
	return sb
}

func load(t testing.TB, topo *topology.Topology) {
	t.Helper()
	ctx := context.Background()
	r, err := router.Open(ctx, topo, router.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, q := range []string{
		dbtest.ItemsDDL,
		dbtest.ItemsInsert(rows),
		// An unsharded table: it lives on the first shard, and must stay
		// reachable after the reshard.
		"CREATE TABLE settings (name VARCHAR(32) PRIMARY KEY, value VARCHAR(32) NOT NULL)",
		"INSERT INTO settings VALUES ('theme', 'dark')",
	} {
		if _, err := r.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReshard(t *testing.T) {
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s %d→%d", tc.vindex, tc.from, tc.to), func(t *testing.T) {
			sb := startSandbox(t, tc.from, tc.basePort, tc.vindex)
			load(t, sb.Topology)
			before := dbtest.ReadItems(t, sb.Topology)

			// Kill the run in the middle of the row copy (cancel after the
			// first batch), then after every phase, and resume each time.
			ctx, cancel := context.WithCancel(context.Background())
			_, err := reshard.Run(ctx, reshard.Config{Cluster: sb.Cluster(), Shards: tc.to, BatchRows: 200, Progress: func(s string) {
				if strings.Contains(s, "rows into shard") {
					cancel()
				}
			}})
			cancel()
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted copy: got %v, want context.Canceled", err)
			}
			var res *reshard.Result
			for _, phase := range []string{reshard.PhaseCopied, reshard.PhaseVerified, reshard.PhaseSwitched, ""} {
				sb2, err := sandbox.Open(sb.Dir) // a new process would start from the files
				if err != nil {
					t.Fatal(err)
				}
				res, err = reshard.Run(context.Background(), reshard.Config{Cluster: sb2.Cluster(), StopAfter: phase})
				if phase != "" && !errors.Is(err, reshard.ErrStopped) {
					t.Fatalf("stop after %s: got %v, want ErrStopped", phase, err)
				}
				if phase == "" && err != nil {
					t.Fatal(err)
				}
				sb = sb2
			}
			topo, err := topology.Load(sb.TopologyPath())
			if err != nil {
				t.Fatal(err)
			}
			want, _ := shard.GenerateNames(tc.to)
			if got := topo.ShardNames(); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("topology shards %v, want %v", got, want)
			}
			after := dbtest.ReadItems(t, topo)
			where := after.ShardOf
			if len(where) != rows {
				t.Errorf("got %d rows after resharding, want %d (none lost or duplicated)", len(where), rows)
			}
			if after.CRC != before.CRC {
				t.Errorf("checksum %08x after, %08x before", after.CRC, before.CRC)
			}
			// Every row is on the shard its vindex names.
			vs, err := vschema.New(topo)
			if err != nil {
				t.Fatal(err)
			}
			for id, s := range where {
				i, _ := vs.Locate("items", id)
				if name := want[i]; name != s {
					t.Fatalf("id %d is on %s, the vindex says %s", id, s, name)
				}
			}
			// The resumed runs' result still counts the whole move.
			frac := float64(res.Moved()) / float64(res.Total())
			if res.Total() != rows || frac < tc.moved-0.06 || frac > tc.moved+0.06 {
				t.Errorf("moved %d of %d rows (%.2f), want about %.2f", res.Moved(), res.Total(), frac, tc.moved)
			}
			// The router over the new topology sees every row once.
			r, err := router.Open(context.Background(), topo, router.Config{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var n int
			if err := r.With(router.Strong).GetContext(context.Background(), &n, "SELECT COUNT(*) FROM items"); err != nil || n != rows {
				t.Errorf("router count after reshard: %d %v, want %d", n, err, rows)
			}
			var theme string
			if err := r.With(router.Strong).GetContext(context.Background(), &theme, "SELECT value FROM settings WHERE name = 'theme'"); err != nil || theme != "dark" {
				t.Errorf("unsharded table after reshard: got %q, %v, want dark", theme, err)
			}
			t.Logf("%s %d→%d moved %d of %d rows (%.0f%%)", tc.vindex, tc.from, tc.to, res.Moved(), res.Total(), frac*100)
		})
	}
}

// beforeCopy starts a sandbox of two hash shards on basePort, loads it,
// and runs a reshard to four shards up to the copy (PhaseSchema): the
// new shards are there, no row is copied yet. It returns the first
// source shard's replica, as an address and an admin pool.
func beforeCopy(t *testing.T, basePort int) (*sandbox.Sandbox, string, *sql.DB) {
	t.Helper()
	sb := startSandbox(t, 2, basePort, "hash")
	load(t, sb.Topology)
	if _, err := reshard.Run(context.Background(), reshard.Config{Cluster: sb.Cluster(), Shards: 4, StopAfter: reshard.PhaseSchema}); !errors.Is(err, reshard.ErrStopped) {
		t.Fatalf("run to %s: %v", reshard.PhaseSchema, err)
	}
	addr := sb.Topology.Shards[0].Replicas[0].HostPort
	return sb, addr, dbtest.OpenAdmin(t, sb.Topology, addr)
}

// TestCopyTellsUnknownLag: a replica whose lag cannot be read (its
// replication stopped) does not hold the copy back, and the copy says so,
// once, rather than going on silently unthrottled.
func TestCopyTellsUnknownLag(t *testing.T) {
	sb, addr, rep := beforeCopy(t, 30400) // BasePort: 30400
	ctx := context.Background()
	if _, err := rep.ExecContext(ctx, "STOP SLAVE"); err != nil {
		t.Fatal(err)
	}
	defer rep.ExecContext(ctx, "START SLAVE")
	var mu sync.Mutex
	var out []string
	_, err := reshard.Run(ctx, reshard.Config{Cluster: sb.Cluster(), Shards: 4, ThrottleLag: time.Second, BatchRows: 100, StopAfter: reshard.PhaseCopied,
		Progress: func(s string) { mu.Lock(); out = append(out, s); mu.Unlock() }})
	mu.Lock()
	defer mu.Unlock()
	if !errors.Is(err, reshard.ErrStopped) {
		t.Fatalf("run to %s: %v\n%s", reshard.PhaseCopied, err, strings.Join(out, "\n"))
	}
	said := 0
	for _, l := range out {
		if strings.HasPrefix(l, "throttle: the lag of replica "+addr+" is unknown") {
			said++
		}
	}
	if said != 1 {
		t.Errorf("the copy told the unknown lag of %s %d times, want once:\n%s", addr, said, strings.Join(out, "\n"))
	}
	if !strings.Contains(strings.Join(out, "\n"), "done: rows-copied") {
		t.Errorf("the copy did not finish:\n%s", strings.Join(out, "\n"))
	}
}

// TestCopyThrottlesOnReplicaLag holds a source shard's replica behind a
// write it has not applied yet (a global read lock on the replica blocks
// its SQL thread, and its Seconds_Behind_Master grows with the write's
// age), and checks that the copy waits for it and says so; once the lock
// is released and the replica catches up, the copy goes on to the end.
// (MASTER_DELAY held it back before, but the lag MariaDB reports while it
// waits out a delay was read below the limit at times, and the copy ran
// on.)
func TestCopyThrottlesOnReplicaLag(t *testing.T) {
	// The new shards first, so that the replica is still held when the
	// copy starts.
	sb, addr, rep := beforeCopy(t, 31100) // BasePort: 31100
	ctx := context.Background()
	hold, err := rep.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close()
	if _, err := hold.ExecContext(ctx, "FLUSH TABLES WITH READ LOCK"); err != nil {
		t.Fatal(err)
	}
	released := false
	release := func() {
		if !released {
			released = true
			if _, err := hold.ExecContext(ctx, "UNLOCK TABLES"); err != nil {
				t.Fatal(err)
			}
		}
	}
	defer release()
	if _, err := dbtest.OpenAdmin(t, sb.Topology, sb.Topology.Shards[0].Primary.HostPort).ExecContext(ctx, "UPDATE settings SET value = 'light'"); err != nil {
		t.Fatal(err)
	}
	f, err := flavor.Lookup(sb.Topology.Flavor)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		st, err := flavor.ReadReplicaStatus(ctx, rep, f)
		if err != nil {
			t.Fatal(err)
		}
		if st.SecondsBehind >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the held replica reports %d s behind", st.SecondsBehind)
		}
		time.Sleep(100 * time.Millisecond)
	}
	lines := make(chan string, 1000)
	done := make(chan error, 1)
	go func() {
		_, err := reshard.Run(ctx, reshard.Config{Cluster: sb.Cluster(), Shards: 4, ThrottleLag: time.Second, StopAfter: reshard.PhaseCopied,
			Progress: func(s string) { lines <- s }})
		done <- err
	}()
	var out []string
	throttled := false
	for !throttled {
		select {
		case l := <-lines:
			out = append(out, l)
			throttled = strings.HasPrefix(l, "throttling the copy: replica "+addr)
		case err := <-done:
			t.Fatalf("the copy ended (%v) without waiting for the lagging replica:\n%s", err, strings.Join(out, "\n"))
		case <-time.After(60 * time.Second):
			t.Fatalf("no throttling after a minute:\n%s", strings.Join(out, "\n"))
		}
	}
	release()
	if err := <-done; !errors.Is(err, reshard.ErrStopped) {
		t.Fatalf("run: %v", err)
	}
	close(lines)
	for l := range lines {
		out = append(out, l)
	}
	if !strings.Contains(strings.Join(out, "\n"), "done: rows-copied") {
		t.Errorf("the copy did not finish once the replica caught up:\n%s", strings.Join(out, "\n"))
	}
}
