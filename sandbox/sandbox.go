package sandbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/machine"
	"github.com/scalelab/scalelab/netsim"
	"github.com/scalelab/scalelab/shard"
	"github.com/scalelab/scalelab/topology"
)

// Defaults for Config fields.
const (
	DefaultDir          = ".scalelab"
	DefaultShards       = 1
	DefaultBasePort     = 24000
	DefaultName         = "scalelab"
	DefaultReadyTimeout = 90 * time.Second
	DefaultStopTimeout  = 30 * time.Second

	// MetaDatabase holds scalelab's own tables (the replication marker,
	// heartbeats, sequences). It replicates like the application database.
	MetaDatabase = "scalelab_meta"

	// ChaosLog is the record of scalelab chaos actions, kept in the
	// sandbox dir (chaos.LogFile), and deleted with it.
	ChaosLog = "chaos.log"

	stateFile    = "state.json"
	topologyFile = "topology.yaml"
)

// Config describes a sandbox to start.
type Config struct {
	// Dir holds every node's files, the state file and the topology file.
	// Empty means DefaultDir in the working directory.
	Dir string
	// Shards is the number of shards. Zero means DefaultShards (1, named
	// "0"); more are named as Vitess names equal key ranges.
	Shards int
	// Replicas is the number of replicas per shard. Zero means none.
	Replicas int
	// BasePort is the first node's port; nodes take consecutive ports.
	// Zero means DefaultBasePort.
	BasePort int
	// Server is the server binary. The zero value means FindServer.
	Server Server
	// Name labels the topology. Empty means DefaultName.
	Name string
	// Machine gives every node a CPU quota and a memory limit of its own
	// (cgroups). Nil means no limits. When limits cannot be applied on
	// this host, Start fails with an error wrapping machine.ErrUnavailable
	// before it starts any node.
	Machine *topology.Machine
	// SemiSync turns on semi-synchronous replication (AFTER_SYNC) on every
	// node: a primary acknowledges a commit once a replica has it, or,
	// after the server's timeout with no replica answering, falls back to
	// async (status shows which).
	SemiSync bool
	// Netsim puts a relay in front of every node (package netsim): the
	// topology's addresses are the relays', each replica reaches its
	// source through a link relay of its own, and `scalelab chaos
	// partition` and `latency` act on them. The servers listen on the
	// ports after the relays'. False means no relays and no extra hop.
	Netsim bool
	// Tables is the topology's tables section: which tables are sharded by
	// which column. Nil means none (every table unsharded, on the first
	// shard).
	Tables map[string]topology.Table
	// Keyspaces, when set, split the tables by function (the Y axis):
	// each keyspace gets shards and replicas of its own, named
	// KEYSPACE/RANGE, and lists its tables (topology.Keyspace). Shards,
	// Replicas and Tables are then unused.
	Keyspaces []KeyspaceConfig
	// Main adds an unsharded server of its own, the topology's main node,
	// on the port after the shards' nodes: the sharded tables' id
	// sequences live there instead of on the first shard.
	Main bool
	// ReadyTimeout bounds the wait for nodes and replication. Zero means
	// DefaultReadyTimeout.
	ReadyTimeout time.Duration
	// Progress, if set, is called (from several goroutines, serialized) as
	// each step completes, so a CLI can show progress.
	Progress func(Event)
}

// KeyspaceConfig is one keyspace of a sandbox to start: its shards and
// replicas per shard, and its tables (a table with a column and a vindex
// is sharded by them; one with neither lives on the keyspace's one shard).
// The first keyspace also holds every table no keyspace lists.
type KeyspaceConfig struct {
	Name     string                    `yaml:"name" json:"name"`
	Shards   int                       `yaml:"shards" json:"shards"`
	Replicas int                       `yaml:"replicas" json:"replicas"`
	Tables   map[string]topology.Table `yaml:"tables,omitempty" json:"tables,omitempty"`
}

var keyspaceNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// groups are the sandbox's groups of shards alike: its keyspaces, or the
// one keyspace of Shards and Replicas (Name empty).
func (c Config) groups() []KeyspaceConfig {
	if len(c.Keyspaces) > 0 {
		return c.Keyspaces
	}
	return []KeyspaceConfig{{Shards: c.Shards, Replicas: c.Replicas, Tables: c.Tables}}
}

