package topology

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"

	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/machine"
	"github.com/scalelab/scalelab/shard"
	"go.yaml.in/yaml/v3"
)

// DefaultPath is where commands look for the topology file when --topology
// is not given.
const DefaultPath = ".scalelab/topology.yaml"

// DefaultDatabase is the application database when the file names none.
const DefaultDatabase = "scalelab"

// ErrInvalid wraps every validation error, so callers can tell a bad file
// from a missing one.
var ErrInvalid = errors.New("topology: invalid")

// ErrNoNode is returned (wrapped) by Node for a name that no node has.
var ErrNoNode = errors.New("topology: no node")

// Topology is the parsed topology file. It is plain data: safe to share for
// reading, not for concurrent mutation.
type Topology struct {
	// Name labels the topology in output. Required.
	Name string `yaml:"name"`
	// Flavor is "mariadb" or "mysql". Required.
	Flavor string `yaml:"flavor"`
	// Database is the application schema. Empty means DefaultDatabase.
	Database string `yaml:"database,omitempty"`
	// User is the application user every router connection logs in as.
	User Credentials `yaml:"user"`
	// Admin is used by status, resharding and tests for privileged work.
	// Optional: empty means the application user.
	Admin Credentials `yaml:"admin,omitempty"`
	// Replication is the user replicas connect to their primary with.
	Replication Credentials `yaml:"replication"`
	// Shards partition the keyspace. One shard named "0" means unsharded.
	// With keyspaces, each keyspace's shards partition it, and their names
	// say which: media/-80.
	Shards []Shard `yaml:"shards"`
	// Tables maps a sharded table to its shard key. Tables not listed are
	// unsharded and live on the first shard. Empty with keyspaces, whose
	// own sections list their tables.
	Tables map[string]Table `yaml:"tables,omitempty"`
	// Keyspaces split the tables by function (the Y axis), each over its
	// own shards (see Keyspace). Nil means one keyspace.
	Keyspaces []Keyspace `yaml:"keyspaces,omitempty"`
	// Main, if set, is an unsharded server of its own that holds the
	// sharded tables' id sequences, the way Vitess keeps sequence tables in
	// an unsharded keyspace. Nil means they live on the first shard's
	// primary. It has no replicas: every sequence access is a locking write.
	Main *Addr `yaml:"main,omitempty"`
	// Machine gives every node a simulated machine of its own: a CPU
	// quota and a memory limit (scalelab up --node-cpu, --node-memory).
	// Nil means no limits.
	Machine *Machine `yaml:"machine,omitempty"`
	// SemiSync says that the nodes run semi-synchronous replication
	// (scalelab up --semi-sync).
	SemiSync bool `yaml:"semi_sync,omitempty"`
	// Netsim, when set, puts relays in front of every node (scalelab up
	// --netsim): the shards' addresses are then the client relays.
	Netsim *Netsim `yaml:"netsim,omitempty"`
}

// Machine is the machine section of a topology file: the limits of every
// node, and those of nodes that differ.
//
//	machine:
//	  cpu: 0.25        # cores
//	  memory: 512MiB
//	  cpus: "1"        # the host's CPUs the nodes run on; clients get the others
//	  nodes:
//	    -80/primary: {cpu: 0.5}
type Machine struct {
	CPU    float64       `yaml:"cpu,omitempty"`
	Memory machine.Bytes `yaml:"memory,omitempty"`
	// CPUs keeps every node on these CPUs of the host (a cpuset list), so
	// that the nodes and their clients do not share cores (see
	// machine.CPUs). Empty means the nodes run anywhere.
	CPUs  string                 `yaml:"cpus,omitempty"`
	Nodes map[string]NodeMachine `yaml:"nodes,omitempty"`
}

// AutoCPUs, as Machine.CPUs before a sandbox starts, keeps the nodes on
// the host's last CPUs, as many as their quotas add up to, and leaves the
// others to their clients (machine.Split); when the nodes would take every
// CPU they run anywhere. The sandbox records the CPUs it chose.
const AutoCPUs = "auto"

// NewMachine returns the machine section for every node's CPU quota in
// cores, memory limit (such as "512MiB") and CPUs (a cpuset list, AutoCPUs
// or empty); nil when it limits nothing.
func NewMachine(cpu float64, memory, cpus string) (*Machine, error) {
	if cpus != AutoCPUs {
		if _, err := machine.ParseCPUs(cpus); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
	}
	if cpu < 0 {
		return nil, fmt.Errorf("%w: node CPU %g: want cores above 0, such as 0.25", ErrInvalid, cpu)
	}
	var mem machine.Bytes
	if memory != "" {
		var err error
		if mem, err = machine.ParseBytes(memory); err != nil {
			return nil, err
		}
		if mem < 32<<20 {
			return nil, fmt.Errorf("%w: node memory %s: a server needs at least 32MiB", ErrInvalid, mem)
		}
	}
	if cpu == 0 && mem == 0 && (cpus == "" || cpus == AutoCPUs) {
		return nil, nil
	}
	return &Machine{CPU: cpu, Memory: mem, CPUs: cpus}, nil
}

