package lab

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/schema"
	"github.com/scalelab/scalelab/topology"
)

// stopTimeout bounds stopping a lab's sandboxes, which runs even after
// ctx is cancelled.
const stopTimeout = time.Minute

// env is one run of one lab: its validated Config, and the sandboxes it
// started, which close stops.
type env struct {
	cfg    Config
	lab    string
	dir    string // where this lab's sandboxes go
	tmp    bool   // dir is a temporary directory of ours
	server string // "mariadb 10.11.6", once known
	// measured is what the lab's verdict was computed from (one of the
	// *Measurements types), kept for tests.
	measured any
	// machines says whether the sandboxes' nodes get simulated machines.
	machines machines

	mu        sync.Mutex
	sandboxes []*sandbox.Sandbox
}

func newEnv(ctx context.Context, l lab, cfg Config) (*env, error) {
	var err error
	if cfg.Size, err = cfg.Size.withDefaults(); err != nil {
		return nil, err
	}
	if cfg.BasePort == 0 {
		cfg.BasePort = DefaultBasePort
	}
	if cfg.BasePort < 1024 || cfg.BasePort > 65535-portSpan {
		return nil, fmt.Errorf("base port %d: want 1024 to %d", cfg.BasePort, 65535-portSpan)
	}
	e := &env{cfg: cfg, lab: l.name}
	if cfg.Topology != nil && !l.ownSandbox {
		if err := cfg.Topology.Validate(); err != nil {
			return nil, err
		}
		return e, nil
	}
	if e.cfg.Server.Path == "" {
		if e.cfg.Server, err = sandbox.FindServer(ctx); err != nil {
			return nil, err
		}
	}
	e.server = e.cfg.Server.Flavor.Name() + " " + e.cfg.Server.Version.String()
	e.machines = probeMachines(cfg.NoMachines)
	if cfg.Dir == "" {
		if e.dir, err = os.MkdirTemp("", "scalelab-lab-"); err != nil {
			return nil, err
		}
		e.tmp = true
	} else {
		e.dir = filepath.Join(cfg.Dir, l.name)
	}
	return e, nil
}

// CheckPorts checks, before anything starts, that the ports the labs take
// from basePort (0: DefaultBasePort) are free.
func CheckPorts(basePort int) error {
	if basePort == 0 {
		basePort = DefaultBasePort
	}
	if err := sandbox.PortsFree(basePort, portSpan); err != nil {
		return fmt.Errorf("the labs' sandboxes take ports %d-%d: %w", basePort, basePort+portSpan-1, err)
	}
	return nil
}

// portSpan is the most ports one lab uses from BasePort.
const portSpan = 30

// say reports progress.
func (e *env) say(format string, args ...any) {
	if e.cfg.Progress != nil {
		e.cfg.Progress(e.lab + ": " + fmt.Sprintf(format, args...))
	}
}

// start starts a sandbox named label on BasePort+offset, to be stopped by
// close.
func (e *env) start(ctx context.Context, label string, offset int, sc sandbox.Config) (*sandbox.Sandbox, error) {
	sc.Dir = filepath.Join(e.dir, label)
	if _, err := os.Stat(filepath.Join(sc.Dir, "state.json")); err == nil {
		return nil, fmt.Errorf("%s holds a sandbox from an earlier run: remove it, or pass another --dir", sc.Dir)
	}
	sc.BasePort = e.cfg.BasePort + offset
	sc.Server = e.cfg.Server
	sc.Name = "lab-" + label
	if sc.Shards == 0 && len(sc.Keyspaces) == 0 {
		sc.Shards = 1
	}
	nodes := sc.Nodes()
	if sc.Machine == nil {
		sc.Machine = e.machines.machine(nodes)
	}
	on := ""
	if sc.Machine != nil {
		on = ", each a machine of " + coresText(sc.Machine.CPU)
	}
	e.say("starting %d server(s) on ports %d-%d%s", nodes, sc.BasePort, sc.BasePort+nodes-1, on)
	started := time.Now()
	sb, err := sandbox.Start(ctx, sc)
	if err != nil {
		return nil, fmt.Errorf("start sandbox %s: %w", label, err)
	}
	e.mu.Lock()
	e.sandboxes = append(e.sandboxes, sb)
	e.mu.Unlock()
	e.say("started %d server(s) in %.1fs", nodes, time.Since(started).Seconds())
	return sb, nil
}

