package bench_test

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"testing"

	"github.com/scalelab/scalelab/bench"
	"github.com/scalelab/scalelab/internal/dbtest"
)

// TestLostConnectionReconnects kills one client's connection mid-run, as a
// DBA's KILL or wait_timeout would, on each path (the protocol loop, as
// text and prepared, and go-sql-driver). The client must count one failed
// query for it, not one for every turn of its loop on the dead connection,
// reconnect, and go on; the result says that a connection was lost and
// that it reconnected.
func TestLostConnectionReconnects(t *testing.T) {
	e := openRunEnv(t)
	admin := dbtest.OpenAdmin(t, e.topo, e.primary.Addr)
	for _, tc := range []struct {
		name     string
		driver   bool
		prepared bool
	}{
		{"protocol loop", false, false},
		{"protocol loop, prepared", false, true},
		{"driver", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := benchConns(t, admin, e)
			p := openPool(t, bench.TargetConfig{Topology: e.topo, Node: "0/primary", Clients: 2, Driver: tc.driver})
			var ours []int64
			for _, id := range benchConns(t, admin, e) {
				if !slices.Contains(before, id) {
					ours = append(ours, id)
				}
			}
			if len(ours) != 2 {
				t.Fatalf("the pool opened connections %v, want 2", ours)
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			type ran struct {
				res *bench.Result
				err error
			}
			done := make(chan ran, 1)
			go func() {
				// Unbounded: the test cancels it once the client is back.
				res, err := bench.Run(ctx, p, bench.Config{Queries: []string{"SELECT {n:uniform(1,9)}"}, Concurrency: []int{2}, Prepared: tc.prepared, Duration: 1 << 40})
				done <- ran{res, err}
			}()
			waitSelects(t, admin, 500)
			if _, err := admin.Exec("KILL CONNECTION " + strconv.FormatInt(ours[0], 10)); err != nil {
				t.Fatal(err)
			}
			// The client's new connection shows, then it runs queries on
			// it. The other client runs on: if 100000 more SELECTs go by
			// first, the client did not come back.
			for start := selects(t, admin); ; {
				conns := benchConns(t, admin, e)
				if len(conns) > len(before)+1 && !slices.Contains(conns, ours[0]) {
					break
				}
				if selects(t, admin)-start > 100000 {
					t.Error("the client whose connection was killed did not connect again")
					break
				}
			}
			waitSelects(t, admin, 500)
			cancel()
			r := <-done
			if r.err != nil {
				t.Fatal(r.err)
			}
			l := r.res.Levels[0].Total
			t.Logf("%d queries, %d errors %v, %d lost, %d reconnected", l.Count, l.Errors, l.ErrorsByKind, l.LostConnections, l.Reconnects)
			if l.Errors < 1 || l.Errors > 2 {
				t.Errorf("got %d failed queries (%v) for one killed connection, want 1 (2 at most)", l.Errors, l.ErrorsByKind)
			}
			if l.LostConnections != 1 || l.Reconnects != 1 {
				t.Errorf("got %d connections lost and %d reconnected, want 1 and 1", l.LostConnections, l.Reconnects)
			}
		})
	}
}

// benchConns lists the ids of the application user's connections in the
// run tests' database.
func benchConns(t *testing.T, admin *sql.DB, e *runEnv) []int64 {
	t.Helper()
	rows, err := admin.Query("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ? AND DB = ?", e.topo.User.Name, runDB)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// selects is the Com_select counter of the server of admin.
func selects(t *testing.T, admin *sql.DB) int64 {
	t.Helper()
	var k string
	var v int64
	if err := admin.QueryRow("SHOW GLOBAL STATUS LIKE 'Com_select'").Scan(&k, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// waitSelects returns once the server of admin has run n more SELECTs.
func waitSelects(t *testing.T, admin *sql.DB, n int64) {
	t.Helper()
	for start := selects(t, admin); selects(t, admin)-start < n; {
	}
}
