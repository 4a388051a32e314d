package router_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/router"
)

// TestReview2QualifiedLockFunction: MariaDB calls its built-in functions
// through the mariadb_schema qualifier too (mariadb_schema.GET_LOCK),
// which the classifier reads as a stored function of a schema: the
// session does not keep the connection that holds the lock, and the
// read goes to a replica. One server holds the lock for the client.
func TestReview2QualifiedLockFunction(t *testing.T) {
	r, sb := openRouter(t, router.Config{Replica: quiet()})
	ctx := context.Background()
	primary := r.Sets()[0].Primary()
	direct := dbtest.OpenAdmin(t, sb.Topology, primary.Addr)
	var probe sql.NullInt64
	if err := direct.QueryRowContext(ctx, "SELECT mariadb_schema.IS_FREE_LOCK('rev2_q')").Scan(&probe); err != nil {
		t.Skipf("the server does not call mariadb_schema.IS_FREE_LOCK: %v", err)
	}
	s := r.NewSession()
	defer s.Close()
	var got sql.NullInt64
	if err := s.GetContext(ctx, &got, "SELECT mariadb_schema.GET_LOCK('rev2_q', 0)"); err != nil || got.Int64 != 1 {
		t.Fatalf("GET_LOCK: %v %v", got, err)
	}
	var free sql.NullInt64
	if err := direct.QueryRowContext(ctx, "SELECT IS_FREE_LOCK('rev2_q')").Scan(&free); err != nil {
		t.Fatal(err)
	}
	if free.Int64 != 0 {
		t.Errorf("after the session's SELECT mariadb_schema.GET_LOCK('rev2_q', 0) answered 1, the primary reports the lock free (IS_FREE_LOCK %v)", free)
	}
	if err := s.GetContext(ctx, &got, "SELECT IS_USED_LOCK('rev2_q') = CONNECTION_ID()"); err != nil || got.Int64 != 1 {
		t.Errorf("SELECT IS_USED_LOCK('rev2_q') = CONNECTION_ID() in the session: %v %v, want 1", got, err)
	}
}
