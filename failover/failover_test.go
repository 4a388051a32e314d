package failover_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/failover"
	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/topology"
)

// Each test starts its own sandbox: BasePort: 26000 and BasePort: 27500.
const (
	portSwitchover = 26000
	portEmergency  = 27500
)

func start(t *testing.T, port int) *sandbox.Sandbox {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sb, err := sandbox.Start(ctx, sandbox.Config{Dir: t.TempDir(), Shards: 1, Replicas: 2, BasePort: port,
		SemiSync: true, Server: dbtest.RequireServer(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Stop(context.Background()) })
	db := dbtest.OpenAdmin(t, sb.Topology, sb.Topology.Shards[0].Primary.HostPort)
	if _, err := db.Exec("CREATE TABLE IF NOT EXISTS scalelab.acked (id INT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	return sb
}

// writer inserts numbered rows as the application user into whichever
// node the topology file names primary, and records every id whose INSERT
// was acknowledged. When a write fails it reads the file again, as another
// process would, and moves to the new primary.
type writer struct {
	path  string // the topology file
	mu    sync.Mutex
	acked []int
	last  time.Time
	gap   time.Duration // the longest time between two acknowledged writes
}

func (w *writer) run(ctx context.Context, t *testing.T) {
	var db *sql.DB
	var addr string
	defer func() {
		if db != nil {
			db.Close()
		}
	}()
	for id := 1; ctx.Err() == nil; id++ {
		topo, err := topology.Load(w.path)
		if err != nil {
			continue // replaced at this moment: read it again
		}
		if p := topo.Shards[0].Primary.HostPort; p != addr {
			if db != nil {
				db.Close()
			}
			if db, err = topo.OpenDB(p, topo.User, 1); err != nil {
				t.Error(err)
				return
			}
			addr = p
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO scalelab.acked (id) VALUES (?)", id); err != nil {
			time.Sleep(time.Millisecond) // the primary is read-only or gone: look again
			continue
		}
		now := time.Now()
		w.mu.Lock()
		if !w.last.IsZero() {
			w.gap = max(w.gap, now.Sub(w.last))
		}
		w.acked, w.last = append(w.acked, id), now
		w.mu.Unlock()
	}
}

// lost lists the acknowledged ids that the shard's primary does not have.
func (w *writer) lost(t *testing.T, topo *topology.Topology) []int {
	t.Helper()
	db := dbtest.OpenAdmin(t, topo, topo.Shards[0].Primary.HostPort)
	have := map[int]bool{}
	rows, err := db.Query("SELECT id FROM scalelab.acked")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		have[id] = true
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var lost []int
	for _, id := range w.acked {
		if !have[id] {
			lost = append(lost, id)
		}
	}
	return lost
}

// refusesWrites checks that the node at addr refuses the application
// user's writes (error 1290, read-only).
func refusesWrites(t *testing.T, topo *topology.Topology, addr string) {
	t.Helper()
	db := dbtest.Open(t, topo, addr)
	_, err := db.Exec("INSERT INTO scalelab.acked (id) VALUES (-1)")
	var me *mysql.MySQLError
	if !errors.As(err, &me) || me.Number != 1290 {
		t.Errorf("a write to the fenced node %s: got %v, want error 1290 (read-only)", addr, err)
	}
}

// TestSwitchoverUnderWrites switches the primary over twice while a writer
// inserts rows, and checks that no acknowledged write is lost, that the
// old primary replicates from the new one and refuses writes, and that
// the second switchover works as the first did.
func TestSwitchoverUnderWrites(t *testing.T) {
	sb := start(t, portSwitchover)
	cluster := sb.Cluster()
	w := &writer{path: sb.TopologyPath()}
	// A router opened before the switchovers follows them through the
	// topology file.
	followed := make(chan error, 4)
	r, err := router.Open(context.Background(), sb.Topology, router.Config{TopologyPath: sb.TopologyPath(), FollowInterval: 20 * time.Millisecond,
		OnFollow: func(err error) { followed <- err }})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// So is a top started before them, which still takes the first primary
	// for the primary: it must not write its heartbeat there once demoted.
	watch, err := replica.NewWatch(context.Background(), sb.Topology, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { w.run(ctx, t) })
	for round := 1; round <= 2; round++ {
		time.Sleep(300 * time.Millisecond) // writes before the switch
		old := cluster.Topology().Shards[0].Primary.HostPort
		res, err := failover.Run(context.Background(), failover.Config{Cluster: cluster, Shard: "0"})
		if err != nil {
			t.Fatalf("switchover %d: %v", round, err)
		}
		if res.Kind != failover.Planned || res.NewPrimary != "0/primary" || len(res.Repointed) != 2 || res.Fenced != "" {
			t.Errorf("switchover %d: got %+v, want a planned one that repoints both others", round, res)
		}
		now := cluster.Topology().Shards[0]
		if now.Primary.HostPort == old || now.Replicas[len(now.Replicas)-1].HostPort != old {
			t.Errorf("switchover %d: topology %+v, want a new primary and %s listed last", round, now, old)
		}
		refusesWrites(t, sb.Topology, old)
		select {
		case err := <-followed:
			if err != nil {
				t.Fatalf("switchover %d: the router did not follow: %v", round, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("switchover %d: the router did not see the new topology", round)
		}
		if got := r.Sets()[0].Primary().Addr; got != now.Primary.HostPort {
			t.Errorf("switchover %d: the router's primary is %s, want %s", round, got, now.Primary.HostPort)
		}
		var tr router.Trace
		if _, err := r.ExecContext(router.WithTrace(context.Background(), &tr), "INSERT INTO scalelab.acked (id) VALUES (?)", -10-round); err != nil || tr.Node != r.Sets()[0].Primary().Name {
			t.Errorf("switchover %d: a write through the router: %v on %q, want it on the new primary", round, err, tr.Node)
		}
		w.mu.Lock()
		gap := w.gap
		w.mu.Unlock()
		t.Logf("switchover %d: %s → %s, the longest pause between acknowledged writes so far %v (the shard had no writable primary for %v)", round, old, now.Primary.HostPort, gap, res.ReadOnly)
	}
	watch.Sample(context.Background())
	time.Sleep(300 * time.Millisecond)
	cancel()
	wg.Wait()
	noErrant(t, sb)
	if len(w.acked) == 0 {
		t.Fatal("no write was acknowledged")
	}
	if lost := w.lost(t, sb.Topology); len(lost) > 0 {
		t.Errorf("%d acknowledged writes lost: %v", len(lost), lost)
	}
	// Every node, the old primaries too, replicates from the new primary.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel2()
	if err := sb.WaitReplication(ctx2); err != nil {
		t.Errorf("after two switchovers: %v", err)
	}
}

// noErrant checks that no replica holds a transaction its primary lacks.
func noErrant(t *testing.T, sb *sandbox.Sandbox) {
	t.Helper()
	f, err := flavor.Lookup(sb.Topology.Flavor)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	primary := dbtest.OpenAdmin(t, sb.Topology, sb.Topology.Shards[0].Primary.HostPort)
	for _, r := range sb.Topology.Shards[0].Replicas {
		// The replica's state first, then the primary's: writes still
		// arriving (a router's heartbeat) reach the primary before any
		// replica, so a transaction the primary lacks then is errant.
		mine, err := flavor.QueryText(ctx, dbtest.OpenAdmin(t, sb.Topology, r.HostPort), f.GTIDStateQuery())
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := flavor.QueryText(ctx, primary, f.GTIDStateQuery())
		if err != nil {
			t.Fatal(err)
		}
		if errant, err := flavor.Errant(ctx, primary, f, mine, theirs); err != nil || errant != "" {
			t.Errorf("replica %s holds %q that the primary lacks (%v)", r.HostPort, errant, err)
		}
	}
}

// TestEmergencyAndRejoin kills the primary, reparents, and checks that the
// old primary starts fenced (read-only), rejoins when it holds nothing the
// new primary lacks, and is refused, with the GTIDs named, when it does.
func TestEmergencyAndRejoin(t *testing.T) {
	sb := start(t, portEmergency)
	cluster := sb.Cluster()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	app := dbtest.Open(t, sb.Topology, sb.Topology.Shards[0].Primary.HostPort)
	for id := 1; id <= 20; id++ {
		if _, err := app.Exec("INSERT INTO scalelab.acked (id) VALUES (?)", id); err != nil {
			t.Fatal(err)
		}
	}
	old := sb.Topology.Shards[0].Primary.HostPort
	if err := sb.KillNode(ctx, "0/primary"); err != nil {
		t.Fatal(err)
	}
	// A router that buffers writes: one sent while there is no primary
	// waits for the failover and runs on the new primary. (It opens after
	// the kill: a write on a pooled connection to the killed server may
	// have been sent, so it is never sent again, and fails.)
	r, err := router.Open(ctx, sb.Topology, router.Config{TopologyPath: sb.TopologyPath(), FollowInterval: 20 * time.Millisecond, FailoverBuffer: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	wrote := make(chan error, 1)
	go func() {
		_, err := r.ExecContext(ctx, "INSERT INTO scalelab.acked (id) VALUES (21)")
		wrote <- err
	}()
	if _, err := failover.Run(ctx, failover.Config{Cluster: cluster, Shard: "0", Emergency: true, ProbeTimeout: time.Second}); err != nil {
		t.Fatal(err)
	}
	if err := <-wrote; err != nil || r.Stats().Buffered == 0 {
		t.Errorf("a write during the failover: %v, %d buffered: want it held and run on the new primary", err, r.Stats().Buffered)
	}
	res := cluster.Topology().Shards[0]
	if res.Primary.HostPort == old || res.Replicas[len(res.Replicas)-1].HostPort != old {
		t.Fatalf("topology %+v after the emergency: want a new primary and %s last", res, old)
	}
	// With semi-sync, every acknowledged write is on the new primary.
	w := &writer{acked: []int{}}
	for id := 1; id <= 21; id++ {
		w.acked = append(w.acked, id)
	}
	if lost := w.lost(t, sb.Topology); len(lost) > 0 {
		t.Errorf("semi-sync, yet acknowledged writes lost: %v", lost)
	}
	fenced := "0/replica-2"
	if err := sb.StartNode(ctx, fenced); err != nil {
		t.Fatal(err)
	}
	refusesWrites(t, sb.Topology, old)
	// The fenced former primary, which replicates from no one, neither
	// confirms that the primary is lost nor is promoted: seen by a watcher
	// that alone cannot reach the primary, with it the only replica
	// listed, nothing fails over. (It was: the fenced node "lost" the
	// primary it never reached, and its old position became the shard's.)
	fencedOnly := *cluster.Topology()
	fencedOnly.Shards = []topology.Shard{fencedOnly.Shards[0]}
	fencedOnly.Shards[0].Primary = topology.Addr{HostPort: "127.0.0.1:9"} // discard: nothing listens
	fencedOnly.Shards[0].Replicas = []topology.Addr{{HostPort: old}}
	blind := blindCluster{cluster, &fencedOnly}
	if _, err := failover.Run(ctx, failover.Config{Cluster: blind, Shard: "0", Emergency: true, ProbeTimeout: time.Second}); !errors.Is(err, failover.ErrNoCandidate) {
		t.Errorf("an emergency reparent whose one replica is the fenced former primary: got %v, want ErrNoCandidate", err)
	}
	// The watcher runs until its first word on the shard (30 s at most).
	wctx, stop := context.WithTimeout(ctx, 30*time.Second)
	var first string
	err = failover.Watch(wctx, failover.WatchConfig{Cluster: blind, Interval: 100 * time.Millisecond, Misses: 3,
		Progress: func(s string) {
			if first == "" {
				first = s
			}
			stop()
		},
		OnFailover: func(r *failover.Result) { t.Errorf("the fenced former primary confirmed a loss it never saw: %+v", r) }})
	stop()
	if err != nil || !strings.Contains(first, "no replica of it answers to confirm") {
		t.Errorf("watch with the fenced former primary the only replica: %v, first event %q; want no failover, for want of a witness", err, first)
	}
	if _, err := failover.Run(ctx, failover.Config{Cluster: cluster, Shard: "0", Emergency: true}); !errors.Is(err, failover.ErrPrimaryAlive) {
		t.Errorf("an emergency reparent of a live primary: got %v, want ErrPrimaryAlive", err)
	}
	if err := failover.Rejoin(ctx, failover.RejoinConfig{Cluster: cluster, Node: fenced}); err != nil {
		t.Fatalf("rejoin of a clean former primary: %v", err)
	}
	if err := sb.WaitReplication(ctx); err != nil {
		t.Fatalf("after the rejoin: %v", err)
	}
	// A write that only the former primary has (here, an admin's, which
	// read_only does not stop) is errant: fail over again, and the rejoin is
	// refused, naming it.
	if err := sb.KillNode(ctx, "0/primary"); err != nil {
		t.Fatal(err)
	}
	if _, err := failover.Run(ctx, failover.Config{Cluster: cluster, Shard: "0"}); err != nil {
		t.Fatal(err)
	}
	if err := sb.StartNode(ctx, "0/replica-2"); err != nil {
		t.Fatal(err)
	}
	admin := dbtest.OpenAdmin(t, sb.Topology, cluster.Topology().Shards[0].Replicas[1].HostPort)
	if _, err := admin.Exec("INSERT INTO scalelab.acked (id) VALUES (1000)"); err != nil {
		t.Fatal(err)
	}
	err = failover.Rejoin(ctx, failover.RejoinConfig{Cluster: cluster, Node: "0/replica-2"})
	if !errors.Is(err, failover.ErrErrant) || !strings.Contains(err.Error(), "0/replica-2 holds ") {
		t.Fatalf("rejoin with an errant write: got %v, want ErrErrant naming the GTIDs", err)
	}
	t.Log(err)
}

// portWatch: BasePort: 28700
const portWatch = 28700

// blindCluster is a cluster seen through a watcher that cannot reach the
// primary: its topology names a port where nothing listens. The replicas
// still replicate from the real primary.
type blindCluster struct {
	failover.Cluster
	t *topology.Topology
}

func (b blindCluster) Topology() *topology.Topology { return b.t }

// TestWatch: a watcher that alone loses the primary fails nothing over;
// a primary that is killed, which its replicas lose too, is failed over.
func TestWatch(t *testing.T) {
	sb := start(t, portWatch)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	blind := *sb.Topology
	blind.Shards = []topology.Shard{sb.Topology.Shards[0]}
	blind.Shards[0].Primary = topology.Addr{HostPort: "127.0.0.1:9"} // discard: nothing listens
	var events []string
	var mu sync.Mutex
	wctx, stop := context.WithTimeout(ctx, 2*time.Second) // 20 intervals, 6 times the misses
	err := failover.Watch(wctx, failover.WatchConfig{Cluster: blindCluster{sb.Cluster(), &blind}, Interval: 100 * time.Millisecond, Misses: 3,
		Progress: func(s string) { mu.Lock(); events = append(events, s); mu.Unlock() },
		OnFailover: func(r *failover.Result) {
			t.Errorf("a blip between the watcher and the primary caused a failover: %+v", r)
		}})
	stop()
	if err != nil {
		t.Fatal(err)
	}
	if len(events) == 0 || !strings.Contains(events[0], "its replicas still reach it: no failover") {
		t.Errorf("want the watcher to see the misses and the replicas' denial, got %q", events)
	}

	done := make(chan *failover.Result, 1)
	wctx, stop = context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	wg.Go(func() {
		_ = failover.Watch(wctx, failover.WatchConfig{Cluster: sb.Cluster(), Interval: 100 * time.Millisecond, Misses: 3,
			OnFailover: func(r *failover.Result) { done <- r }})
	})
	old := sb.Topology.Shards[0].Primary.HostPort
	if err := sb.KillNode(ctx, "0/primary"); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-done:
		if r.Kind != failover.Emergency || r.Fenced == "" {
			t.Errorf("got %+v, want an emergency failover that fences the old primary", r)
		}
	case <-ctx.Done():
		t.Fatal("the killed primary was not failed over")
	}
	stop()
	wg.Wait()
	if p := sb.Topology.Shards[0].Primary.HostPort; p == old {
		t.Errorf("the topology still names %s primary", old)
	}
}

// portWatchFollows: BasePort: 27900
const portWatchFollows = 27900

// TestWatchFollowsOtherFailovers: a watcher that runs for long (the
// proxy's --auto-failover, failover --watch) watches the primary another
// process's failover made, not the one the topology named when the
// watcher started: a planned switchover by another command, then that
// new primary's crash, is failed over. The watcher probed the old
// primary, healthy as a replica, and never saw the crash; its own next
// failover then published its old copy of the topology over the
// switchover.
func TestWatchFollowsOtherFailovers(t *testing.T) {
	sb := start(t, portWatchFollows)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	done := make(chan *failover.Result, 1)
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	wg.Go(func() {
		_ = failover.Watch(wctx, failover.WatchConfig{Cluster: sb.FollowingCluster(), Interval: 100 * time.Millisecond, Misses: 3,
			OnFailover: func(r *failover.Result) { done <- r }})
	})
	// Another process: the scalelab failover command.
	other, err := sandbox.Open(sb.Dir)
	if err != nil {
		t.Fatal(err)
	}
	first := other.Topology.Shards[0].Primary.HostPort
	res, err := failover.Run(ctx, failover.Config{Cluster: other.Cluster(), Shard: "0"})
	if err != nil || res.Kind != failover.Planned {
		t.Fatalf("the other process's switchover: %+v, %v", res, err)
	}
	second := other.Topology.Shards[0].Primary.HostPort
	if err := other.KillNode(ctx, "0/primary"); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-done:
		if r.Kind != failover.Emergency {
			t.Errorf("got %+v, want an emergency failover of the crashed primary", r)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the watcher did not fail over %s, the primary since the other process's switchover (it started with %s)", second, first)
	}
	stop()
	wg.Wait()
	now, err := sandbox.Open(sb.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if p := now.Topology.Shards[0].Primary.HostPort; p == first || p == second {
		t.Errorf("the published primary is %s; want neither the first (%s, a replica since the switchover) nor the crashed one (%s)", p, first, second)
	}
}