// Event reports one completed step of Start.
type Event struct {
	Node string // empty for steps that concern the whole sandbox
	Step string
}

// State is the sandbox's state file: what runs where.
type State struct {
	Server  string      `json:"server"`
	Flavor  string      `json:"flavor"`
	Version string      `json:"version"`
	Nodes   []NodeState `json:"nodes"`
	// RootPassword is the password of every node's root@localhost, the
	// only root account, reachable over the node's unix socket alone. The
	// state file is mode 0600. Empty in sandboxes made before it existed.
	RootPassword string `json:"root_password,omitempty"`
	// RelayPid is the netsim relay process, 0 when none runs.
	RelayPid int `json:"relay_pid,omitempty"`
}

// Sandbox is a started (or opened) set of local server processes.
// Its methods are not safe for concurrent use.
type Sandbox struct {
	Dir      string
	State    State
	Topology *topology.Topology

	server Server
	exited map[string]<-chan struct{} // set for processes this process started
	// scope, when set, limits the per-node steps to the nodes it names
	// (AddShards works on its new nodes only).
	scope map[string]bool
	// groups are the nodes' cgroups when the topology limits them, opened
	// on first use under groupsMu (Usage is called from many goroutines).
	groupsMu sync.Mutex
	groups   *machine.Groups
	// read holds the state and topology files as Reload last read them.
	read struct{ state, topology []byte }
}

// TopologyPath is the topology file of the sandbox.
func (s *Sandbox) TopologyPath() string { return filepath.Join(s.Dir, topologyFile) }

func (c Config) withDefaults() (Config, error) {
	if c.Dir == "" {
		c.Dir = DefaultDir
	}
	abs, err := filepath.Abs(c.Dir)
	if err != nil {
		return c, fmt.Errorf("sandbox: dir %s: %w", c.Dir, err)
	}
	c.Dir = abs
	if c.Shards == 0 {
		c.Shards = DefaultShards
	}
	c.Keyspaces = slices.Clone(c.Keyspaces)
	seen := map[string]bool{}
	for i := range c.Keyspaces {
		k := &c.Keyspaces[i]
		if k.Shards == 0 {
			k.Shards = DefaultShards
		}
		switch {
		case !keyspaceNameRE.MatchString(k.Name):
			return c, fmt.Errorf("sandbox: keyspace %q: want a plain name (letters, digits, _)", k.Name)
		case seen[k.Name]:
			return c, fmt.Errorf("sandbox: keyspace %s is given twice", k.Name)
		}
		seen[k.Name] = true
	}
	for _, g := range c.groups() {
		what := "sandbox:"
		if g.Name != "" {
			what = "sandbox: keyspace " + g.Name + ":"
		}
		if g.Shards < 0 || g.Shards > 64 {
			return c, fmt.Errorf("%s %d shards: want 1 to 64", what, g.Shards)
		}
		if g.Replicas < 0 || g.Replicas > 16 {
			return c, fmt.Errorf("%s %d replicas per shard: want 0 to 16", what, g.Replicas)
		}
	}
	if c.BasePort == 0 {
		c.BasePort = DefaultBasePort
	}
	if c.BasePort < 1024 || c.BasePort+c.ports() > 65535 {
		return c, fmt.Errorf("sandbox: base port %d: want 1024 or above, leaving room for %d ports", c.BasePort, c.ports())
	}
	if c.Name == "" {
		c.Name = DefaultName
	}
	if c.ReadyTimeout == 0 {
		c.ReadyTimeout = DefaultReadyTimeout
	}
	return c, nil
}

// SameShape reports whether the sandbox has the shape cfg asks for: as
// many shards, with as many replicas each, and a main node or none.
func (s *Sandbox) SameShape(cfg Config) bool {
	shards := map[string]bool{}
	main := 0
	for _, n := range s.State.Nodes {
		if n.Shard == "" {
			main++
			continue
		}
		shards[n.Shard] = true
	}
	want := 0
	if cfg.Main {
		want = 1
	}
	nshards := 0
	for _, g := range cfg.groups() {
		nshards += g.Shards
	}
	return len(shards) == nshards && main == want && len(s.State.Nodes) == cfg.nodes()
}

