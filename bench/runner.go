package bench

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults applied by Run to zero Config fields.
const (
	DefaultConcurrency      = 1
	DefaultIterations       = 1
	DefaultProgressInterval = 200 * time.Millisecond
	// DefaultPostQueryTimeout bounds PostQuery after ctx is cancelled, so
	// that cleanup still runs on Ctrl-C but cannot hang.
	DefaultPostQueryTimeout = 10 * time.Second
	// DefaultReconnectAttempts is how many times a client tries to connect
	// again after its connection was lost, before it stops.
	DefaultReconnectAttempts = 10
	// DefaultReconnectTimeout bounds one attempt to reconnect (a server
	// that accepts a connection and never answers it, stopped with
	// SIGSTOP, say).
	DefaultReconnectTimeout = 2 * time.Second
)

// The wait before a client's next attempt to reconnect doubles from
// reconnectBackoff up to reconnectBackoffMax: about 5s over
// DefaultReconnectAttempts, enough for a server restart or a failover,
// and short enough not to hammer a server that is starting.
const (
	reconnectBackoff    = 10 * time.Millisecond
	reconnectBackoffMax = time.Second
)

// Config is what Run does. The zero value of each field is its default, as
// documented; Run validates the Config and does not modify it.
type Config struct {
	// Queries are the statement templates (see Template). Each client runs
	// them in order, round and round, as mysqlslap's clients do. Required.
	Queries []string
	// PreQuery and PostQuery run, in order and untimed, before and after
	// every iteration at every concurrency, as mysqlslap's --pre-query and
	// --post-query. They are plain SQL, not templates. Default none. An error
	// in one stops Run.
	PreQuery, PostQuery []string
	// Concurrency lists the numbers of concurrent clients to run with, one
	// level after another, as mysqlslap's --concurrency=1,10,100. Empty means
	// [DefaultConcurrency]. Each value must be at least 1.
	Concurrency []int
	// Iterations is how many times each concurrency level runs. Zero means
	// DefaultIterations.
	Iterations int
	// NumberOfQueries is the total number of queries of one iteration, split
	// across the clients as evenly as possible (100 over 3 clients is
	// 34/33/33), as mysqlslap's --number-of-queries, except that the total is
	// exact. With Rate set, it is the number of scheduled queries, taken by
	// whichever client is free. Zero, with Duration zero too, means each
	// client runs each query once (mysqlslap's default); with Duration set,
	// it means no count limit.
	NumberOfQueries int
	// SharedCount makes NumberOfQueries, in a closed loop, one count that
	// every client takes its next query from, as sysbench's --events does,
	// instead of mysqlslap's fixed split: a client that is free runs the
	// next query, so none sits idle while a slower one finishes its share.
	// Default false: the fixed split.
	SharedCount bool
	// Duration stops an iteration after this much time past warmup. A query
	// in flight then is completed and counted. Zero means no time limit. With
	// NumberOfQueries set too, whichever is reached first stops the
	// iteration.
	Duration time.Duration
	// Warmup runs the workload for this long at the start of every iteration
	// and discards its results: queries that start during warmup are neither
	// counted towards NumberOfQueries nor recorded. Zero means no warmup.
	Warmup time.Duration
	// Rate is the total target rate, in queries per second, of an open-loop
	// run: query k is scheduled to start at k/Rate seconds, whichever client
	// is free takes it, and its latency is measured from that intended
	// start. A client that falls behind does not skip queries; their
	// queueing delay shows in the latency instead of being hidden
	// (coordinated omission). Zero means a closed loop: each client sends its
	// next query as soon as the last one returns.
	Rate float64
	// Seed fixes the random values that templates draw: each client of each
	// iteration has its own stream derived from Seed, so runs with the same
	// Config draw the same values (seq placeholders excepted, which are shared
	// by all clients). Zero is a valid seed.
	Seed uint64
	// Clock is the time source. Nil means the system clock. Tests inject a
	// clock whose time a fake target advances.
	Clock Clock
	// Progress, if not nil, is called every ProgressInterval and after every
	// iteration with the number of queries done so far in the whole Run
	// (after warmup), the total expected (0 when only Duration bounds the
	// run) and the time since Run started. Calls are serialized and come from
	// a goroutine other than the clients, so a slow callback does not slow
	// the load; it must not block for long.
	Progress func(done, total int64, elapsed time.Duration)
	// ProgressInterval is the period of Progress calls. Zero means
	// DefaultProgressInterval.
	ProgressInterval time.Duration
	// Prepared runs every query as a server-side prepared statement with
	// the binary protocol, its placeholders sent as parameters, as
	// sysbench does by default (--db-ps-mode=auto). It needs a target that
	// gives each client a connection of its own (a direct target). Each
	// client prepares the statements before the clock starts, as sysbench
	// does before its threads start, and a Pool's connection keeps them
	// for later iterations and runs (the server frees them when it
	// closes), so that only executions are timed. A statement the server
	// refuses to prepare is prepared again at each of its turns, timed, and
	// its failure counts as that query's.
	Prepared bool
	// Interval, if set, is called every ReportInterval during each
	// iteration with what that interval measured, as sysbench's
	// --report-interval lines. Calls come from one goroutine.
	Interval func(IntervalStats)
	// ReportInterval is the period of Interval calls; zero means none.
	ReportInterval time.Duration
	// Percentile is the latency percentile of Interval's figures. Zero
	// means DefaultPercentile (95).
	Percentile float64
	// ThreadPerClient runs each client on an OS thread of its own, with
	// GOMAXPROCS raised to at least the number of clients while a level
	// runs, so that no client waits for a processor: a client whose
	// connection blocks in raw system calls (Opened.ThreadPerClient) holds
	// its processor while it waits, and gives it back to the scheduler
	// every few milliseconds (yieldEvery). It costs a thread a client.
	ThreadPerClient bool
	// ReconnectAttempts is how many times a client whose connection was
	// lost mid-run (the server was killed or restarted, or killed the
	// connection) tries to connect again, waiting 10ms, then twice as long
	// each time up to 1s, as long as the run goes. Its failed query counts
	// as one error, and no query is sent on the dead connection; a client
	// that reconnects goes on where it was (its new connection's statements
	// prepared again, untimed), and one that cannot stops, its remaining
	// queries neither run nor counted. Stats counts LostConnections and
	// Reconnects. Zero means DefaultReconnectAttempts; a negative value
	// means none: the client stops at once, as mysqlslap stops at a failed
	// query. It applies to targets whose clients have connections of their
	// own (a direct target); the router replaces its connections itself.
	ReconnectAttempts int
}

