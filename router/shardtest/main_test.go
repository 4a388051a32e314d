package shardtest

import (
	"testing"

	"github.com/scalelab/scalelab/internal/dbtest"
)

func TestMain(m *testing.M) {
	dbtest.Main(m, dbtest.Options{BasePort: 26600, Shards: 4, Replicas: 1})
}
