package feed_test

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/schema"
	"github.com/scalelab/scalelab/topology"
)

// data is the small data set every test reads.
var data = schema.Config{Seed: 7, Users: 200, Images: 1000, Likes: 5000}

// fixture is the loaded sandbox and the generator's copy of its rows, which
// the tests use as the truth.
type fixture struct {
	topo   *topology.Topology
	users  map[uint64]schema.User
	images map[uint64]schema.Image
	likes  map[uint64][]schema.Like // by image id, in id order
}

var shared struct {
	once sync.Once
	fix  *fixture
	err  error
}

// setup loads the data set into the package's sandbox once, and waits until
// every replica has applied it.
func setup(tb testing.TB) *fixture {
	tb.Helper()
	sb := dbtest.Sandbox(tb)
	shared.once.Do(func() { shared.fix, shared.err = load(sb.Topology) })
	if shared.err != nil {
		tb.Fatal(shared.err)
	}
	return shared.fix
}

func load(sandboxTopo *topology.Topology) (*fixture, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	topo := *sandboxTopo
	topo.Tables = map[string]topology.Table{}
	for table, key := range schema.Sharding() {
		topo.Tables[table] = topology.Table{Column: key.Column, Vindex: key.Vindex}
	}
	if _, err := schema.Load(ctx, schema.LoadConfig{Topology: &topo, Generator: data, Drop: true}); err != nil {
		return nil, err
	}
	if err := waitReplicas(ctx, &topo); err != nil {
		return nil, err
	}
	f := &fixture{topo: &topo, users: map[uint64]schema.User{}, images: map[uint64]schema.Image{}, likes: map[uint64][]schema.Like{}}
	g, err := schema.NewGenerator(data)
	if err != nil {
		return nil, err
	}
	if err := g.Users(func(u schema.User) error { f.users[u.ID] = u; return nil }); err != nil {
		return nil, err
	}
	if err := g.Images(func(img schema.Image) error { f.images[img.ID] = img; return nil }); err != nil {
		return nil, err
	}
	if err := g.Likes(func(l schema.Like) error { f.likes[l.ImageID] = append(f.likes[l.ImageID], l); return nil }); err != nil {
		return nil, err
	}
	for _, ls := range f.likes {
		slices.SortFunc(ls, func(a, b schema.Like) int { return cmp.Compare(a.ID, b.ID) })
	}
	return f, nil
}

// waitReplicas blocks, on the server, until every replica has applied its
// primary's position after the load.
func waitReplicas(ctx context.Context, topo *topology.Topology) error {
	return replica.WaitCaughtUp(ctx, topo, 0)
}

func openDB(topo *topology.Topology, addr string) (*sql.DB, error) {
	conn, err := mysql.NewConnector(topo.MySQLConfig(addr, topo.AdminCredentials()))
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(conn), nil
}

// openRouter opens a router of its own for one test or benchmark, so that
// its Stats count that test's statements alone.
func openRouter(tb testing.TB, topo *topology.Topology) *router.Router {
	tb.Helper()
	return openRouterWith(tb, topo, router.Config{})
}

func openRouterWith(tb testing.TB, topo *topology.Topology, cfg router.Config) *router.Router {
	tb.Helper()
	r, err := router.Open(context.Background(), topo, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { r.Close() })
	return r
}

// newestImages is the feed page the generator's data should give.
func (f *fixture) newestImages(n int) []schema.Image {
	all := make([]schema.Image, 0, len(f.images))
	for _, img := range f.images {
		all = append(all, img)
	}
	slices.SortFunc(all, func(a, b schema.Image) int {
		if c := b.Dt.Compare(a.Dt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	return all[:n]
}
