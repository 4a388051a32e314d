package bench_test

import (
	"slices"
	"strconv"
	"testing"

	"github.com/scalelab/scalelab/bench"
	"github.com/scalelab/scalelab/internal/dbtest"
)

// TestSharedCount: with SharedCount (sysbench's --events), the clients
// take their queries from one count, so a client that is free runs the
// next one; with mysqlslap's fixed split each runs its share, however
// slow. One of the two clients is slow here (each of its queries sleeps
// 5ms); the server's rows say which client ran each query.
func TestSharedCount(t *testing.T) {
	e := openRunEnv(t)
	admin := dbtest.OpenAdmin(t, e.topo, e.primary.Addr)
	before := benchConns(t, admin, e)
	p := openPool(t, bench.TargetConfig{Topology: e.topo, Node: "0/primary", Clients: 2})
	var ours []int64
	for _, id := range benchConns(t, admin, e) {
		if !slices.Contains(before, id) {
			ours = append(ours, id)
		}
	}
	if len(ours) != 2 {
		t.Fatalf("the pool opened connections %v, want 2", ours)
	}
	slow := strconv.FormatInt(ours[0], 10)
	query := "INSERT INTO shared_ev SELECT CONNECTION_ID() FROM DUAL WHERE SLEEP(IF(CONNECTION_ID() = " + slow + ", 0.005, 0)) = 0"
	for _, tc := range []struct {
		name   string
		shared bool
		check  func(slowRows int64) bool
		want   string
	}{
		{"fixed split", false, func(n int64) bool { return n == 100 }, "100, its share"},
		{"shared count", true, func(n int64) bool { return n < 50 }, "under 50: the fast client runs the rest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.exec(t, "DROP TABLE IF EXISTS shared_ev", "CREATE TABLE shared_ev (conn BIGINT)")
			res := runOK(t, p, bench.Config{Queries: []string{query}, Concurrency: []int{2}, NumberOfQueries: 200, SharedCount: tc.shared})
			if l := res.Levels[0].Total; l.Count != 200 || l.Errors != 0 {
				t.Fatalf("got %d queries and %d errors %v, want 200 and none", l.Count, l.Errors, l.ErrorsByKind)
			}
			if n := e.count(t, "SELECT COUNT(*) FROM shared_ev"); n != 200 {
				t.Errorf("the server ran %d queries, want 200", n)
			}
			if n := e.count(t, "SELECT COUNT(*) FROM shared_ev WHERE conn = "+slow); !tc.check(n) {
				t.Errorf("the slow client ran %d queries, want %s", n, tc.want)
			}
		})
	}
}
