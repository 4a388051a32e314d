package main

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/netsim"
	"github.com/scalelab/scalelab/sandbox"
)

// runMainEnv makes the test binary run the scalelab command instead of the
// tests, so that a test can kill a real scalelab process.
const runMainEnv = "SCALELAB_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	netsim.ServeIfAsked() // a netsim sandbox's relays run as this binary
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// startSandbox starts a sandbox in a new temp dir (short, for the socket
// paths) for the tests that run the command against real servers, on
// ports moved by SCALELAB_TEST_PORT_OFFSET like dbtest's. When t
// ends it stops whatever the dir's state file then holds, which includes
// nodes that commands run in other processes added, and deletes the dir.
func startSandbox(t *testing.T, cfg sandbox.Config) *sandbox.Sandbox {
	t.Helper()
	cfg.Server = dbtest.RequireServer(t)
	if off, err := strconv.Atoi(os.Getenv(dbtest.EnvPortOffset)); err == nil {
		cfg.BasePort += off
	}
	dir, err := os.MkdirTemp("", "scalelab-"+cfg.Name+"-")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Dir = dir
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sb, err := sandbox.Start(ctx, cfg)
	if err != nil {
		os.RemoveAll(dir)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		now := sb
		if opened, err := sandbox.Open(dir); err == nil {
			now = opened
		}
		if err := now.Stop(ctx); err != nil {
			t.Errorf("stop sandbox: %v", err)
		}
		os.RemoveAll(dir)
	})
	return sb
}
