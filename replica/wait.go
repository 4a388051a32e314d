package replica

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/topology"
)

// DefaultCatchUpTimeout bounds how long WaitCaughtUp waits for each replica.
const DefaultCatchUpTimeout = time.Minute

// WaitCaughtUp waits until every replica of every shard of t has applied
// everything its primary had committed when the call began, as the admin
// user. The wait runs on each replica (flavor.WaitCaughtUp); a replica that
// is not in time, within timeout (zero: DefaultCatchUpTimeout), is an error
// that names it and its shard.
func WaitCaughtUp(ctx context.Context, t *topology.Topology, timeout time.Duration) error {
	f, err := flavor.Lookup(t.Flavor)
	if err != nil {
		return err
	}
	if timeout == 0 {
		timeout = DefaultCatchUpTimeout
	}
	for _, s := range t.Shards {
		if len(s.Replicas) == 0 {
			continue
		}
		var dbs []*sql.DB
		open := func(addr string) (*sql.DB, error) {
			c, err := mysql.NewConnector(t.MySQLConfig(addr, t.AdminCredentials()))
			if err != nil {
				return nil, fmt.Errorf("connect to %s: %w", addr, err)
			}
			db := sql.OpenDB(c)
			db.SetMaxOpenConns(1)
			dbs = append(dbs, db)
			return db, nil
		}
		err := func() error {
			primary, err := open(s.Primary.HostPort)
			if err != nil {
				return err
			}
			var replicas []flavor.Queryer
			var names []string
			for _, r := range s.Replicas {
				db, err := open(r.HostPort)
				if err != nil {
					return err
				}
				replicas = append(replicas, db)
				names = append(names, "replica "+r.HostPort+" of shard "+s.Name)
			}
			return flavor.WaitCaughtUp(ctx, f, primary, replicas, names, timeout)
		}()
		for _, db := range dbs {
			db.Close()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// WaitCaughtUp waits until every replica of the set has applied everything
// its primary had committed when the call began; see the package function.
func (s *Set) WaitCaughtUp(ctx context.Context, timeout time.Duration) error {
	if timeout == 0 {
		timeout = DefaultCatchUpTimeout
	}
	var replicas []flavor.Queryer
	var names []string
	for _, r := range s.replicas {
		replicas = append(replicas, r.DB)
		names = append(names, r.Name)
	}
	return flavor.WaitCaughtUp(ctx, s.flavor, s.primary.DB, replicas, names, timeout)
}
