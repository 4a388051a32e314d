package router_test

import (
	"context"
	"testing"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/router"
)

// TestNodeVariablesReadOnPrimary: a read of a variable that tells the
// server's role (@@read_only; SHOW VARIABLES) answers the primary's, as
// one server answers its own: on a replica, @@read_only is 1, and a
// client that checks it (a pool that looks for the writable server after
// a failover) took the router for read-only. One of the server's identity
// alone (@@port) reads where reads go, which shows where that is.
func TestNodeVariablesReadOnPrimary(t *testing.T) {
	r, sb := openRouter(t, router.Config{Replica: quiet()})
	ctx := context.Background()
	primary := dbtest.OpenAdmin(t, sb.Topology, sb.Topology.Shards[0].Primary.HostPort)
	var want string
	if err := primary.QueryRowContext(ctx, "SELECT CONCAT(@@read_only, ' ', @@server_id)").Scan(&want); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"SELECT CONCAT(@@read_only, ' ', @@server_id)",
		"SELECT CONCAT(@@global.read_only, ' ', @@GLOBAL.server_id)",
		"SELECT CONCAT(@@read_only, ' ', @@server_id) /*M! */",
	} {
		for range 4 { // (round robin over two replicas would meet both)
			var got string
			if err := r.GetContext(ctx, &got, q); err != nil || got != want {
				t.Errorf("%s: %q, %v; want the primary's %q", q, got, err, want)
			}
		}
	}
	rows, err := r.QueryContext(ctx, "SHOW VARIABLES LIKE 'read_only'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var name, value string
	if !rows.Next() || rows.Scan(&name, &value) != nil || value != "OFF" {
		t.Errorf("SHOW VARIABLES LIKE 'read_only': %q %q, want the primary's OFF", name, value)
	}
	// A session's own variables, and the server's identity alone, are
	// read on a replica, as any read is.
	for _, q := range []string{"SELECT @@sql_mode", "SELECT @@port"} {
		var tr router.Trace
		var v string
		if err := r.GetContext(router.WithTrace(ctx, &tr), &v, q); err != nil || tr.Route != router.RouteReplica {
			t.Errorf("%s: on %s (%s), %v; want a replica", q, tr.Node, tr.Route, err)
		}
	}
	var tr router.Trace
	var mode string
	tr = router.Trace{}
	if err := r.GetContext(router.WithTrace(ctx, &tr), &mode, "SELECT @@read_only"); err != nil || tr.Route != router.RoutePrimary {
		t.Errorf("SELECT @@read_only: on %s (%s), %v; want the primary", tr.Node, tr.Route, err)
	}
}
