package replica

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/topology"
)

// NodeStatus is what a probe of one node found.
type NodeStatus struct {
	topology.Node
	Up       bool   `json:"up"`
	Error    string `json:"error,omitempty"`
	ReadOnly bool   `json:"read_only"`
	// GTID is the node's executed GTID position.
	GTID string `json:"gtid"`
	// Replication is set for replicas.
	IORunning  string `json:"io_running,omitempty"`
	SQLRunning string `json:"sql_running,omitempty"`
	// SecondsBehind is the server's own Seconds_Behind_Master: whole
	// seconds, and -1 when the server reports NULL.
	SecondsBehind int64 `json:"seconds_behind"`
	// HeartbeatLagMs is the pt-heartbeat lag: how old the heartbeat row the
	// replica has applied is, in milliseconds; -1 when unknown.
	HeartbeatLagMs float64 `json:"heartbeat_lag_ms"`
	LastError      string  `json:"last_error,omitempty"`
	// Pid is the server's process id when a local sandbox runs it and it
	// is alive; 0 otherwise. Probe leaves it 0 (see ProbeStatus).
	Pid int `json:"pid,omitempty"`
	// Machine is the node's simulated machine, when the sandbox limits
	// it (see Status.AddMachines).
	Machine *MachineStatus `json:"machine,omitempty"`
	// SemiSync is, when the topology runs semi-synchronous replication,
	// the server's own status: "on", or "off" for a primary that fell back
	// to async (no replica acknowledged in time) or a replica that does not
	// acknowledge.
	SemiSync string `json:"semi_sync,omitempty"`
	// Network lists the netsim faults on the node's relays, such as
	// "partition (clients, replication)"; see Status.AddNetwork.
	Network []string `json:"network,omitempty"`
	// Connect is a command line that opens a client session on the node
	// (see Status.AddConnect), without a password on it.
	Connect string `json:"connect,omitempty"`
}

// Probe connects to every node of t with the admin credentials and reports
// its state. Nodes are probed concurrently, each bounded by timeout; a node
// that does not answer is reported down, not returned as an error.
func Probe(ctx context.Context, t *topology.Topology, timeout time.Duration) ([]NodeStatus, error) {
	f, err := flavor.Lookup(t.Flavor)
	if err != nil {
		return nil, err
	}
	nodes := t.Nodes()
	out := make([]NodeStatus, len(nodes))
	var wg sync.WaitGroup
	// A fresh heartbeat on every primary first, so that each replica's
	// heartbeat lag is measured against now, not against whenever a router
	// last ran.
	for _, n := range nodes {
		if n.Role != topology.Primary {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			pctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			db := openAdmin(t, n.Addr)
			defer db.Close()
			beatIfWritable(pctx, db)
		}()
	}
	wg.Wait()
	for i, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			out[i] = probeNode(pctx, t, f, n)
		}()
	}
	wg.Wait()
	return out, nil
}

func openAdmin(t *topology.Topology, addr string) *sql.DB {
	cfg := t.MySQLConfig(addr, t.AdminCredentials())
	cfg.DBName = ""
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		panic(err) // a config built by topology always validates
	}
	return sql.OpenDB(conn)
}

func probeNode(ctx context.Context, t *topology.Topology, f flavor.Flavor, n topology.Node) NodeStatus {
	st := NodeStatus{Node: n, SecondsBehind: -1, HeartbeatLagMs: -1}
	db := openAdmin(t, n.Addr)
	defer db.Close()
	if err := db.QueryRowContext(ctx, "SELECT @@GLOBAL.read_only").Scan(&st.ReadOnly); err != nil {
		st.Error = err.Error()
		return st
	}
	st.Up = true
	var err error
	if st.GTID, err = flavor.Position(ctx, db, f); err != nil {
		st.Error = err.Error()
	}
	if t.SemiSync {
		var name string
		if err := db.QueryRowContext(ctx, f.SemiSyncStatusQuery(n.Role == topology.Primary)).Scan(&name, &st.SemiSync); err != nil {
			st.SemiSync = "unknown"
			st.Error = fmt.Sprintf("read semi-sync status: %v", err)
		}
		st.SemiSync = strings.ToLower(st.SemiSync)
	}
	if n.Role == topology.Replica {
		rs, err := flavor.ReadReplicaStatus(ctx, db, f)
		if err != nil {
			st.Error = fmt.Sprintf("read replica status: %v", err)
			return st
		}
		st.IORunning, st.SQLRunning, st.SecondsBehind, st.LastError = rs.IORunning, rs.SQLRunning, rs.SecondsBehind, rs.LastError
		var us sql.NullInt64
		if err := db.QueryRowContext(ctx, heartbeatAge).Scan(&us); err == nil && us.Valid {
			st.HeartbeatLagMs = float64(max(us.Int64, 0)) / 1000
		}
		if !rs.Configured {
			st.IORunning, st.SQLRunning = "not configured", "not configured"
		}
	}
	return st
}
