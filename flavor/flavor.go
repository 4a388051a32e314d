package flavor

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Names of the supported flavors, as they appear in a topology file.
const (
	MariaDB = "mariadb"
	MySQL   = "mysql"
)

// ErrUnknown is returned by Lookup for a flavor name it does not know.
var ErrUnknown = errors.New("flavor: unknown flavor")

// Source is where a replica replicates from.
type Source struct {
	Host     string
	Port     int
	User     string
	Password string
}

// ReplicaStatus is the part of SHOW SLAVE STATUS / SHOW REPLICA STATUS that
// scalelab reads. SecondsBehind is -1 when the server reports NULL.
type ReplicaStatus struct {
	Configured    bool // false when the node is not a replica at all
	IORunning     string
	SQLRunning    string
	SecondsBehind int64
	LastError     string
	SourcePort    int
	// Received is the GTID position the IO thread has received (MariaDB's
	// Gtid_IO_Pos, MySQL's Retrieved_Gtid_Set): what the replica will have
	// applied once its relay log is done.
	Received string
}

// Running reports whether both replication threads run.
func (s ReplicaStatus) Running() bool { return s.IORunning == "Yes" && s.SQLRunning == "Yes" }

// Flavor is one server family's dialect of replication and administration.
// Implementations are stateless values and safe for concurrent use.
type Flavor interface {
	// Name is "mariadb" or "mysql".
	Name() string
	// InstallArgs returns the program and arguments that initialize an empty
	// data dir. server is the path of the server binary, tmpdir the node's own
	// temp dir (installers running in parallel collide in a shared one), user
	// the OS user the server runs as.
	InstallArgs(server, datadir, tmpdir, user string) (prog string, args []string)
	// ServerOptions returns the flavor's own my.cnf lines (GTID, binlog
	// naming, semi-sync) for a node.
	ServerOptions(o NodeOptions) []string
	// SemiSyncStatusQuery selects one row of (name, value), the server's
	// own word on whether it runs semi-synchronous replication now: as a
	// primary (waiting for replicas' acknowledgements, or fallen back to
	// async), or as a replica (acknowledging).
	SemiSyncStatusQuery(primary bool) string
	// ChangeSource returns the statement, with ? placeholders for the
	// client to interpolate, that points a replica at src using GTIDs.
	ChangeSource(src Source) (query string, args []any)
	// StartReplica, StopReplica and ResetReplica control the replica threads.
	StartReplica() string
	StopReplica() string
	ResetReplica() string
	// StopIOThread stops receiving events and leaves the SQL thread applying
	// what was received.
	StopIOThread() string
	// SetReadOnly returns the statements that make the server refuse (on)
	// or accept (off) writes from users without admin privileges: read_only,
	// and MySQL's super_read_only.
	SetReadOnly(on bool) []string
	// GTIDStateQuery selects, as one string, everything the server has
	// logged: MariaDB's gtid_binlog_state (the last sequence number of every
	// server in every domain), MySQL's gtid_executed. Errant compares two.
	GTIDStateQuery() string
	// Delay returns the statement, run while the replica is stopped, that
	// makes it apply each event only d after the primary committed it
	// (MASTER_DELAY, SOURCE_DELAY); zero removes the delay.
	Delay(d time.Duration) string
	// HideIndex returns the statement that makes the optimizer ignore the
	// index name of table (hide) or use it again, without dropping it:
	// MariaDB's IGNORED indexes, MySQL's INVISIBLE ones. table and name
	// are quoted identifiers.
	HideIndex(table, name string, hide bool) string
	// SemiSyncClientsQuery selects one row of (name, value): how many
	// semi-sync replicas are connected to this primary now.
	SemiSyncClientsQuery() string
	// SemiSyncSource returns the statement that makes a node wait for
	// replicas' acknowledgements (a primary) or not (a replica).
	SemiSyncSource(on bool) string
	// PrepareRejoin returns the statements a former primary runs before it
	// replicates from ChangeSource: MariaDB starts from its binlog position.
	PrepareRejoin() []string
	// ReplicaStatusQuery is SHOW SLAVE STATUS or SHOW REPLICA STATUS; parse
	// its single row with ParseReplicaStatus.
	ReplicaStatusQuery() string
	ParseReplicaStatus(row map[string]string) ReplicaStatus
	// GTIDPositionQuery selects the server's executed GTID position as one
	// string column.
	GTIDPositionQuery() string
	// LastGTIDQuery selects, on the session that just wrote, a GTID (or GTID
	// set) that a replica must reach to show that write.
	LastGTIDQuery() string
	// WaitGTID returns a query that blocks on a replica until gtid is applied
	// or timeout passes, selecting one integer; WaitTimedOut interprets it.
	WaitGTID(gtid string, timeout time.Duration) (query string, args []any)
	WaitTimedOut(result int64) bool
	// TableOptions end a CREATE TABLE: InnoDB, utf8mb4 and the server's
	// recommended Unicode collation that exists in every supported version
	// (MariaDB 10.6+, MySQL 8.0+).
	TableOptions() string
	// ExplainAnalyze prefixes stmt so that the server executes it and reports
	// the real plan: ANALYZE on MariaDB, EXPLAIN ANALYZE on MySQL.
	ExplainAnalyze(stmt string) string
	// AppGrant is the privilege list the application user gets on each
	// database it uses: everything an application and the benches need,
	// and nothing that bypasses read_only. It is granted per database, so
	// the user cannot read the mysql schema (password hashes).
	AppGrant() string
	// AppGlobalGrant is the application user's server-wide privileges:
	// only what reading replication status and positions needs.
	AppGlobalGrant() string
	// AdminGrant is the privilege list for scalelab's admin user.
	AdminGrant() string
}

