package shardtest

import (
	"testing"

	"github.com/scalelab/scalelab/internal/dbtest"
)

// The sandbox has 4 shards with a replica each, and a main node that holds
// the id sequences.
func TestMain(m *testing.M) {
	dbtest.Main(m, dbtest.Options{BasePort: 26600, Shards: 4, Replicas: 1, Main: true})
}
