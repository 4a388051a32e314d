package failover

import (
	"context"
	"errors"
	"fmt"
	"github.com/scalelab/scalelab/internal/units"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/topology"
)

// DefaultBuffer is how long a proxy, and the drill's router, hold a write
// for a shard without a primary: vtgate's default.
const DefaultBuffer = 20 * time.Second

// drillTable holds the drill writer's numbered rows; it is unsharded, so
// it lives on the first shard, whose primary the drill kills.
const drillTable = "scalelab_drill"

// DrillConfig configures Drill.
type DrillConfig struct {
	// Cluster is the sandbox; TopologyPath its topology file, which the
	// writer's router follows through the failover.
	Cluster      Cluster
	TopologyPath string
	// Kill kills a node at once (kill -9), by name.
	Kill func(ctx context.Context, node string) error
	// Rate is the writer's inserts per second; zero means 200. Before is
	// how long it writes before the kill, and After how long after writes
	// resume; zero means a second each. Timeout bounds the wait for writes
	// to resume; zero means 30 s.
	Rate                   int
	Before, After, Timeout time.Duration
	// Watch's Interval and Misses (zero: its defaults).
	Interval time.Duration
	Misses   int
	Progress func(string)
}

// DrillResult is one drill: what the writer saw, and what the failover did.
type DrillResult struct {
	SemiSync bool `json:"semi_sync"`
	// Unavailable is the longest time without an acknowledged write around
	// the kill: detection, failover and the router's move.
	Unavailable units.Ms `json:"unavailable_ms"`
	// Acked writes were acknowledged to the writer; Lost are those the new
	// primary does not have; Failed are writes that returned an error.
	Acked  int     `json:"acked"`
	Lost   []int64 `json:"lost"`
	Failed int     `json:"failed"`
	// Failover is what the watcher's failover did.
	Failover *Result `json:"failover"`
}

// Drill kills the first shard's primary under a steady write load through
// the router, lets Watch detect it and fail over, and counts how long
// writes were unavailable and which acknowledged writes the new primary
// lacks. It is the measurement behind the failover lab and
// scripts/bench-failover.sh.
func Drill(ctx context.Context, cfg DrillConfig) (*DrillResult, error) {
	if cfg.Rate <= 0 {
		cfg.Rate = 200
	}
	if cfg.Before <= 0 {
		cfg.Before = time.Second
	}
	if cfg.After <= 0 {
		cfg.After = time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	say := func(format string, args ...any) {
		if cfg.Progress != nil {
			cfg.Progress(fmt.Sprintf(format, args...))
		}
	}
	t := cfg.Cluster.Topology()
	// The writer's router buffers writes while the shard has no primary, as
	// a proxy in front of an application would.
	r, err := router.Open(ctx, t, router.Config{TopologyPath: cfg.TopologyPath, FollowInterval: 20 * time.Millisecond, FailoverBuffer: DefaultBuffer})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	for _, q := range []string{"DROP TABLE IF EXISTS " + drillTable, "CREATE TABLE " + drillTable + " (id BIGINT PRIMARY KEY)"} {
		if _, err := r.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("failover drill: %w", err)
		}
	}
	res := &DrillResult{SemiSync: t.SemiSync}
	var mu sync.Mutex
	var acked []int64
	var ackedAt []time.Time
	wctx, stopWriter := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Second / time.Duration(cfg.Rate))
		defer tick.Stop()
		for id := int64(1); ; id++ {
			select {
			case <-wctx.Done():
				return
			case <-tick.C:
			}
			sctx, cancel := context.WithTimeout(wctx, DefaultBuffer+time.Second)
			_, err := r.ExecContext(sctx, "INSERT INTO "+drillTable+" (id) VALUES (?)", id)
			cancel()
			mu.Lock()
			if err == nil {
				acked, ackedAt = append(acked, id), append(ackedAt, time.Now())
			} else if wctx.Err() == nil {
				res.Failed++
			}
			mu.Unlock()
		}
	})
	defer func() { stopWriter(); wg.Wait() }()

	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	done := make(chan *Result, 1)
	wg.Go(func() {
		_ = Watch(watchCtx, WatchConfig{Cluster: cfg.Cluster, Interval: cfg.Interval, Misses: cfg.Misses, Progress: cfg.Progress,
			OnFailover: func(r *Result) {
				select {
				case done <- r:
				default: // one is all the drill waits for
				}
			}})
	})
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(cfg.Before):
	}
	primary := t.Shards[0].Name + "/" + string(topology.Primary)
	killed := time.Now()
	if err := cfg.Kill(ctx, primary); err != nil {
		return nil, fmt.Errorf("failover drill: kill %s: %w", primary, err)
	}
	say("killed %s", primary)
	select {
	case res.Failover = <-done:
	case <-time.After(cfg.Timeout):
		return nil, fmt.Errorf("failover drill: no failover %v after the kill", cfg.Timeout)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	stopWatch()
	// Writes resume once the router follows; then the writer goes on for
	// After, so that the gap closes.
	deadline := time.Now().Add(cfg.Timeout)
	for {
		mu.Lock()
		resumed := len(ackedAt) > 0 && ackedAt[len(ackedAt)-1].After(killed) && time.Since(ackedAt[len(ackedAt)-1]) < time.Second
		mu.Unlock()
		if resumed || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(cfg.After)
	stopWriter()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	res.Acked = len(acked)
	// The longest gap between acknowledgements that ends after the kill: a
	// write or two may still be acknowledged while the killed server goes.
	for i := 1; i < len(ackedAt); i++ {
		if ackedAt[i].After(killed) {
			res.Unavailable = max(res.Unavailable, units.Ms(ackedAt[i].Sub(ackedAt[i-1])))
		}
	}
	if res.Unavailable == 0 {
		return nil, errors.New("failover drill: writes did not resume after the failover")
	}
	have := map[int64]bool{}
	var ids []int64
	// From the primary: a replica that lags would show writes as lost.
	if err := r.With(router.Strong).SelectContext(ctx, &ids, "SELECT id FROM "+drillTable); err != nil {
		return nil, fmt.Errorf("failover drill: read back: %w", err)
	}
	for _, id := range ids {
		have[id] = true
	}
	res.Lost = []int64{} // measured: none lost is [], not null
	for _, id := range acked {
		if !have[id] {
			res.Lost = append(res.Lost, id)
		}
	}
	slices.Sort(res.Lost)
	return res, nil
}

// WriteText prints the drill's figures.
func (d *DrillResult) WriteText(w io.Writer) error {
	mode := "async"
	if d.SemiSync {
		mode = "semi-sync"
	}
	_, err := fmt.Fprintf(w, "%s: writes unavailable for %v; %d acknowledged, %d lost %v, %d failed\n",
		mode, d.Unavailable.Round(time.Millisecond), d.Acked, len(d.Lost), d.Lost, d.Failed)
	if err == nil && d.Failover != nil {
		err = d.Failover.WriteText(w)
	}
	return err
}