// close stops every sandbox the lab started and removes its files: always
// in a temporary directory, and in Config.Dir unless the lab failed (the
// servers' error logs may say why).
func (e *env) close(failed bool) error {
	err := e.stopSandboxes(failed)
	switch {
	case e.tmp:
		_ = os.RemoveAll(e.dir) // only cleanup
	case e.dir != "":
		_ = os.Remove(e.dir) // only if empty: a failed lab keeps its logs
	}
	return err
}

// stopSandboxes stops the sandboxes started so far and removes their files
// unless the lab failed and they are in Config.Dir.
func (e *env) stopSandboxes(failed bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	var errs []error
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, sb := range e.sandboxes {
		if failed && !e.tmp {
			errs = append(errs, sb.Stop(ctx))
			continue
		}
		errs = append(errs, sb.Purge(ctx))
	}
	e.sandboxes = nil
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("stop sandboxes: %w", err)
	}
	return nil
}

// singleNode returns a one-node topology to measure on: a sandbox of one
// server, or the first shard's primary of Config.Topology, with every
// sample table unsharded there.
func (e *env) singleNode(ctx context.Context) (*topology.Topology, error) {
	if e.cfg.Topology == nil {
		sb, err := e.start(ctx, "single", 0, sandbox.Config{Shards: 1})
		if err != nil {
			return nil, err
		}
		return sb.Topology, nil
	}
	t := *e.cfg.Topology
	only := e.cfg.Topology.Shards[0].PrimaryOnly()
	only.Name = "0"
	t.Shards = []topology.Shard{only}
	t.Tables, t.Keyspaces = nil, nil
	return &t, nil
}

// sampleTables is the topology tables section that shards the sample
// tables as schema.Sharding says, with vindex in place of each table's own
// when it is not empty.
func sampleTables(vindex string) map[string]topology.Table {
	out := schema.ShardedTables()
	for name, t := range out {
		if vindex != "" {
			t.Vindex = vindex
			out[name] = t
		}
	}
	return out
}

// dataset is the sample data of images images: a tenth as many users and
// twice as many likes, always from the same seed.
func dataset(images int) schema.Config {
	return schema.Config{Seed: 1, Users: max(images/10, 1), Images: images, Likes: 2 * images}
}

// load drops and reloads the sample tables of t with the given data and
// index set.
func (e *env) load(ctx context.Context, t *topology.Topology, data schema.Config, indexSet string) (*schema.LoadResult, error) {
	e.say("loading %s users, %s images, %s likes into %d shard(s), indexes %s",
		count(int64(data.Users)), count(int64(data.Images)), count(int64(data.Likes)), len(t.Shards), indexSet)
	res, err := schema.Load(ctx, schema.LoadConfig{Topology: t, Generator: data, IndexSet: indexSet, Drop: true})
	if err != nil {
		return nil, fmt.Errorf("load the sample tables: %w", err)
	}
	return res, nil
}

// loaded builds a topology, loads the size's rows with every index into it,
// and waits until its replicas have them.
func (e *env) loaded(ctx context.Context, build func(context.Context) (*topology.Topology, error)) (*topology.Topology, schema.Config, error) {
	data := dataset(e.cfg.Size.Rows)
	topo, err := build(ctx)
	if err != nil {
		return nil, data, err
	}
	if _, err := e.load(ctx, topo, data, schema.IndexSetFull); err != nil {
		return nil, data, err
	}
	return topo, data, waitReplicas(ctx, topo)
}

// openNode opens a pool of at most conns connections to addr, as the
// application user or, with admin, the admin user (topology.OpenDB).
func openNode(t *topology.Topology, addr string, admin bool, conns int) (*sql.DB, error) {
	cred := t.User
	if admin {
		cred = t.AdminCredentials()
	}
	return t.OpenDB(addr, cred, conns)
}

// execAll runs statements in order on db and stops at the first error.
func execAll(ctx context.Context, db *sql.DB, stmts ...string) error {
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", firstWords(s), err)
		}
	}
	return nil
}

// waitReplicas waits until every replica of t has applied everything its
// primary had written when the call began.
func waitReplicas(ctx context.Context, t *topology.Topology) error {
	return replica.WaitCaughtUp(ctx, t, 0)
}

func firstWords(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }

// startConfig is the shape of a sandbox.
func startConfig(shards, replicas int, tables map[string]topology.Table) sandbox.Config {
	return sandbox.Config{Shards: shards, Replicas: replicas, Tables: tables}
}
