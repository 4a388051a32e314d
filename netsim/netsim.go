// Package netsim runs the relays of scalelab up --netsim and puts network
// faults on them: a partition (nothing passes either way, the way packets
// are dropped: connections stay open and their bytes wait, so a short
// partition heals as TCP would heal it) and link latency. The relays are
// toxiproxy proxies, run in a process of their own so that they outlive
// the command that started them, like the servers.
package netsim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	toxi "github.com/Shopify/toxiproxy/v2/client"
	"github.com/Shopify/toxiproxy/v2/toxics"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/scalelab/scalelab/topology"
)

// Files in the sandbox dir.
const (
	ConfigFile = "netsim.json"
	LogFile    = "netsim.log"
)

// envServe, set in the environment of a process that ServeIfAsked is called
// in, turns that process into the relay process.
const envServe = "SCALELAB_NETSIM_RELAY"

// serveArg is the relay process's first argument; its second is the
// config file, which marks the process as this sandbox's.
const serveArg = "netsim-relay"

// ErrUnavailable is returned (wrapped) when the relay process does not
// answer: the sandbox is stopped, or the process died.
var ErrUnavailable = errors.New("netsim: the relays do not answer")

// partitionToxic holds every byte until it is removed: the stream stalls
// and backs up, as it does when packets are dropped, and flows again,
// nothing lost, when the partition heals.
type partitionToxic struct{}

func (partitionToxic) Pipe(stub *toxics.ToxicStub) { <-stub.Interrupt }

const partitionType = "scalelab_partition"

func init() { toxics.Register(partitionType, new(partitionToxic)) }

// ServeIfAsked runs the relay process and exits, when this process was
// started as one (by Start); otherwise it returns at once. Call it first
// in main, and in TestMain of tests that start sandboxes with relays, since
// Start runs the current executable.
func ServeIfAsked() {
	if os.Getenv(envServe) == "" || len(os.Args) < 3 || os.Args[1] != serveArg {
		return
	}
	if err := serve(os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "netsim:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func serve(config string) error {
	b, err := os.ReadFile(config)
	if err != nil {
		return err
	}
	var n topology.Netsim
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("%s: %w", config, err)
	}
	logger := zerolog.New(os.Stderr).Level(zerolog.WarnLevel).With().Timestamp().Logger()
	server := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), logger)
	for _, r := range n.Relays {
		p := toxiproxy.NewProxy(server, r.Name(), r.Listen, r.Upstream)
		if err := server.Collection.Add(p, true); err != nil {
			return fmt.Errorf("relay %s → %s: %w", r.Listen, r.Upstream, err)
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- server.Listen(n.API) }()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case err := <-errc:
		return err
	case <-sig:
		return server.Shutdown()
	}
}