// Nodes is the number of servers the sandbox starts.
func (c Config) Nodes() int { return c.nodes() }

// nodes is the number of servers the sandbox starts.
func (c Config) nodes() int {
	n := 0
	for _, g := range c.groups() {
		n += g.Shards * (1 + g.Replicas)
	}
	if c.Main {
		n++
	}
	return n
}

// ports is the number of ports the sandbox takes from BasePort: one a
// node, and with netsim as many again for the servers behind the relays,
// one for the relays' API and one a link between two nodes of a shard.
func (c Config) ports() int {
	if !c.Netsim {
		return c.nodes()
	}
	links := 0
	for _, g := range c.groups() {
		links += g.Shards * (1 + g.Replicas) * g.Replicas
	}
	return 2*c.nodes() + 1 + links
}

// Open reads the sandbox in dir without starting or stopping anything.
func Open(dir string) (*Sandbox, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(abs, stateFile))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s has no %s: start one with `scalelab up`", ErrNotFound, abs, stateFile)
		}
		return nil, fmt.Errorf("sandbox: read state: %w", err)
	}
	s := &Sandbox{Dir: abs}
	if err := json.Unmarshal(b, &s.State); err != nil {
		return nil, fmt.Errorf("sandbox: %s: %w", filepath.Join(abs, stateFile), err)
	}
	if err := s.checkPaths(); err != nil {
		return nil, err
	}
	if t, err := topology.Load(s.TopologyPath()); err == nil {
		s.Topology = t
	}
	s.read.state = b
	s.read.topology, _ = os.ReadFile(s.TopologyPath())
	return s, nil
}

// remember notes the state and topology files as this process wrote
// them, which Reload then need not read again.
func (s *Sandbox) remember() {
	s.read.state, _ = os.ReadFile(filepath.Join(s.Dir, stateFile))
	s.read.topology, _ = os.ReadFile(s.TopologyPath())
}

// Reload reads the sandbox's state and topology files again: another
// process (scalelab failover, reshard, start) may have changed them since
// this one opened the sandbox, and a process that runs for long (a proxy
// that fails over, failover --watch) must not act on, or publish back,
// the topology it read at its start.
// Files that did not change since it last read them are not read again,
// and nothing of the sandbox changes: a process whose goroutines read its
// topology while one watches does not race with the watcher then.
func (s *Sandbox) Reload() error {
	fresh, err := Open(s.Dir) // which keeps the files it read
	if err != nil {
		return err
	}
	if bytes.Equal(fresh.read.state, s.read.state) && bytes.Equal(fresh.read.topology, s.read.topology) {
		return nil
	}
	s.State = fresh.State
	if fresh.Topology != nil {
		s.Topology = fresh.Topology
	}
	s.read = fresh.read
	return nil
}

// ErrForeignPath is returned (wrapped) by Open when the state names a
// node dir or socket outside the sandbox dir: the sandbox was copied or
// moved, or its state was edited. Nothing is stopped or deleted then.
var ErrForeignPath = errors.New("sandbox: state names a path outside the sandbox")

// checkPaths makes sure that every node's dir and socket are the ones
// this sandbox gives a node of that port (its dir is node-PORT inside the
// sandbox dir), so that stopping and purging can only ever touch this
// sandbox's own processes and files.
func (s *Sandbox) checkPaths() error {
	for _, n := range s.State.Nodes {
		dir := filepath.Join(s.Dir, "node-"+strconv.Itoa(n.Port))
		for _, p := range [][2]string{{n.Dir, dir}, {n.Socket, socketPath(dir, n.Port)}} {
			if p[0] != p[1] {
				return fmt.Errorf("%w: node %s names %s where this sandbox keeps %s; refusing to stop or delete anything (a copied or moved sandbox dir keeps its original's paths: stop the original where it is)",
					ErrForeignPath, n.Name, p[0], p[1])
			}
		}
	}
	return nil
}

