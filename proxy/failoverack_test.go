package proxy_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

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
			if err := await(t, done, "the write"); mysqlErrNum(err) != 1180 || !strings.Contains(err.Error(), "outcome is unknown") {
				t.Errorf("%s acknowledged by the replaced primary: %v, want error 1180 saying its outcome is unknown", tc.name, err)
			}
		})
	}
}

// await returns what done gives, and fails the test if it gives nothing
// within a minute: a guard against a hang, not a speed target. what names
// the awaited, for "… hung".
func await[T any](t *testing.T, done <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-done:
		return v
	case <-time.After(time.Minute):
		t.Fatal(what + " hung")
	}
	var zero T
	return zero
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

// bufferingProxy is a proxy with the prepared rows that buffers writes
// for longer than the tests' guards, whose first primary it reaches
// through a relay that can hang; with a key of that shard, and a client.
func bufferingProxy(t *testing.T) (*fixture, *hangTCP, int, *sql.DB) {
	t.Helper()
	rcfg := quiet()
	rcfg.FailoverBuffer = 10 * time.Minute
	f, hang := hungFirstPrimary(t, rcfg)
	setupPrepared(t, f)
	return f, hang, shardKey(t, f, 0), f.open(t, nil)
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
			f, hang, key, db := bufferingProxy(t)
			hang.hung.Store(true)
			defer hang.hung.Store(false)
			waitFor(t, "the first primary's health check to fail", 30*time.Second, func() bool { return f.r.Sets()[0].PrimaryDown() })
			done := make(chan error, 1)
			go func() {
				done <- tc.write(context.Background(), db, fmt.Sprintf("REPLACE INTO kvs (id, v) VALUES (%d, 'buffered')", key))
			}()
			waitFor(t, "the write to wait for its primary", 30*time.Second, func() bool { return f.r.Stats().Buffering > 0 })
			hang.hung.Store(false)
			if err := await(t, done, "the buffered write, after its primary came back,"); err != nil {
				t.Errorf("a write buffered while its primary was down, which came back: %v", err)
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
// shard whose primary refuses it as read-only (a planned failover made it
// so) waits for the primary to be replaced, or to come back
// (--failover-buffer), and runs then, as an autocommit write does, where
// it failed at once with 1290, which drivers do not retry: BEGIN went
// through on the old primary, and the write's refusal ended the
// statement. Nothing had run on the branch, which is rolled back. Here
// the primary hangs, and comes back writable (a failover to a replica
// would have that replica take writes of its own, out of its shard's
// replication).
func TestBufferedTxFirstWriteReadOnly(t *testing.T) {
	f, hang, key, db := bufferingProxy(t)
	ctx := context.Background()
	primary := adminDB(t, f.topo, shardedTopology(t).Shards[0].Primary.HostPort) // not through the relay
	if _, err := db.ExecContext(ctx, "DELETE FROM kvs WHERE id = ?", key); err != nil {
		t.Fatal(err)
	}
	if _, err := primary.ExecContext(ctx, "SET GLOBAL read_only = 1"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { primary.Exec("SET GLOBAL read_only = 0") })
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
	backWritable(t, f, hang, 0, primary, done)
	if err := await(t, done, "the transaction's write, after its primary came back,"); err != nil {
		t.Fatalf("the transaction once its primary came back writable: %v", err)
	}
	var v string
	if err := primary.QueryRowContext(ctx, "SELECT v FROM "+f.topo.DatabaseName()+".kvs WHERE id = ?", key).Scan(&v); err != nil || v != "in a transaction" {
		t.Errorf("the row on the primary: %q, %v", v, err)
	}
}

// backWritable waits for a write (done) to wait for shard i's read-only
// primary, which the tests reach through hang and administer through
// admin; then the primary stops answering, and comes back writable.
func backWritable(t *testing.T, f *fixture, hang *hangTCP, i int, admin *sql.DB, done <-chan error) {
	t.Helper()
	waitFor(t, "the write to wait for its primary", 30*time.Second, func() bool {
		select {
		case err := <-done:
			t.Fatalf("the write ended while its primary was read-only: %v", err)
		default:
		}
		return f.r.Stats().Buffering > 0
	})
	hang.hung.Store(true)
	waitFor(t, "the primary's health check to fail", 30*time.Second, func() bool { return f.r.Sets()[i].PrimaryDown() })
	if _, err := admin.Exec("SET GLOBAL read_only = 0"); err != nil {
		t.Fatal(err)
	}
	hang.hung.Store(false)
}

// TestTxConnectionLost: a transaction whose connection to its primary
// breaks (the server crashed or cut it off, and rolled the transaction
// back) fails its next statement with 1213 (SQLSTATE 40001), which says
// to run the transaction again, and the session is out of it: a COMMIT
// then commits nothing, as after a deadlock, and the statements after it
// run. A COMMIT whose connection fails may have committed before it did
// (here it did not): it fails with 1180, saying its outcome is unknown.
// Before, each statement failed with "retry the statement", and a COMMIT
// retried after the first failed answered OK, with the write gone.
func TestTxConnectionLost(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  string // a SET first: the session keeps connections of its own
		last string
		num  int
		says string
	}{
		{"statement", "", "REPLACE INTO kvs (id, v) VALUES (%d, 'second')", 1213, "rolled back"},
		{"COMMIT", "", "COMMIT", 1180, "unknown"},
		{"statement on the session's own connection", "SET sql_mode = 'STRICT_ALL_TABLES'", "REPLACE INTO kvs (id, v) VALUES (%d, 'second')", 1213, "rolled back"},
		{"COMMIT on the session's own connection", "SET sql_mode = 'STRICT_ALL_TABLES'", "COMMIT", 1180, "unknown"},
	} {
		last := tc.last
		t.Run(tc.name, func(t *testing.T) {
			f, hang := hungFirstPrimary(t, quiet())
			setupPrepared(t, f)
			key := shardKey(t, f, 0)
			ctx := context.Background()
			conn, err := f.open(t, nil).Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if tc.set != "" {
				if _, err := conn.ExecContext(ctx, tc.set); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := conn.ExecContext(ctx, fmt.Sprintf("REPLACE INTO kvs (id, v) VALUES (%d, 'before')", key)); err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{"BEGIN", fmt.Sprintf("REPLACE INTO kvs (id, v) VALUES (%d, 'in the transaction')", key)} {
				if _, err := conn.ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			hang.cut()
			q := last
			if strings.Contains(q, "%d") {
				q = fmt.Sprintf(q, key)
			}
			_, err = conn.ExecContext(ctx, q)
			if mysqlErrNum(err) != tc.num || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("%s after the transaction's connection broke: %v; want error %d saying %q", q, err, tc.num, tc.says)
			}
			if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
				t.Errorf("COMMIT after the transaction was rolled back: %v; want OK, committing nothing", err)
			}
			var v string
			if err := conn.QueryRowContext(ctx, "SELECT /*+ scalelab_consistency=strong */ v FROM kvs WHERE id = ?", key).Scan(&v); err != nil || v != "before" {
				t.Errorf("the row after the lost transaction: %q, %v; want the value before it", v, err)
			}
			// The next transaction runs, on a new connection.
			for _, q := range []string{"BEGIN", fmt.Sprintf("REPLACE INTO kvs (id, v) VALUES (%d, 'after')", key), "COMMIT"} {
				if _, err := conn.ExecContext(ctx, q); err != nil {
					t.Errorf("%s in the transaction after the lost one: %v", q, err)
				}
			}
		})
	}
}

// TestBufferedWriteClientGone: a write that waits for its primary
// (--failover-buffer) is dropped when its client leaves meanwhile (a
// driver that gave up and closed the connection), where it ran on the
// primary that came back, unasked, and a second time when the client
// retried it: a server that was down never ran it.
func TestBufferedWriteClientGone(t *testing.T) {
	f, hang, key, db := bufferingProxy(t)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, fmt.Sprintf("REPLACE INTO kvs (id, v) VALUES (%d, 'before')", key)); err != nil {
		t.Fatal(err)
	}
	hang.hung.Store(true)
	defer hang.hung.Store(false)
	waitFor(t, "the first primary's health check to fail", 30*time.Second, func() bool { return f.r.Sets()[0].PrimaryDown() })
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := conn.ExecContext(wctx, fmt.Sprintf("UPDATE kvs SET v = CONCAT(v, '+') WHERE id = %d", key))
		done <- err
	}()
	waitFor(t, "the write to wait for its primary", 30*time.Second, func() bool { return f.r.Stats().Buffering > 0 })
	cancel() // the driver closes the connection
	if err := <-done; err == nil {
		t.Fatal("the write answered OK while its primary was down")
	}
	waitFor(t, "the write of the client that left to be dropped", 30*time.Second, func() bool { return f.r.Stats().Buffering == 0 })
	hang.hung.Store(false)
	waitFor(t, "the first primary to answer again", 30*time.Second, func() bool { return !f.r.Sets()[0].PrimaryDown() })
	var v string
	if err := db.QueryRowContext(ctx, "SELECT /*+ scalelab_consistency=strong */ v FROM kvs WHERE id = ?", key).Scan(&v); err != nil || v != "before" {
		t.Errorf("the row after the client that wrote it left: %q, %v; want it unwritten", v, err)
	}
}

