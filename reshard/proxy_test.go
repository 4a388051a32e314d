package reshard_test

import (
	"context"
	"database/sql"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/internal/proxytest"
	"github.com/scalelab/scalelab/reshard"
	"github.com/scalelab/scalelab/router"
)

// alternating sends each statement to the next of its pools in turn.
type alternating struct {
	dbs []*sql.DB
	n   atomic.Int64
}

func (a *alternating) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return a.dbs[a.n.Add(1)%int64(len(a.dbs))].ExecContext(ctx, query, args...)
}

// TestOnlineSwitchThroughProxy reshards 2 → 4 shards online and switches
// while a client writes through scalelab's proxy, every other statement
// in the text protocol and in the binary one (server-side prepared
// statements): the proxy holds and retries the writes the switch held,
// no write fails, and the new shards hold exactly what was acknowledged,
// sequence ids included.
func TestOnlineSwitchThroughProxy(t *testing.T) {
	sb := startSandbox(t, 2, 31400, "hash") // BasePort: 31400
	load(t, sb.Topology)
	ctx := context.Background()
	r, err := router.Open(ctx, sb.Topology, router.Config{TopologyPath: sb.TopologyPath()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	u := sb.Topology.User
	srv := proxytest.Serve(t, r, u)
	var dbs []*sql.DB
	for _, interpolate := range []bool{true, false} { // text, then prepared
		cfg := mysql.NewConfig()
		cfg.User, cfg.Passwd, cfg.Net, cfg.Addr, cfg.DBName = u.Name, u.Password, "tcp", srv.Addr().String(), sb.Topology.DatabaseName()
		cfg.InterpolateParams = interpolate
		c, err := mysql.NewConnector(cfg)
		if err != nil {
			t.Fatal(err)
		}
		db := sql.OpenDB(c)
		t.Cleanup(func() { db.Close() })
		dbs = append(dbs, db)
	}
	model := loadedItems()
	w := itemWriter(t, &alternating{dbs: dbs}, model, nil)
	time.Sleep(200 * time.Millisecond)
	res, err := runOn(t, sb.Dir, reshard.Config{Shards: 4, Online: true, Switch: true})
	time.Sleep(200 * time.Millisecond) // writes on the new shards
	w.halt()
	if err != nil {
		t.Fatal(err)
	}
	if w.acked < 100 {
		t.Fatalf("the client made only %d changes", w.acked)
	}
	checkItems(t, sb.TopologyPath(), 4, model)
	t.Logf("switch window %v; the client's longest write %v, of %d; the proxy's router held %d", res.Switch.D(), w.longest, w.acked, r.Stats().Held)
}
