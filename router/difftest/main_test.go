package difftest

import (
	"testing"

	"github.com/scalelab/scalelab/internal/dbtest"
)

// Four shards with a replica each: reads take the real replica path.
func TestMain(m *testing.M) {
	dbtest.Main(m, dbtest.Options{BasePort: 28500, Shards: 4, Replicas: 1})
}