// Running returns the nodes whose processes are alive.
func (s *Sandbox) Running() []NodeState {
	var out []NodeState
	for _, n := range s.State.Nodes {
		if n.Alive() {
			out = append(out, n)
		}
	}
	return out
}

// Start creates and starts a sandbox, or restarts a stopped one in the same
// dir (keeping its data; Shards and Replicas are then ignored). It returns
// once replication is verified end to end. If the dir has running nodes it
// returns ErrRunning and changes nothing. If ctx is cancelled (Ctrl-C), every
// process already started is stopped before Start returns.
func Start(ctx context.Context, cfg Config) (*Sandbox, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if existing, err := Open(cfg.Dir); err == nil {
		if run := existing.Running(); len(run) > 0 {
			return existing, fmt.Errorf("%w: %s has %d of %d nodes running; start the others with `scalelab start NODE` (`scalelab status` lists them), or stop it with `scalelab down`", ErrRunning, cfg.Dir, len(run), len(existing.State.Nodes))
		}
		return existing, existing.restart(ctx, cfg)
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	if cfg.Server.Path == "" {
		if cfg.Server, err = FindServer(ctx); err != nil {
			return nil, err
		}
	}
	s := &Sandbox{Dir: cfg.Dir, server: cfg.Server, exited: map[string]<-chan struct{}{}}
	if cfg.Machine, err = s.nodeCPUs(cfg.Machine, cfg.nodes()); err != nil {
		return nil, err
	}
	// Limits that cannot be applied fail the start before anything runs.
	if err := s.openGroups(cfg.Machine); err != nil {
		return nil, err
	}
	if err := s.create(ctx, cfg); err != nil {
		// Ctrl-C or any failure: leave nothing running behind. The nodes are
		// new and hold nothing worth a slow shutdown; a server still in
		// startup may ignore SIGTERM for a while, so escalate quickly.
		_ = s.stop(context.Background(), failedStartGrace)
		if ctx.Err() != nil {
			s.removeFiles()
			return nil, fmt.Errorf("sandbox: start interrupted, stopped every node already started: %w", ctx.Err())
		}
		if len(s.exited) == 0 {
			// Nothing ran (a port was taken, say): leave no state behind
			// that a later up would take for a sandbox to restart.
			s.removeFiles()
		}
		return nil, err
	}
	return s, nil
}

func (s *Sandbox) create(ctx context.Context, cfg Config) error {
	progress := serialize(cfg.Progress)
	// Every port must be free before anything starts.
	for p := cfg.BasePort; p < cfg.BasePort+cfg.ports(); p++ {
		if err := portFree(p); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return fmt.Errorf("sandbox: create %s: %w", cfg.Dir, err)
	}
	topo := &topology.Topology{
		Name:        cfg.Name,
		Flavor:      s.server.Flavor.Name(),
		Database:    topology.DefaultDatabase,
		User:        topology.Credentials{Name: "scalelab", Password: randomPassword()},
		Admin:       topology.Credentials{Name: "scalelab_admin", Password: randomPassword()},
		Replication: topology.Credentials{Name: "scalelab_repl", Password: randomPassword()},
		Tables:      cfg.Tables,
		Machine:     cfg.Machine,
		SemiSync:    cfg.SemiSync,
	}
	s.State.RootPassword = randomPassword()
	// Under netsim a node's address is its relay's, and its server listens
	// cfg.nodes() ports further on.
	serverOffset := 0
	if cfg.Netsim {
		serverOffset = cfg.nodes()
	}
	port := cfg.BasePort
	for _, g := range cfg.groups() {
		names, err := shard.GenerateNames(g.Shards)
		if err != nil {
			return err
		}
		for _, name := range names {
			sh := topology.Shard{Name: topology.QualifiedShard(g.Name, name)}
			for r := 0; r <= g.Replicas; r++ {
				relay := 0
				if cfg.Netsim {
					relay = port
				}
				s.addNode(cfg.Dir, &sh, r, port+serverOffset, relay)
				port++
			}
			topo.Shards = append(topo.Shards, sh)
		}
		if g.Name != "" {
			topo.Tables = nil
			topo.Keyspaces = append(topo.Keyspaces, topology.Keyspace{Name: g.Name, Tables: g.Tables})
		}
	}
	if cfg.Main {
		sport := port + serverOffset
		dir := filepath.Join(cfg.Dir, "node-"+strconv.Itoa(sport))
		n := NodeState{Name: topology.MainNode, Role: topology.Primary, Port: sport, Dir: dir, Socket: socketPath(dir, sport)}
		if cfg.Netsim {
			n.Relay = port
		}
		s.State.Nodes = append(s.State.Nodes, n)
		topo.Main = &topology.Addr{HostPort: n.Addr()}
	}
	if cfg.Netsim {
		topo.Netsim = s.planRelays(topo, cfg.BasePort+2*cfg.nodes())
	}
	s.Topology = topo
	s.State.Server, s.State.Flavor, s.State.Version = s.server.Path, s.server.Flavor.Name(), s.server.Version.String()

	if err := s.initNodes(ctx, progress); err != nil {
		return err
	}
	rctx, cancel := context.WithTimeout(ctx, cfg.ReadyTimeout)
	defer cancel()
	if err := s.startRelays(rctx, progress); err != nil {
		return err
	}
	if err := s.startAll(rctx, progress); err != nil {
		return err
	}
	if err := s.bootstrap(rctx, progress); err != nil {
		return err
	}
	if err := s.WaitReplication(rctx); err != nil {
		return err
	}
	progress(Event{Step: "replication verified"})
	if err := topo.Write(s.TopologyPath()); err != nil {
		return err
	}
	return nil
}

// restart starts the nodes of a stopped sandbox again.
func (s *Sandbox) restart(ctx context.Context, cfg Config) error {
	progress := serialize(cfg.Progress)
	s.exited = map[string]<-chan struct{}{}
	s.server = Server{Path: s.State.Server}
	f, err := flavor.Lookup(s.State.Flavor)
	if err != nil {
		return err
	}
	s.server.Flavor = f
	if s.Topology == nil {
		return fmt.Errorf("sandbox: %s has no valid %s; remove the dir and run up again", s.Dir, topologyFile)
	}
	if err := s.openGroups(s.Topology.Machine); err != nil {
		return err
	}
	for _, n := range s.State.Nodes {
		if err := portFree(n.Port); err != nil {
			return err
		}
	}
	rctx, cancel := context.WithTimeout(ctx, cfg.ReadyTimeout)
	defer cancel()
	err = s.startRelays(rctx, progress)
	if err == nil {
		err = s.startAll(rctx, progress)
	}
	if err == nil {
		err = s.WaitReplication(rctx)
	}
	if err != nil {
		stopCtx, cancel := context.WithTimeout(context.Background(), DefaultStopTimeout)
		defer cancel()
		_ = s.Stop(stopCtx)
		return err
	}
	progress(Event{Step: "replication verified"})
	return nil
}

// initNodes writes every node's defaults file and initializes its data
// dir, all in parallel.
func (s *Sandbox) initNodes(ctx context.Context, progress func(Event)) error {
	return s.eachNode(ctx, func(ctx context.Context, i int, n NodeState) error {
		if err := os.MkdirAll(n.Dir, 0o700); err != nil {
			return err
		}
		if err := writeConfig(n, s.server.Flavor, s.Topology); err != nil {
			return err
		}
		if err := initDataDir(ctx, s.server, n); err != nil {
			return err
		}
		progress(Event{Node: n.Name, Step: "initialized"})
		return nil
	})
}

func (s *Sandbox) startAll(ctx context.Context, progress func(Event)) error {
	var mu sync.Mutex
	return s.eachNode(ctx, func(ctx context.Context, i int, n NodeState) error {
		pid, exited, err := startProcess(s.server, n)
		if err != nil {
			return err
		}
		if err := s.place(n, pid); err != nil {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			return err
		}
		mu.Lock()
		s.State.Nodes[i].Pid = pid
		s.exited[n.Name] = exited
		// Record pids as soon as they exist, so that `scalelab down` can stop
		// them even if this process dies now.
		werr := s.writeState()
		mu.Unlock()
		if werr != nil {
			return werr
		}
		db := s.rootDB(n)
		defer db.Close()
		if err := waitReady(ctx, db, exited, n); err != nil {
			return err
		}
		progress(Event{Node: n.Name, Step: fmt.Sprintf("started (pid %d, port %d)", pid, n.Port)})
		return nil
	})
}

func grantApp(f flavor.Flavor, db, user string) stmt {
	q, args := flavor.GrantApp(f, db, user)
	return stmt{q, args}
}

// lockDown returns the statements that leave root@localhost (reachable
// over the unix socket only, with the sandbox's root password) as the one
// account a fresh node has: the installer's other root accounts (for
// 127.0.0.1, ::1 and the host name, which TCP clients reach with no
// password) and its anonymous accounts are dropped. System accounts
// (mariadb.sys, mysql.*) and roles stay.
func lockDown(ctx context.Context, conn *sql.Conn, rootPassword string) ([]stmt, error) {
	rows, err := conn.QueryContext(ctx, "SELECT user, host FROM mysql.user")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stmt
	for rows.Next() {
		var user, host string
		if err := rows.Scan(&user, &host); err != nil {
			return nil, err
		}
		switch {
		case user == "root" && host == "localhost":
		case strings.HasPrefix(user, "mariadb.") || strings.HasPrefix(user, "mysql."):
		case user == "PUBLIC" && host == "":
		default:
			out = append(out, stmt{"DROP USER ?@?", []any{user, host}})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if rootPassword != "" {
		out = append(out, stmt{"ALTER USER 'root'@'localhost' IDENTIFIED BY ?", []any{rootPassword}})
	}
	return out, nil
}

// bootstrap creates the users on every node (outside the binlog, so GTID
// histories start empty), points replicas at their primaries, and creates
// the databases on the primaries, from where they replicate.
func (s *Sandbox) bootstrap(ctx context.Context, progress func(Event)) error {
	f := s.server.Flavor
	t := s.Topology
	primaries := map[string]NodeState{}
	for _, n := range s.State.Nodes {
		if n.Role == topology.Primary {
			primaries[n.Shard] = n
		}
	}
	return s.eachNode(ctx, func(ctx context.Context, i int, n NodeState) error {
		db := rootDB(n, "") // a fresh node's root has no password yet
		defer db.Close()
		conn, err := db.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		lock, err := lockDown(ctx, conn, s.State.RootPassword)
		if err != nil {
			return fmt.Errorf("bootstrap: lock down accounts: %w", err)
		}
		stmts := append([]stmt{{"SET SESSION sql_log_bin = 0", nil}}, lock...)
		stmts = append(stmts, []stmt{
			{"CREATE USER ?@'%' IDENTIFIED BY ?", []any{t.User.Name, t.User.Password}},
			{"GRANT " + f.AppGlobalGrant() + " ON *.* TO ?@'%'", []any{t.User.Name}},
			grantApp(f, t.DatabaseName(), t.User.Name),
			grantApp(f, MetaDatabase, t.User.Name),
			{"CREATE USER ?@'%' IDENTIFIED BY ?", []any{t.Admin.Name, t.Admin.Password}},
			{"GRANT " + f.AdminGrant() + " ON *.* TO ?@'%' WITH GRANT OPTION", []any{t.Admin.Name}},
			{"CREATE USER ?@'%' IDENTIFIED BY ?", []any{t.Replication.Name, t.Replication.Password}},
			{"GRANT REPLICATION SLAVE ON *.* TO ?@'%'", []any{t.Replication.Name}},
			{"SET SESSION sql_log_bin = 1", nil},
		}...)
		if n.Role == topology.Replica {
			src := topology.Addr{HostPort: t.SourceAddr(n.Addr(), primaries[n.Shard].Addr())}
			q, args := f.ChangeSource(flavor.Source{Host: src.Host(), Port: src.Port(), User: t.Replication.Name, Password: t.Replication.Password})
			stmts = append(stmts, stmt{q, args}, stmt{f.StartReplica(), nil})
		} else {
			for _, q := range []string{
				"CREATE DATABASE IF NOT EXISTS `" + t.DatabaseName() + "`",
				"CREATE DATABASE IF NOT EXISTS `" + MetaDatabase + "`",
				"CREATE TABLE IF NOT EXISTS `" + MetaDatabase + "`.marker (id INT PRIMARY KEY, token VARCHAR(64) NOT NULL, at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))",
			} {
				stmts = append(stmts, stmt{q, nil})
			}
		}
		for _, st := range stmts {
			if _, err := conn.ExecContext(ctx, st.q, st.args...); err != nil {
				return fmt.Errorf("bootstrap: %s: %w", firstWords(st.q), err)
			}
		}
		progress(Event{Node: n.Name, Step: "configured"})
		return nil
	})
}

// WaitReplication writes a fresh marker row on every primary and waits until
// every replica has applied it and shows it. This is the check dbdeployer
// users miss: threads that say Yes are not yet proof that data flows. It
// waits until ctx is done; an error then names the threads that stopped.
func (s *Sandbox) WaitReplication(ctx context.Context) error {
	f, err := flavor.Lookup(s.State.Flavor)
	if err != nil {
		return err
	}
	tokens, positions := map[string]string{}, map[string]string{}
	for _, n := range s.State.Nodes {
		if n.Role != topology.Primary {
			continue
		}
		tok := randomPassword()
		db := s.rootDB(n)
		_, err := db.ExecContext(ctx, "REPLACE INTO `"+MetaDatabase+"`.marker (id, token) VALUES (1, ?)", tok)
		if err == nil {
			positions[n.Shard], err = flavor.Position(ctx, db, f)
		}
		db.Close()
		if err != nil {
			return &NodeError{Node: n.Name, Log: n.ErrorLog(), Err: fmt.Errorf("write replication marker: %w", err)}
		}
		tokens[n.Shard] = tok
	}
	return s.eachNode(ctx, func(ctx context.Context, i int, n NodeState) error {
		if n.Role != topology.Replica {
			return nil
		}
		db := s.rootDB(n)
		defer db.Close()
		for {
			// The server waits until a second before ctx's deadline, so
			// that its answer, not the deadline, ends the wait and there
			// is time left to say why. Without a deadline it waits a
			// minute at a time, until ctx is canceled.
			wait, bounded := time.Minute, false
			if d, ok := ctx.Deadline(); ok {
				wait, bounded = max(time.Until(d)-time.Second, 100*time.Millisecond), true
			}
			ok, err := flavor.WaitApplied(ctx, db, f, positions[n.Shard], wait)
			if ok {
				break
			}
			if err != nil && ctx.Err() == nil {
				return fmt.Errorf("wait for the replication marker: %w", err)
			}
			if bounded || ctx.Err() != nil {
				return fmt.Errorf("replication not working in time: %s", s.whyNotReplicating(db, f))
			}
		}
		var tok string
		if err := db.QueryRowContext(ctx, "SELECT token FROM `"+MetaDatabase+"`.marker WHERE id = 1").Scan(&tok); err != nil || tok != tokens[n.Shard] {
			return fmt.Errorf("replication marker not replicated: read %q, %v", tok, err)
		}
		return nil
	})
}

// whyNotReplicating says why a replica has not applied the marker: its
// replication threads and last error when they do not run. It reads them
// with a context of its own, since the caller's may be spent.
func (s *Sandbox) whyNotReplicating(db *sql.DB, f flavor.Flavor) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if st, err := flavor.ReadReplicaStatus(ctx, db, f); err == nil && !st.Running() {
		return fmt.Sprintf("replication threads IO=%s SQL=%s %s", st.IORunning, st.SQLRunning, st.LastError)
	}
	return "the marker row was not replicated in time"
}

// Stop stops every node by its recorded pid: SIGTERM, then SIGKILL after
// DefaultStopTimeout. Data is kept; Start restarts the same sandbox. It
// returns an error naming any node that could not be stopped.
func (s *Sandbox) Stop(ctx context.Context) error {
	return s.stop(ctx, DefaultStopTimeout)
}

// failedStartGrace is how long nodes of a failed or interrupted start get
// to exit after SIGTERM before SIGKILL.
const failedStartGrace = 3 * time.Second

func (s *Sandbox) stop(ctx context.Context, grace time.Duration) error {
	var errs []error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range s.State.Nodes {
		n := s.State.Nodes[i]
		if n.Pid == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := terminate(ctx, n.Pid, n.cnf(), grace)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, &NodeError{Node: n.Name, Log: n.ErrorLog(), Err: err})
				return
			}
			s.State.Nodes[i].Pid = 0
		}()
	}
	wg.Wait()
	if err := s.stopRelays(ctx); err != nil {
		errs = append(errs, err)
	}
	if _, err := os.Stat(s.Dir); err == nil {
		if err := s.writeState(); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		errs = append(errs, s.removeGroups())
	}
	return errors.Join(errs...)
}