// NodeMachine overrides the machine of one node; zero fields keep the
// topology's.
type NodeMachine struct {
	CPU    float64       `yaml:"cpu,omitempty"`
	Memory machine.Bytes `yaml:"memory,omitempty"`
}

// Limited reports whether m limits any node.
func (m *Machine) Limited() bool {
	if m == nil {
		return false
	}
	if m.CPU > 0 || m.Memory > 0 || m.CPUs != "" {
		return true
	}
	for _, o := range m.Nodes {
		if o.CPU > 0 || o.Memory > 0 {
			return true
		}
	}
	return false
}

// Limits returns the limits of the named node; a nil Machine limits
// nothing.
func (m *Machine) Limits(node string) machine.Limits {
	if m == nil {
		return machine.Limits{}
	}
	l := machine.Limits{CPU: m.CPU, Memory: int64(m.Memory), CPUs: m.CPUs}
	if o, ok := m.Nodes[node]; ok {
		if o.CPU > 0 {
			l.CPU = o.CPU
		}
		if o.Memory > 0 {
			l.Memory = int64(o.Memory)
		}
	}
	return l
}

// MainNode is the node name of Topology.Main.
const MainNode = "main"

// Credentials is a user name and password.
type Credentials struct {
	Name     string `yaml:"name"`
	Password string `yaml:"password,omitempty"`
}

// Shard is one key range: a primary and its replicas.
type Shard struct {
	// Name is a Vitess key-range name: -80, 80-, 40-80, or 0 for the whole
	// keyspace.
	Name     string `yaml:"name"`
	Primary  Addr   `yaml:"primary"`
	Replicas []Addr `yaml:"replicas,omitempty"`
	// Sockets maps the address of a node of the shard that runs on this
	// host to its unix socket (scalelab up writes them). Clients on this
	// host connect through the socket, which costs the node less than TCP
	// over loopback and leaves it no kernel network work done outside its
	// CPU quota (see MySQLConfig). Entries for addresses the shard no
	// longer lists are ignored.
	Sockets map[string]string `yaml:"sockets,omitempty"`

	line int
}

// Table is a sharded table's shard key.
type Table struct {
	Column string `yaml:"column"`
	Vindex string `yaml:"vindex"`

	line int
}

// maxSocketPath is the size of sockaddr_un's path on Linux, its
// terminating NUL included.
const maxSocketPath = 108

// Addr is a host:port. It remembers the line it was read from, for errors.
type Addr struct {
	HostPort string
	line     int
}

// Host and Port split the address; Port is 0 when it does not parse.
func (a Addr) Host() string { h, _, _ := net.SplitHostPort(a.HostPort); return h }

// Port returns the numeric port, or 0 when the address is malformed.
func (a Addr) Port() int {
	_, p, _ := net.SplitHostPort(a.HostPort)
	n, _ := strconv.Atoi(p)
	return n
}

func (a Addr) String() string { return a.HostPort }

// MarshalYAML writes the address as a plain string.
func (a Addr) MarshalYAML() (any, error) { return a.HostPort, nil }

// UnmarshalYAML reads a plain host:port string and keeps its line.
func (a *Addr) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want host:port", n.Line)
	}
	a.HostPort, a.line = n.Value, n.Line
	return nil
}

// UnmarshalYAML decodes a shard and keeps its line.
func (s *Shard) UnmarshalYAML(n *yaml.Node) error {
	type plain Shard
	if err := n.Decode((*plain)(s)); err != nil {
		return err
	}
	s.line = n.Line
	return nil
}

// UnmarshalYAML decodes a table entry and keeps its line.
func (t *Table) UnmarshalYAML(n *yaml.Node) error {
	type plain Table
	if err := n.Decode((*plain)(t)); err != nil {
		return err
	}
	t.line = n.Line
	return nil
}

// Role says what a node does in its shard.
type Role string

// Roles of a node.
const (
	Primary Role = "primary"
	Replica Role = "replica"
)

// Node is one server of the topology, flattened out of its shard.
type Node struct {
	// Name is unique in the topology: "<shard>/primary",
	// "<shard>/replica-<n>", or MainNode.
	Name string `json:"name"`
	// Shard is the node's shard, empty for the main node.
	Shard string `json:"shard"`
	Role  Role   `json:"role"`
	Addr  string `json:"address"`
}

