package replica

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"github.com/scalelab/scalelab/internal/table"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/machine"
	"github.com/scalelab/scalelab/topology"
)

// A Watch samples every node of a topology again and again over
// connections it keeps open: what scalelab top shows. Each Sample gives
// rates over the time since the one before.
type Watch struct {
	t     *topology.Topology
	f     flavor.Flavor
	usage UsageFunc
	nodes []*watched
}

type watched struct {
	node topology.Node
	db   *sql.DB
	// The previous sample's counters, and when they were read; ok is false
	// until a sample succeeds.
	ok        bool
	at        time.Time
	questions uint64
	use       machine.Usage
	hasUse    bool
	// own counts this watch's statements on the node since the previous
	// sample, which Questions counts too.
	own uint64
}

// TopSample is one sample of every node.
type TopSample struct {
	At    time.Time `json:"at"`
	Nodes []TopNode `json:"nodes"`
}

// TopNode is one node in a TopSample. Rates are over the interval since the
// previous sample; a field that does not apply or is not known yet is null
// in JSON.
type TopNode struct {
	Name  string        `json:"node"`
	Shard string        `json:"shard"`
	Role  topology.Role `json:"role"`
	Up    bool          `json:"up"`
	Error string        `json:"error,omitempty"`
	// QPS is the statements per second that clients sent the node (the
	// server's Questions counter, less this watch's own statements).
	QPS *float64 `json:"qps"`
	// LagMs is a replica's heartbeat lag: how old the heartbeat row that it
	// has applied is, in milliseconds.
	LagMs *float64 `json:"lag_ms"`
	// CPUCores is the CPU the node used, in cores; CPULimit its quota, and
	// CPUShare the use as a share of it. Set for nodes with a machine.
	CPUCores *float64 `json:"cpu_cores"`
	CPULimit *float64 `json:"cpu_limit_cores"`
	CPUShare *float64 `json:"cpu_share"`
	// Throttled is the share of the interval's CFS periods in which the
	// node's quota ran out: above zero, the node wanted more CPU than its
	// machine has.
	Throttled *float64 `json:"throttled_share"`
}

// NewWatch connects to every node of t with the admin credentials. usage
// reads a node's machine (nil when the nodes have none). The first Sample
// gives rates since NewWatch.
func NewWatch(ctx context.Context, t *topology.Topology, usage UsageFunc) (*Watch, error) {
	f, err := flavor.Lookup(t.Flavor)
	if err != nil {
		return nil, err
	}
	w := &Watch{t: t, f: f, usage: usage}
	for _, n := range t.Nodes() {
		db := openAdmin(t, n.Addr)
		db.SetMaxOpenConns(1)
		w.nodes = append(w.nodes, &watched{node: n, db: db})
	}
	w.Sample(ctx)
	return w, nil
}

// Close closes the connections.
func (w *Watch) Close() {
	for _, n := range w.nodes {
		n.db.Close()
	}
}

// watchTimeout bounds one node's part of a sample, so that a frozen node
// shows as down instead of stalling the view.
const watchTimeout = 900 * time.Millisecond

// Sample reads every node, concurrently: first a fresh heartbeat on every
// primary, then every node's counters.
func (w *Watch) Sample(ctx context.Context) TopSample {
	var wg sync.WaitGroup
	for _, n := range w.nodes {
		if n.node.Role != topology.Primary {
			continue
		}
		wg.Go(func() {
			nctx, cancel := context.WithTimeout(ctx, watchTimeout)
			defer cancel()
			n.own += uint64(beatIfWritable(nctx, n.db))
		})
	}
	wg.Wait()
	s := TopSample{At: time.Now(), Nodes: make([]TopNode, len(w.nodes))}
	for i, n := range w.nodes {
		wg.Go(func() {
			nctx, cancel := context.WithTimeout(ctx, watchTimeout)
			defer cancel()
			s.Nodes[i] = w.sampleNode(nctx, n)
		})
	}
	wg.Wait()
	return s
}

func (w *Watch) sampleNode(ctx context.Context, n *watched) TopNode {
	out := TopNode{Name: n.node.Name, Shard: n.node.Shard, Role: n.node.Role}
	now := time.Now()
	var use machine.Usage
	var limits machine.Limits
	hasUse := false
	if w.usage != nil {
		u, l, ok, err := w.usage(n.node.Name)
		if err != nil {
			out.Error = fmt.Sprintf("read its machine: %v", err)
		}
		use, limits, hasUse = u, l, ok && err == nil
	}
	if hasUse && n.hasUse && n.ok {
		wall := now.Sub(n.at)
		cores := float64(use.CPU-n.use.CPU) / float64(wall)
		out.CPUCores = &cores
		if limits.CPU > 0 {
			limit, share := limits.CPU, cores/limits.CPU
			out.CPULimit, out.CPUShare = &limit, &share
		}
		if periods := use.Periods - n.use.Periods; periods > 0 {
			th := float64(use.ThrottledPeriods-n.use.ThrottledPeriods) / float64(periods)
			out.Throttled = &th
		}
	}
	var name string
	var questions uint64
	n.own++
	err := n.db.QueryRowContext(ctx, "SHOW GLOBAL STATUS LIKE 'Questions'").Scan(&name, &questions)
	if err != nil {
		out.Error = err.Error()
		n.ok = false
		return out
	}
	out.Up = true
	if n.ok && questions >= n.questions+n.own {
		qps := float64(questions-n.questions-n.own) / now.Sub(n.at).Seconds()
		out.QPS = &qps
	}
	n.own = 0
	if n.node.Role == topology.Replica {
		var us sql.NullInt64
		n.own++
		if err := n.db.QueryRowContext(ctx, heartbeatAge).Scan(&us); err == nil && us.Valid {
			lag := float64(max(us.Int64, 0)) / 1000
			out.LagMs = &lag
		}
	}
	n.ok, n.at, n.questions, n.use, n.hasUse = true, now, questions, use, hasUse
	return out
}