// Clock is the time source of a run.
type Clock interface {
	Now() time.Time
	// Sleep waits for d, or until ctx is done, when it returns ctx.Err().
	Sleep(ctx context.Context, d time.Duration) error
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Result is what Run measured.
type Result struct {
	// Levels has one entry per concurrency level run, in Config order.
	Levels []Level
	// Partial is set when ctx was cancelled before every level and
	// iteration finished; Levels then hold what was measured until then,
	// the interrupted iteration included (with Stats.Partial set).
	Partial bool
	// Meta, when the caller sets it, says what was measured; the JSON
	// report carries it.
	Meta *Meta
	// Percentile is Config.Percentile when it was set: the reports show
	// that percentile of every level's latencies too (a column of its own
	// when it is not one of p50, p90, p95, p99 and p99.9). Zero: none.
	Percentile float64
}

// Level is what one concurrency level measured.
type Level struct {
	Concurrency int
	// Iterations has the Stats of each iteration, in order; mysqlslap's
	// average, minimum and maximum "seconds to run all queries" are over
	// their Wall times.
	Iterations []Stats
	// Total merges all iterations; its Wall is their sum.
	Total Stats
}

// Run runs cfg's workload against target at each concurrency level,
// Iterations times each, and returns the statistics. It returns an error,
// before any query is sent, for an invalid Config or template, and stops
// with an error, returning the results so far, when a PreQuery or PostQuery
// fails. Failed workload queries do not stop it: they are counted by kind in
// Stats. When ctx is cancelled Run stops the clients, runs PostQuery (bounded
// by DefaultPostQueryTimeout) and returns what it measured with
// Result.Partial set and a nil error.
func Run(ctx context.Context, target Target, cfg Config) (*Result, error) {
	r, err := newRunner(target, cfg)
	if err != nil {
		return nil, err
	}
	return r.run(ctx)
}

type runner struct {
	cfg       Config
	target    Target
	clock     Clock
	templates []*Template
	pre, post []*Template
	started   time.Time
	total     int64 // queries expected in the whole Run, 0 if unknown
	doneBase  int64 // queries done in finished iterations
}

func newRunner(target Target, cfg Config) (*runner, error) {
	if len(cfg.Queries) == 0 {
		return nil, ErrNoQueries
	}
	if len(cfg.Concurrency) == 0 {
		cfg.Concurrency = []int{DefaultConcurrency}
	}
	for _, c := range cfg.Concurrency {
		if c < 1 {
			return nil, fmt.Errorf("bench: concurrency %d: each level needs at least 1 client", c)
		}
	}
	switch {
	case cfg.Iterations < 0:
		return nil, fmt.Errorf("bench: iterations %d is negative", cfg.Iterations)
	case cfg.NumberOfQueries < 0:
		return nil, fmt.Errorf("bench: number of queries %d is negative", cfg.NumberOfQueries)
	case cfg.Duration < 0 || cfg.Warmup < 0:
		return nil, fmt.Errorf("bench: duration %v and warmup %v must not be negative", cfg.Duration, cfg.Warmup)
	case cfg.Rate < 0 || math.IsNaN(cfg.Rate) || math.IsInf(cfg.Rate, 0):
		return nil, fmt.Errorf("bench: rate %v: want a positive number of queries per second, or 0 for a closed loop", cfg.Rate)
	}
	if cfg.Iterations == 0 {
		cfg.Iterations = DefaultIterations
	}
	if cfg.Clock == nil {
		cfg.Clock = systemClock{}
	}
	if cfg.ProgressInterval <= 0 {
		cfg.ProgressInterval = DefaultProgressInterval
	}
	if cfg.ReconnectAttempts == 0 {
		cfg.ReconnectAttempts = DefaultReconnectAttempts
	}
	if _, ok := target.(conner); cfg.Prepared && !ok {
		return nil, ErrPreparedUnsupported
	}
	r := &runner{cfg: cfg, target: target, clock: cfg.Clock}
	var err error
	if r.templates, err = parseAll("query", cfg.Queries, true); err != nil {
		return nil, err
	}
	if cfg.Prepared {
		if err := preparable(r.templates); err != nil {
			return nil, err
		}
	}
	if r.pre, err = parseAll("pre-query", cfg.PreQuery, false); err != nil {
		return nil, err
	}
	if r.post, err = parseAll("post-query", cfg.PostQuery, false); err != nil {
		return nil, err
	}
	for _, c := range cfg.Concurrency {
		switch {
		case cfg.NumberOfQueries > 0:
			r.total += int64(cfg.NumberOfQueries)
		case cfg.Duration == 0:
			r.total += int64(c) * int64(len(cfg.Queries))
		}
	}
	r.total *= int64(cfg.Iterations)
	return r, nil
}

// preparable returns a *TemplateError (wrapped) for the first placeholder
// of templates that a prepared statement cannot take as a parameter.
func preparable(templates []*Template) error {
	for i, t := range templates {
		if ph := t.QuotedPlaceholder(); ph != "" {
			return fmt.Errorf("parse query %d: %w", i+1, &TemplateError{Placeholder: ph, Offset: strings.Index(t.src, ph),
				Reason: "it is inside a quoted string or identifier, where a prepared statement takes no parameter: leave out --prepared, or put the value outside the quotes, as in CONCAT('photos/', {id:uniform(1,9)}, '.jpg')"})
		}
	}
	return nil
}

// parseAll parses statements as templates, or as plain text (a template with
// no placeholders) when templates is false.
func parseAll(what string, stmts []string, templates bool) ([]*Template, error) {
	out := make([]*Template, len(stmts))
	for i, s := range stmts {
		if !templates {
			out[i] = &Template{src: s, text: s, static: true, returnsRows: returnsRows(s)}
			continue
		}
		t, err := ParseTemplate(s)
		if err != nil {
			return nil, fmt.Errorf("parse %s %d: %w", what, i+1, err)
		}
		out[i] = t
	}
	return out, nil
}

func (r *runner) run(ctx context.Context) (*Result, error) {
	res := &Result{Percentile: r.cfg.Percentile}
	r.started = r.clock.Now()
	for li, conc := range r.cfg.Concurrency {
		lvl := Level{Concurrency: conc}
		clients := make([]*client, conc)
		for i := range clients {
			clients[i] = &client{rend: NewRenderer(0, 0), rec: NewRecorder()}
		}
		total := NewRecorder()
		var wall time.Duration
		var err error
		for it := 0; it < r.cfg.Iterations && ctx.Err() == nil; it++ {
			if err = r.statements(ctx, "pre-query", r.pre); err != nil || ctx.Err() != nil {
				break
			}
			iter := NewRecorder()
			st := r.iteration(ctx, li, it, clients, iter)
			lvl.Iterations = append(lvl.Iterations, st)
			total.Merge(iter)
			wall += st.Wall
			if err = r.statements(ctx, "post-query", r.post); err != nil {
				break
			}
		}
		if len(lvl.Iterations) > 0 {
			lvl.Total = total.Stats(wall, conc)
			lvl.Total.Partial = lvl.Iterations[len(lvl.Iterations)-1].Partial
			res.Levels = append(res.Levels, lvl)
		}
		if ctx.Err() != nil {
			res.Partial = true
			return res, nil
		}
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// statements runs pre- or post-queries. After ctx is cancelled, post-queries
// still run, on a context of their own, so that Ctrl-C leaves the schema
// cleaned up.
func (r *runner) statements(ctx context.Context, what string, stmts []*Template) error {
	if len(stmts) == 0 {
		return nil
	}
	if ctx.Err() != nil {
		if what != "post-query" {
			return nil
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), DefaultPostQueryTimeout)
		defer cancel()
	}
	for _, t := range stmts {
		if err := execute(ctx, r.target, t.returnsRows, t.text); err != nil {
			if what == "pre-query" && ctx.Err() != nil {
				return nil // Run reports the cancellation as Partial.
			}
			return fmt.Errorf("run %s %q: %w", what, t.text, err)
		}
	}
	return nil
}

// client is one concurrent client's state, reused across iterations.
type client struct {
	// target is what this client sends to: its own connection when the
	// target is a pool (as each mysqlslap client has one), else the target.
	target Target
	conn   *sql.Conn
	// cuttable is set while the client runs on a socket that the run's
	// cancellation cuts off (sock): its queries then need no cancellable
	// context (see iteration.fast).
	cuttable bool
	// mu guards sock, the client's socket while it runs on one, and cut,
	// set once the run is cancelled.
	mu    sync.Mutex
	sock  *leanSocket
	cut   bool
	raw   *rawConn            // the driver connection, when the client has one
	lean  *leanConn           // its socket, when the protocol loop drives it
	args  []driver.NamedValue // reused parameters of a prepared statement
	ival  *intervalRecorder   // this interval's latencies (Config.Interval)
	rend  *Renderer
	rec   *Recorder
	quota int64 // queries to run in a closed loop; -1 for no limit
	// n and next are where the client's loop is: its measured queries and
	// the index of its next template. They survive a reconnection.
	n    int64
	next int
	// began is set once the client has said it is set and begin came.
	began bool
	// lostCounted is set when the client's last lost connection was
	// counted (after the warmup), so that its reconnection is.
	lostCounted bool
	// yielded is when the client last gave its processor back (yield).
	yielded time.Time
	done    atomic.Int64 // measured queries, read by the progress goroutine
	_       [56]byte     // keeps done of different clients on different cache lines
}

// iteration is one run of the workload at one concurrency level.
type iteration struct {
	*runner
	ctx context.Context
	// fast is ctx without cancellation. A cancellable context costs every
	// query two goroutine hand-offs (database/sql watches it, and so does
	// the driver), which on a small machine is a large share of a point
	// select's client CPU. A client whose socket it knows (a Pool's) runs
	// under fast: when ctx is cancelled the iteration cuts every such
	// socket off (cutOff), which ends a query that waits for a hung
	// server. Other clients run under ctx.
	fast         context.Context
	done         <-chan struct{}
	abandoned    bool // the iteration ended before it started its clients
	start        time.Time
	measureStart time.Time
	deadline     time.Time // zero: none
	// Open loop: tickets hands out query numbers; query k starts at
	// start + k*interval, and queries before warmTickets are warmup.
	open        bool
	interval    float64 // nanoseconds
	warmTickets int64
	maxTickets  int64 // -1: no limit
	tickets     atomic.Int64
	// Closed loop with Config.SharedCount: left is the measured queries
	// not yet taken.
	shared bool
	left   atomic.Int64
}

func (r *runner) iteration(ctx context.Context, level, it int, clients []*client, into *Recorder) Stats {
	conc := len(clients)
	total := r.quotaTotal(conc)
	shared := r.cfg.SharedCount && r.cfg.Rate == 0 && total >= 0
	if shared {
		total = -1 // no client's own quota: they take from left
	}
	quotas := splitQueries(total, conc)
	for i, c := range clients {
		c.rec.Reset()
		c.done.Store(0)
		c.quota = quotas[i]
		c.n, c.next, c.began, c.lostCounted = 0, 0, false, false
		c.rend.reseed(r.cfg.Seed^(uint64(level+1)*0x9e3779b97f4a7c15), uint64(it)<<32|uint64(i))
	}
	x := &iteration{runner: r, ctx: ctx, fast: context.WithoutCancel(ctx), done: ctx.Done(), maxTickets: -1, shared: shared}
	if shared {
		x.left.Store(r.quotaTotal(conc))
	}
	if r.cfg.ThreadPerClient {
		// Every client holds a processor, and gives it back now and then
		// (yield), when the progress and interval reporters, the signal
		// handler and the garbage collector run. No processor more: one
		// that sat idle would have each hand-back wake a thread to look
		// for work for it (two futex calls and two context switches, with
		// nothing found). Where the machine's processors outnumber the
		// clients they stay, and so does that cost, small at a hand-back
		// a client every few milliseconds.
		if prev := runtime.GOMAXPROCS(0); prev < conc {
			runtime.GOMAXPROCS(conc)
			defer runtime.GOMAXPROCS(prev)
		}
	}
	r.pin(ctx, clients)
	defer unpin(clients)
	for _, c := range clients {
		c.mu.Lock()
		c.cut = false
		c.mu.Unlock()
	}
	// Ctrl-C must end a query that waits for a server that will not
	// answer (stopped, or partitioned away): cut the sockets off.
	defer context.AfterFunc(ctx, func() {
		for _, c := range clients {
			c.cutOff()
		}
	})()
	// Each client gets set (it claims its connection), says so, and waits
	// for begin: the clock starts once every client can send.
	var wg, set sync.WaitGroup
	set.Add(len(clients))
	begin := make(chan struct{})
	began := false
	defer func() {
		// A panic before the start (in a Clock, say) lets the clients go
		// without running, or they would hold their connections forever.
		if !began {
			x.abandoned = true
			close(begin)
			wg.Wait()
		}
	}()
	for _, c := range clients {
		wg.Go(func() { x.client(c, set.Done, begin) })
	}
	set.Wait()
	if r.cfg.ThreadPerClient {
		// What setting up left behind is collected now, so that it does
		// not start a collection during the run: each one stops every
		// client with a signal that interrupts its blocked read. (The
		// protocol loop allocates nothing a query; the driver's path
		// does, and collects as it goes.)
		runtime.GC()
	}
	x.start = r.clock.Now()
	x.measureStart = x.start.Add(r.cfg.Warmup)
	if r.cfg.Duration > 0 {
		x.deadline = x.measureStart.Add(r.cfg.Duration)
	}
	if r.cfg.Rate > 0 {
		x.open = true
		x.interval = float64(time.Second) / r.cfg.Rate
		x.warmTickets = int64(math.Ceil(float64(r.cfg.Warmup) / x.interval))
		for x.warmTickets > 0 && !x.intended(x.warmTickets-1).Before(x.measureStart) {
			x.warmTickets--
		}
		for x.intended(x.warmTickets).Before(x.measureStart) {
			x.warmTickets++
		}
		if n := r.quotaTotal(conc); n >= 0 {
			x.maxTickets = x.warmTickets + n
		}
	}

	stopProgress := r.startProgress(clients)
	stopIntervals := r.startIntervals(clients, x.start, x.measureStart)
	began = true
	close(begin)
	wg.Wait()
	end := r.clock.Now()
	stopProgress()
	stopIntervals()

	for _, c := range clients {
		into.Merge(c.rec)
		r.doneBase += c.done.Load()
	}
	r.reportProgress(0)
	st := into.Stats(max(end.Sub(x.measureStart), 0), conc)
	st.Partial = ctx.Err() != nil
	return st
}

// client runs one client of the iteration: it calls set once it is ready
// to send, and runs once begin is closed. It calls set even if it cannot
// run (its connection failed), and then returns. A client whose connection
// is lost connects again (reconnect) and goes on where it was.
func (x *iteration) client(c *client, set func(), begin <-chan struct{}) {
	start := func() bool {
		if !c.began {
			c.began = true
			set()
			<-begin
		}
		return !x.abandoned
	}
	defer func() {
		if !c.began {
			set()
		}
	}()
	for x.session(c, start) && x.reconnect(c) {
	}
}

// session runs the client on its current connection until its work is
// done, the run ends, or the connection is lost, which it reports.
func (x *iteration) session(c *client, start func() bool) (lost bool) {
	if c.conn == nil {
		if start() {
			lost = x.loop(c)
		}
		return lost
	}
	// Talk to the driver's connection directly for the whole run, as a C
	// client would: database/sql's per-query bookkeeping (locks, the Rows
	// wrapper, context checks) is a measurable share of a point select's
	// client CPU. scalelab's own protocol loop on a Pool's socket does less
	// still (see Pool).
	_ = c.conn.Raw(func(dc any) error {
		rc, ok := newRawConn(dc)
		if !ok {
			if start() {
				lost = x.loop(c)
			}
			return nil
		}
		c.target, c.raw = rc, rc
		defer func() { rc.closeStmts(); c.target, c.raw = c.conn, nil }()
		if p, ok := x.target.(*Pool); ok && p.lean != nil {
			var sock *leanSocket
			sock, c.lean = p.lean.claim(x.ctx, rc.q)
			c.setSock(sock)
			defer c.setSock(nil)
			rc.sock = sock
		}
		if x.cfg.Prepared {
			// Before the clock, as sysbench prepares its statements
			// before its threads start: a run times executions only.
			x.prepare(c)
		}
		if start() && !x.connLost(c) {
			lost = x.loop(c)
		}
		lost = lost || x.connLost(c)
		if c.lean != nil {
			usable := c.lean.finish()
			c.lean = nil
			if !usable {
				lost = true
			}
		}
		if lost {
			return driver.ErrBadConn // database/sql closes it
		}
		return nil
	})
	return lost
}

// prepare prepares the workload's statements on c's connection. A
// statement the server refuses is prepared again at its turn, where its
// error counts (see leanConn.execute).
func (x *iteration) prepare(c *client) {
	for i, t := range x.templates {
		var err error
		if c.lean != nil {
			err = c.lean.prepare(x.ctx, i, t)
		} else {
			err = c.raw.prepare(x.ctx, i, t)
		}
		if err != nil && x.connLost(c) {
			return
		}
	}
}

// setSock makes s the socket that the run's cancellation cuts off, or
// none for nil; one set after the cancellation is cut off at once.
func (c *client) setSock(s *leanSocket) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sock, c.cuttable = s, s != nil
	if s != nil && c.cut {
		s.cutOff()
	}
}

// cutOff cuts the client's socket off, and any it sets later.
func (c *client) cutOff() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cut = true
	if c.sock != nil {
		c.sock.cutOff()
	}
}