// Addrs lists the shard's nodes' addresses, the primary first.
func (s Shard) Addrs() []Addr { return append([]Addr{s.Primary}, s.Replicas...) }

// PrimaryOnly is the shard without its replicas: its name, its primary, and
// the socket that reaches the primary (a view a lab measures one node
// through).
func (s Shard) PrimaryOnly() Shard {
	return Shard{Name: s.Name, Primary: s.Primary, Sockets: s.Sockets}
}

// Nodes lists every node, shard by shard, primary first, then the main
// node if there is one.
func (t *Topology) Nodes() []Node {
	var out []Node
	for _, s := range t.Shards {
		out = append(out, Node{Name: s.Name + "/primary", Shard: s.Name, Role: Primary, Addr: s.Primary.HostPort})
		for i, r := range s.Replicas {
			out = append(out, Node{Name: fmt.Sprintf("%s/replica-%d", s.Name, i+1), Shard: s.Name, Role: Replica, Addr: r.HostPort})
		}
	}
	if t.Main != nil {
		out = append(out, Node{Name: MainNode, Role: Primary, Addr: t.Main.HostPort})
	}
	return out
}

// Node finds a node by name, or returns an error wrapping ErrNoNode that
// lists the names that exist.
func (t *Topology) Node(name string) (Node, error) {
	var names []string
	for _, n := range t.Nodes() {
		if n.Name == name {
			return n, nil
		}
		names = append(names, n.Name)
	}
	return Node{}, fmt.Errorf("%w %q in %s; nodes are %v", ErrNoNode, name, t.Name, names)
}

// DatabaseName is Database, or DefaultDatabase when it is empty.
func (t *Topology) DatabaseName() string {
	if t.Database == "" {
		return DefaultDatabase
	}
	return t.Database
}

// AdminCredentials is Admin, or User when no admin is set.
func (t *Topology) AdminCredentials() Credentials {
	if t.Admin.Name == "" {
		return t.User
	}
	return t.Admin
}

// ShardNames returns the shard names in file order.
func (t *Topology) ShardNames() []string {
	names := make([]string, len(t.Shards))
	for i, s := range t.Shards {
		names[i] = s.Name
	}
	return names
}

// Load reads and validates a topology file.
func Load(path string) (*Topology, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("topology: %s does not exist: start a sandbox with `scalelab up`, or pass --topology", path)
		}
		return nil, fmt.Errorf("topology: read %s: %w", path, err)
	}
	t, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Parse decodes and validates a topology document. Unknown fields are
