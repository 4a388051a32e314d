package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/topology"
	"github.com/spf13/cobra"
)

// usageError marks bad command-line usage, which exits with status 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// interruptedError marks a command stopped by Ctrl-C (or SIGTERM) before
// it finished, which exits with status 130, as a shell reports a command
// that SIGINT ended: a script that goes on after a command's success must
// not take a partial result for a whole one.
type interruptedError struct{ err error }

func (e *interruptedError) Error() string { return e.err.Error() }
func (e *interruptedError) Unwrap() error { return e.err }

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "scalelab",
		Short: "A database scaling lab for MySQL and MariaDB",
		Long: `scalelab starts real MySQL/MariaDB topologies on this machine (a primary
with replicas, and shards with their own replicas), routes SQL over them
(reads to replicas and writes to the primary: the X axis of the scale cube;
hash sharding by id: the Z axis), and measures what each technique buys.

Start with:
  scalelab up --shards 2 --replicas 2
  scalelab status
  scalelab down`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionLine(),
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error { return resolveSandbox(c) }
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &usageError{fmt.Errorf("%w (see %s --help)", err, c.CommandPath())}
	})
	root.AddCommand(newNodeCmds()...)
	root.AddCommand(newUpCmd(), newStatusCmd(), newTopCmd(), newDownCmd(), newVersionCmd(), newQueryCmd(), newReshardCmd(), newMoveTablesCmd(), newVDiffCmd(), newFailoverCmd(), newChaosCmd(), newLoadCmd(), newBenchCmd(), newExplainCmd(), newProxyCmd(), newReportCmd(), newLabCmd(), newDemoCmd())
	return root
}

// Environment variables that name the sandbox when no flag does.
const (
	envDir      = "SCALELAB_DIR"
	envTopology = "SCALELAB_TOPOLOGY"
)

// addTopologyFlag registers --topology and --dir on c: two ways to name
// the sandbox a command works on (see resolveSandbox).
func addTopologyFlag(c *cobra.Command, path *string) {
	c.Flags().StringVar(path, "topology", topology.DefaultPath, "topology file written by scalelab up, or the sandbox dir holding it (or $"+envTopology+")")
	c.Flags().String("dir", sandbox.DefaultDir, "sandbox dir given to scalelab up (or $"+envDir+")")
}

// sandboxDirAnnotation marks the --dir flag of a command that starts a
// sandbox there (up, demo): $SCALELAB_DIR is its default.
const sandboxDirAnnotation = "scalelab-sandbox-dir"

// markSandboxDir says that c's --dir names the sandbox it starts.
func markSandboxDir(c *cobra.Command) {
	_ = c.Flags().SetAnnotation("dir", sandboxDirAnnotation, []string{"true"})
}

// resolveSandbox settles which sandbox c works on, the same way for every
// command: --topology (a file, or a dir holding topology.yaml), else --dir,
// else $SCALELAB_TOPOLOGY, else $SCALELAB_DIR, else .scalelab. A command
// with --dir and no --topology (up, lab, demo) takes $SCALELAB_DIR as the
// default of --dir.
func resolveSandbox(c *cobra.Command) error {
	f := c.Flags()
	top, dir := f.Lookup("topology"), f.Lookup("dir")
	if top == nil {
		if dir != nil && !dir.Changed && dir.Annotations[sandboxDirAnnotation] != nil && os.Getenv(envDir) != "" {
			return dir.Value.Set(os.Getenv(envDir))
		}
		return nil
	}
	path := top.Value.String()
	switch {
	case top.Changed:
	case dir != nil && dir.Changed:
		path = filepath.Join(dir.Value.String(), "topology.yaml")
	case os.Getenv(envTopology) != "":
		path = os.Getenv(envTopology)
	case os.Getenv(envDir) != "":
		path = filepath.Join(os.Getenv(envDir), "topology.yaml")
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, "topology.yaml")
	}
	if path != top.Value.String() {
		if err := top.Value.Set(path); err != nil {
			return err
		}
	}
	return nil
}

// exactArgs is cobra.ExactArgs with a usage error.
func exactArgs(n int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s takes %d argument(s), got %d (see %s --help)", c.Name(), n, len(args), c.CommandPath())
		}
		return nil
	}
}

// minArgs is cobra.MinimumNArgs with a usage error.
func minArgs(n int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) < n {
			return usagef("%s takes at least %d argument(s), got %d (see %s --help)", c.Name(), n, len(args), c.CommandPath())
		}
		return nil
	}
}

func stderr(c *cobra.Command) io.Writer { return c.ErrOrStderr() }

// checkTableOrJSON checks a --format flag of table or json.
func checkTableOrJSON(format string) error {
	if format != "table" && format != "json" {
		return usagef("--format %q: want table or json", format)
	}
	return nil
}

// joinNames joins names with ", ", for flag help and messages.
func joinNames[T ~string](names []T) string {
	s := make([]string, len(names))
	for i, n := range names {
		s[i] = string(n)
	}
	return strings.Join(s, ", ")
}

// noNodeIsUsage makes an error about a node name that the topology does
// not have a usage error: the name came from the command line.
func noNodeIsUsage(err error) error {
	if errors.Is(err, topology.ErrNoNode) {
		return &usageError{err}
	}
	return err
}

// readTopology reads the topology file at path, and warns on stderr when
// other users can read it, as ssh warns about a private key.
func readTopology(stderr io.Writer, path string) (*topology.Topology, error) {
	return topology.LoadChecked(path, func(e *topology.ExposedError) { fmt.Fprintln(stderr, "warning:", e) })
}

// ErrStopped is returned (wrapped) for a command that needs servers when
// the sandbox the topology belongs to runs none.
var ErrStopped = errors.New("the sandbox is stopped")

// loadTopology is readTopology for a command that talks to the servers:
// when the topology belongs to a local sandbox of which no node runs, it
// says so, and how to start it, rather than letting the first connection
// fail.
func loadTopology(stderr io.Writer, path string) (*topology.Topology, error) {
	t, err := readTopology(stderr, path)
	if err != nil {
		return nil, err
	}
	if sb, err := sandbox.Open(filepath.Dir(path)); err == nil && len(sb.State.Nodes) > 0 && len(sb.Running()) == 0 {
		return nil, fmt.Errorf("%w: none of the %d nodes in %s runs; start it with scalelab up --dir %s", ErrStopped, len(sb.State.Nodes), sb.Dir, sb.Dir)
	}
	return t, nil
}

// openSandbox opens the sandbox that holds the topology file topo (as
// resolveSandbox settled it).
func openSandbox(topo string) (*sandbox.Sandbox, error) {
	return sandbox.Open(filepath.Dir(topo))
}
