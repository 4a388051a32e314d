package router_test

import (
	"context"
	"testing"

	"github.com/scalelab/scalelab/router"
)

// TestReadYourWritesAfterUntrackedWrite: a session's read in
// read-your-writes (a statement's hint) after the session wrote in
// another mode, whose GTIDs were not kept, reads on the primary, which
// has the write; it read a replica with no position to wait for, which
// may not have applied it yet. A write made in read-your-writes keeps its
// position again, and the read after it waits on a replica.
func TestReadYourWritesAfterUntrackedWrite(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	setupKV(t, r)
	ctx := context.Background()
	s := r.NewSession()
	defer s.Close()
	read := func() router.Trace {
		t.Helper()
		var tr router.Trace
		var v int64
		if err := s.GetContext(router.WithTrace(ctx, &tr), &v, "SELECT v FROM kv WHERE k = 1"); err != nil {
			t.Fatal(err)
		}
		return tr
	}
	if _, err := s.ExecContext(ctx, "UPDATE kv SET v = v + 1 WHERE k = 1"); err != nil {
		t.Fatal(err)
	}
	s.SetConsistency(router.ReadYourWrites)
	if tr := read(); tr.Route != router.RoutePrimary {
		t.Errorf("read-your-writes after an eventual write: on %s (%s: %s); want the primary", tr.Node, tr.Route, tr.Reason)
	}
	if _, err := s.ExecContext(ctx, "UPDATE kv SET v = v + 1 WHERE k = 1"); err != nil {
		t.Fatal(err)
	}
	if tr := read(); tr.Route != router.RouteReplica || tr.GTID == "" {
		t.Errorf("read-your-writes after a read-your-writes write: on %s (%s: %s), GTID %q; want a replica that waited for it", tr.Node, tr.Route, tr.Reason, tr.GTID)
	}
}
