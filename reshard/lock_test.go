package reshard_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/reshard"
	"github.com/scalelab/scalelab/sandbox"
)

// TestWorkflowLock takes a sandbox's workflow lock as another command
// would, with an online reshard caught up, and checks that every
// workflow entry point (the switch, --cancel, vdiff, Forget) refuses at
// once with ErrBusy naming the holder, and changes nothing: the state,
// the topology and the nodes are as they were. Once the lock is
// released, the switch runs.
func TestWorkflowLock(t *testing.T) {
	sb := startSandbox(t, 2, 25800, "hash") // BasePort: 25800
	load(t, sb.Topology)
	if _, err := runOn(t, sb.Dir, reshard.Config{Shards: 4, Online: true}); !errors.Is(err, reshard.ErrStopped) {
		t.Fatalf("online run: %v, want it to stop caught up", err)
	}
	files := func() map[string][]byte { return dbtest.WorkflowFiles(t, sb.Dir) }
	before := files()
	lock, err := reshard.LockDir(sb.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	holder := fmt.Sprintf("(pid %d: %s", os.Getpid(), filepath.Base(os.Args[0]))
	for _, tc := range []struct {
		name string
		run  func() error
	}{
		{"switch", func() error { _, err := runOn(t, sb.Dir, reshard.Config{Switch: true}); return err }},
		{"cancel", func() error { _, err := runOn(t, sb.Dir, reshard.Config{Cancel: true}); return err }},
		{"vdiff", func() error {
			s, err := sandbox.Open(sb.Dir)
			if err != nil {
				t.Fatal(err)
			}
			_, err = reshard.VDiff(context.Background(), reshard.VDiffConfig{Cluster: s.Cluster()})
			return err
		}},
		{"forget", func() error { return reshard.Forget(sb.Dir) }},
		{"lock", func() error { l, err := reshard.LockDir(sb.Dir); l.Release(); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if !errors.Is(err, reshard.ErrBusy) {
				t.Fatalf("got %v, want ErrBusy", err)
			}
			if !strings.Contains(err.Error(), holder) || !strings.HasSuffix(err.Error(), "; wait for it to end") {
				t.Errorf("got %q, want it to name the holder %s…)", err, holder)
			}
		})
	}
	for f, b := range files() {
		if !bytes.Equal(b, before[f]) {
			t.Errorf("%s changed while another command held the lock", f)
		}
	}
	if err := lock.Release(); err != nil {
		t.Fatal(err)
	}
	res, err := runOn(t, sb.Dir, reshard.Config{Switch: true})
	if err != nil {
		t.Fatalf("the switch once the lock is released: %v", err)
	}
	if res.Stage != reshard.StageSwitched {
		t.Errorf("stage %q after the switch, want %q", res.Stage, reshard.StageSwitched)
	}
}