// TestMultiShardWriteReadOnlyMidway: a write over two shards meets a
// planned switchover's read-only primary on its second shard, after its
// part on the first shard ran: at the second shard's part (its INSERT),
// or at its COMMIT, after the first shard committed. Either way the part
// refused waits for the primary and runs again there, and the statement
// is written whole, once: where a refused COMMIT left the first shard's
// row alone and told the client, with the server's 1290, that nothing
// was written.
func TestMultiShardWriteReadOnlyMidway(t *testing.T) {
	for _, tc := range []struct{ name, at string }{
		{"INSERT", "MULTISHARD"},
		{"COMMIT", "COMMIT AND NO CHAIN"}, // a branch's, not the heartbeat's
	} {
		t.Run(tc.name, func(t *testing.T) {
			rcfg := quiet()
			rcfg.FailoverBuffer = 10 * time.Minute
			f, hang := hungPrimary(t, 1, rcfg)
			setupPrepared(t, f)
			k0, k1 := shardKey(t, f, 0), shardKey(t, f, 1)
			db := f.open(t, nil)
			ctx := context.Background()
			second := adminDB(t, f.topo, shardedTopology(t).Shards[1].Primary.HostPort) // not through the relay
			t.Cleanup(func() { second.Exec("SET GLOBAL read_only = 0") })
			if _, err := db.ExecContext(ctx, "DELETE FROM kvs WHERE id IN (?, ?)", k0, k1); err != nil {
				t.Fatal(err)
			}
			// The second shard's primary turns read-only as the
			// statement's part, or its commit, reaches it.
			var once sync.Once
			hook := func(b []byte) {
				if bytes.Contains(bytes.ToUpper(b), []byte(tc.at)) {
					once.Do(func() {
						if _, err := second.Exec("SET GLOBAL read_only = 1"); err != nil {
							t.Error(err)
						}
					})
				}
			}
			hang.before.Store(&hook)
			defer hang.before.Store(nil)
			done := make(chan error, 1)
			go func() {
				res, err := db.ExecContext(ctx, fmt.Sprintf("INSERT INTO kvs (id, v) VALUES (%d, 'multishard'), (%d, 'multishard')", k0, k1))
				if err == nil {
					if n, _ := res.RowsAffected(); n != 2 {
						err = fmt.Errorf("%d rows affected, want 2", n)
					}
				}
				done <- err
			}()
			backWritable(t, f, hang, 1, second, done)
			if err := await(t, done, "the write, after its second primary came back,"); err != nil {
				t.Fatalf("the write once its second primary came back writable: %v", err)
			}
			var n int
			if err := db.QueryRowContext(ctx, "SELECT /*+ scalelab_consistency=strong */ COUNT(*) FROM kvs WHERE id IN (?, ?) AND v = 'multishard'", k0, k1).Scan(&n); err != nil || n != 2 {
				t.Errorf("rows of the write: %d, %v; want both", n, err)
			}
		})
	}
}