func (x *iteration) loop(c *client) (lost bool) {
	if x.open {
		return x.runOpen(c)
	}
	return x.runClosed(c)
}

// connLost reports whether the client's connection is gone: the protocol
// loop lost its state, the driver closed it, or the server said it killed
// it or is shutting down. No more queries may be sent on it.
func (x *iteration) connLost(c *client) bool {
	switch {
	case c.lean != nil:
		return c.lean.err != nil
	case c.raw != nil:
		return !c.raw.valid()
	}
	return false
}

// lostBy reports whether err, a query's error, lost the client's
// connection. Errors of the server's that end the session (the connection
// killed, the server shutting down) lose it too, although the socket may
// still be open: the next query would only find it closed.
func (x *iteration) lostBy(c *client, err error) bool {
	if err == nil || c.conn == nil {
		return false
	}
	if endsSession(err) {
		if c.lean != nil {
			c.lean.lose(err)
		}
		return true
	}
	if c.lean == nil && c.raw == nil {
		return errors.Is(err, driver.ErrBadConn)
	}
	return x.connLost(c)
}

// reconnect gives the client a new connection in place of its lost one,
// trying up to Config.ReconnectAttempts times with a growing wait, while
// the run goes. It reports whether the client has one.
func (x *iteration) reconnect(c *client) bool {
	p, ok := x.target.(conner)
	if !ok || x.stopped() {
		return false
	}
	c.conn.Close() // session discarded it: this gives its place in the pool back
	c.conn, c.target = nil, x.target
	wait := reconnectBackoff
	for range max(x.cfg.ReconnectAttempts, 0) {
		if now := x.clock.Now(); !x.deadline.IsZero() && !now.Add(wait).Before(x.deadline) {
			// The run ends first: the client waits for its end, so
			// that the run's wall time is still its duration.
			_ = x.clock.Sleep(x.ctx, x.deadline.Sub(now))
			return false
		}
		if x.clock.Sleep(x.ctx, wait) != nil {
			return false
		}
		wait = min(2*wait, reconnectBackoffMax)
		ctx, cancel := context.WithTimeout(x.ctx, DefaultReconnectTimeout)
		conn, err := p.Conn(ctx)
		if err == nil {
			if err = conn.PingContext(ctx); err != nil {
				conn.Close()
			}
		}
		cancel()
		if err == nil {
			c.conn, c.target = conn, conn
			// Counted with the loss it makes up for: one in the warmup is
			// neither.
			if c.lostCounted {
				c.lostCounted = false
				c.rec.RecordReconnect()
				if c.ival != nil {
					c.ival.reconnected()
				}
			}
			return true
		}
	}
	return false
}

