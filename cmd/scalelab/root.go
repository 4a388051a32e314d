package main

import (
	"errors"
	"fmt"
	"io"
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
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &usageError{fmt.Errorf("%w (see %s --help)", err, c.CommandPath())}
	})
	root.AddCommand(newNodeCmds()...)
	root.AddCommand(newUpCmd(), newStatusCmd(), newTopCmd(), newDownCmd(), newVersionCmd(), newQueryCmd(), newReshardCmd(), newFailoverCmd(), newChaosCmd(), newLoadCmd(), newBenchCmd(), newExplainCmd(), newProxyCmd(), newReportCmd(), newLabCmd(), newDemoCmd())
	return root
}

// addTopologyFlag registers --topology on c.
func addTopologyFlag(c *cobra.Command, path *string) {
	c.Flags().StringVar(path, "topology", topology.DefaultPath, "topology file written by `scalelab up` (or docker/topology.yaml)")
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

// loadTopology reads the topology file at path, and warns on stderr when
// other users can read it, as ssh warns about a private key.
func loadTopology(stderr io.Writer, path string) (*topology.Topology, error) {
	return topology.LoadChecked(path, func(e *topology.ExposedError) { fmt.Fprintln(stderr, "warning:", e) })
}

// openSandbox opens the sandbox in the dir of the topology file topo, or
// in dir when c has a --dir flag and it was given.
func openSandbox(c *cobra.Command, dir, topo string) (*sandbox.Sandbox, error) {
	if !c.Flags().Changed("dir") {
		dir = filepath.Dir(topo)
	}
	return sandbox.Open(dir)
}
