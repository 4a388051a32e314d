package schema

import (
	"testing"

	"github.com/scalelab/scalelab/internal/dbtest"
)

// TestMain shares one 4-shard sandbox, without replicas, sharding the
// sample tables as scalelab up does, among the load tests; tests that need
// no server never start it.
func TestMain(m *testing.M) {
	dbtest.Main(m, dbtest.Options{BasePort: 26200, Shards: 4, Replicas: 0, Tables: ShardedTables()})
}
