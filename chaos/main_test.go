package chaos_test

import (
	"os"
	"testing"

	"github.com/scalelab/scalelab/netsim"
)

// TestMain lets this test binary run as the netsim relay process that the
// partition tests' sandbox starts.
func TestMain(m *testing.M) {
	netsim.ServeIfAsked()
	os.Exit(m.Run())
}
