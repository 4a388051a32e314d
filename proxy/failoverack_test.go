package proxy_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scalelab/scalelab/proxy"
	"github.com/scalelab/scalelab/topology"
)

// TestAckAfterFailover: a write that a shard's primary acknowledges after
// a failover replaced it (the primary hung while the write ran, and woke
// up) fails with error 1180, saying that its outcome is unknown: the new
// primary may not have it. Before, the client was told it committed, and
// the row was only on the old primary, out of the shard. One whose
// primary never wakes fails so too, once the failover is followed, where
// it waited for good. The failover here is the router following a
// topology whose roles are swapped, as the proxy's --auto-failover
// publishes one.
func TestAckAfterFailover(t *testing.T) {
	for _, wakes := range []bool{true, false} {
		t.Run(fmt.Sprintf("wakes=%v", wakes), func(t *testing.T) { ackAfterFailover(t, wakes) })
	}
}

func ackAfterFailover(t *testing.T, wakes bool) {
	for _, tc := range []struct {
		name, mark string
		inTx       bool
		run        func(ctx context.Context, db *sql.DB, conn *sql.Conn, key int) error
	}{
		{"COMMIT", "COMMIT", true, func(ctx context.Context, _ *sql.DB, conn *sql.Conn, _ int) error {
			_, err := conn.ExecContext(ctx, "COMMIT")
			return err
		}},
		{"autocommit write", "acked", false, func(ctx context.Context, db *sql.DB, _ *sql.Conn, key int) error {
			// (In text: a prepare's text is checked on the primary too.)
			_, err := db.ExecContext(ctx, fmt.Sprintf("REPLACE INTO kvs (id, v) VALUES (%d, 'acked')", key))
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// No heartbeat on the primary: its health check would find
			// it hung, and the write would wait for a failover instead.
			rcfg := quiet()
			rcfg.Replica.HeartbeatInterval = time.Hour
			f, hang := hungFirstPrimary(t, rcfg)
			if len(f.topo.Shards[0].Replicas) == 0 {
				t.Skip("the shard has no replica to fail over to")
			}
			setupPrepared(t, f)
			ctx := context.Background()
			db := f.open(t, nil)
			conn, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			key := shardKey(t, f, 0)
			if tc.inTx {
				if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
					t.Fatal(err)
				}
				if _, err := conn.ExecContext(ctx, "REPLACE INTO kvs (id, v) VALUES (?, 'in a transaction')", key); err != nil {
					t.Fatal(err)
				}
			}
			hang.mark = []byte(tc.mark)
			hang.hung.Store(true)
			done := make(chan error, 1)
			go func() { done <- tc.run(ctx, db, conn, key) }()
			waitFor(t, "the write to reach the hung primary", 30*time.Second, func() bool { return hang.marked.Load() })
			// The failover: the first replica is the shard's primary now.
			swapped := *f.topo
			swapped.Shards = slices.Clone(f.topo.Shards)
			sh := &swapped.Shards[0]
			old := sh.Primary
			sh.Primary = sh.Replicas[0]
			sh.Replicas = append([]topology.Addr{old}, sh.Replicas[1:]...)
			if _, err := f.r.Follow(&swapped); err != nil {
				t.Fatal(err)
			}
			if wakes {
				hang.hung.Store(false)
			}
			select {
			case err := <-done:
				if mysqlErrNum(err) != 1180 || !strings.Contains(err.Error(), "outcome is unknown") {
					t.Errorf("%s acknowledged by the replaced primary: %v, want error 1180 saying its outcome is unknown", tc.name, err)
				}
			case <-time.After(time.Minute): // a guard against a hang, not a speed target
				t.Fatal("the write hung")
			}
		})
	}
}

// shardKey is a key of kvs that the router sends to shard i.
func shardKey(t *testing.T, f *fixture, i int) int {
	t.Helper()
	for id := 9120; id < 9300; id++ {
		if tr, err := f.r.Route("SELECT v FROM kvs WHERE id = ?", id); err == nil && len(tr.Shards) == 1 && tr.Shards[0] == f.topo.Shards[i].Name {
			return id
		}
	}
	t.Fatalf("no key of shard %d", i)
	return 0
}

// TestBufferedWritePrimaryBack: a write that waits for a failover
// (--failover-buffer) while its primary is down runs as soon as that
// primary answers again (a restart, and no failover comes), where it
// waited out the whole buffer and failed. A transaction's first write on
// the shard waits too, where its branch failed to begin at once.
func TestBufferedWritePrimaryBack(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(ctx context.Context, db *sql.DB, q string) error
	}{
		{"autocommit", func(ctx context.Context, db *sql.DB, q string) error {
			_, err := db.ExecContext(ctx, q)
			return err
		}},
		{"transaction", func(ctx context.Context, db *sql.DB, q string) error {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, q); err != nil {
				tx.Rollback()
				return err
			}
			return tx.Commit()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rcfg := quiet()
			rcfg.FailoverBuffer = 10 * time.Minute // longer than the test's guard
			f, hang := hungFirstPrimary(t, rcfg)
			setupPrepared(t, f)
			key := shardKey(t, f, 0)
			db := f.open(t, nil)
			hang.hung.Store(true)
			defer hang.hung.Store(false)
			waitFor(t, "the first primary's health check to fail", 30*time.Second, func() bool { return f.r.Sets()[0].PrimaryDown() })
			done := make(chan error, 1)
			go func() {
				done <- tc.write(context.Background(), db, fmt.Sprintf("REPLACE INTO kvs (id, v) VALUES (%d, 'buffered')", key))
			}()
			waitFor(t, "the write to wait for its primary", 30*time.Second, func() bool { return f.r.Stats().Buffering > 0 })
			hang.hung.Store(false)
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("a write buffered while its primary was down, which came back: %v", err)
				}
			case <-time.After(time.Minute): // a guard against a hang, not a speed target
				t.Fatal("the buffered write still waits after its primary came back")
			}
			if n := f.r.Stats().Buffered; n != 1 {
				t.Errorf("%d statements buffered, want 1", n)
			}
			var v string
			if err := db.QueryRow("SELECT /*+ scalelab_consistency=strong */ v FROM kvs WHERE id = ?", key).Scan(&v); err != nil || v != "buffered" {
				t.Errorf("the buffered write's row: %q, %v", v, err)
			}
		})
	}
}

