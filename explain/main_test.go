package explain_test

import (
	"testing"

	"github.com/scalelab/scalelab/internal/dbtest"
)

func TestMain(m *testing.M) {
	dbtest.Main(m, dbtest.Options{BasePort: 28600, Shards: 1, Replicas: 1})
}
