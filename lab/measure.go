package lab

import (
	"context"
	"fmt"
	"time"

	"github.com/scalelab/scalelab/bench"
)

// side is one side of a comparison: a workload on a target.
type side struct {
	name    string
	target  bench.Target
	queries []string
	clients int
	// prepare, if set, runs untimed before each round and returns the
	// round's statements in place of queries (an insert workload moves its
	// first id past the rows already there).
	prepare func(ctx context.Context) ([]string, error)
	// begin and end, if set, run around each measured round (after warmup),
	// for sampling something while the side runs.
	begin, end func()
}

// sample is what the rounds of one side measured, merged by the bench's
// own recorder, so that counts, error kinds and the histogram combine as
// they do across a bench's iterations.
type sample struct {
	rec  *bench.Recorder
	wall time.Duration
}

func newSample() *sample { return &sample{rec: bench.NewRecorder()} }

// add merges one run's statistics.
func (s *sample) add(st bench.Stats) {
	s.rec.MergeStats(st)
	s.wall += st.Wall
}

// record adds one latency measured outside bench.Run.
func (s *sample) record(d time.Duration) {
	s.rec.Record(d)
	s.wall += d
}

// stats summarizes the sample.
func (s *sample) stats() bench.Stats { return s.rec.Stats(s.wall, 0) }

// QPS is the successful queries per second of measured time.
func (s *sample) QPS() float64 { return s.stats().QPS }

// P returns the latency percentile p (0 to 100), kept within [Min, Max].
// With nothing recorded it is 0.
func (s *sample) P(p float64) time.Duration { return s.rec.Percentile(p) }

// err reports failed queries: a lab's numbers mean nothing if its queries
// fail, so any failure fails the lab.
func (s *sample) err(name string) error {
	st := s.stats()
	if st.Errors == 0 {
		return nil
	}
	return fmt.Errorf("%s: %d of %d queries failed: %s", name, st.Errors, st.Errors+st.Count, bench.ErrorKinds(st.ErrorsByKind))
}

// interleave runs every side for d in total, split over rounds rounds: in
// each round every side runs once, one after another, in an order that
// rotates from round to round, so that a slow moment of the machine does
// not fall on one side only. Each run warms up for warmup first. It
// returns one merged sample per side, in the order of sides, and fails if
// any query failed.
func interleave(ctx context.Context, sides []side, d, warmup time.Duration, rounds int) ([]*sample, error) {
	out := make([]*sample, len(sides))
	for i := range out {
		out[i] = newSample()
	}
	per := max(d/time.Duration(rounds), 10*time.Millisecond)
	for r := range rounds {
		for k := range sides {
			i := (k + r) % len(sides)
			sd := sides[i]
			cfg := bench.Config{Concurrency: []int{max(sd.clients, 1)}, Seed: uint64(r)}
			if warmup > 0 {
				warm := cfg
				warm.Duration = warmup
				if err := sd.run(ctx, warm); err != nil {
					return nil, fmt.Errorf("%s: warm up: %w", sd.name, err)
				}
			}
			if sd.begin != nil {
				sd.begin()
			}
			cfg.Duration = per
			err := sd.run(ctx, cfg, out[i])
			if sd.end != nil {
				sd.end()
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", sd.name, err)
			}
		}
	}
	for i, s := range out {
		if err := s.err(sides[i].name); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// run runs the side's workload once with cfg, its statements from prepare
// when set, and adds what it measured to into, if any.
func (sd side) run(ctx context.Context, cfg bench.Config, into ...*sample) error {
	cfg.Queries = sd.queries
	if sd.prepare != nil {
		var err error
		if cfg.Queries, err = sd.prepare(ctx); err != nil {
			return err
		}
	}
	res, err := bench.Run(ctx, sd.target, cfg)
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	for _, s := range into {
		for _, l := range res.Levels {
			s.add(l.Total)
		}
	}
	return nil
}
