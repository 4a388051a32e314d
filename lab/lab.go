package lab

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/topology"
)

// DefaultBasePort is the first port of the sandboxes the labs start: away
// from the user's sandbox (sandbox.DefaultBasePort, 24000) and from the
// ports tests use.
const DefaultBasePort = 23000

// Size names accepted by SizeNamed.
const (
	SizeSmall = "small"
	SizeDemo  = "demo"
	SizeFull  = "full"
)

// ErrUnknownLab is returned (wrapped) by Run for a name not in Names.
var ErrUnknownLab = errors.New("lab: unknown lab")

// Size says how much data the labs load and how long they measure. Zero
// fields take Demo's value.
type Size struct {
	// Name labels the size in reports.
	Name string
	// Duration is the measured time of each side of a comparison (one
	// pool size, one replica count, one query with or without the index).
	// It is split over Rounds rounds, and the sides take turns round by
	// round, so that a slow moment of the machine hits every side alike.
	Duration time.Duration
	// Warmup runs before every round of every side, unmeasured.
	Warmup time.Duration
	// Rounds is the number of interleaved rounds.
	Rounds int
	// Clients is the number of concurrent clients of the replicas and
	// shards labs.
	Clients int
	// Rows is the number of images the pool, replicas, shards and batch
	// labs load; users are a tenth of it and likes twice it.
	Rows int
	// IndexRows are the table sizes (images) of the index lab, smallest
	// first.
	IndexRows []int
	// PoolSizes are the pool sizes of the pool lab, smallest first, and
	// PoolClients the fixed number of concurrent clients they serve.
	PoolSizes   []int
	PoolClients int
	// Replicas is the largest replica count of the replicas lab, which
	// measures 0, 1, … Replicas.
	Replicas int
	// StaleChecks is the number of write-then-read pairs per consistency
	// mode and replica count.
	StaleChecks int
	// ShardCounts are the shard counts of the shards lab, smallest first.
	ShardCounts []int
	// ReshardRows is the number of images in the sandboxes that the shards
	// lab reshards (with users and likes as for Rows).
	ReshardRows int
	// FeedPages is the number of feed pages the batch lab builds each way.
	FeedPages int
}

// Small is the size of the tests: every lab in well under a minute.
func Small() Size {
	return Size{
		Name:        SizeSmall,
		Duration:    400 * time.Millisecond,
		Warmup:      50 * time.Millisecond,
		Rounds:      2,
		Clients:     4,
		Rows:        3000,
		IndexRows:   []int{1000, 8000},
		PoolSizes:   []int{1, 2, 4, 8},
		PoolClients: 8,
		Replicas:    2,
		StaleChecks: 100,
		ShardCounts: []int{1, 2, 4},
		ReshardRows: 1000,
		FeedPages:   20,
	}
}

// Demo is the size of `scalelab demo`: all seven labs in about four
// minutes on a 2-core machine.
func Demo() Size {
	return Size{
		Name:        SizeDemo,
		Duration:    2 * time.Second,
		Warmup:      100 * time.Millisecond,
		Rounds:      3,
		Clients:     8,
		Rows:        20_000,
		IndexRows:   []int{10_000, 40_000, 160_000},
		PoolSizes:   []int{1, 2, 4, 8, 16, 32, 64},
		PoolClients: 64,
		Replicas:    3,
		StaleChecks: 500,
		ShardCounts: []int{1, 2, 4, 8},
		ReshardRows: 5000,
		FeedPages:   90,
	}
}

// Full is a longer run with more data, for conclusions worth quoting:
// about fifteen minutes.
func Full() Size {
	return Size{
		Name:        SizeFull,
		Duration:    5 * time.Second,
		Warmup:      500 * time.Millisecond,
		Rounds:      5,
		Clients:     16,
		Rows:        100_000,
		IndexRows:   []int{10_000, 100_000, 1_000_000},
		PoolSizes:   []int{1, 2, 4, 8, 16, 32, 64, 128},
		PoolClients: 128,
		Replicas:    3,
		StaleChecks: 2000,
		ShardCounts: []int{1, 2, 4, 8},
		ReshardRows: 20_000,
		FeedPages:   300,
	}
}