// Purge stops the sandbox and deletes its dir.
func (s *Sandbox) Purge(ctx context.Context) error {
	if err := s.Stop(ctx); err != nil {
		return err
	}
	s.removeFiles()
	return nil
}

// removeFiles deletes what the sandbox created, and the dir if that leaves
// it empty; it never deletes files it did not create.
func (s *Sandbox) removeFiles() {
	for _, n := range s.State.Nodes {
		_ = os.RemoveAll(n.Dir)
		if filepath.Dir(n.Socket) != n.Dir {
			_ = os.Remove(n.Socket)
		}
	}
	_ = os.Remove(filepath.Join(s.Dir, ChaosLog))
	_ = os.Remove(filepath.Join(s.Dir, ClientFile))
	_ = os.Remove(filepath.Join(s.Dir, netsim.ConfigFile))
	_ = os.Remove(filepath.Join(s.Dir, netsim.LogFile))
	_ = os.Remove(filepath.Join(s.Dir, stateFile))
	_ = os.RemoveAll(topology.FollowersDir(s.TopologyPath()))
	_ = os.Remove(s.TopologyPath())
	_ = os.Remove(s.Dir)
}

func (s *Sandbox) writeState() error {
	b, err := json.MarshalIndent(s.State, "", "  ")
	if err != nil {
		return err
	}
	p := filepath.Join(s.Dir, stateFile)
	if err := os.WriteFile(p+".tmp", b, 0o600); err != nil {
		return fmt.Errorf("sandbox: write state: %w", err)
	}
	return os.Rename(p+".tmp", p)
}