// quotaTotal is the number of measured queries of one iteration with conc
// clients, or -1 when only Duration bounds it.
func (r *runner) quotaTotal(conc int) int64 {
	switch {
	case r.cfg.NumberOfQueries > 0:
		return int64(r.cfg.NumberOfQueries)
	case r.cfg.Duration == 0:
		return int64(conc) * int64(len(r.templates))
	}
	return -1
}

// splitQueries splits total queries over n clients as evenly as possible,
// the first clients taking one more: 100 over 3 is 34, 33, 33. A negative
// total means no limit, and every client gets -1.
func splitQueries(total int64, n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		if total < 0 {
			out[i] = -1
			continue
		}
		out[i] = total / int64(n)
		if int64(i) < total%int64(n) {
			out[i]++
		}
	}
	return out
}

// yieldEvery is how often a client on a thread of its own
// (Config.ThreadPerClient) gives its processor back to the scheduler. Its
// raw system calls never do, and the runtime's monitor stops a goroutine
// that has kept its processor for 10 ms with a signal, which interrupts
// the client's blocked read, and a second read restarts it: about 0.07
// signals a query at 64 clients, each three to five system calls and a
// context switch. A hand-back every few milliseconds keeps the monitor
// from sending them, and costs no system call while every processor is
// taken.
const yieldEvery = 4 * time.Millisecond

