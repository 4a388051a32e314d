package proxy_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/scalelab/scalelab/replica"
)

// TestReadYourWritesAfterUnknownOutcome: a session's write in
// read-your-writes whose connection broke after it was sent (an
// autocommit write, or a transaction's COMMIT) fails with 1180, its
// outcome unknown; it may have committed with no position kept. The
// session's next read there, which a user makes to learn whether it did,
// reads on the primary, which has it if anyone has. Before, with no
// position to wait for, it read a replica that had not applied the write,
// and told the user it had not happened.
func TestReadYourWritesAfterUnknownOutcome(t *testing.T) {
	rcfg := quiet()
	rcfg.Replica.MaxLag = -1 // the stopped replica stays eligible
	f, hang := hungFirstPrimary(t, rcfg)
	setupPrepared(t, f)
	key := shardKey(t, f, 0)
	ctx := context.Background()
	db := f.open(t, nil)
	// (The router reaches the primary through the relay.)
	primary := adminDB(t, f.topo, shardedTopology(t).Shards[0].Primary.HostPort)
	rep := adminDB(t, f.topo, f.topo.Shards[0].Replicas[0].HostPort)
	for _, tc := range []struct {
		name   string
		before []string
		cut    string // the statement whose answer is lost
	}{
		{"autocommit write", nil, "UPDATE kvs SET v = 'after' WHERE id = %d"},
		{"COMMIT", []string{"BEGIN", "UPDATE kvs SET v = 'after' WHERE id = %d"}, "COMMIT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := db.ExecContext(ctx, fmt.Sprintf("REPLACE INTO kvs (id, v) VALUES (%d, 'before')", key)); err != nil {
				t.Fatal(err)
			}
			replicasReach(t, f, f.topo.Shards[0].Name, fmt.Sprintf("SELECT COUNT(*) FROM kvs WHERE id = %d AND v = 'before'", key), 1)
			if _, err := rep.Exec("STOP SLAVE SQL_THREAD"); err != nil {
				t.Fatal(err)
			}
			defer rep.Exec("START SLAVE SQL_THREAD")
			conn, err := f.open(t, nil).Conn(ctx) // a session that has not written yet
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			for _, q := range append([]string{"SET scalelab_consistency = 'read-your-writes'"}, tc.before...) {
				if _, err := conn.ExecContext(ctx, strings.ReplaceAll(q, "%d", fmt.Sprint(key))); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			hang.deaf.Store(true)
			done := make(chan error, 1)
			go func() {
				_, err := conn.ExecContext(ctx, strings.ReplaceAll(tc.cut, "%d", fmt.Sprint(key)))
				done <- err
			}()
			waitFor(t, "the write to commit on the primary", 30*time.Second, func() bool {
				var v string
				return primary.QueryRow("SELECT v FROM kvs WHERE id = ?", key).Scan(&v) == nil && v == "after"
			})
			hang.deaf.Store(false)
			hang.cut()
			if err := await(t, done, "the write"); mysqlErrNum(err) != 1180 || !strings.Contains(err.Error(), "unknown") {
				t.Fatalf("%s whose answer was lost: %v; want error 1180, its outcome unknown", tc.cut, err)
			}
			waitFor(t, "the primary to answer again", 30*time.Second, func() bool { return !f.r.Sets()[0].PrimaryDown() })
			if h := f.r.Sets()[0].Snapshot()[1].Health; h != replica.Healthy {
				t.Fatalf("the stopped replica is %v: the read below could not reach it, and proves nothing", h)
			}
			var v string
			if err := conn.QueryRowContext(ctx, "SELECT v FROM kvs WHERE id = ?", key).Scan(&v); err != nil || v != "after" {
				t.Errorf("read-your-writes after a write of unknown outcome: %q, %v; want %q, which the primary has", v, err, "after")
			}
		})
	}
}