// eachNode runs fn for every node concurrently and returns the first error,
// wrapped with the node's name; the others are cancelled.
func (s *Sandbox) eachNode(ctx context.Context, fn func(ctx context.Context, i int, n NodeState) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, len(s.State.Nodes))
	started := 0
	for i, n := range s.State.Nodes {
		if s.scope != nil && !s.scope[n.Name] {
			continue
		}
		started++
		go func() {
			err := fn(ctx, i, n)
			if err != nil {
				var ne *NodeError
				if !errors.As(err, &ne) && !errors.Is(err, context.Canceled) {
					err = &NodeError{Node: n.Name, Log: n.ErrorLog(), Err: err}
				}
				cancel()
			}
			errc <- err
		}()
	}
	var first error
	for range started {
		if err := <-errc; err != nil && (first == nil || errors.Is(first, context.Canceled)) {
			first = err
		}
	}
	return first
}

// PortsFree checks that nothing listens on 127.0.0.1 on the n ports from
// first, and returns a *PortInUseError for the first one taken.
func PortsFree(first, n int) error {
	for p := first; p < first+n; p++ {
		if err := portFree(p); err != nil {
			return err
		}
	}
	return nil
}

// portFree checks that nothing listens on 127.0.0.1:port.
func portFree(port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return &PortInUseError{Port: port, Err: err}
	}
	return l.Close()
}

func randomPassword() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

func serialize(fn func(Event)) func(Event) {
	if fn == nil {
		return func(Event) {}
	}
	var mu sync.Mutex
	return func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		fn(e)
	}
}

// stmt is a statement with its arguments.
type stmt struct {
	q    string
	args []any
}

func firstWords(q string) string {
	if len(q) > 40 {
		return q[:40] + "…"
	}
	return q
}