// TopColumns are the columns of scalelab top's table and of its plain
// lines, in order.
var TopColumns = []string{"node", "shard", "role", "state", "qps", "lag ms", "cpu cores", "cpu of limit", "throttled"}

// Cells are the node's values under TopColumns: "-" where a value does not
// apply or is not known yet.
func (n TopNode) Cells() []string {
	state := "up"
	if !n.Up {
		state = "down"
	}
	shard := n.Shard
	if shard == "" {
		shard = "-"
	}
	num := func(v *float64, format func(float64) string) string {
		if v == nil {
			return "-"
		}
		return format(*v)
	}
	fixed := func(prec int) func(float64) string {
		return func(v float64) string { return strconv.FormatFloat(v, 'f', prec, 64) }
	}
	percent := func(v float64) string { return strconv.FormatFloat(100*v, 'f', 0, 64) + "%" }
	cpu := num(n.CPUCores, fixed(2))
	if n.CPULimit != nil {
		cpu += " of " + fixed(2)(*n.CPULimit)
	}
	return []string{n.Name, shard, string(n.Role), state, num(n.QPS, fixed(0)), num(n.LagMs, fixed(1)),
		cpu, num(n.CPUShare, percent), num(n.Throttled, percent)}
}

// Top formats, for WriteTop.
const (
	TopTable = "table" // a table, for a terminal that redraws it
	TopLines = "lines" // tab-separated lines, a header first: for pipes
	TopJSON  = "json"  // one JSON object per sample, a line each
)

// TopFormats lists the formats WriteTop takes.
func TopFormats() []string { return []string{TopTable, TopLines, TopJSON} }

// WriteTop writes one sample in format. With header, the lines format
// starts with its column names (give it for the first sample only).
func WriteTop(w io.Writer, s TopSample, format string, header bool) error {
	switch format {
	case TopJSON:
		return json.NewEncoder(w).Encode(s)
	case TopLines:
		var b strings.Builder
		if header {
			b.WriteString("time\t" + strings.ReplaceAll(strings.Join(TopColumns, "\t"), " ", "_") + "\n")
		}
		at := s.At.UTC().Format(time.RFC3339)
		for _, n := range s.Nodes {
			b.WriteString(at + "\t" + strings.Join(n.Cells(), "\t") + "\n")
		}
		_, err := io.WriteString(w, b.String())
		return err
	case TopTable:
		rows := make([][]string, len(s.Nodes))
		for i, n := range s.Nodes {
			rows[i] = n.Cells()
		}
		if err := table.Write(w, TopColumns, rows); err != nil {
			return err
		}
		for _, n := range s.Nodes {
			if n.Error != "" {
				fmt.Fprintf(w, "%s: %s\n", n.Name, n.Error)
			}
		}
		return nil
	}
	return fmt.Errorf("top format %q: want %s", format, strings.Join(TopFormats(), ", "))
}

// TopConfig configures RunTop.
type TopConfig struct {
	// Topology and Usage are what to watch (see NewWatch).
	Topology *topology.Topology
	Usage    UsageFunc
	// Interval is the time between samples; zero means a second.
	Interval time.Duration
	// Count stops after that many samples; zero means until ctx ends.
	Count int
	// Format is one of TopFormats. Redraw clears the screen before each
	// sample (for a terminal).
	Format string
	Redraw bool
	Out    io.Writer
}

// RunTop samples the topology every Interval and writes each sample to Out,
// until Count samples or until ctx ends, which is not an error.
func RunTop(ctx context.Context, cfg TopConfig) error {
	if cfg.Interval <= 0 {
		cfg.Interval = time.Second
	}
	if !slices.Contains(TopFormats(), cfg.Format) {
		return fmt.Errorf("top format %q: want %s", cfg.Format, strings.Join(TopFormats(), ", "))
	}
	w, err := NewWatch(ctx, cfg.Topology, cfg.Usage)
	if err != nil {
		return err
	}
	defer w.Close()
	tick := time.NewTicker(cfg.Interval)
	defer tick.Stop()
	for i := 0; cfg.Count == 0 || i < cfg.Count; i++ {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		s := w.Sample(ctx)
		if ctx.Err() != nil {
			return nil // a sample cut short by Ctrl-C is not shown
		}
		if cfg.Redraw {
			// Home and clear, then the table: the terminal redraws in place.
			fmt.Fprint(cfg.Out, "\x1b[H\x1b[2J"+s.At.Format("15:04:05")+"  every "+cfg.Interval.String()+", Ctrl-C to stop\n")
		}
		if err := WriteTop(cfg.Out, s, cfg.Format, i == 0); err != nil {
			return err
		}
	}
	return nil
}