// SizeNames lists the named sizes, smallest first.
func SizeNames() []string { return []string{SizeSmall, SizeDemo, SizeFull} }

// SizeNamed returns the named size, or an error naming the known ones.
func SizeNamed(name string) (Size, error) {
	switch name {
	case SizeSmall:
		return Small(), nil
	case SizeDemo:
		return Demo(), nil
	case SizeFull:
		return Full(), nil
	}
	return Size{}, fmt.Errorf("lab: unknown size %q: want %s", name, strings.Join(SizeNames(), ", "))
}

// withDefaults fills zero fields from Demo and checks the rest.
func (s Size) withDefaults() (Size, error) {
	d := Demo()
	if s.Name == "" {
		s.Name = "custom"
	}
	setDuration(&s.Duration, d.Duration)
	setDuration(&s.Warmup, d.Warmup)
	for _, f := range []struct {
		v   *int
		def int
	}{
		{&s.Rounds, d.Rounds}, {&s.Clients, d.Clients}, {&s.Rows, d.Rows}, {&s.PoolClients, d.PoolClients},
		{&s.Replicas, d.Replicas}, {&s.StaleChecks, d.StaleChecks}, {&s.ReshardRows, d.ReshardRows}, {&s.FeedPages, d.FeedPages},
	} {
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	for _, f := range []struct {
		v   *[]int
		def []int
	}{{&s.IndexRows, d.IndexRows}, {&s.PoolSizes, d.PoolSizes}, {&s.ShardCounts, d.ShardCounts}} {
		if len(*f.v) == 0 {
			*f.v = f.def
		}
		*f.v = slices.Clone(*f.v)
		slices.Sort(*f.v)
		*f.v = slices.Compact(*f.v)
	}
	switch {
	case s.Duration < 0 || s.Warmup < 0:
		return s, fmt.Errorf("lab: duration %v and warmup %v must not be negative", s.Duration, s.Warmup)
	case s.Rounds < 1 || s.Clients < 1 || s.PoolClients < 1 || s.StaleChecks < 1 || s.FeedPages < 1:
		return s, fmt.Errorf("lab: rounds, clients, pool clients, stale checks and feed pages must be at least 1")
	case s.Rows < 10 || s.ReshardRows < 10:
		return s, fmt.Errorf("lab: rows %d and reshard rows %d: want at least 10", s.Rows, s.ReshardRows)
	case s.Replicas < 1 || s.Replicas > 8:
		return s, fmt.Errorf("lab: %d replicas: want 1 to 8", s.Replicas)
	case s.IndexRows[0] < 10:
		return s, fmt.Errorf("lab: index table size %d: want at least 10", s.IndexRows[0])
	case s.PoolSizes[0] < 1:
		return s, fmt.Errorf("lab: pool size %d: want at least 1", s.PoolSizes[0])
	case s.ShardCounts[0] < 1 || s.ShardCounts[len(s.ShardCounts)-1] > 32:
		return s, fmt.Errorf("lab: shard counts %v: want 1 to 32", s.ShardCounts)
	}
	return s, nil
}

func setDuration(d *time.Duration, def time.Duration) {
	if *d == 0 {
		*d = def
	}
}

// Config is what Run needs. The zero value runs at Demo size in sandboxes
// under a temporary directory.
type Config struct {
	// Size is how much data and time the lab takes. Zero fields take
	// Demo's value.
	Size Size
	// BasePort is the first port of the sandboxes a lab starts; a lab takes
	// at most 30 ports from there. Labs run one after another and stop
	// their sandboxes before they return, so they share the range. Zero
	// means DefaultBasePort.
	BasePort int
	// Dir holds the sandboxes, each in a directory named after its lab and
	// shape, removed when the lab ends (kept after a failure, for the
	// servers' error logs). Empty means a new temporary directory, always
	// removed.
	Dir string
	// Topology, when set, is where the index, pool, replicas and batch labs
	// run instead of a sandbox of their own. They drop and reload the
	// sample tables (users, images, likes) in its database. The shards lab
	// always starts its own sandboxes: it needs 1, 2, 4 and 8 shards.
	Topology *topology.Topology
	// Server is the server binary for sandboxes. The zero value means
	// sandbox.FindServer.
	Server sandbox.Server
	// NoMachines runs every node of the labs' own sandboxes on the host's
	// shared cores. By default, where cgroups can be used, each node is a
	// simulated machine with a CPU quota sized so that the largest sandbox
	// of a lab takes half the host's cores, leaving the rest to the client;
	// where they cannot, the nodes share the cores and the verdicts say so.
	NoMachines bool
	// Progress, if set, receives one line per step (loading, measuring), for
	// a CLI to show on stderr.
	Progress func(line string)
}

// lab is one registered experiment.
type lab struct {
	name     string
	title    string
	question string
	// ownSandbox is set when the lab starts its own sandboxes even when
	// Config.Topology is set.
	ownSandbox bool
	// measures says what the lab measures, for Catalog.
	measures string
	run      func(ctx context.Context, e *env) (*Experiment, error)
}

// labs returns the registry, in the order `lab all` runs them.
func labs() []lab {
	return []lab{
		{name: "index", run: runIndex,
			measures: "the front page query and a lookup by user, without and with an index, at several table sizes: EXPLAIN side by side, rows examined, latency, QPS, and what the index costs inserts",
			title:    "Indexes: O(n) scans against O(log n) lookups",
			question: "What does an index buy a query, how does that change as the table grows, and what does it cost inserts?"},
		{name: "pool", run: runPool,
			measures: "pool sizes 1, 2, 4, … 64 at a fixed number of clients against a node of known CPU: QPS, p99 and pool waits, and where more connections stop helping",
			title:    "Connection pool size",
			question: "At a fixed number of clients, where does adding pooled connections stop helping, and why?"},
		{name: "replicas", run: runReplicas,
			measures: "0 to 3 replicas on a 90% read mix: read QPS against the ideal, the primary's write ceiling, p99, replication lag, and stale reads under each consistency mode",
			title:    "Read replicas (X axis)",
			question: "What do replicas add to a read-heavy workload, how far behind do they fall, and how often does a read miss a fresh write under each consistency mode?"},
		{name: "shards", run: runShards, ownSandbox: true,
			measures: "1, 2, 4 and 8 shards: targeted QPS against the ideal, scatter queries, rows per shard, the hot shard of a skewed read, and the rows that move when a shard is added (hash ranges against modulo)",
			title:    "Sharding by key (Z axis)",
			question: "How do targeted and scatter queries behave as shards are added, how evenly does the hash spread rows, and how many rows move when a shard is added?"},
		{name: "cube", run: runCube, ownSandbox: true,
			measures: "one application on one machine, then with a replica (X), its likes table in a keyspace of its own (Y), and that keyspace sharded (Z): read and write capacity at each step, and the first primary's CPU",
			title:    "The scale cube: X, Y and Z side by side",
			question: "Which axis relieves which bottleneck: do replicas, a split by function or a split by key raise reads, writes, or both?"},
		{name: "failover", run: runFailover, ownSandbox: true,
			measures: "the primary killed under writes, with async and with semi-sync replication: how long writes were unavailable, and which acknowledged writes were lost",
			title:    "High availability: failover, async against semi-sync",
			question: "When a primary dies, how long are writes unavailable, and are acknowledged writes lost?"},
		{name: "batch", run: runBatch,
			measures: "a feed page built with N+1 queries against a dataloader: latency, statements and round trips",
			title:    "N+1 queries against batched loading",
			question: "What does a dataloader save a feed page, in statements and in time, over one query per item?"},
	}
}

// Names lists the labs in the order `scalelab lab all` runs them.
func Names() []string {
	ls := labs()
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.name
	}
	return out
}

