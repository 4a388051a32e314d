package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/topology"
)

// DefaultBlockingIO is whether direct targets use blocking socket reads
// (TargetConfig.BlockingIO) by default: wherever replica.BlockingNet
// implements them (Linux).
const DefaultBlockingIO = replica.BlockingNet != "tcp"

// TargetConfig says what OpenTarget connects to: one server (direct), or
// scalelab's router over a topology.
type TargetConfig struct {
	// Router sends the statements through scalelab's router over Topology:
	// reads to replicas, writes to primaries. Default false: direct, to DSN
	// or to Node of Topology.
	Router bool
	// DSN is a direct target's server. Nil means Node of Topology.
	DSN *mysql.Config
	// Topology is the router's topology, or the one that holds Node.
	// Required unless DSN is set. TopologyPath, if set, is its file, which
	// the router follows through failovers (router.Config.TopologyPath).
	Topology     *topology.Topology
	TopologyPath string
	// Node names a direct target's node in Topology, such as "0/primary",
	// connected to as the application user. Empty means the topology's
	// first node. An unknown name is an error wrapping topology.ErrNoNode.
	Node string
	// CreateSchema, if set, is a database that OpenTarget creates if it is
	// missing, as mysqlslap's --create-schema, and that the statements run
	// in: on DSN's server, as its user; on Node, as the admin user, which
	// grants the application user its privileges there; on every primary
	// for the router (replicas get it by replication).
	CreateSchema string
	// Consistency is the router's read consistency. Empty means
	// router.DefaultConsistency.
	Consistency router.Consistency
	// BlockingIO makes a direct target's TCP connections use blocking
	// socket reads (replica.BlockingNet), as sysbench's clients do.
	// DefaultBlockingIO is the command line's default.
	BlockingIO bool
	// Driver sends every query of a direct target through go-sql-driver,
	// as database/sql would, instead of scalelab's own protocol loop (see
	// Pool). The loop costs a client less CPU a query; the driver's path
	// is there to compare with, and for what the loop does not speak
	// (TLS, compression) or where the driver answers for the server
	// (rejectReadOnly, allowAllFiles; a file registered with
	// mysql.RegisterLocalFile is not sent by the loop: LOAD DATA LOCAL
	// INFILE fails with ErrLocalInfile).
	Driver bool
	// Clients is the most clients that run at once (the highest
	// Config.Concurrency): a direct pool opens that many connections before
	// OpenTarget returns and keeps them; the router keeps that many idle
	// per node. Zero means 1.
	Clients int
}

// Opened is a target that OpenTarget connected to. Close it when done.
type Opened struct {
	// Target is what Run sends statements to: a *Pool (a server) or the
	// router.
	Target Target
	// Description names the target for a log line, such as
	// "127.0.0.1:3306/shop as app (direct)", or "(direct, through
	// go-sql-driver)" where TargetConfig.Driver, or the DSN's options, keep
	// the protocol loop off.
	Description string
	// DropSchema, when not nil, drops the database that OpenTarget created
	// for TargetConfig.CreateSchema (on every server it created it on), as
	// mysqlslap drops its schema after the run. A database that existed
	// already is never dropped, so it is nil then.
	DropSchema func(context.Context) error
	// ThreadPerClient is set when the target's connections make raw
	// blocking system calls (replica.RawNet): Config.ThreadPerClient must
	// be set for runs against it.
	ThreadPerClient bool
	close           func() error
}

// Close closes the target's connections.
func (o *Opened) Close() error { return o.close() }

