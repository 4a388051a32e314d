package replica

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scalelab/scalelab/internal/table"
	"github.com/scalelab/scalelab/netsim"
	"github.com/scalelab/scalelab/topology"
)

// ErrPrimaryDown is returned (wrapped) by Status.Err while a primary is
// down.
var ErrPrimaryDown = errors.New("a primary is down")

// Status is every node of a topology as Probe found it: what scalelab
// status shows.
type Status struct {
	Name   string       `json:"name"`
	Flavor string       `json:"flavor"`
	Nodes  []NodeStatus `json:"nodes"`

	netsim bool // the topology has relays: the table shows a network column
	// Proxy is a command line that opens a client session through scalelab
	// proxy on its default address, when AddConnect set it.
	Proxy string `json:"proxy_connect,omitempty"`
	// Workflow is a reshard or table move in progress, as its package
	// reports it; nil when none is.
	Workflow any `json:"workflow,omitempty"`
}

// AddConnect sets each node's Connect, and Proxy, to a mariadb command
// line that reads the user, password and database from defaults (a
// sandbox's client defaults file).
func (s *Status) AddConnect(defaults string, proxyPort int) {
	for i := range s.Nodes {
		addr := topology.Addr{HostPort: s.Nodes[i].Addr}
		s.Nodes[i].Connect = fmt.Sprintf("mariadb --defaults-file=%s -h %s -P %d", defaults, addr.Host(), addr.Port())
	}
	s.Proxy = fmt.Sprintf("mariadb --defaults-file=%s -h 127.0.0.1 -P %d", defaults, proxyPort)
}

// WriteConnect writes, after the table, how to connect to each node and
// to the proxy, when AddConnect was called.
func (s *Status) WriteConnect(w io.Writer) {
	if s.Proxy == "" {
		return
	}
	fmt.Fprintln(w, "connect (the password is in the defaults file):")
	width := len("proxy")
	for _, n := range s.Nodes {
		width = max(width, len(n.Name))
	}
	for _, n := range s.Nodes {
		fmt.Fprintf(w, "  %-*s %s\n", width, n.Name, n.Connect)
	}
	fmt.Fprintf(w, "  %-*s %s   (once scalelab proxy runs)\n", width, "proxy", s.Proxy)
}

// ProbeStatus probes every node of t (see Probe) and sets each node's Pid
// to pid(node name); pid may be nil, for a topology that no local sandbox
// runs.
func ProbeStatus(ctx context.Context, t *topology.Topology, timeout time.Duration, pid func(node string) int) (*Status, error) {
	st, err := Probe(ctx, t, timeout)
	if err != nil {
		return nil, err
	}
	if pid != nil {
		for i := range st {
			st[i].Pid = pid(st[i].Name)
		}
	}
	return &Status{Name: t.Name, Flavor: t.Flavor, Nodes: st}, nil
}

// AddNetwork fills each node's Network from the netsim relays of n, and
// marks the status as having them; nil n does nothing.
func (s *Status) AddNetwork(n *topology.Netsim) error {
	if n == nil {
		return nil
	}
	s.netsim = true
	for i := range s.Nodes {
		faults, err := netsim.Describe(n, s.Nodes[i].Addr)
		if err != nil {
			return err
		}
		s.Nodes[i].Network = faults
	}
	return nil
}

// Err returns an error wrapping ErrPrimaryDown that names the primaries
// that are down, or nil: writes to their shards fail.
func (s *Status) Err() error {
	var down []string
	for _, n := range s.Nodes {
		if n.Role == topology.Primary && !n.Up {
			down = append(down, n.Name)
		}
	}
	if len(down) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s (writes to those shards fail; start it with scalelab start NODE)", ErrPrimaryDown, strings.Join(down, ", "))
}

// Write writes s to w as JSON when format is "json", and otherwise as a
// table (WriteTable), with the nodes' problems (WriteProblems) on
// problems. It returns w's errors.
func (s *Status) Write(w, problems io.Writer, format string) error {
	if format == "json" {
		return s.WriteJSON(w)
	}
	if err := s.WriteTable(w); err != nil {
		return err
	}
	s.WriteProblems(problems)
	return nil
}

// WriteJSON writes s as indented JSON.
func (s *Status) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// WriteTable prints a row per node: shard, role, address, pid, up or
// down, replication threads, both lags and the GTID position; "-" where a
// value does not apply, "?" for the threads of a node that is down.
func (s *Status) WriteTable(w io.Writer) error {
	header := []string{"node", "shard", "role", "address", "pid", "state", "io", "sql", "lag s", "heartbeat ms", "gtid"}
	machines := slices.ContainsFunc(s.Nodes, func(n NodeStatus) bool { return n.Machine != nil })
	if machines {
		header = append(header, "cpu cores", "throttled", "memory")
	}
	semiSync := slices.ContainsFunc(s.Nodes, func(n NodeStatus) bool { return n.SemiSync != "" })
	if semiSync {
		header = append(header, "semisync")
	}
	if s.netsim {
		header = append(header, "network")
	}
	var rows [][]string
	for _, r := range s.Nodes {
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
		row := []string{r.Name, shard, string(r.Role), r.Addr, pid, state, io, sqlth, lag, hb, r.GTID}
		if machines {
			row = append(row, r.Machine.cells()...)
		}
		if semiSync {
			row = append(row, semiSyncCell(r))
		}
		if s.netsim {
			net := strings.Join(r.Network, "; ")
			if net == "" {
				net = "ok"
			}
			row = append(row, net)
		}
		rows = append(rows, row)
	}
	return table.Write(w, header, rows)
}

// semiSyncCell says what semi-sync does on a node: a primary that waits
// for acknowledgements, or fell back to async; a replica that acknowledges.
func semiSyncCell(r NodeStatus) string {
	switch {
	case !r.Up || r.SemiSync == "":
		return "-"
	case r.Role == topology.Primary && r.SemiSync == "off":
		return "off (async)"
	}
	return r.SemiSync
}

// WriteProblems prints a line per node that could not be probed or whose
// replication stopped with an error.
func (s *Status) WriteProblems(w io.Writer) {
	for _, r := range s.Nodes {
		switch {
		case r.Error != "":
			fmt.Fprintf(w, "%s: %s\n", r.Name, r.Error)
		case r.LastError != "":
			fmt.Fprintf(w, "%s: replication error: %s\n", r.Name, r.LastError)
		}
	}
}