// yield gives c's processor back to the scheduler if c runs on a thread of
// its own and last did yieldEvery or more before now.
func (x *iteration) yield(c *client, now time.Time) {
	if !x.cfg.ThreadPerClient || now.Sub(c.yielded) < yieldEvery {
		return
	}
	c.yielded = now
	runtime.Gosched()
}

func (x *iteration) stopped() bool {
	select {
	case <-x.done:
		return true
	default:
		return false
	}
}

// runClosed is a closed-loop client: it sends its next query as soon as the
// previous one returns. It reports whether it stopped because its
// connection was lost. This loop is the hot path: it must not allocate
// beyond Render.
func (x *iteration) runClosed(c *client) (lost bool) {
	for c.quota < 0 || c.n < c.quota {
		if x.stopped() {
			return false
		}
		i, t := c.next, x.templates[c.next]
		if c.next++; c.next == len(x.templates) {
			c.next = 0
		}
		start := x.clock.Now()
		if !x.deadline.IsZero() && !start.Before(x.deadline) {
			return false
		}
		if x.shared && !start.Before(x.measureStart) && x.left.Add(-1) < 0 {
			return false
		}
		err := x.send(c, i, t)
		end := x.clock.Now()
		x.yield(c, end)
		if x.counted(c, err, end.Sub(start), start.Before(x.measureStart)) {
			return true
		}
	}
	return false
}