// OpenTarget creates cfg.CreateSchema if set, and connects to the target.
func OpenTarget(ctx context.Context, cfg TargetConfig) (*Opened, error) {
	cfg.Clients = max(cfg.Clients, 1)
	if cfg.Router {
		return openRouter(ctx, cfg)
	}
	var mc *mysql.Config
	var drop dropper
	var where string // the server, for messages: a node by its address, not its socket
	if cfg.DSN != nil {
		mc = cfg.DSN.Clone()
		where = mc.Addr
		if cfg.CreateSchema != "" {
			d, err := createSchemaAt(ctx, mc, mc.Addr, cfg.CreateSchema, nil)
			if err != nil {
				return nil, err
			}
			drop = drop.and(d)
		}
	} else {
		t := cfg.Topology
		if t == nil {
			return nil, fmt.Errorf("bench: TargetConfig needs DSN or Topology")
		}
		name := cfg.Node
		if name == "" {
			name = t.Nodes()[0].Name
		}
		n, err := t.Node(name)
		if err != nil {
			return nil, err
		}
		mc, where = t.MySQLConfig(n.Addr, t.User), n.Addr
		if cfg.BlockingIO && replica.RawNet != "tcp" {
			// The raw blocking path is TCP's: the node's address, not its
			// socket, as sysbench and mysqlslap with -h measure.
			mc.Net, mc.Addr = "tcp", n.Addr
		}
		if cfg.CreateSchema != "" {
			// The admin user creates it and grants the application user.
			d, err := createSchemaAt(ctx, t.MySQLConfig(n.Addr, t.AdminCredentials()), n.Addr, cfg.CreateSchema, t.GrantApp)
			if err != nil {
				return nil, err
			}
			drop = drop.and(d)
		}
	}
	if cfg.CreateSchema != "" {
		mc.DBName = cfg.CreateSchema
	}
	raw := false
	if mc.Net == "tcp" && cfg.BlockingIO {
		mc.Net, raw = replica.RawNet, replica.RawNet != "tcp"
	}
	pool := &Pool{}
	// Options under which the driver answers for the server (it turns a
	// read-only error into a reconnection, or sends a local file) keep the
	// driver's path.
	if mc.DialFunc == nil {
		pool.lean = &leanSockets{readTimeout: mc.ReadTimeout, writeTimeout: mc.WriteTimeout,
			driverOnly: cfg.Driver || mc.RejectReadOnly || mc.AllowAllFiles}
		mc.DialFunc = pool.lean.dial
	}
	conn, err := mysql.NewConnector(mc)
	if err != nil {
		return nil, fmt.Errorf("connector for %s: %w", where, err)
	}
	db := sql.OpenDB(conn)
	pool.DB = db
	db.SetMaxOpenConns(cfg.Clients)
	db.SetMaxIdleConns(cfg.Clients)
	if err := Connect(ctx, db, cfg.Clients); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect %d client(s) to %s as %s: %w", cfg.Clients, where, mc.User, err)
	}
	via := "" // scalelab's protocol loop, where it can
	if pool.lean == nil || pool.lean.driverOnly {
		via = ", through go-sql-driver"
	}
	return &Opened{
		Target:          pool,
		DropSchema:      drop,
		ThreadPerClient: raw,
		Description:     fmt.Sprintf("%s/%s as %s (direct%s)", where, mc.DBName, mc.User, via),
		close:           db.Close,
	}, nil
}

func openRouter(ctx context.Context, cfg TargetConfig) (*Opened, error) {
	var drop dropper
	if cfg.Topology == nil {
		return nil, fmt.Errorf("bench: TargetConfig.Router needs Topology")
	}
	t := *cfg.Topology
	if cfg.CreateSchema != "" {
		// Created on every primary, from where it replicates.
		for _, s := range t.Shards {
			d, err := createSchemaAt(ctx, t.MySQLConfig(s.Primary.HostPort, t.AdminCredentials()), s.Primary.HostPort, cfg.CreateSchema, t.GrantApp)
			if err != nil {
				return nil, err
			}
			drop = drop.and(d)
		}
		t.Database = cfg.CreateSchema
	}
	if cfg.Consistency == "" {
		cfg.Consistency = router.DefaultConsistency
	}
	r, err := router.Open(ctx, &t, router.Config{
		Consistency:  cfg.Consistency,
		TopologyPath: cfg.TopologyPath,
		Replica:      replica.Config{Pool: replica.PoolConfig{MaxIdle: cfg.Clients}},
	})
	if err != nil {
		return nil, err
	}
	return &Opened{
		DropSchema:  drop,
		Target:      r,
		Description: fmt.Sprintf("topology %s, database %s (router, %s reads)", t.Name, t.DatabaseName(), cfg.Consistency),
		close:       r.Close,
	}, nil
}

// dropper drops what OpenTarget created; nil drops nothing.
type dropper func(context.Context) error

// and returns a dropper that runs d, then e.
func (d dropper) and(e dropper) dropper {
	switch {
	case d == nil:
		return e
	case e == nil:
		return d
	}
	return func(ctx context.Context) error { return errors.Join(d(ctx), e(ctx)) }
}

// createSchemaAt creates database name on the server of cfg, connecting
// without a current database, and runs grant's statement for it when grant
// is set (see CreateSchema). where names the server in messages: a node's
// address rather than the socket cfg may reach it through. It returns how
// to drop the database again when it did not exist before, else nil.
func createSchemaAt(ctx context.Context, cfg *mysql.Config, where, name string, grant func(string) (string, []any)) (dropper, error) {
	admin := cfg.Clone()
	admin.DBName = ""
	conn, err := mysql.NewConnector(admin)
	if err != nil {
		return nil, fmt.Errorf("connector for %s: %w", where, err)
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", name).Scan(&n); err != nil {
		return nil, fmt.Errorf("on %s: %w", where, err)
	}
	if err := CreateSchema(ctx, db, name, grant); err != nil {
		return nil, fmt.Errorf("on %s: %w", where, err)
	}
	if n > 0 {
		return nil, nil
	}
	return func(ctx context.Context) error {
		conn, err := mysql.NewConnector(admin)
		if err != nil {
			return err
		}
		db := sql.OpenDB(conn)
		defer db.Close()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+quoteIdent(name)); err != nil {
			return fmt.Errorf("drop schema %s on %s: %w", name, where, err)
		}
		return nil
	}, nil
}
