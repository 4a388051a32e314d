package sandbox

import (
	"context"
	"fmt"
	"net"
	"strconv"

	"github.com/scalelab/scalelab/netsim"
	"github.com/scalelab/scalelab/topology"
)

// planRelays lays out the netsim relays of the sandbox's nodes: a client
// relay on each node's address, and a link relay for every ordered pair of
// nodes of a shard (any of them may replicate from any other after a
// failover), on the ports from api+1. The relays' API takes port api.
func (s *Sandbox) planRelays(t *topology.Topology, api int) *topology.Netsim {
	n := &topology.Netsim{API: net.JoinHostPort("127.0.0.1", strconv.Itoa(api))}
	server := map[string]string{} // node address → server address
	byShard := map[string][]string{}
	var order []string
	for _, st := range s.State.Nodes {
		server[st.Addr()] = net.JoinHostPort("127.0.0.1", strconv.Itoa(st.Port))
		n.Relays = append(n.Relays, topology.Relay{Listen: st.Addr(), Upstream: server[st.Addr()], To: st.Addr()})
		if st.Shard != "" {
			if _, ok := byShard[st.Shard]; !ok {
				order = append(order, st.Shard)
			}
			byShard[st.Shard] = append(byShard[st.Shard], st.Addr())
		}
	}
	port := api + 1
	for _, sh := range order {
		for _, from := range byShard[sh] {
			for _, to := range byShard[sh] {
				if from == to {
					continue
				}
				n.Relays = append(n.Relays, topology.Relay{
					Listen: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Upstream: server[to], To: to, From: from,
				})
				port++
			}
		}
	}
	return n
}

// startRelays starts the netsim relay process, when the topology has
// relays and it does not run already, and records its pid.
func (s *Sandbox) startRelays(ctx context.Context, progress func(Event)) error {
	n := s.Topology.Netsim
	if n == nil || s.relaysAlive() {
		return nil
	}
	for _, r := range n.Relays {
		if err := portFree(topology.Addr{HostPort: r.Listen}.Port()); err != nil {
			return err
		}
	}
	pid, err := netsim.Start(ctx, s.Dir, n)
	if err != nil {
		return err
	}
	s.State.RelayPid = pid
	if err := s.writeState(); err != nil {
		return err
	}
	progress(Event{Step: fmt.Sprintf("netsim relays started (pid %d, %d relays, API on %s)", pid, len(n.Relays), n.API)})
	return nil
}

func (s *Sandbox) relaysAlive() bool {
	return alive(s.State.RelayPid, netsim.Marker(s.Dir))
}

// stopRelays stops the relay process, if one runs.
func (s *Sandbox) stopRelays(ctx context.Context) error {
	if s.State.RelayPid == 0 {
		return nil
	}
	if err := terminate(ctx, s.State.RelayPid, netsim.Marker(s.Dir), failedStartGrace); err != nil {
		return fmt.Errorf("sandbox: netsim relays: %w", err)
	}
	s.State.RelayPid = 0
	return nil
}
