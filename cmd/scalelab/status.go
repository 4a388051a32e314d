package main

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/scalelab/scalelab/proxy"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/reshard"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/topology"
	"github.com/spf13/cobra"
)

func newStatusCmd() *cobra.Command {
	var topo, format string
	c := &cobra.Command{
		Use:   "status",
		Short: "Show every node: role, address, pid, up/down, replication threads, lag, GTID",
		Long: `status connects to every node of the topology and shows its shard, role,
address, pid (for a local sandbox), whether it answers, its replication IO
and SQL threads, the server's own Seconds_Behind_Master, and its GTID
position. Lag is shown twice: the server's own Seconds_Behind_Master (whole
seconds, NULL when a thread stops) and a pt-heartbeat figure in
milliseconds (status writes a heartbeat row on each primary and reads its
age on each replica). Passwords are never printed.`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			if err := checkTableOrJSON(format); err != nil {
				return err
			}
			t, err := readTopology(c.ErrOrStderr(), topo) // a stopped sandbox shows its nodes down
			if err != nil {
				return err
			}
			sb, _ := sandbox.Open(filepath.Dir(topo)) // nil for a topology that is not a local sandbox
			return printStatus(c, t, sb, format)
		},
	}
	addTopologyFlag(c, &topo)
	c.Flags().StringVar(&format, "format", "table", "output format: table or json")
	return c
}

// proxyPort is where scalelab proxy listens by default.
var proxyPort = func() int { _, p, _ := strings.Cut(proxy.DefaultListen, ":"); n, _ := strconv.Atoi(p); return n }()

// printStatus prints every node of t, with its pid when sb runs it. The
// table (or JSON) is printed either way; the error says whether every
// shard can take writes.
func printStatus(c *cobra.Command, t *topology.Topology, sb *sandbox.Sandbox, format string) error {
	st, err := replica.ProbeStatus(c.Context(), t, 3*time.Second, sb.Pid)
	if err != nil {
		return err
	}
	if sb != nil { // CPU use over half a second, when nodes have machines
		st.AddMachines(c.Context(), sb.Usage, 500*time.Millisecond)
	}
	if err := st.AddNetwork(t.Netsim); err != nil {
		fmt.Fprintf(stderr(c), "network faults unknown: %v\n", err)
	}
	if sb != nil && sb.Topology != nil {
		if path, err := sb.ClientDefaults(); err == nil {
			st.AddConnect(path, proxyPort)
		}
	}
	var wf *reshard.Progress
	if sb != nil {
		var err error
		if wf, err = reshard.WorkflowProgress(c.Context(), sb.Cluster()); err != nil {
			fmt.Fprintf(stderr(c), "the reshard in progress: %v\n", err)
		}
		if wf != nil {
			st.Workflow = wf
		}
	}
	if err := st.Write(c.OutOrStdout(), stderr(c), format); err != nil {
		return err
	}
	if format != "json" {
		st.WriteConnect(stderr(c))
		if wf != nil {
			_ = wf.Write(stderr(c))
		}
	}
	return st.Err()
}
