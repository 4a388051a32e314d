package topology

import (
	"fmt"
	"net"
	"strconv"
)

// Netsim is the netsim section of a topology file (scalelab up --netsim):
// a relay in front of every node, so that a network fault or link latency
// can be put between one node and the others. Clients dial a node's
// address, which is its client relay; a replica dials its source through
// a link relay of its own for that pair of nodes, so that cutting one
// node's links leaves every other pair connected.
//
//	netsim:
//	  api: 127.0.0.1:24012
//	  relays:
//	    - {listen: 127.0.0.1:24000, upstream: 127.0.0.1:24006, to: 127.0.0.1:24000}
//	    - {listen: 127.0.0.1:24013, upstream: 127.0.0.1:24006, to: 127.0.0.1:24000, from: 127.0.0.1:24001}
type Netsim struct {
	// API is the relays' control address (the relay process's HTTP API).
	API    string  `yaml:"api" json:"api"`
	Relays []Relay `yaml:"relays" json:"relays"`
}

// Relay is one relay: it accepts on Listen and forwards to Upstream, the
// server of the node whose address is To. From is the address of the
// node that dials it for replication; empty for the client relay.
type Relay struct {
	Listen   string `yaml:"listen" json:"listen"`
	Upstream string `yaml:"upstream" json:"upstream"`
	To       string `yaml:"to" json:"to"`
	From     string `yaml:"from,omitempty" json:"from,omitempty"`
}

// Name is the relay's name in the relay process: unique, and safe in a URL.
func (r Relay) Name() string {
	_, port, _ := net.SplitHostPort(r.Listen)
	return "relay-" + port
}

// Client reports whether r is a node's client relay.
func (r Relay) Client() bool { return r.From == "" }

// SourceAddr is the address the node at from dials to replicate from the
// node at to: its link relay under netsim, else to itself.
func (t *Topology) SourceAddr(from, to string) string {
	if t.Netsim == nil {
		return to
	}
	for _, r := range t.Netsim.Relays {
		if r.From == from && r.To == to {
			return r.Listen
		}
	}
	return to
}

// RelaysOf returns the relays that carry the traffic of the node at addr:
// with clients, its client relay; with replication, the links it dials
// and those that dial it.
func (n *Netsim) RelaysOf(addr string, clients, replication bool) []Relay {
	if n == nil {
		return nil
	}
	var out []Relay
	for _, r := range n.Relays {
		switch {
		case r.Client() && r.To == addr && clients:
		case !r.Client() && (r.To == addr || r.From == addr) && replication:
		default:
			continue
		}
		out = append(out, r)
	}
	return out
}

// validate checks that every address is host:port and that no two relays
// listen on one address.
func (n *Netsim) validate() error {
	if n == nil {
		return nil
	}
	check := func(field, a string) error {
		host, port, err := net.SplitHostPort(a)
		if p, perr := strconv.Atoi(port); err != nil || host == "" || perr != nil || p <= 0 || p > 65535 {
			return fmt.Errorf("%w: netsim: %s: %q is not host:port", ErrInvalid, field, a)
		}
		return nil
	}
	if err := check("api", n.API); err != nil {
		return err
	}
	seen := map[string]bool{n.API: true}
	for i, r := range n.Relays {
		for field, a := range map[string]string{"listen": r.Listen, "upstream": r.Upstream, "to": r.To} {
			if err := check(fmt.Sprintf("relays[%d].%s", i, field), a); err != nil {
				return err
			}
		}
		if r.From != "" {
			if err := check(fmt.Sprintf("relays[%d].from", i), r.From); err != nil {
				return err
			}
		}
		if seen[r.Listen] {
			return fmt.Errorf("%w: netsim: relays[%d].listen: %s is used twice", ErrInvalid, i, r.Listen)
		}
		seen[r.Listen] = true
	}
	return nil
}