// counted records a query of c's that took d and ended with err: one of
// the warmup (warm) for the interval lines only, any other in the run's
// statistics, with the connection it lost. It reports whether the query
// lost c's connection.
func (x *iteration) counted(c *client, err error, d time.Duration, warm bool) (lost bool) {
	lost = err != nil && x.lostBy(c, err)
	if warm {
		x.recordWarmup(c, err, d)
		return lost
	}
	c.n++
	x.record(c, err, d)
	if lost && !x.stopped() {
		c.rec.RecordLost()
		c.lostCounted = true
	}
	c.done.Store(c.n)
	return lost
}

// runOpen is an open-loop client: it takes the next scheduled query, waits
// for its intended start if it is early, and measures latency from the
// intended start, so time spent queued behind slow queries is counted. It
// reports whether it stopped because its connection was lost.
func (x *iteration) runOpen(c *client) (lost bool) {
	for !x.stopped() {
		k := x.tickets.Add(1) - 1
		if x.maxTickets >= 0 && k >= x.maxTickets {
			return false
		}
		intended := x.intended(k)
		if !x.deadline.IsZero() && !intended.Before(x.deadline) {
			return false
		}
		i, t := c.next, x.templates[c.next]
		if c.next++; c.next == len(x.templates) {
			c.next = 0
		}
		if wait := intended.Sub(x.clock.Now()); wait > 0 {
			if x.clock.Sleep(x.ctx, wait) != nil {
				return false
			}
		}
		err := x.send(c, i, t)
		end := x.clock.Now()
		x.yield(c, end)
		if x.counted(c, err, end.Sub(intended), k < x.warmTickets) {
			return true
		}
	}
	return false
}