// NodeOptions are what a node's my.cnf lines depend on.
type NodeOptions struct {
	// CPU is the node's machine's CPU quota in cores; 0: not limited.
	CPU float64
	// SemiSync turns on semi-synchronous replication, with the AFTER_SYNC
	// wait point: every node acknowledges as a replica, and the primary
	// (Primary) waits for acknowledgements. A replica does not wait: its
	// own commits of replicated events would otherwise wait for replicas
	// of its own. SemiSyncSource switches a node when its role changes.
	SemiSync, Primary bool
}

// Lookup returns the flavor with the given name.
func Lookup(name string) (Flavor, error) {
	switch strings.ToLower(name) {
	case MariaDB:
		return mariaDB{}, nil
	case MySQL:
		return mySQL{}, nil
	}
	return nil, fmt.Errorf("%w %q: want %s or %s", ErrUnknown, name, MariaDB, MySQL)
}

// Version is a server version, as reported by --version.
type Version struct {
	Major, Minor, Patch int
}

func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// AtLeast reports whether v is major.minor or newer.
func (v Version) AtLeast(major, minor int) bool {
	return v.Major > major || (v.Major == major && v.Minor >= minor)
}

var versionRE = regexp.MustCompile(`Ver\s+(\d+)\.(\d+)\.(\d+)(\S*)`)

// Detect reads the output of `mariadbd --version` or `mysqld --version` and
// returns the flavor and version. It refuses servers older than MariaDB 10.6
// or MySQL 8.0, whose GTID syntax scalelab does not speak.
func Detect(versionOutput string) (Flavor, Version, error) {
	m := versionRE.FindStringSubmatch(versionOutput)
	if m == nil {
		return nil, Version{}, fmt.Errorf("flavor: cannot read a version from %q", strings.TrimSpace(versionOutput))
	}
	var v Version
	v.Major, _ = strconv.Atoi(m[1])
	v.Minor, _ = strconv.Atoi(m[2])
	v.Patch, _ = strconv.Atoi(m[3])
	if strings.Contains(strings.ToLower(versionOutput), "mariadb") {
		if !v.AtLeast(10, 6) {
			return nil, v, fmt.Errorf("flavor: MariaDB %s is too old: scalelab needs 10.6 or newer", v)
		}
		return mariaDB{}, v, nil
	}
	if !v.AtLeast(8, 0) {
		return nil, v, fmt.Errorf("flavor: MySQL %s is too old: scalelab needs 8.0 or newer", v)
	}
	return mySQL{}, v, nil
}

func parseSeconds(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// GrantApp returns the statement that gives user (at any host) the
// application privileges (AppGrant) on database db. The names are quoted
// in the text, since servers take no placeholders in GRANT; args is
// always empty.
func GrantApp(f Flavor, db, user string) (query string, args []any) {
	q := strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(user)
	return "GRANT " + f.AppGrant() + " ON `" + strings.ReplaceAll(db, "`", "``") + "`.* TO '" + q + "'@'%'", nil
}
