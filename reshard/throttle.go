package reshard

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/scalelab/scalelab/flavor"
)

// DefaultThrottleLag is how far behind a replica of a source or target
// shard may fall before the copy waits for it, as Vitess's tablet
// throttler holds VReplication back when replicas lag.
const DefaultThrottleLag = 5 * time.Second

// throttleEvery is how often the copy looks at the replicas' lag.
const throttleEvery = 250 * time.Millisecond

// throttle is the copy's check of replica lag: while a replica of a source
// or target shard is more than Config.ThrottleLag behind its primary
// (Seconds_Behind_Master), the copy waits, so that reads routed to the
// replicas stay fresh and the replicas catch up. It checks at most every
// throttleEvery.
type throttle struct {
	w     *worker
	last  time.Time
	dbs   map[string]*sql.DB
	f     flavor.Flavor
	limit time.Duration
	// Waited sums the time the copy waited.
	waited time.Duration
	// unknown are the replicas whose lag could not be read, said once
	// each: they do not hold the copy back.
	unknown map[string]bool
}

func (w *worker) newThrottle() *throttle {
	f, _ := flavor.Lookup(w.st.OldTop.Flavor)
	return &throttle{w: w, dbs: map[string]*sql.DB{}, f: f, limit: w.cfg.ThrottleLag}
}

// replicas are the addresses of the source and target shards' replicas.
func (t *throttle) replicas() []string {
	var out []string
	for _, s := range t.w.sources() {
		for _, r := range s.Replicas {
			out = append(out, r.HostPort)
		}
	}
	nt := t.w.newTopology()
	for _, name := range t.w.st.To {
		for _, s := range nt.Shards {
			if s.Name != name {
				continue
			}
			for _, r := range s.Replicas {
				out = append(out, r.HostPort)
			}
		}
	}
	return out
}

// wait returns once no replica lags past the limit (or at once when the
// limit is off, or it looked less than throttleEvery ago).
func (t *throttle) wait(ctx context.Context) error {
	if t == nil || t.limit < 0 || t.f == nil || time.Since(t.last) < throttleEvery {
		return nil
	}
	said := false
	for {
		t.last = time.Now()
		addr, lag, err := t.worst(ctx)
		if err != nil || lag <= t.limit {
			return err
		}
		if !said {
			t.w.say(fmt.Sprintf("throttling the copy: replica %s is %v behind (limit %v)", addr, lag, t.limit))
			said = true
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(throttleEvery):
			t.waited += throttleEvery
		}
	}
}

// worst is the replica that lags most, and its lag. A replica that cannot
// be asked, or whose lag is unknown, does not hold the copy back.
func (t *throttle) worst(ctx context.Context) (string, time.Duration, error) {
	var addr string
	var worst time.Duration
	for _, a := range t.replicas() {
		db, ok := t.dbs[a]
		if !ok {
			var err error
			if db, err = t.w.open(a); err != nil {
				return "", 0, err
			}
			t.dbs[a] = db
		}
		st, err := flavor.ReadReplicaStatus(ctx, db, t.f)
		if err != nil || st.SecondsBehind < 0 {
			if !t.unknown[a] {
				why := "it reports none: its replication is stopped or not set up"
				if err != nil {
					why = err.Error()
				}
				t.w.say(fmt.Sprintf("throttle: the lag of replica %s is unknown (%s); the copy does not wait for it", a, why))
				if t.unknown == nil {
					t.unknown = map[string]bool{}
				}
				t.unknown[a] = true
			}
			continue
		}
		delete(t.unknown, a)
		if lag := time.Duration(st.SecondsBehind) * time.Second; lag > worst {
			addr, worst = a, lag
		}
	}
	return addr, worst, nil
}

// close closes the pools it opened.
func (t *throttle) close() {
	if t == nil {
		return
	}
	for _, db := range t.dbs {
		db.Close()
	}
}