// send runs template i, t, once: as text with its values in it, or as a
// prepared statement with them as parameters.
func (x *iteration) send(c *client, i int, t *Template) error {
	if c.lean != nil {
		if x.cfg.Prepared {
			return c.lean.execute(x.queryCtx(c), i, t, c.rend)
		}
		return c.lean.query(x.queryCtx(c), t, c.rend)
	}
	if !x.cfg.Prepared {
		return execute(x.queryCtx(c), c.target, t.returnsRows, c.rend.Render(t))
	}
	if c.raw == nil {
		return ErrPreparedUnsupported
	}
	c.args = c.rend.Values(t, c.args)
	return c.raw.prepared(x.queryCtx(c), i, t, c.args)
}

// queryCtx is the context of c's next query: see iteration.fast.
func (x *iteration) queryCtx(c *client) context.Context {
	if c.cuttable {
		return x.fast
	}
	return x.ctx
}

// conner is a pool that hands out single connections: *sql.DB.
type conner interface {
	Conn(ctx context.Context) (*sql.Conn, error)
}

// pin gives each client a connection of its own when the target is a pool,
// so clients never queue on the pool's lock, as mysqlslap's clients each
// hold one connection. Other targets (the router) are shared as they are.
func (r *runner) pin(ctx context.Context, clients []*client) {
	p, ok := r.target.(conner)
	for _, c := range clients {
		c.target = r.target
		if !ok {
			continue
		}
		if conn, err := p.Conn(ctx); err == nil {
			c.target, c.conn = conn, conn
		}
	}
}