// TestInFlightWriteHungPrimary: a write already sent to a primary that
// then stops answering (a network cut between the proxy and it) fails
// once it has waited the failover buffer, as of unknown outcome (1180),
// as one that waits for a down primary fails at the buffer's end. It
// waited for as long as the node did not answer.
func TestInFlightWriteHungPrimary(t *testing.T) {
	rcfg := quiet()
	rcfg.FailoverBuffer = 2 * time.Second
	f, hang := hungFirstPrimary(t, rcfg)
	setupPrepared(t, f)
	key := shardKey(t, f, 0)
	db := f.open(t, nil)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, fmt.Sprintf("REPLACE INTO kvs (id, v) VALUES (%d, 'before')", key)); err != nil {
		t.Fatal(err)
	}
	hang.hung.Store(true)
	defer hang.hung.Store(false)
	done := make(chan error, 1)
	go func() {
		_, err := db.ExecContext(ctx, fmt.Sprintf("UPDATE kvs SET v = 'in flight' WHERE id = %d", key))
		done <- err
	}()
	if err := await(t, done, "the write on the hung primary"); mysqlErrNum(err) != 1180 || !strings.Contains(err.Error(), "unknown") {
		t.Errorf("a write sent before its primary stopped answering: %v; want error 1180, its outcome unknown", err)
	}
	if !f.r.Sets()[0].PrimaryDown() {
		t.Error("the primary's health check did not find it down: the write was not ended for it")
	}
}