// Start starts the relay process for n, with its config and log in dir,
// and returns its pid once its API answers. The process runs in a session
// of its own and outlives the caller; stop it with Stop.
func Start(ctx context.Context, dir string, n *topology.Netsim) (int, error) {
	config := filepath.Join(dir, ConfigFile)
	b, err := json.MarshalIndent(n, "", "  ")
	if err != nil {
		return 0, err
	}
	if err := os.WriteFile(config, b, 0o600); err != nil {
		return 0, fmt.Errorf("netsim: %w", err)
	}
	exe, err := os.Executable()
	if err != nil {
		return 0, fmt.Errorf("netsim: find this program to run the relays: %w", err)
	}
	logf, err := os.OpenFile(filepath.Join(dir, LogFile), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, fmt.Errorf("netsim: %w", err)
	}
	defer logf.Close()
	cmd := exec.Command(exe, serveArg, config)
	cmd.Env = append(os.Environ(), envServe+"=1")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("netsim: start the relays: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	c := toxi.NewClient(n.API)
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		if _, err := c.Version(); err == nil {
			return cmd.Process.Pid, nil
		}
		select {
		case err := <-exited:
			return 0, fmt.Errorf("netsim: the relay process exited (%v); see %s", err, filepath.Join(dir, LogFile))
		case <-ctx.Done():
			_ = cmd.Process.Kill()
			return 0, ctx.Err()
		case <-deadline.C:
			_ = cmd.Process.Kill()
			return 0, fmt.Errorf("netsim: the relays' API on %s did not answer within 10s; see %s", n.API, filepath.Join(dir, LogFile))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Marker is what the relay process of the sandbox in dir has in its
// command line, to tell it from a process that took a recycled pid.
func Marker(dir string) string { return filepath.Join(dir, ConfigFile) }

// Fault names.
const (
	Partition = "partition"
	Latency   = "latency"
)

// Scope says which of a node's traffic a fault cuts or slows.
type Scope struct {
	// Clients is the traffic of everything that dials the node's address:
	// routers, benches, the failover monitor, scalelab status.
	Clients bool
	// Replication is the node's links with the other nodes of its shard,
	// in both directions.
	Replication bool
}

// All is every kind of traffic.
var All = Scope{Clients: true, Replication: true}

// ParseScope reads "all", "clients" or "replication".
func ParseScope(s string) (Scope, error) {
	switch s {
	case "", "all":
		return All, nil
	case "clients":
		return Scope{Clients: true}, nil
	case "replication":
		return Scope{Replication: true}, nil
	}
	return Scope{}, fmt.Errorf("netsim: traffic %q: want all, clients or replication", s)
}

// ErrNoNetsim is returned (wrapped) for a fault on a topology without
// relays.
var ErrNoNetsim = errors.New("netsim: the sandbox has no relays: start it with `scalelab up --netsim`")

// Cut partitions the node at addr from the traffic in scope: nothing it
// sends or is sent passes, in either direction, until Heal.
func Cut(n *topology.Netsim, addr string, scope Scope) error {
	return each(n, addr, scope, func(_ topology.Relay, p *toxi.Proxy) error {
		for _, dir := range []string{"upstream", "downstream"} {
			if _, err := p.AddToxic(toxicName(Partition+"-"+dir, addr), partitionType, dir, 1, nil); err != nil && !exists(err) {
				return err
			}
		}
		return nil
	})
}

// Slow adds d of round-trip latency to the traffic in scope (to the
// answers, so every round trip pays it once).
func Slow(n *topology.Netsim, addr string, scope Scope, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("netsim: latency %v: want more than 0", d)
	}
	return each(n, addr, scope, func(_ topology.Relay, p *toxi.Proxy) error {
		attrs := toxi.Attributes{"latency": d.Milliseconds()}
		name := toxicName(Latency, addr)
		if _, err := p.AddToxic(name, "latency", "downstream", 1, attrs); err != nil {
			if !exists(err) {
				return err
			}
			_, err = p.UpdateToxic(name, 1, attrs)
			return err
		}
		return nil
	})
}

// Heal removes the faults put on the node at addr from its relays. Bytes
// held by a partition flow on. A link to another node that is cut off
// itself stays cut until that node heals too.
func Heal(n *topology.Netsim, addr string) error {
	return each(n, addr, All, func(_ topology.Relay, p *toxi.Proxy) error {
		ts, err := owned(p, addr)
		if err != nil {
			return err
		}
		for _, t := range ts {
			if err := p.RemoveToxic(t.Name); err != nil {
				return err
			}
		}
		return nil
	})
}

// toxicName names a fault put on a relay for the node at owner, so that
// healing one node leaves another's faults on a link they share.
func toxicName(kind, owner string) string {
	_, port, _ := net.SplitHostPort(owner)
	return kind + "-" + port
}

// owned returns the faults on relay p that were put there for the node at
// addr.
func owned(p *toxi.Proxy, addr string) ([]toxi.Toxic, error) {
	ts, err := p.Toxics()
	if err != nil {
		return nil, err
	}
	_, port, _ := net.SplitHostPort(addr)
	return slices.DeleteFunc(ts, func(t toxi.Toxic) bool { return !strings.HasSuffix(t.Name, "-"+port) }), nil
}

// Faults returns the faults put on the node at addr, by relay listen
// address.
func Faults(n *topology.Netsim, addr string) (map[string][]string, error) {
	out := map[string][]string{}
	err := each(n, addr, All, func(_ topology.Relay, p *toxi.Proxy) error {
		ts, err := owned(p, addr)
		if err != nil {
			return err
		}
		for _, t := range ts {
			out[p.Listen] = append(out[p.Listen], t.Name)
		}
		return nil
	})
	return out, err
}

// each runs fn on every relay that carries the traffic in scope of the node
// at addr.
func each(n *topology.Netsim, addr string, scope Scope, fn func(topology.Relay, *toxi.Proxy) error) error {
	if n == nil {
		return ErrNoNetsim
	}
	relays := n.RelaysOf(addr, scope.Clients, scope.Replication)
	if len(relays) == 0 {
		return fmt.Errorf("netsim: no relay carries %s's traffic", addr)
	}
	return onRelays(n, relays, fn)
}

// onRelays runs fn on each of relays, through the relay process's API.
func onRelays(n *topology.Netsim, relays []topology.Relay, fn func(topology.Relay, *toxi.Proxy) error) error {
	c := toxi.NewClient(n.API)
	for _, r := range relays {
		p, err := c.Proxy(r.Name())
		if err != nil {
			return fmt.Errorf("%w on %s: %v", ErrUnavailable, n.API, err)
		}
		if err := fn(r, p); err != nil {
			return fmt.Errorf("netsim: relay %s: %w", r.Listen, err)
		}
	}
	return nil
}

// exists reports whether err is the API's answer to a toxic that is
// already there (409 Conflict).
func exists(err error) bool {
	var apiErr *toxi.ApiError
	return errors.As(err, &apiErr) && apiErr.Status == http.StatusConflict
}

// Describe says, in a few words, which faults were put on the node at
// addr: "partition (clients, replication)", "latency 50ms (clients)", or
// nothing for a healthy network.
func Describe(n *topology.Netsim, addr string) ([]string, error) {
	if n == nil {
		return nil, nil
	}
	sides := map[string][]string{}
	var order []string
	err := onRelays(n, n.RelaysOf(addr, true, true), func(r topology.Relay, p *toxi.Proxy) error {
		ts, err := owned(p, addr)
		if err != nil {
			return err
		}
		side := "replication"
		if r.Client() {
			side = "clients"
		}
		for _, t := range ts {
			what := Partition
			if t.Type == "latency" {
				what = fmt.Sprintf("%s %vms", Latency, t.Attributes["latency"])
			}
			if _, ok := sides[what]; !ok {
				order = append(order, what)
			}
			if !slices.Contains(sides[what], side) {
				sides[what] = append(sides[what], side)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, len(order))
	for i, what := range order {
		out[i] = what + " (" + strings.Join(sides[what], ", ") + ")"
	}
	return out, nil
}
