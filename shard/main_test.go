package shard_test

import (
	"testing"

	"github.com/scalelab/scalelab/internal/dbtest"
)

// TestMain shares one single-node sandbox among the package's integration
// tests (the sequence tests); it starts only when a test asks for it, so the
// pure unit tests run without a server.
func TestMain(m *testing.M) {
	dbtest.Main(m, dbtest.Options{BasePort: 26100, Shards: 1, Replicas: 0})
}