func unpin(clients []*client) {
	for _, c := range clients {
		if c.conn != nil {
			c.conn.Close()
			c.conn = nil
		}
	}
}

func (x *iteration) intended(k int64) time.Time {
	return x.start.Add(time.Duration(float64(k) * x.interval))
}

// recordWarmup counts a warmup query in the interval lines only, which
// show the load the server is under during warmup too, marked as warmup.
func (x *iteration) recordWarmup(c *client, err error, d time.Duration) {
	if c.ival != nil && (err == nil || !x.stopped()) {
		c.ival.record(d, err)
	}
}

// record counts a measured query. An error caused by cancelling ctx is not
// the server's doing, so it is not counted as an error.
func (x *iteration) record(c *client, err error, d time.Duration) {
	if c.ival != nil && (err == nil || !x.stopped()) {
		c.ival.record(d, err)
	}
	if err == nil {
		c.rec.Record(d)
		return
	}
	if x.stopped() {
		return
	}
	c.rec.RecordError(err)
}

// startProgress starts the goroutine that calls cfg.Progress during an
// iteration, and returns a func that stops it and waits for it to exit.
func (r *runner) startProgress(clients []*client) (stop func()) {
	if r.cfg.Progress == nil {
		return func() {}
	}
	return every(r.cfg.ProgressInterval, func() {
		var done int64
		for _, c := range clients {
			done += c.done.Load()
		}
		r.reportProgress(done)
	})
}

// every calls fn every d from a goroutine of its own, and returns a func
// that stops it and waits for it to exit.
func every(d time.Duration, fn func()) (stop func()) {
	quit := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		tick := time.NewTicker(d)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				fn()
			case <-quit:
				return
			}
		}
	}()
	return func() { close(quit); <-exited }
}

func (r *runner) reportProgress(inFlight int64) {
	if r.cfg.Progress != nil {
		r.cfg.Progress(r.doneBase+inFlight, r.total, r.clock.Now().Sub(r.started))
	}
}
