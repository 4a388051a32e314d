package router

import (
	"context"
	"errors"
	"fmt"
	"github.com/scalelab/scalelab/internal/units"
	"os"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/topology"
)

// DefaultFollowInterval is how often a router with Config.TopologyPath
// looks at its topology file for a failover.
const DefaultFollowInterval = 250 * time.Millisecond

// ErrReshaped is returned (wrapped) by Follow for a topology whose shards
// are not the router's: after a reshard, open the router again.
var ErrReshaped = errors.New("router: the topology's shards changed")

// Follow makes the router follow t, its topology after failovers (the
// same shards on the same servers, with new primaries) and after tables
// moved between keyspaces (scalelab movetables). Statements that start
// after it go to the new primaries and the tables' new keyspaces; it
// reports whether a role or a table's keyspace changed.
func (r *Router) Follow(t *topology.Topology) (bool, error) {
	r.followMu.Lock() // the file watch and a failover watcher may both call it
	defer r.followMu.Unlock()
	if len(t.Shards) != len(r.sets) {
		return false, fmt.Errorf("%w: %d shards, the router has %d", ErrReshaped, len(t.Shards), len(r.sets))
	}
	for i, s := range t.Shards {
		if s.Name != r.sets[i].Shard {
			return false, fmt.Errorf("%w: shard %s where the router has %s", ErrReshaped, s.Name, r.sets[i].Shard)
		}
	}
	changed := false
	for i, s := range t.Shards {
		c, err := r.sets[i].Follow(s)
		if err != nil {
			return changed, err
		}
		changed = changed || c
	}
	if !sameKeyspaces(t.Keyspaces, r.Topology().Keyspaces) {
		vs, err := newSchema(t)
		if err != nil {
			return changed, err
		}
		r.vs.replace(vs)
		changed = true
	}
	r.topo.Store(t)
	return changed, nil
}

// follow watches the topology file and follows it whenever it changes,
// until Close. A file that cannot be read or followed is reported once per
// change through Config.OnFollow.
func (r *Router) follow(path string, every time.Duration) {
	defer close(r.followDone)
	var last time.Time
	if fi, err := os.Stat(path); err == nil {
		last = fi.ModTime()
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-r.stopFollow:
			return
		case <-tick.C:
		}
		fi, err := os.Stat(path)
		if err != nil || fi.ModTime().Equal(last) {
			continue
		}
		last = fi.ModTime()
		t, err := topology.Load(path)
		var changed bool
		if err == nil {
			changed, err = r.Follow(t)
		}
		if r.cfg.OnFollow != nil && (changed || err != nil) {
			r.cfg.OnFollow(err)
		}
	}
}

// buffered waits, for at most Config.FailoverBuffer, until the shard's
// roles are replaced (the router followed a failover), and reports whether
// they were. With no buffer it returns false at once.
func (r *Router) buffered(ctx context.Context, replaced <-chan struct{}, tr *Trace) bool {
	if r.cfg.FailoverBuffer <= 0 {
		return false
	}
	start := time.Now()
	timer := time.NewTimer(r.cfg.FailoverBuffer)
	defer timer.Stop()
	select {
	case <-replaced:
		r.stats.buffered.Add(1)
		if tr != nil {
			tr.Buffered += units.Ms(time.Since(start))
		}
		return true
	case <-timer.C:
	case <-ctx.Done():
	}
	return false
}

// notExecuted reports whether err says that a statement never ran: the
// server refused it as read-only, or no connection could be made. Only
// such a statement may run again elsewhere.
func notExecuted(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1290 || me.Number == 1836 // ER_OPTION_PREVENTS_STATEMENT, ER_READ_ONLY_MODE
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// sameKeyspaces reports whether a and b list the same keyspaces with the
// same tables, split the same way.
func sameKeyspaces(a, b []topology.Keyspace) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || len(a[i].Tables) != len(b[i].Tables) {
			return false
		}
		for name, tb := range a[i].Tables {
			if o, ok := b[i].Tables[name]; !ok || o.Column != tb.Column || o.Vindex != tb.Vindex {
				return false
			}
		}
	}
	return true
}
