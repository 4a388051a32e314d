package main

import (
	"path/filepath"
	"testing"

	"github.com/spf13/cobra"
)

// TestResolveSandbox names a sandbox every way a user can, with and
// without the environment, and checks which topology file the command
// then reads.
func TestResolveSandbox(t *testing.T) {
	dir := t.TempDir()
	other := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"default", nil, nil, ".scalelab/topology.yaml"},
		{"topology file", []string{"--topology", "x/t.yaml"}, nil, "x/t.yaml"},
		{"topology names a dir", []string{"--topology", dir}, nil, filepath.Join(dir, "topology.yaml")},
		{"dir", []string{"--dir", dir}, nil, filepath.Join(dir, "topology.yaml")},
		{"topology wins over dir", []string{"--dir", other, "--topology", dir}, nil, filepath.Join(dir, "topology.yaml")},
		{"SCALELAB_DIR", nil, map[string]string{envDir: dir}, filepath.Join(dir, "topology.yaml")},
		{"SCALELAB_TOPOLOGY", nil, map[string]string{envTopology: "y/t.yaml", envDir: dir}, "y/t.yaml"},
		{"SCALELAB_TOPOLOGY names a dir", nil, map[string]string{envTopology: dir}, filepath.Join(dir, "topology.yaml")},
		{"a flag wins over the environment", []string{"--dir", other}, map[string]string{envTopology: "y/t.yaml", envDir: dir}, filepath.Join(other, "topology.yaml")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(envDir, "")
			t.Setenv(envTopology, "")
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var topo string
			c := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
			addTopologyFlag(c, &topo)
			if err := c.ParseFlags(tc.args); err != nil {
				t.Fatal(err)
			}
			if err := resolveSandbox(c); err != nil {
				t.Fatal(err)
			}
			if topo != tc.want {
				t.Errorf("got topology %q, want %q", topo, tc.want)
			}
		})
	}
}

// TestSandboxDirFromEnv: up and demo start their sandbox in $SCALELAB_DIR
// when --dir is not given; lab, whose --dir is where its own sandboxes go,
// does not take it.
func TestSandboxDirFromEnv(t *testing.T) {
	t.Setenv(envDir, "/somewhere/sb")
	for _, tc := range []struct {
		cmd  *cobra.Command
		want string
	}{
		{newUpCmd(), "/somewhere/sb"},
		{newDemoCmd(), "/somewhere/sb"},
		{newLabCmd(), ""},
	} {
		if err := resolveSandbox(tc.cmd); err != nil {
			t.Fatal(err)
		}
		if got := tc.cmd.Flags().Lookup("dir").Value.String(); got != tc.want {
			t.Errorf("%s --dir: got %q, want %q", tc.cmd.Name(), got, tc.want)
		}
	}
}
