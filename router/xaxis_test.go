package router_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/topology"
)

// openRouter opens a router over the package sandbox, closed when t ends.
func openRouter(t *testing.T, cfg router.Config) (*router.Router, *sandbox.Sandbox) {
	t.Helper()
	sb := dbtest.Sandbox(t)
	r, err := router.Open(context.Background(), sb.Topology, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r, sb
}

// comCounters reads a Com_* status counter from every node.
func comCounters(t *testing.T, topo *topology.Topology, name string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, n := range topo.Nodes() {
		db := dbtest.OpenAdmin(t, topo, n.Addr)
		var k string
		var v int64
		if err := db.QueryRow("SHOW GLOBAL STATUS LIKE '"+name+"'").Scan(&k, &v); err != nil {
			t.Fatalf("%s on %s: %v", name, n.Name, err)
		}
		out[n.Name] = v
	}
	return out
}

func delta(before, after map[string]int64) map[string]int64 {
	d := map[string]int64{}
	for k, v := range after {
		d[k] = v - before[k]
	}
	return d
}

// quiet is a replica config whose background work issues no statements
// during a test, so the servers' own counters count only the test's.
func quiet() replica.Config {
	return replica.Config{HeartbeatInterval: time.Hour, ProbeInterval: time.Hour}
}

func setupKV(t *testing.T, r *router.Router) {
	t.Helper()
	ctx := context.Background()
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS kv (k BIGINT PRIMARY KEY, v BIGINT NOT NULL)",
		"INSERT IGNORE INTO kv VALUES (1, 1)",
	} {
		if _, err := r.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	waitReplicated(t, r)
}

// waitReplicated waits until every replica has applied everything the
// primary has, using the server's own GTID wait.
func waitReplicated(t *testing.T, r *router.Router) {
	t.Helper()
	for _, set := range r.Sets() {
		if err := set.WaitCaughtUp(t.Context(), 30*time.Second); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReadsGoToReplicasBalanced(t *testing.T) {
	// The lag limit is off: this test is about the rotation, and on a
	// loaded machine a replica may lag past the limit for a while.
	cfg := quiet()
	cfg.MaxLag = -1
	r, sb := openRouter(t, router.Config{Replica: cfg})
	setupKV(t, r)
	ctx := context.Background()
	before := comCounters(t, sb.Topology, "Com_select")
	statsBefore := r.Stats()
	const n = 200
	for i := 0; i < n; i++ {
		var v int64
		if err := r.GetContext(ctx, &v, "SELECT v FROM kv WHERE k = ?", 1); err != nil {
			t.Fatal(err)
		}
	}
	d := delta(before, comCounters(t, sb.Topology, "Com_select"))
	if d["0/primary"] != 0 {
		t.Errorf("primary ran %d selects, want 0", d["0/primary"])
	}
	for _, name := range []string{"0/replica-1", "0/replica-2"} {
		if d[name] != n/2 {
			t.Errorf("%s ran %d selects, want %d (round-robin over 2 replicas)", name, d[name], n/2)
		}
	}
	st := r.Stats()
	if got := st.Routes[router.RouteReplica] - statsBefore.Routes[router.RouteReplica]; got != n {
		t.Errorf("router counted %d replica routes, want %d", got, n)
	}
	if got := st.Nodes["0/replica-1"] - statsBefore.Nodes["0/replica-1"]; got != n/2 {
		t.Errorf("router counted %d statements on replica-1, want %d", got, n/2)
	}
}

func TestWritesTransactionsAndLockingReadsGoToPrimary(t *testing.T) {
	r, sb := openRouter(t, router.Config{Replica: quiet()})
	setupKV(t, r)
	ctx := context.Background()
	selBefore := comCounters(t, sb.Topology, "Com_select")
	insBefore := comCounters(t, sb.Topology, "Com_insert")
	for i := 0; i < 10; i++ {
		if _, err := r.ExecContext(ctx, "INSERT INTO kv VALUES (?, ?) ON DUPLICATE KEY UPDATE v = v + 1", 100+i, i); err != nil {
			t.Fatal(err)
		}
	}
	var v int64
	if err := r.GetContext(ctx, &v, "SELECT v FROM kv WHERE k = 1 FOR UPDATE"); err != nil {
		t.Fatal(err)
	}
	if err := r.GetContext(ctx, &v, "SELECT v FROM kv WHERE k = 1 LOCK IN SHARE MODE"); err != nil {
		t.Fatal(err)
	}
	// MariaDB runs the lock of a /*M! … */ comment, which the parser
	// skips: still a locking read, in each spelling.
	for _, q := range []string{
		"SELECT v FROM kv WHERE k = 1 /*M! FOR UPDATE */",
		"SELECT v FROM kv WHERE k = 1 /*M!100300 LOCK IN SHARE MODE */",
		"SELECT v FROM kv WHERE k = 1 LIMIT 1 /*M! ROWS EXAMINED 100 FOR UPDATE */",
		"SELECT v FROM kv WHERE k = 1 AND '/*M!' <> '' /*M! FOR UPDATE */", // a marker in a string hides none
	} {
		if err := r.GetContext(ctx, &v, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	tx, err := r.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if err := tx.GetContext(ctx, &v, "SELECT v FROM kv WHERE k = 1"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO kv VALUES (200, 1)"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	// The rolled-back row must not exist: the tx's statements ran on one
	// connection, so the rollback covered the insert.
	var n int
	if err := r.With(router.Strong).GetContext(ctx, &n, "SELECT COUNT(*) FROM kv WHERE k = 200"); err != nil || n != 0 {
		t.Fatalf("rolled-back row: count %d %v, want 0", n, err)
	}
	sel := delta(selBefore, comCounters(t, sb.Topology, "Com_select"))
	ins := delta(insBefore, comCounters(t, sb.Topology, "Com_insert"))
	if sel["0/primary"] != 6+5+1 || sel["0/replica-1"] != 0 || sel["0/replica-2"] != 0 {
		t.Errorf("selects per node %v, want 12 on the primary (6 locking, 5 in the tx, 1 strong) and 0 on replicas", sel)
	}
	if ins["0/primary"] != 11 {
		t.Errorf("primary ran %d inserts, want 11", ins["0/primary"])
	}
}

func TestUnparsedAndSessionStatements(t *testing.T) {
	r, sb := openRouter(t, router.Config{Replica: quiet()})
	ctx := context.Background()
	before := r.Stats()
	// A MariaDB-only statement the MySQL grammar does not know: it must go
	// to the primary, never to a replica.
	if _, err := r.ExecContext(ctx, "SELECT 1 FROM DUAL WHERE 1 = 1 LIMIT ROWS EXAMINED 10"); err != nil {
		t.Logf("server answered: %v", err)
	}
	after := r.Stats()
	if got := after.Routes[router.RouteUnparsed] - before.Routes[router.RouteUnparsed]; got != 1 {
		t.Errorf("counted %d unparsed, want 1", got)
	}
	if got := after.Nodes["0/primary"] - before.Nodes["0/primary"]; got != 1 {
		t.Errorf("primary served %d, want 1", got)
	}
	if _, err := r.ExecContext(ctx, "SET @x = 1"); err == nil || !strings.Contains(err.Error(), "session") {
		t.Errorf("SET on the pooled router: got %v, want ErrNeedsSession", err)
	}

	// USE of the topology's own database changes nothing: the session keeps
	// sharing the pools, which already connect there.
	shared := r.NewSession()
	defer shared.Close()
	if _, err := shared.ExecContext(ctx, "USE "+sb.Topology.DatabaseName()); err != nil {
		t.Fatal(err)
	}
	if got := shared.Database(); got != "" {
		t.Errorf("after USE of the topology's database the session pins %q, want none", got)
	}

	s := r.NewSession()
	defer s.Close()
	if _, err := s.ExecContext(ctx, "SET @x = 42"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ { // reads on both replicas and the primary see the variable
		var x int
		if err := s.GetContext(ctx, &x, "SELECT @x"); err != nil || x != 42 {
			t.Fatalf("SELECT @x in a session: got %d %v, want 42", x, err)
		}
	}
	if _, err := s.ExecContext(ctx, "USE "+sandbox.MetaDatabase); err != nil {
		t.Fatal(err)
	}
	var db string
	if err := s.GetContext(ctx, &db, "SELECT DATABASE()"); err != nil || db != sandbox.MetaDatabase {
		t.Fatalf("after USE: got %q %v", db, err)
	}
	// USE of a missing database fails at once, as on a server, and the
	// session stays where it was. The application user has no privilege
	// on databases it was not granted, so the server says 1044 (access
	// denied) rather than 1049 (unknown database).
	var me *mysql.MySQLError
	if _, err := s.ExecContext(ctx, "USE no_such_database"); !errors.As(err, &me) || (me.Number != 1049 && me.Number != 1044) {
		t.Fatalf("USE of a missing database: got %v, want error 1049 or 1044", err)
	}
	if err := s.GetContext(ctx, &db, "SELECT DATABASE()"); err != nil || db != sandbox.MetaDatabase {
		t.Fatalf("after a failed USE: got %q %v, want %q", db, err, sandbox.MetaDatabase)
	}
	if _, err := s.ExecContext(ctx, "SET scalelab_consistency = 'strong'"); err != nil || s.Consistency() != router.Strong {
		t.Fatalf("SET scalelab_consistency: %v, mode %q", err, s.Consistency())
	}
	_ = sb
}

// TestLaggingReplicaIsSkippedAndReadmitted stops one replica's SQL thread:
// its heartbeat lag grows past MaxLag, it gets no reads, and after START
// SLAVE it catches up and gets reads again.
func TestLaggingReplicaIsSkippedAndReadmitted(t *testing.T) {
	r, sb := openRouter(t, router.Config{Replica: replica.Config{MaxLag: 300 * time.Millisecond, HeartbeatInterval: 50 * time.Millisecond}})
	setupKV(t, r)
	ctx := context.Background()
	lagging := r.Sets()[0].Node("0/replica-1")
	admin := dbtest.OpenAdmin(t, sb.Topology, lagging.Addr)
	if _, err := admin.Exec("STOP SLAVE SQL_THREAD"); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec("START SLAVE SQL_THREAD")
	waitFor(t, 20*time.Second, "replica-1 excluded for lag", func() bool { return !r.Sets()[0].Eligible(lagging) })
	if lag, _ := lagging.Lag(); lag <= 300*time.Millisecond {
		t.Fatalf("excluded with lag %v, want over MaxLag", lag)
	}
	before := r.Stats()
	for i := 0; i < 50; i++ {
		var v int64
		if err := r.GetContext(ctx, &v, "SELECT v FROM kv WHERE k = 1"); err != nil {
			t.Fatal(err)
		}
	}
	after := r.Stats()
	if got := after.Nodes["0/replica-1"] - before.Nodes["0/replica-1"]; got != 0 {
		t.Errorf("lagging replica served %d reads, want 0", got)
	}
	if got := after.Nodes["0/replica-2"] - before.Nodes["0/replica-2"]; got != 50 {
		t.Errorf("healthy replica served %d reads, want 50", got)
	}
	if _, err := admin.Exec("START SLAVE SQL_THREAD"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "replica-1 re-admitted", func() bool { return r.Sets()[0].Eligible(lagging) })
	before = r.Stats()
	for i := 0; i < 50; i++ {
		var v int64
		if err := r.GetContext(ctx, &v, "SELECT v FROM kv WHERE k = 1"); err != nil {
			t.Fatal(err)
		}
	}
	if got := r.Stats().Nodes["0/replica-1"] - before.Nodes["0/replica-1"]; got == 0 {
		t.Error("re-admitted replica served no reads")
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

// staleReads runs pairs of (insert a new row, read it back) through one
// session per worker and counts reads that did not see their own write.
func staleReads(t *testing.T, r *router.Router, mode router.Consistency, base int) (stale int64) {
	t.Helper()
	const workers, pairs = 8, 125
	var wg sync.WaitGroup
	var count atomic.Int64
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := r.NewSession()
			defer s.Close()
			s.SetConsistency(mode)
			ctx := context.Background()
			for i := 0; i < pairs; i++ {
				k := base + w*pairs + i
				if _, err := s.ExecContext(ctx, "INSERT INTO kv VALUES (?, ?)", k, k); err != nil {
					errs <- err
					return
				}
				var v int64
				err := s.GetContext(ctx, &v, "SELECT v FROM kv WHERE k = ?", k)
				if err == sql.ErrNoRows {
					count.Add(1)
					continue
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return count.Load()
}

// TestReadYourWrites: with one replica's SQL thread stopped (and the lag
// check off, so it keeps getting reads), eventual reads see stale data and
// read-your-writes reads never do.
func TestReadYourWrites(t *testing.T) {
	r, sb := openRouter(t, router.Config{
		GTIDWaitTimeout: 20 * time.Millisecond,
		Replica:         replica.Config{MaxLag: -1},
	})
	setupKV(t, r)
	admin := dbtest.OpenAdmin(t, sb.Topology, r.Sets()[0].Node("0/replica-1").Addr)
	if _, err := admin.Exec("STOP SLAVE SQL_THREAD"); err != nil {
		t.Fatal(err)
	}
	defer func() {
		admin.Exec("START SLAVE SQL_THREAD")
		waitReplicated(t, r)
	}()
	before := r.Stats()
	ryw := staleReads(t, r, router.ReadYourWrites, 1_000_000)
	if ryw != 0 {
		t.Errorf("read-your-writes: %d stale reads of 1000, want 0", ryw)
	}
	fallback := r.Stats().Routes[router.RouteFallback] - before.Routes[router.RouteFallback]
	if fallback == 0 {
		t.Error("no read fell back to the primary: the stopped replica was never chosen, so the test proves nothing")
	}
	eventual := staleReads(t, r, router.Eventual, 2_000_000)
	if eventual == 0 {
		t.Error("eventual: 0 stale reads, want some: the test could not have failed")
	}
	t.Logf("stale reads of 1000: read-your-writes %d (fallbacks %d), eventual %d", ryw, fallback, eventual)
}

// TestReplicaCrash kills one replica with SIGKILL while 16 clients read for
// 10s: no client sees an error, and the restarted replica is re-admitted.
func TestReplicaCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("10s crash test")
	}
	r, sb := openRouter(t, router.Config{Replica: replica.Config{ProbeInterval: 100 * time.Millisecond}})
	setupKV(t, r)
	victim := r.Sets()[0].Node("0/replica-1")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var reads, failures atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for c := 0; c < 16; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				var v int64
				var tr router.Trace
				err := r.GetContext(router.WithTrace(ctx, &tr), &v, "SELECT v FROM kv WHERE k = 1")
				if err != nil && ctx.Err() == nil {
					failures.Add(1)
					// Where it ran, and where it was retried, if it was.
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%v (node %s, route %s, retried after %q: %s)", err, tr.Node, tr.Route, tr.Retried, tr.Reason))
				} else if err == nil {
					reads.Add(1)
				}
			}
		}()
	}
	waitFor(t, 5*time.Second, "reads flowing", func() bool { return reads.Load() > 100 })
	if err := sb.KillNode(context.Background(), victim.Name); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "victim shunned", func() bool { return r.Sets()[0].Snapshot()[1].Health == replica.Shunned })
	if err := sb.StartNode(context.Background(), victim.Name); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "victim re-admitted", func() bool { return r.Sets()[0].Snapshot()[1].Health == replica.Healthy })
	servedBefore := victim.Served()
	wg.Wait()
	if failures.Load() != 0 {
		t.Fatalf("%d of %d reads failed; first: %v", failures.Load(), reads.Load()+failures.Load(), firstErr.Load())
	}
	if retries := r.Stats().Retries; retries == 0 {
		t.Error("no read was retried: the kill did not hit in-flight reads, so the test proves less than it claims")
	}
	hist := r.Sets()[0].Snapshot()[1].History
	if len(hist) < 2 || hist[0].To != replica.Shunned || hist[len(hist)-1].To != replica.Healthy {
		t.Errorf("transitions %+v, want healthy→shunned … shunned→healthy", hist)
	}
	if victim.Served() == servedBefore && ctx.Err() == nil {
		t.Error("re-admitted replica served no reads")
	}
	t.Logf("%d reads, 0 errors, %d retries; transitions %+v", reads.Load(), r.Stats().Retries, hist)
}

// TestSessionSetMixesOwnAndServerVariables checks that a SET that assigns
// autocommit or scalelab_consistency beside server variables does both:
// the session keeps its own, and the servers get the rest.
func TestSessionSetMixesOwnAndServerVariables(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	setupKV(t, r)
	ctx := context.Background()
	s := r.NewSession()
	defer s.Close()
	if _, err := s.ExecContext(ctx, "SET autocommit = 0, @mixed = 7, scalelab_consistency = 'strong'"); err != nil {
		t.Fatal(err)
	}
	if s.Autocommit() || s.Consistency() != router.Strong {
		t.Fatalf("autocommit %v, consistency %q; want false and strong", s.Autocommit(), s.Consistency())
	}
	var v int64
	if err := s.GetContext(ctx, &v, "SELECT @mixed"); err != nil || v != 7 {
		t.Fatalf("SELECT @mixed: got %d, %v; want 7", v, err)
	}
	// autocommit is off: the UPDATE waits for COMMIT, which the session
	// sends, since it knows.
	if _, err := s.ExecContext(ctx, "UPDATE kv SET v = 70 WHERE k = 1"); err != nil {
		t.Fatal(err)
	}
	if !s.InTransaction() {
		t.Fatal("after an UPDATE with autocommit off: no transaction open")
	}
	if _, err := s.ExecContext(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	if err := r.With(router.Strong).GetContext(ctx, &v, "SELECT v FROM kv WHERE k = 1"); err != nil || v != 70 {
		t.Fatalf("after COMMIT: got %d, %v; want 70", v, err)
	}
	if _, err := s.ExecContext(ctx, "SET @autocommit = 1"); err != nil || s.Autocommit() {
		t.Fatalf("a user variable named autocommit turned it on (%v)", err)
	}
	if _, err := r.ExecContext(ctx, "UPDATE kv SET v = 1 WHERE k = 1"); err != nil {
		t.Fatal(err)
	}
}

// TestViewTransactionReadsItsWrites checks that a transaction begun on a
// read-your-writes view keeps its commit's GTID, so that the view's next
// read waits for it on a replica (or falls back to the primary) and sees
// the write.
func TestViewTransactionReadsItsWrites(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	setupKV(t, r)
	ctx := context.Background()
	v := r.With(router.ReadYourWrites)
	tx, err := v.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE kv SET v = v + 1 WHERE k = 1"); err != nil {
		t.Fatal(err)
	}
	var want int64
	if err := tx.GetContext(ctx, &want, "SELECT v FROM kv WHERE k = 1"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var tr router.Trace
	var got int64
	if err := v.GetContext(router.WithTrace(ctx, &tr), &got, "SELECT v FROM kv WHERE k = 1"); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("read after the commit: got %d, want %d (route %s: %s)", got, want, tr.Route, tr.Reason)
	}
	if tr.GTID == "" && tr.Route != router.RouteFallback {
		t.Errorf("the read neither waited for the commit's GTID nor fell back to the primary: route %s: %s", tr.Route, tr.Reason)
	}
}

// TestVariableAssignmentRefused checks that a statement assigning a user
// variable (:= or SELECT … INTO @v) is refused on a topology of one shard
// too: it would run on one of the pooled connections, the session's next
// read would look on another, and the pooled connection would keep the
// value for whichever client took it next.
func TestVariableAssignmentRefused(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	setupKV(t, r)
	ctx := context.Background()
	s := r.NewSession()
	defer s.Close()
	if _, err := s.ExecContext(ctx, "SET @v = 1"); err != nil {
		t.Fatal(err)
	}
	assigning := []string{
		"SELECT @v := 7",
		"SELECT @v := v FROM kv WHERE k = 1",
		"SELECT k, (@v := @v + 1) AS n FROM kv",
		"SELECT v INTO @v FROM kv WHERE k = 1",
		"SELECT 7, 8 INTO @v, @w",
		"SELECT k FROM kv WHERE k = 1 INTO @v",
		"SELECT k FROM kv WHERE k IN (SELECT @v := 7)",
		"UPDATE kv SET v = (@v := v + 1) WHERE k = 1",
	}
	for _, q := range assigning {
		for _, on := range []struct {
			name string
			run  func() error
		}{
			{"session", func() error { _, err := s.ExecContext(ctx, q); return err }},
			{"pooled", func() error { _, err := r.ExecContext(ctx, q); return err }},
			{"transaction", func() error {
				if _, err := s.ExecContext(ctx, "BEGIN"); err != nil {
					return err
				}
				defer s.ExecContext(ctx, "ROLLBACK")
				_, err := s.ExecContext(ctx, q)
				return err
			}},
		} {
			if err := on.run(); !errors.Is(err, router.ErrUnsupported) {
				t.Errorf("%s, %s: got %v, want ErrUnsupported", on.name, q, err)
			}
		}
	}
	// Nothing ran: the session's variable is its own on every node, and
	// no pooled connection has one.
	for i := 0; i < 6; i++ {
		var v int64
		if err := s.GetContext(ctx, &v, "SELECT @v"); err != nil || v != 1 {
			t.Fatalf("SELECT @v in the session: got %d, %v; want 1", v, err)
		}
		var w sql.NullInt64
		if err := r.GetContext(ctx, &w, "SELECT @v"); err != nil || w.Valid {
			t.Fatalf("SELECT @v on the pooled router: got %v, %v; want NULL", w, err)
		}
	}
	// A comparison is no assignment.
	var n int64
	if err := s.GetContext(ctx, &n, "SELECT COUNT(*) FROM kv WHERE v = @v"); err != nil {
		t.Fatalf("a read that compares with @v: %v", err)
	}
}

// TestConnectionStateStaysWithSession checks the state a statement makes on
// the connection that runs it and that the router does not keep itself
// (named locks, temporary tables) and the session state that a transaction
// carries: each stays with its session, never reaches another client
// through the pools, and is there for the session's next statements.
func TestConnectionStateStaysWithSession(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	setupKV(t, r)
	ctx := context.Background()
	one := func(q interface {
		GetContext(context.Context, any, string, ...any) error
	}, query string) sql.NullInt64 {
		t.Helper()
		var v sql.NullInt64
		if err := q.GetContext(ctx, &v, query); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return v
	}
	exec := func(s *router.Session, queries ...string) {
		t.Helper()
		for _, q := range queries {
			if _, err := s.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	s, other := r.NewSession(), r.NewSession()
	defer other.Close()

	// A named lock is the session's until it releases it.
	if v := one(s, "SELECT GET_LOCK('scalelab_t1', 5)"); v.Int64 != 1 {
		t.Fatalf("GET_LOCK: %v", v)
	}
	for i := 0; i < 3; i++ {
		if v := one(s, "SELECT IS_USED_LOCK('scalelab_t1') = CONNECTION_ID()"); v.Int64 != 1 {
			t.Fatalf("the lock is not held by the session's connection (%v)", v)
		}
		if v := one(other, "SELECT GET_LOCK('scalelab_t1', 0)"); v.Int64 != 0 {
			t.Fatalf("another session took the session's lock: GET_LOCK gave %v", v)
		}
	}
	before := r.Stats()
	if v := one(s, "SELECT v FROM kv WHERE k = 1"); !v.Valid {
		t.Fatal("no row")
	}
	if got := r.Stats().Nodes["0/primary"] - before.Nodes["0/primary"]; got != 1 {
		t.Errorf("a read of a session holding a lock: the primary served %d, want 1", got)
	}

	// A temporary table is the session's, and its reads find it.
	exec(s, "CREATE TEMPORARY TABLE scalelab_tmp (id INT PRIMARY KEY)", "INSERT INTO scalelab_tmp VALUES (1), (2)")
	for i := 0; i < 3; i++ {
		if v := one(s, "SELECT COUNT(*) FROM scalelab_tmp"); v.Int64 != 2 {
			t.Fatalf("the session's temporary table has %v rows, want 2", v)
		}
		var n int64
		if err := other.GetContext(ctx, &n, "SELECT COUNT(*) FROM scalelab_tmp FOR UPDATE"); err == nil {
			t.Fatalf("another session reads the session's temporary table (%d rows)", n)
		}
	}

	// A lock taken in a transaction outlives it, as on a connection.
	exec(s, "BEGIN")
	if v := one(s, "SELECT GET_LOCK('scalelab_t2', 5)"); v.Int64 != 1 {
		t.Fatalf("GET_LOCK in a transaction: %v", v)
	}
	exec(s, "UPDATE kv SET v = v WHERE k = 1", "COMMIT")
	if v := one(other, "SELECT GET_LOCK('scalelab_t2', 0)"); v.Int64 != 0 {
		t.Fatalf("after COMMIT another session took the lock: GET_LOCK gave %v", v)
	}
	if v := one(s, "SELECT RELEASE_LOCK('scalelab_t2')"); v.Int64 != 1 {
		t.Fatalf("RELEASE_LOCK: %v, want 1", v)
	}

	// Closing the session ends its connections, and its locks with them.
	s.Close()
	if v := one(other, "SELECT GET_LOCK('scalelab_t1', 5)"); v.Int64 != 1 {
		t.Fatalf("after the session closed, GET_LOCK gave %v", v)
	}
	exec(other, "DO RELEASE_LOCK('scalelab_t1')")

	// Session state set before or inside a transaction stays with the
	// session after it.
	noLeak := func(what string) {
		t.Helper()
		for i := 0; i < 4; i++ {
			for _, q := range []string{"SELECT @scalelab_v FROM kv WHERE k = 1 FOR UPDATE", "SELECT @scalelab_v"} {
				if v := one(r, q); v.Valid {
					t.Fatalf("%s: the pooled router's %s gave %v, want NULL", what, q, v)
				}
			}
		}
	}
	before1 := r.NewSession()
	defer before1.Close()
	exec(before1, "SET @scalelab_v = 7", "BEGIN", "UPDATE kv SET v = v WHERE k = 1", "COMMIT")
	noLeak("SET before a transaction")
	if v := one(before1, "SELECT @scalelab_v"); v.Int64 != 7 {
		t.Fatalf("the session lost its variable: %v", v)
	}
	inside := r.NewSession()
	defer inside.Close()
	exec(inside, "BEGIN", "UPDATE kv SET v = v WHERE k = 1", "SET @scalelab_v = 9")
	if v := one(inside, "SELECT @scalelab_v"); v.Int64 != 9 {
		t.Fatalf("a transaction does not see the variable it set: %v", v)
	}
	exec(inside, "COMMIT")
	noLeak("SET inside a transaction")
	for i := 0; i < 4; i++ {
		if v := one(inside, "SELECT @scalelab_v"); v.Int64 != 9 {
			t.Fatalf("the session lost the variable it set in a transaction: %v", v)
		}
	}
	exec(inside, "BEGIN", "SET @scalelab_v = 10", "ROLLBACK")
	if v := one(inside, "SELECT @scalelab_v"); v.Int64 != 10 {
		t.Fatalf("a SET in a rolled-back transaction holds on a server: got %v, want 10", v)
	}
	tx, err := r.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"UPDATE kv SET v = v WHERE k = 1", "SET @scalelab_v = 11"} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			t.Fatalf("Tx: %s: %v", q, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	noLeak("SET in a Tx of the pooled router")

	// The pooled router has no session to keep such state in.
	for _, q := range []string{"SELECT GET_LOCK('scalelab_t3', 0)", "CREATE TEMPORARY TABLE scalelab_tmp2 (id INT)", "LOCK TABLES kv READ"} {
		if _, err := r.ExecContext(ctx, q); !errors.Is(err, router.ErrNeedsSession) {
			t.Errorf("pooled router, %s: got %v, want ErrNeedsSession", q, err)
		}
	}
}

// TestTransactionStateAfterFailedSet checks that a SET that fails inside
// a transaction leaves nothing behind, so that the next transaction sees
// its own SET and the SET never reaches the pools.
func TestTransactionStateAfterFailedSet(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	setupKV(t, r)
	ctx := context.Background()
	for _, spoil := range []string{"SET @@session.scalelab_no_such_var = 1", "USE {db}"} {
		spoil = strings.ReplaceAll(spoil, "{db}", r.Topology().DatabaseName())
		s, other := r.NewSession(), r.NewSession()
		run := func(queries ...string) {
			t.Helper()
			for _, q := range queries {
				if _, err := s.ExecContext(ctx, q); err != nil {
					t.Fatalf("after %s: %s: %v", spoil, q, err)
				}
			}
		}
		run("BEGIN", "UPDATE kv SET v = v WHERE k = 1")
		s.ExecContext(ctx, spoil) // fails, or changes nothing
		run("COMMIT", "BEGIN", "UPDATE kv SET v = v WHERE k = 1", "SET @scalelab_rv = 5")
		var v sql.NullInt64
		if err := s.GetContext(ctx, &v, "SELECT @scalelab_rv FROM kv WHERE k = 1 FOR UPDATE"); err != nil || v.Int64 != 5 {
			t.Errorf("after %s: in the transaction that ran SET @scalelab_rv = 5, SELECT @scalelab_rv gave %v, %v; want 5", spoil, v, err)
		}
		if err := s.GetContext(ctx, &v, "SELECT GET_LOCK('scalelab_rv', 0)"); err != nil || v.Int64 != 1 {
			t.Fatalf("after %s: GET_LOCK: %v, %v", spoil, v, err)
		}
		run("COMMIT")
		if err := other.GetContext(ctx, &v, "SELECT GET_LOCK('scalelab_rv', 0)"); err != nil || v.Int64 != 0 {
			t.Errorf("after %s: after COMMIT another session took the session's lock: GET_LOCK gave %v, %v; want 0", spoil, v, err)
		}
		s.Close()
		other.Close()
	}
}

// TestStickyStatementsStayWithSession checks statements that make state
// of their connection in spellings the parser does not read as such.
func TestStickyStatementsStayWithSession(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	setupKV(t, r)
	ctx := context.Background()
	t.Run("CREATE OR REPLACE TEMPORARY TABLE", func(t *testing.T) {
		s := r.NewSession()
		defer s.Close()
		if _, err := s.ExecContext(ctx, "CREATE OR REPLACE TEMPORARY TABLE scalelab_rv_tmp (id INT)"); err != nil {
			t.Fatal(err)
		}
		var n int64
		if err := r.GetContext(ctx, &n, "SELECT COUNT(*) FROM scalelab_rv_tmp FOR UPDATE"); err == nil {
			t.Errorf("the pooled router reads the session's temporary table (%d rows)", n)
		}
		if err := s.GetContext(ctx, &n, "SELECT COUNT(*) FROM scalelab_rv_tmp"); err != nil {
			t.Errorf("the session cannot read its own temporary table: %v", err)
		}
	})
	t.Run("CREATE /*M! TEMPORARY */ TABLE", func(t *testing.T) {
		// MariaDB runs the comment's TEMPORARY, which the parser skips.
		s := r.NewSession()
		defer s.Close()
		for _, q := range []string{"CREATE /*M! TEMPORARY */ TABLE scalelab_rv_mtmp (id INT)", "INSERT INTO scalelab_rv_mtmp VALUES (1), (2)"} {
			if _, err := s.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		var n int64
		if err := s.GetContext(ctx, &n, "SELECT COUNT(*) FROM scalelab_rv_mtmp"); err != nil || n != 2 {
			t.Errorf("the session reads its own temporary table: %d rows, %v; want 2", n, err)
		}
		if _, err := r.ExecContext(ctx, "CREATE /*M! TEMPORARY */ TABLE scalelab_rv_mtmp2 (id INT)"); !errors.Is(err, router.ErrNeedsSession) {
			t.Errorf("the pooled router's CREATE /*M! TEMPORARY */: %v, want ErrNeedsSession", err)
		}
	})
	t.Run("XA START", func(t *testing.T) {
		// Refused: the XA transaction would be one shard's connection's,
		// and a write to another shard would commit at once.
		s := r.NewSession()
		defer s.Close()
		if _, err := s.ExecContext(ctx, "XA START 'scalelab_rv'"); err == nil || !strings.Contains(err.Error(), "XA transactions") {
			t.Fatalf("XA START: %v, want a refusal of XA transactions", err)
		}
		// Nothing was left in an XA transaction: the session goes on.
		if _, err := s.ExecContext(ctx, "UPDATE kv SET v = v WHERE k = 1 AND v < 0"); err != nil {
			t.Errorf("after the refused XA START: %v", err)
		}
	})
	t.Run("quoted GET_LOCK", func(t *testing.T) {
		s, other := r.NewSession(), r.NewSession()
		defer s.Close()
		defer other.Close()
		var v sql.NullInt64
		if err := s.GetContext(ctx, &v, "SELECT `GET_LOCK`('scalelab_rv_q', 0)"); err != nil || v.Int64 != 1 {
			t.Fatalf("quoted GET_LOCK: %v, %v", v, err)
		}
		if err := other.GetContext(ctx, &v, "SELECT GET_LOCK('scalelab_rv_q', 0)"); err != nil || v.Int64 != 0 {
			t.Errorf("another session took the session's lock: GET_LOCK gave %v, %v; want 0", v, err)
		}
	})
}

// TestStickySessionAcrossTopologyChange checks that a session whose lock
// lives on a primary that a change of topology leaves behind is told so,
// at every statement, rather than going on without its lock on the new
// primary: a switchover that demotes it, a failover whose topology drops
// it (its role stays as it was), and a reshard (new nodes, the same
// servers). Another session goes on.
func TestStickySessionAcrossTopologyChange(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(sh *topology.Shard)
	}{
		{"switchover", func(sh *topology.Shard) {
			sh.Replicas = append([]topology.Addr(nil), sh.Replicas...)
			sh.Primary, sh.Replicas[0] = sh.Replicas[0], sh.Primary
		}},
		{"failover dropping the primary", func(sh *topology.Shard) {
			sh.Primary, sh.Replicas = sh.Replicas[0], append([]topology.Addr(nil), sh.Replicas[1:]...)
		}},
		{"reshard", func(sh *topology.Shard) {
			sh.Name = map[bool]string{false: "-", true: "0"}[sh.Name == "-"]
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, sb := openRouter(t, router.Config{Replica: quiet()})
			setupKV(t, r)
			ctx := context.Background()
			s := r.NewSession()
			defer s.Close()
			var v sql.NullInt64
			if err := s.GetContext(ctx, &v, "SELECT GET_LOCK('scalelab_rv_topo', 0)"); err != nil || v.Int64 != 1 {
				t.Fatalf("GET_LOCK: %v, %v", v, err)
			}
			next := *sb.Topology
			next.Shards = append([]topology.Shard(nil), sb.Topology.Shards...)
			tc.change(&next.Shards[0])
			if _, err := r.Follow(&next); err != nil {
				t.Fatal(err)
			}
			defer r.Follow(sb.Topology)
			for _, q := range []string{"SELECT IS_USED_LOCK('scalelab_rv_topo') = CONNECTION_ID()", "SELECT RELEASE_LOCK('scalelab_rv_topo')", "SELECT 1"} {
				if err := s.GetContext(ctx, &v, q); !errors.Is(err, router.ErrStateLost) {
					t.Errorf("after a %s, %s: got %v, %v; want ErrStateLost", tc.name, q, v, err)
				}
			}
			other := r.NewSession()
			defer other.Close()
			if err := other.GetContext(ctx, &v, "SELECT 1"); err != nil {
				t.Errorf("another session after the %s: %v", tc.name, err)
			}
		})
	}
}

// TestSetFromLockFunctionRefused: a SET whose value takes a named lock is
// refused, since the session replays its SETs on each connection it opens
// (each would take the lock again); nothing takes the lock anywhere.
func TestSetFromLockFunctionRefused(t *testing.T) {
	r, sb := openRouter(t, router.Config{Replica: quiet()})
	setupKV(t, r)
	ctx := context.Background()
	s := r.NewSession()
	defer s.Close()
	if _, err := s.ExecContext(ctx, "SET @v = GET_LOCK('scalelab_rv_setlock', 0)"); !errors.Is(err, router.ErrUnsupported) {
		t.Fatalf("SET @v = GET_LOCK(…): got %v, want ErrUnsupported", err)
	}
	var v sql.NullInt64
	for i := 0; i < 4; i++ {
		if err := s.GetContext(ctx, &v, "SELECT @v"); err != nil || v.Valid {
			t.Fatalf("SELECT @v after the refused SET: %v, %v; want NULL", v, err)
		}
	}
	for _, n := range sb.Topology.Nodes() {
		db := dbtest.OpenAdmin(t, sb.Topology, n.Addr)
		var holder sql.NullInt64
		if err := db.QueryRow("SELECT IS_USED_LOCK('scalelab_rv_setlock')").Scan(&holder); err != nil {
			t.Fatal(err)
		}
		if holder.Valid {
			t.Errorf("%s: connection %d holds the lock", n.Name, holder.Int64)
		}
	}
}

// TestOneShardPooledStateRefused: statements whose state the parser does
// not see (DO @v := …, a whole statement in /*M! … */) are refused on a
// topology of one shard too, and no pooled connection keeps their state.
func TestOneShardPooledStateRefused(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	setupKV(t, r)
	ctx := context.Background()
	for _, tc := range []struct{ stmt, check string }{
		{"DO @scalelab_rv_do := 41", "SELECT @scalelab_rv_do"},
		{"/*M!100000 SET @scalelab_rv_m = 42 */", "SELECT @scalelab_rv_m"},
	} {
		s := r.NewSession()
		_, err := s.ExecContext(ctx, tc.stmt)
		s.Close()
		if !errors.Is(err, router.ErrUnsupported) {
			t.Errorf("%s: got %v, want ErrUnsupported", tc.stmt, err)
		}
		// Every idle connection of the primary's pool, at once.
		pool := r.Sets()[0].Primary().DB
		var conns []*sql.Conn
		for i := 0; i < 8; i++ {
			c, err := pool.DB.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
		}
		for _, c := range conns {
			var got sql.NullInt64
			if err := c.QueryRowContext(ctx, tc.check).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got.Valid {
				t.Errorf("%s: a pooled connection kept the session's variable (%s = %d)", tc.stmt, tc.check, got.Int64)
			}
			c.Close()
		}
	}
}

// TestSessionCloseQuiet: closing a session that kept connections of its
// own reports no error.
func TestSessionCloseQuiet(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	ctx := context.Background()
	s := r.NewSession()
	if _, err := s.ExecContext(ctx, "SET @a = 1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close of a session with SET state: %v", err)
	}
}

// TestDeadPinnedPrimaryReplaced: a session with only replayable state
// (SET) whose own connection to the primary dies (KILL, wait_timeout, a
// restart) gets a new one, with its state, after the statement that
// found it dead failed.
func TestDeadPinnedPrimaryReplaced(t *testing.T) {
	r, sb := openRouter(t, router.Config{Replica: quiet()})
	setupKV(t, r)
	ctx := context.Background()
	s := r.NewSession()
	defer s.Close()
	if _, err := s.ExecContext(ctx, "SET @a = 1, scalelab_consistency = 'strong'"); err != nil {
		t.Fatal(err)
	}
	// The id of the session's connection to the primary, where its
	// strong reads go. CONNECTION_ID() would make the session keep its
	// connections, state that a dead connection loses for good.
	var id int64
	if err := s.GetContext(ctx, &id, "SELECT @@pseudo_thread_id"); err != nil {
		t.Fatal(err)
	}
	admin := dbtest.OpenAdmin(t, sb.Topology, r.Sets()[0].Primary().Addr)
	if _, err := admin.ExecContext(ctx, "KILL CONNECTION "+strconv.FormatInt(id, 10)); err != nil {
		t.Fatal(err)
	}
	var err error
	for i := 0; i < 3; i++ {
		if _, err = s.ExecContext(ctx, "UPDATE kv SET v = v WHERE k = 1"); err == nil {
			break
		}
		t.Logf("try %d: %v", i, err)
	}
	if err != nil {
		t.Errorf("a session with only SET state stays broken after its primary connection died: %v", err)
	}
}

// TestSetComputedOnce checks that a SET of user variables to computed
// values (NOW(6), RAND(), UUID()) gives the session one value on every
// connection it uses, replicas and primary, rather than each computing
// its own, and that each value reads back as on one direct connection
// that ran the same SET: integer, decimal, double, a string's character
// set and collation, binary, empty, NULL.
func TestSetComputedOnce(t *testing.T) {
	r, sb := openRouter(t, router.Config{Replica: quiet()})
	setupKV(t, r)
	ctx := context.Background()
	const set = "SET @c_t = NOW(6), @c_r = RAND(), @c_u = UUID(), @c_lit = 5, " +
		"@c_i = 2 + 3, @c_big = 18446744073709551615 + 0, @c_neg = -7 * 3, @c_d = 1.50 + 0, @c_f = PI() * 1e0, @c_g = 1e300 * 10, " +
		"@c_s = CONVERT(CONCAT('Ab', 'c') USING latin1) COLLATE latin1_general_ci, @c_q = CONCAT('it''s', ' \\\\ '), " +
		"@c_b = UNHEX('00FF27'), @c_e = CONCAT(''), @c_n = NULL + 1, @c_dt = DATE('2026-01-02'), @c_m = (SELECT MAX(k) FROM kv)"
	const read = "SELECT CONCAT_WS('|', HEX(@c_t), @c_r, HEX(@c_u), " +
		"@c_lit, @c_i, @c_big, @c_neg, @c_d, @c_f, @c_g, HEX(@c_b), @c_e IS NULL, @c_e = '', @c_n IS NULL, HEX(@c_s), HEX(@c_q), HEX(@c_dt), @c_m, " +
		"CHARSET(@c_s), COLLATION(@c_s), @c_s = 'ABC', CHARSET(@c_b), @c_d * 1, @c_f = PI(), @c_big + 0 > 0, CHARSET(@c_u), COLLATION(@c_u), " +
		"CHARSET(@c_dt), @c_dt + 0, @c_g / 3, @c_i / 2, @c_neg DIV 2)"
	s := r.NewSession()
	defer s.Close()
	if _, err := s.ExecContext(ctx, set); err != nil {
		t.Fatal(err)
	}
	before := r.Stats()
	var first string
	for i := 0; i < 8; i++ {
		var got string
		if err := s.GetContext(ctx, &got, read); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = got
		} else if got != first {
			t.Fatalf("the session's variables differ between its connections:\n  %s\n  %s", first, got)
		}
	}
	after := r.Stats()
	for _, n := range []string{"0/replica-1", "0/replica-2"} {
		if after.Nodes[n] == before.Nodes[n] {
			t.Fatalf("the reads did not reach %s", n)
		}
	}
	direct, err := dbtest.OpenAdmin(t, sb.Topology, r.Sets()[0].Primary().Addr).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close()
	var want string
	if _, err := direct.ExecContext(ctx, "USE "+sb.Topology.DatabaseName()); err != nil {
		t.Fatal(err)
	}
	if _, err := direct.ExecContext(ctx, set); err != nil {
		t.Fatal(err)
	}
	if err := direct.QueryRowContext(ctx, read).Scan(&want); err != nil {
		t.Fatal(err)
	}
	got, w := strings.Split(first, "|"), strings.Split(want, "|")
	if len(got) != len(w) {
		t.Fatalf("session: %s\ndirect: %s", first, want)
	}
	for i := 3; i < len(w); i++ { // after NOW(6), RAND() and UUID()
		if got[i] != w[i] {
			t.Errorf("value %d: the session reads %q, a direct connection %q\n  session: %s\n  direct:  %s", i, got[i], w[i], first, want)
		}
	}
}

// TestConnectionIDIsTheSessions: CONNECTION_ID() answers the id of a
// connection the session keeps, as on one server connection: the same
// from statement to statement, the one its writes and later reads see,
// and another session's is another. Answered by pooled connections (a
// replica's for a read), a job claimed with UPDATE … SET owner =
// CONNECTION_ID() was not found by a read WHERE owner = CONNECTION_ID().
func TestConnectionIDIsTheSessions(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	ctx := context.Background()
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS cid_jobs (id INT PRIMARY KEY, owner BIGINT UNSIGNED NULL)",
		"DELETE FROM cid_jobs",
		"INSERT INTO cid_jobs (id) VALUES (1), (2), (3), (4)",
	} {
		if _, err := r.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	waitReplicated(t, r)
	before := r.Stats().Sticky
	s := r.NewSession()
	defer s.Close()
	var id uint64
	if err := s.GetContext(ctx, &id, "SELECT CONNECTION_ID()"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"SELECT CONNECTION_ID()", "SELECT CONNECTION_ID() FROM cid_jobs WHERE id = 1", "SELECT connection_id() /* again */"} {
		for i := 0; i < 3; i++ {
			var again uint64
			if err := s.GetContext(ctx, &again, q); err != nil || again != id {
				t.Fatalf("%s: %d %v, want the session's id %d", q, again, err, id)
			}
		}
	}
	if _, err := s.ExecContext(ctx, "UPDATE cid_jobs SET owner = CONNECTION_ID() WHERE id IN (2, 3)"); err != nil {
		t.Fatal(err)
	}
	var claimed []int
	if err := s.SelectContext(ctx, &claimed, "SELECT id FROM cid_jobs WHERE owner = CONNECTION_ID() ORDER BY id"); err != nil || !slices.Equal(claimed, []int{2, 3}) {
		t.Fatalf("the claimed jobs: %v %v, want [2 3]", claimed, err)
	}
	var n int
	if err := s.GetContext(ctx, &n, "SELECT COUNT(*) FROM cid_jobs WHERE owner = CONNECTION_ID() AND id > ?", 2); err != nil || n != 1 {
		t.Fatalf("with an argument: %d %v, want 1", n, err)
	}
	// A variable set from it holds the same id, read where the session reads.
	if _, err := s.ExecContext(ctx, "SET @me = CONNECTION_ID()"); err != nil {
		t.Fatal(err)
	}
	var me uint64
	if err := s.GetContext(ctx, &me, "SELECT @me"); err != nil || me != id {
		t.Fatalf("SELECT @me: %d %v, want %d", me, err, id)
	}
	other := r.NewSession()
	defer other.Close()
	var otherID uint64
	if err := other.GetContext(ctx, &otherID, "SELECT CONNECTION_ID()"); err != nil || otherID == id {
		t.Fatalf("another session's id: %d %v, want one other than %d", otherID, err, id)
	}
	if err := other.GetContext(ctx, &n, "SELECT COUNT(*) FROM cid_jobs WHERE owner = CONNECTION_ID()"); err != nil || n != 0 {
		t.Fatalf("another session finds %d jobs its own (%v), want 0", n, err)
	}
	// Each session counted once, however many of its statements called it.
	if got := r.Stats().Sticky - before; got != 2 {
		t.Errorf("Stats.Sticky counted %d sessions, want 2", got)
	}
}