// Catalog lists the labs and what each measures, wrapped for a command's
// help: a name column, then the text.
func Catalog() string {
	var b strings.Builder
	for _, l := range labs() {
		line := fmt.Sprintf("  %-9s ", l.name)
		for _, w := range strings.Fields(l.measures) {
			if len(line)+1+len(w) > 76 {
				b.WriteString(strings.TrimRight(line, " ") + "\n")
				line = strings.Repeat(" ", 12)
			}
			line += w + " "
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// NeedsOwnSandbox reports whether the named lab starts sandboxes of its own
// even when Config.Topology is set.
func NeedsOwnSandbox(name string) bool {
	l, err := lookup(name)
	return err == nil && l.ownSandbox
}

func lookup(name string) (lab, error) {
	for _, l := range labs() {
		if l.name == name {
			return l, nil
		}
	}
	return lab{}, fmt.Errorf("%w %q: want one of %s, or all", ErrUnknownLab, name, strings.Join(Names(), ", "))
}

// Run runs the named lab: it starts the sandboxes it needs (or uses
// cfg.Topology), loads its data, measures both sides of its comparison, and
// returns the Experiment with a verdict computed from those measurements.
// Every sandbox it started is stopped before it returns, also when ctx is
// cancelled (Ctrl-C) or a step fails. Errors name the lab and the step.
func Run(ctx context.Context, name string, cfg Config) (*Experiment, error) {
	exp, _, err := run(ctx, name, cfg)
	return exp, err
}

// run is Run that also returns the measurements the verdict came from, for
// tests to check the verdict against.
func run(ctx context.Context, name string, cfg Config) (*Experiment, any, error) {
	l, err := lookup(name)
	if err != nil {
		return nil, nil, err
	}
	e, err := newEnv(ctx, l, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("lab %s: %w", name, err)
	}
	start := time.Now()
	if e.machines.on {
		// The client (this process: the bench and the router) runs on the
		// cores the sandboxes leave it.
		restore, err := e.machines.pinClient()
		if err != nil {
			e.close(true)
			return nil, nil, fmt.Errorf("lab %s: %w", name, err)
		}
		defer func() {
			if err := restore(); err != nil {
				// The next lab would probe the host from the client's CPUs.
				e.say("could not give this process its CPUs back: %v", err)
			}
		}()
	}
	exp, err := l.run(ctx, e)
	if cerr := e.close(err != nil); err == nil {
		err = cerr
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, fmt.Errorf("lab %s: interrupted, every sandbox it started is stopped: %w", name, context.Cause(ctx))
		}
		return nil, nil, fmt.Errorf("lab %s: %w", name, err)
	}
	exp.Name, exp.Title, exp.Question = l.name, l.title, l.question
	if exp.Params == nil {
		exp.Params = map[string]any{}
	}
	exp.Params["size"] = e.cfg.Size.Name
	exp.Params["cpu_cores"] = runtime.NumCPU()
	if e.machines.on {
		exp.Params["client_cores"] = e.machines.clientProcs()
	}
	exp.Params["elapsed_s"] = roundTo(time.Since(start).Seconds(), 1)
	if e.server != "" {
		exp.Params["server"] = e.server
	}
	return exp, e.measured, nil
}

// RunAll runs the named labs one after another and collects them in a
// Report. done, if set, is called with each finished Experiment. On an
// error it returns the Report of the labs that finished, with the error.
func RunAll(ctx context.Context, names []string, cfg Config, done func(*Experiment)) (*Report, error) {
	rep := &Report{Version: ReportVersion, Started: time.Now().UTC(), Experiments: []Experiment{}}
	rep.Topology = "sandboxes started by each lab"
	sandboxes := cfg.Topology == nil
	for _, name := range names {
		sandboxes = sandboxes || NeedsOwnSandbox(name)
	}
	if cfg.Topology != nil {
		rep.Topology, rep.Flavor = cfg.Topology.Name, cfg.Topology.Flavor
	}
	if sandboxes && cfg.Server.Path == "" {
		// Find the server once, not once per lab.
		srv, err := sandbox.FindServer(ctx)
		if err != nil {
			return rep, err
		}
		cfg.Server = srv
	}
	if cfg.Server.Path != "" {
		rep.Flavor, rep.Server = cfg.Server.Flavor.Name(), cfg.Server.Version.String()
	}
	for _, name := range names {
		exp, err := Run(ctx, name, cfg)
		if err != nil {
			rep.Elapsed = roundTo(time.Since(rep.Started).Seconds(), 1)
			return rep, err
		}
		rep.Experiments = append(rep.Experiments, *exp)
		if done != nil {
			done(exp)
		}
	}
	rep.Elapsed = roundTo(time.Since(rep.Started).Seconds(), 1)
	return rep, nil
}
