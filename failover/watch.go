package failover

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/topology"
)

// Defaults of WatchConfig.
const (
	DefaultWatchInterval = 500 * time.Millisecond
	DefaultMisses        = 3
)

// WatchConfig configures Watch.
type WatchConfig struct {
	Cluster Cluster
	// Interval is the time between probes of each primary, and each
	// probe's timeout; zero means DefaultWatchInterval. Misses is how many
	// probes in a row must fail before the primary counts as lost; zero
	// means DefaultMisses.
	Interval time.Duration
	Misses   int
	// Progress, if set, receives a line per event; OnFailover hears of
	// each failover Watch made.
	Progress   func(string)
	OnFailover func(*Result)
}

// Watch probes every shard's primary every Interval until ctx ends. A
// primary that misses Misses probes in a row is failed over (an emergency
// reparent) only once its replicas confirm that they lost it too: every
// replica that answers must have its IO thread down. A primary that only
// the watcher cannot reach (a network blip between the two) is left alone.
func Watch(ctx context.Context, cfg WatchConfig) error {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultWatchInterval
	}
	if cfg.Misses <= 0 {
		cfg.Misses = DefaultMisses
	}
	say := func(format string, args ...any) {
		if cfg.Progress != nil {
			cfg.Progress(fmt.Sprintf(format, args...))
		}
	}
	pools := map[string]*sql.DB{} // by address
	defer func() {
		for _, db := range pools {
			db.Close()
		}
	}()
	pool := func(t *topology.Topology, addr string) (*sql.DB, error) {
		if db, ok := pools[addr]; ok {
			return db, nil
		}
		db, err := t.OpenDB(addr, t.AdminCredentials(), 1)
		if err == nil {
			pools[addr] = db
		}
		return db, err
	}
	misses := map[string]int{}     // by shard
	watched := map[string]string{} // by shard: the primary the misses are of
	// fence holds the addresses of primaries replaced while they were
	// unreachable, not known to be down: each is made read-only as soon as
	// it answers (a healed partition), before anyone can write to it.
	fence := map[string]string{} // address → node name when replaced
	tick := time.NewTicker(cfg.Interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		t := current(cfg.Cluster)
		f, err := flavor.Lookup(t.Flavor)
		if err != nil {
			return err
		}
		for addr, name := range fence {
			if db, err := pool(t, addr); err == nil && Fence(ctx, f, db, cfg.Interval) == nil {
				say("%s (%s, replaced by a failover) answers again: made read-only", addr, name)
				delete(fence, addr)
			}
		}
		for _, sh := range t.Shards {
			db, err := pool(t, sh.Primary.HostPort)
			if err == nil {
				pctx, cancel := context.WithTimeout(ctx, cfg.Interval)
				err = db.PingContext(pctx)
				cancel()
			}
			if err == nil || watched[sh.Name] != sh.Primary.HostPort {
				// (A new primary, another process's failover made,
				// starts with no misses.)
				watched[sh.Name] = sh.Primary.HostPort
				misses[sh.Name] = 0
			}
			if err == nil {
				continue
			}
			misses[sh.Name]++
			if misses[sh.Name] < cfg.Misses {
				continue
			}
			if lost, why := replicasLostIt(ctx, t, f, sh, pool, cfg.Interval); !lost {
				say("shard %s: %s missed %d probes, but %s: no failover", sh.Name, sh.Primary.HostPort, misses[sh.Name], why)
				continue
			}
			say("shard %s: %s missed %d probes and its replicas lost it too: failing over", sh.Name, sh.Primary.HostPort, misses[sh.Name])
			res, err := Run(ctx, Config{Cluster: cfg.Cluster, Shard: sh.Name, Emergency: true, ProbeTimeout: cfg.Interval, Progress: cfg.Progress})
			if err != nil {
				say("shard %s: failover failed: %v", sh.Name, err)
				continue
			}
			misses[sh.Name] = 0
			fence[sh.Primary.HostPort] = res.OldPrimary
			if cfg.OnFailover != nil {
				cfg.OnFailover(res)
			}
		}
	}
}

// replicasLostIt reports whether every replica of sh that answers has lost
// its primary (its IO thread is not running), and at least one answers;
// if not, why. A node that replicates from no one (a fenced former
// primary, listed as a replica until it rejoins) is no witness: it never
// reached the primary.
func replicasLostIt(ctx context.Context, t *topology.Topology, f flavor.Flavor, sh topology.Shard, pool func(*topology.Topology, string) (*sql.DB, error), timeout time.Duration) (bool, string) {
	answered := 0
	for _, r := range sh.Replicas {
		db, err := pool(t, r.HostPort)
		if err != nil {
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, timeout)
		st, err := flavor.ReadReplicaStatus(rctx, db, f)
		cancel()
		if err != nil || !st.Configured {
			continue
		}
		answered++
		if st.IORunning == "Yes" {
			return false, "its replicas still reach it"
		}
	}
	if answered == 0 {
		return false, "no replica of it answers to confirm it is lost"
	}
	return true, ""
}
