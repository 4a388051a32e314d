package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/scalelab/scalelab/replica"
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
			if format != "table" && format != "json" {
				return usagef("--format %q: want table or json", format)
			}
			t, err := loadTopology(c.ErrOrStderr(), topo)
			if err != nil {
				return err
			}
			sb, _ := sandbox.Open(filepath.Dir(topo)) // nil for a topology that is not a local sandbox
			return printStatus(c, c.OutOrStdout(), t, sb, format)
		},
	}
	addTopologyFlag(c, &topo)
	c.Flags().StringVar(&format, "format", "table", "output format: table or json")
	return c
}

// statusRow is one node in status output.
type statusRow struct {
	replica.NodeStatus
	Pid int `json:"pid,omitempty"`
}

// errPrimaryDown makes status exit non-zero while a primary is down.
var errPrimaryDown = errors.New("a primary is down")

func printStatus(c *cobra.Command, w io.Writer, t *topology.Topology, sb *sandbox.Sandbox, format string) (err error) {
	st, err := replica.Probe(c.Context(), t, 3*time.Second)
	if err != nil {
		return err
	}
	var down []string
	for _, s := range st {
		if s.Role == topology.Primary && !s.Up {
			down = append(down, s.Name)
		}
	}
	// The table (or JSON) is printed either way; the exit status says
	// whether every shard can take writes.
	defer func() {
		if err == nil && len(down) > 0 {
			err = fmt.Errorf("%w: %s (writes to those shards fail; start it with scalelab start NODE)", errPrimaryDown, strings.Join(down, ", "))
		}
	}()
	rows := make([]statusRow, len(st))
	for i, s := range st {
		rows[i].NodeStatus = s
		if sb != nil {
			if _, n, err := sb.NodeState(s.Name); err == nil && n.Alive() {
				rows[i].Pid = n.Pid
			}
		}
	}
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Name   string      `json:"name"`
			Flavor string      `json:"flavor"`
			Nodes  []statusRow `json:"nodes"`
		}{t.Name, t.Flavor, rows})
	}
	tw := tablewriter.NewWriter(w)
	tw.Header("node", "shard", "role", "address", "pid", "state", "io", "sql", "lag s", "heartbeat ms", "gtid")
	for _, r := range rows {
		state, pid, lag, hb := "down", "-", "-", "-"
		if r.Up {
			state = "up"
		}
		if r.Pid > 0 {
			pid = strconv.Itoa(r.Pid)
		}
		if r.Role == topology.Replica && r.Up && r.SecondsBehind >= 0 {
			lag = strconv.FormatInt(r.SecondsBehind, 10)
		}
		if r.Role == topology.Replica && r.Up && r.HeartbeatLagMs >= 0 {
			hb = strconv.FormatFloat(r.HeartbeatLagMs, 'f', 1, 64)
		}
		io, sqlth := r.IORunning, r.SQLRunning
		if r.Role == topology.Primary {
			io, sqlth = "-", "-"
		}
		if !r.Up {
			io, sqlth = "?", "?"
		}
		shard := r.Shard
		if shard == "" {
			shard = "-" // the main node
		}
		if err := tw.Append(r.Name, shard, string(r.Role), r.Addr, pid, state, io, sqlth, lag, hb, r.GTID); err != nil {
			return err
		}
	}
	if err := tw.Render(); err != nil {
		return err
	}
	for _, r := range rows {
		switch {
		case r.Error != "":
			fmt.Fprintf(stderr(c), "%s: %s\n", r.Name, r.Error)
		case r.LastError != "":
			fmt.Fprintf(stderr(c), "%s: replication error: %s\n", r.Name, r.LastError)
		}
	}
	return nil
}

// printNodes prints the status table of a freshly started sandbox.
func printNodes(c *cobra.Command, sb *sandbox.Sandbox) error {
	return printStatus(c, c.OutOrStdout(), sb.Topology, sb, "table")
}