// errors, so a typo cannot silently drop a setting.
func Parse(b []byte) (*Topology, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var t Topology
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return &t, nil
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// Validate checks the topology and returns the first problem, naming the
// field and, when the topology came from a file, its line.
func (t *Topology) Validate() error {
	bad := func(line int, format string, args ...any) error {
		msg := fmt.Sprintf(format, args...)
		if line > 0 {
			return fmt.Errorf("%w: line %d: %s", ErrInvalid, line, msg)
		}
		return fmt.Errorf("%w: %s", ErrInvalid, msg)
	}
	if t.Name == "" {
		return bad(0, "name: required")
	}
	if _, err := flavor.Lookup(t.Flavor); err != nil {
		return bad(0, "flavor: unknown flavor %q: want mariadb or mysql", t.Flavor)
	}
	if t.Database != "" && !identRE.MatchString(t.Database) {
		return bad(0, "database: %q is not a plain identifier", t.Database)
	}
	for field, c := range map[string]Credentials{"user": t.User, "replication": t.Replication} {
		if !identRE.MatchString(c.Name) {
			return bad(0, "%s.name: %q is not a plain user name", field, c.Name)
		}
	}
	if t.Admin.Name != "" && !identRE.MatchString(t.Admin.Name) {
		return bad(0, "admin.name: %q is not a plain user name", t.Admin.Name)
	}
	if len(t.Shards) == 0 {
		return bad(0, "shards: at least one shard is required")
	}
	ranges := make([]shard.KeyRange, len(t.Shards))
	names := make([]string, len(t.Shards))
	seenShard := map[string]int{}
	seenAddr := map[string]int{}
	seenSocket := map[string]string{} // socket path → the address that lists it
	checkAddr := func(field string, a Addr, line int) error {
		if a.line != 0 {
			line = a.line
		}
		host, port, err := net.SplitHostPort(a.HostPort)
		if err != nil || host == "" {
			return bad(line, "%s: %q is not host:port", field, a.HostPort)
		}
		if p, err := strconv.Atoi(port); err != nil || p <= 0 || p > 65535 {
			return bad(line, "%s: %q has no valid port", field, a.HostPort)
		}
		if prev, ok := seenAddr[a.HostPort]; ok {
			return bad(line, "%s: duplicate address %s (already used at line %d)", field, a.HostPort, prev)
		}
		seenAddr[a.HostPort] = line
		return nil
	}
	for i, s := range t.Shards {
		_, rng := SplitShard(s.Name)
		kr, err := shard.ParseKeyRange(rng)
		if err != nil {
			return bad(s.line, "shards[%d].name: %v", i, err)
		}
		if prev, ok := seenShard[s.Name]; ok {
			return bad(s.line, "shards[%d].name: shard %q is listed twice (first at line %d)", i, s.Name, prev)
		}
		seenShard[s.Name] = s.line
		ranges[i], names[i] = kr, s.Name
		if t.Netsim != nil && len(s.Sockets) > 0 {
			return bad(s.line, "shards[%d].sockets: a topology with netsim relays must not list sockets, which would take clients around the relays", i)
		}
		for _, addr := range slices.Sorted(maps.Keys(s.Sockets)) {
			path := s.Sockets[addr]
			_, _, hostPortErr := net.SplitHostPort(addr)
			switch prev, dup := seenSocket[path]; {
			case hostPortErr != nil:
				return bad(s.line, "shards[%d].sockets: %q is not host:port", i, addr)
			case !filepath.IsAbs(path):
				return bad(s.line, "shards[%d].sockets: the socket of %s, %q, is not an absolute path", i, addr, path)
			case len(path) >= maxSocketPath:
				return bad(s.line, "shards[%d].sockets: the socket of %s is %d bytes long, over the %d a unix socket path may have", i, addr, len(path), maxSocketPath-1)
			case dup:
				return bad(s.line, "shards[%d].sockets: %s and %s name the same socket %s", i, prev, addr, path)
			}
			seenSocket[path] = addr
		}
		for j, a := range s.Addrs() {
			field := fmt.Sprintf("shards[%d].primary", i)
			if j > 0 {
				field = fmt.Sprintf("shards[%d].replicas[%d]", i, j-1)
			}
			if err := checkAddr(field, a, s.line); err != nil {
				return err
			}
		}
	}
	if t.Main != nil {
		if err := checkAddr("main", *t.Main, 0); err != nil {
			return err
		}
	}
	if err := t.validateKeyspaces(bad); err != nil {
		return err
	}
	if len(t.Keyspaces) == 0 {
		if err := shard.CheckPartition(names, ranges); err != nil {
			return bad(0, "shards: %v", err)
		}
	}
	tables := make([]string, 0, len(t.Tables))
	for name := range t.Tables {
		tables = append(tables, name)
	}
	sort.Strings(tables)
	for _, name := range tables {
		if err := checkTable(bad, "tables", name, t.Tables[name]); err != nil {
			return err
		}
	}
	if err := t.Netsim.validate(); err != nil {
		return err
	}
	return t.checkMachine()
}

// checkMachine checks the machine section: limits are not negative, and
// the nodes it names exist.
func (t *Topology) checkMachine() error {
	m := t.Machine
	if m == nil {
		return nil
	}
	if m.CPU < 0 || m.Memory < 0 {
		return fmt.Errorf("%w: machine: cpu %g and memory %s must not be negative", ErrInvalid, m.CPU, m.Memory)
	}
	if _, err := machine.ParseCPUs(m.CPUs); err != nil {
		return fmt.Errorf("%w: machine.cpus: %v", ErrInvalid, err)
	}
	for name, o := range m.Nodes {
		if _, err := t.Node(name); err != nil {
			return fmt.Errorf("%w: machine.nodes: %v", ErrInvalid, err)
		}
		if o.CPU < 0 || o.Memory < 0 {
			return fmt.Errorf("%w: machine.nodes.%s: cpu %g and memory %s must not be negative", ErrInvalid, name, o.CPU, o.Memory)
		}
	}
	return nil
}

// Marshal renders the topology as YAML.
func (t *Topology) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(t); err != nil {
		return nil, fmt.Errorf("topology: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// Write validates t and writes it to path with mode 0600, since it holds
// passwords. It replaces the file atomically.
func (t *Topology) Write(path string) error {
	if err := t.Validate(); err != nil {
		return err
	}
	b, err := t.Marshal()
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("topology: write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("topology: write %s: %w", path, err)
	}
	return nil
}

// GrantApp returns the statement that gives the application user its
// privileges on database db (see flavor.GrantApp): the user has them on
// the topology's database and scalelab's own, and on no other until
// granted, so that it cannot read the mysql schema.
func (t *Topology) GrantApp(db string) (string, []any) {
	f, err := flavor.Lookup(t.Flavor)
	if err != nil {
		f, _ = flavor.Lookup(flavor.MariaDB) // Validate rejects an unknown flavor first
	}
	return flavor.GrantApp(f, db, t.User.Name)
}
