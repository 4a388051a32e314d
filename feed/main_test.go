package feed_test

import (
	"testing"

	"github.com/scalelab/scalelab/internal/dbtest"
)

// TestMain shares one 4-shard sandbox with a replica per shard, so that
// batches really spread over shards and reads really go to replicas.
func TestMain(m *testing.M) {
	dbtest.Main(m, dbtest.Options{BasePort: 26700, Shards: 4, Replicas: 1})
}
