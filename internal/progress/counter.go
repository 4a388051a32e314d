package progress

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// CounterAfter is how long a run goes before Counter shows its line: a
// short run needs none.
const CounterAfter = 2 * time.Second

// Counter draws one live line on a terminal: the time, the queries done
// (of how many, when known) and the rate since the last update. Its
// methods are safe for concurrent use.
type Counter struct {
	w     io.Writer
	live  bool
	mu    sync.Mutex
	shown bool
	last  time.Duration
	done  int64
}

// NewCounter returns a Counter that draws on w if w is a terminal.
func NewCounter(w io.Writer) *Counter { return newCounter(w, IsTerminal(w)) }

func newCounter(w io.Writer, live bool) *Counter { return &Counter{w: w, live: live} }

// Live reports whether the counter draws: pass Update as a progress
// callback only then.
func (c *Counter) Live() bool { return c.live }

// Update redraws the line with done of total queries (total 0: unknown)
// after elapsed, once elapsed reaches CounterAfter. It has the signature
// of bench.Config.Progress.
func (c *Counter) Update(done, total int64, elapsed time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live {
		return
	}
	if elapsed < CounterAfter {
		c.last, c.done = elapsed, done
		return
	}
	qps := 0.0
	if dt := (elapsed - c.last).Seconds(); dt > 0 {
		qps = float64(done-c.done) / dt
	}
	c.last, c.done = elapsed, done
	line := fmt.Sprintf("\r[%6.1fs] %d queries", elapsed.Seconds(), done)
	if total > 0 {
		line += fmt.Sprintf(" of %d (%.0f%%)", total, 100*float64(done)/float64(total))
	}
	fmt.Fprintf(c.w, "%s, %.0f qps\x1b[K", line, qps)
	c.shown = true
}

// Finish erases the line, if one is shown.
func (c *Counter) Finish() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.shown {
		fmt.Fprint(c.w, "\r\x1b[K")
		c.shown = false
	}
}