// TestStickySessionPrimaryRestart: a session that keeps state on its
// primary (a temporary table) whose connection there breaks (a restart)
// is told to reconnect, with every statement, as its state is gone. Before,
// each statement met another error of the dead connection (invalid
// connection, bad connection, connection already closed), each saying to
// retry, which could never work.
func TestStickySessionPrimaryRestart(t *testing.T) {
	f, hang := hungFirstPrimary(t, quiet())
	ctx := context.Background()
	conn, err := f.open(t, nil).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{"CREATE TEMPORARY TABLE restart_tmp (a INT)", "INSERT INTO restart_tmp VALUES (1)", "SELECT a FROM restart_tmp"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	hang.cut()
	for i := range 3 {
		_, err := conn.ExecContext(ctx, "SELECT a FROM restart_tmp")
		if err == nil || !strings.Contains(err.Error(), "reconnect") || strings.Contains(err.Error(), "retry") {
			t.Errorf("statement %d after the session's primary connection broke: %v, want an error that says to reconnect, not to retry", i+1, err)
		}
	}
}

// TestBufferedTxFirstWriteReadOnly: a transaction's first write on a
// shard whose primary a planned failover has made read-only waits for
// the new primary (--failover-buffer) and runs there, as an autocommit
// write does, where it failed at once with 1290 (read-only), which
// drivers do not retry: BEGIN went through on the old primary, and the
// write's refusal ended the statement. Nothing had run on the branch,
// which is rolled back.
func TestBufferedTxFirstWriteReadOnly(t *testing.T) {
	rcfg := quiet()
	rcfg.FailoverBuffer = 10 * time.Minute // longer than the test's guard
	f := startProxy(t, proxy.Config{}, rcfg)
	if len(f.topo.Shards[0].Replicas) == 0 {
		t.Skip("the shard has no replica to fail over to")
	}
	setupPrepared(t, f)
	ctx := context.Background()
	// A key of the first shard that no other test writes: its row will
	// be on the replica alone, and is deleted there at the end.
	key := 0
	for id := 771001; id < 771200 && key == 0; id++ {
		if tr, err := f.r.Route("SELECT v FROM kvs WHERE id = ?", id); err == nil && len(tr.Shards) == 1 && tr.Shards[0] == f.topo.Shards[0].Name {
			key = id
		}
	}
	sh := f.topo.Shards[0]
	primary, replica := adminDB(t, f.topo, sh.Primary.HostPort), adminDB(t, f.topo, sh.Replicas[0].HostPort)
	if _, err := primary.ExecContext(ctx, "SET GLOBAL read_only = 1"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		primary.Exec("SET GLOBAL read_only = 0")
		replica.Exec("DELETE FROM " + f.topo.DatabaseName() + ".kvs WHERE id = " + strconv.Itoa(key))
		replica.Exec("SET GLOBAL read_only = 1")
	})
	db := f.open(t, nil)
	done := make(chan error, 1)
	go func() {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			done <- err
			return
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("INSERT INTO kvs (id, v) VALUES (%d, 'in a transaction')", key)); err != nil {
			tx.Rollback()
			done <- err
			return
		}
		done <- tx.Commit()
	}()
	waitFor(t, "the transaction's write to wait for a new primary", 30*time.Second, func() bool { return f.r.Stats().Buffering > 0 })
	select {
	case err := <-done:
		t.Fatalf("the write ended while its primary was read-only: %v", err)
	default:
	}
	// The failover: the replica, made writable, is the shard's primary.
	if _, err := replica.ExecContext(ctx, "SET GLOBAL read_only = 0"); err != nil {
		t.Fatal(err)
	}
	swapped := *f.topo
	swapped.Shards = slices.Clone(f.topo.Shards)
	s := &swapped.Shards[0]
	s.Primary, s.Replicas = sh.Replicas[0], append([]topology.Addr{sh.Primary}, sh.Replicas[1:]...)
	if _, err := f.r.Follow(&swapped); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the transaction after the failover: %v", err)
		}
	case <-time.After(time.Minute): // a guard against a hang, not a speed target
		t.Fatal("the transaction's write still waits after the failover")
	}
	var v string
	if err := replica.QueryRowContext(ctx, "SELECT v FROM "+f.topo.DatabaseName()+".kvs WHERE id = ?", key).Scan(&v); err != nil || v != "in a transaction" {
		t.Errorf("the row on the new primary: %q, %v", v, err)
	}
	var n int
	if err := primary.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+f.topo.DatabaseName()+".kvs WHERE id = ?", key).Scan(&n); err != nil || n != 0 {
		t.Errorf("rows of the key on the old primary: %d, %v; want none", n, err)
	}
}
