// Package chaos breaks a sandbox's nodes on purpose, the way production
// breaks them, and records every action: kill (a crash), stop (a hang: the
// process is frozen, its connections stay open), resume, restart, and lag
// (a replica that applies events only after a delay), and, on a sandbox
// started with netsim relays, partition, latency and heal.
package chaos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/netsim"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/topology"
)

// Cluster is what chaos needs from a sandbox.
type Cluster interface {
	Topology() *topology.Topology
	// StateDir is where the record (LogFile) is kept.
	StateDir() string
	KillNode(ctx context.Context, name string) error
	FreezeNode(name string) error
	ThawNode(name string) error
	RestartNode(ctx context.Context, name string) error
}

// Actions.
const (
	Kill    = "kill"
	Stop    = "stop"
	Resume  = "resume"
	Restart = "restart"
	Lag     = "lag"
	// Partition cuts the node off (netsim): nothing passes in either
	// direction, and connections hang rather than fail.
	Partition = netsim.Partition
	// Latency adds Options.Delay to every round trip with the node.
	Latency = netsim.Latency
	// Heal removes the node's partition and latency.
	Heal = "heal"
)

// Actions lists them, for help and errors.
func Actions() []string {
	return []string{Kill, Stop, Resume, Restart, Lag, Partition, Latency, Heal}
}

// Options are the parameters of an action.
type Options struct {
	// Delay is the lag action's replication delay (0 removes it) and the
	// latency action's added round trip.
	Delay time.Duration
	// Traffic is what a partition or latency acts on: "all" (the default
	// for ""), "clients" (whoever dials the node: routers, monitors) or
	// "replication" (the node's links with its shard's other nodes).
	Traffic string
}

// ErrUnknownAction is returned (wrapped) for an action not in Actions.
var ErrUnknownAction = errors.New("chaos: unknown action")

// LogFile is the record of actions, a JSON object a line, in the
// cluster's StateDir.
const LogFile = sandbox.ChaosLog

// Event is one recorded action.
type Event struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"`
	Node   string    `json:"node"`
	// Delay is a lag action's replication delay, or a latency action's
	// added round trip.
	Delay string `json:"delay,omitempty"`
	// Traffic is what a partition or latency acted on.
	Traffic string `json:"traffic,omitempty"`
}

// Do acts on the named node and records it.
func Do(ctx context.Context, c Cluster, action, node string, o Options) (Event, error) {
	ev := Event{At: time.Now().UTC(), Action: action, Node: node}
	delay := o.Delay
	var err error
	switch action {
	case Partition, Latency, Heal:
		err = network(c.Topology(), action, node, o, &ev)
	case Kill:
		err = c.KillNode(ctx, node)
	case Stop:
		err = c.FreezeNode(node)
	case Resume:
		err = c.ThawNode(node)
	case Restart:
		err = c.RestartNode(ctx, node)
	case Lag:
		ev.Delay = delay.String()
		err = lag(ctx, c.Topology(), node, delay)
	default:
		return ev, fmt.Errorf("%w %q: want one of %v", ErrUnknownAction, action, Actions())
	}
	if err != nil {
		return ev, err
	}
	return ev, record(c.StateDir(), ev)
}

// network puts a fault on the node's relays, or heals them.
func network(t *topology.Topology, action, node string, o Options, ev *Event) error {
	n, err := t.Node(node)
	if err != nil {
		return err
	}
	if t.Netsim == nil {
		return fmt.Errorf("chaos: %s: %w", action, netsim.ErrNoNetsim)
	}
	scope, err := netsim.ParseScope(o.Traffic)
	if err != nil {
		return err
	}
	switch action {
	case Heal:
		return netsim.Heal(t.Netsim, n.Addr)
	case Latency:
		ev.Delay, ev.Traffic = o.Delay.String(), orAll(o.Traffic)
		return netsim.Slow(t.Netsim, n.Addr, scope, o.Delay)
	}
	ev.Traffic = orAll(o.Traffic)
	return netsim.Cut(t.Netsim, n.Addr, scope)
}

func orAll(traffic string) string {
	if traffic == "" {
		return "all"
	}
	return traffic
}

// lag makes a replica apply events delay after their commit.
func lag(ctx context.Context, t *topology.Topology, node string, delay time.Duration) error {
	if delay < 0 {
		return fmt.Errorf("chaos: delay %v: want 0 or more", delay)
	}
	nodes := t.Nodes()
	i := slices.IndexFunc(nodes, func(n topology.Node) bool { return n.Name == node })
	if i < 0 {
		return fmt.Errorf("%w: %s", topology.ErrNoNode, node)
	}
	if nodes[i].Role != topology.Replica {
		return fmt.Errorf("chaos: %s is a primary: only a replica lags", node)
	}
	f, err := flavor.Lookup(t.Flavor)
	if err != nil {
		return err
	}
	db, err := t.OpenDB(nodes[i].Addr, t.AdminCredentials(), 1)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, q := range []string{f.StopReplica(), f.Delay(delay), f.StartReplica()} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("chaos: %s: %s: %w", node, q, err)
		}
	}
	return nil
}

func record(dir string, ev Event) error {
	f, err := os.OpenFile(filepath.Join(dir, LogFile), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("chaos: record: %w", err)
	}
	defer f.Close()
	return json.NewEncoder(f).Encode(ev)
}
