// Package keyspacetest tests the router over a topology split by function
// (the scale cube's Y axis): keyspace users holds the users table on one
// shard, keyspace media holds images and likes over two.
package keyspacetest

import (
	"testing"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/schema"
	"github.com/scalelab/scalelab/topology"
)

func TestMain(m *testing.M) {
	rules := schema.ShardedTables()
	dbtest.Main(m, dbtest.Options{BasePort: 30200, Keyspaces: sandbox.PlaceTables([]sandbox.KeyspaceConfig{
		{Name: "users", Shards: 1, Replicas: 1},
		{Name: "media", Shards: 2, Replicas: 1, Tables: map[string]topology.Table{"images": rules["images"], "likes": rules["likes"]}},
	}, rules)})
}
