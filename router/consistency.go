package router

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"regexp"
	"strings"
	"sync"

	"github.com/scalelab/scalelab/flavor"
)

// Consistency is how fresh a read must be.
type Consistency string

// Consistency modes.
const (
	// Eventual reads from any healthy replica under MaxLag.
	Eventual Consistency = "eventual"
	// ReadYourWrites makes a read wait on its replica for the GTID of the
	// last write made through the same router (or session), and fall back
	// to the primary when the wait times out, as MaxScale's causal_reads
	// does. It works on MariaDB (MASTER_GTID_WAIT) and MySQL
	// (WAIT_FOR_EXECUTED_GTID_SET).
	ReadYourWrites Consistency = "read-your-writes"
	// Strong reads from the primary.
	Strong Consistency = "strong"
)

// ParseConsistency validates a consistency name, in any case (as the
// server reads an enumerated variable's value).
func ParseConsistency(s string) (Consistency, error) {
	switch c := Consistency(strings.ToLower(s)); c {
	case Eventual, ReadYourWrites, Strong:
		return c, nil
	}
	return "", fmt.Errorf("router: consistency %q: want %s, %s or %s", s, Eventual, ReadYourWrites, Strong)
}

// consistencyHintRE matches the hint scalelab_consistency=MODE in the body
// of a comment, in any case, alone or among other optimizer hints.
var consistencyHintRE = regexp.MustCompile(`(?i)(?:^|[\s+,()])` + ConsistencyVariable + `\s*=\s*['"]?([a-z-]+)['"]?`)

// ConsistencyHint returns the consistency mode a statement asks for in a
// comment, /*+ scalelab_consistency=strong */: in any case, alone or among
// other optimizer hints (/*+ MAX_EXECUTION_TIME(500)
// scalelab_consistency=strong */), in a comment anywhere in the statement
// but not inside a string or a quoted name, where the same text is data
// (a value the client's driver wrote into the text could otherwise change
// where the read goes). The SQL of an executable comment (/*!…*/,
// /*M!…*/) is no hint. ok is false when the statement asks for none; an
// error names a mode that does not exist.
func ConsistencyHint(query string) (c Consistency, ok bool, err error) {
	if !strings.Contains(query, "/*") {
		return "", false, nil // the statements of a hot path hold no comment
	}
	for i := 0; i < len(query); {
		end, comment := sqlToken(query, i, true)
		if end < 0 {
			break
		}
		body := query[i:end]
		if comment && strings.HasPrefix(body, "/*") && !strings.HasPrefix(body, "/*!") && !strings.HasPrefix(body, "/*M!") {
			if m := consistencyHintRE.FindStringSubmatch(strings.TrimSuffix(body[2:], "*/")); m != nil {
				c, err := ParseConsistency(m[1])
				return c, err == nil, err
			}
		}
		i = end
	}
	return "", false, nil
}

// View is the router seen in another consistency mode: the same pools,
// GTID positions and counters, with reads placed by the view's mode. It has
// the Router's ExecContext, QueryContext, GetContext and SelectContext, and
// like the Router it is safe for concurrent use.
type View struct {
	statements
	r    *Router
	mode Consistency
}

// With returns the router seen in consistency mode c ("" means the
// router's own mode).
func (r *Router) With(c Consistency) *View {
	if c == "" {
		c = r.cfg.Consistency
	}
	return &View{r: r, mode: c, statements: statements{do: func(ctx context.Context, o *op) (err error) {
		defer func() {
			if v := recover(); v != nil {
				err = r.recovered(v, o, nil)
			}
		}()
		st := r.classified(o)
		if err := pooledValue(st); err != nil {
			return err
		}
		if st.Sticky {
			// A lock or a temporary table would stay with one pooled
			// connection, for whichever client takes it next. A refusal
			// of the statement itself comes first.
			if _, err := r.planStatement(st, o.args); err != nil {
				return err
			}
			return fmt.Errorf("%w: %.60s makes state of one connection (a named lock, a temporary table, LOCK TABLES, PREPARE)", ErrNeedsSession, o.query)
		}
		return r.run(ctx, &env{g: &r.gtids, on: pooled, mode: c}, o)
	}}}
}

// pooledValue refuses a statement that reads a value of the connection
// that ran the statement before it (FOUND_ROWS(), LAST_INSERT_ID(),
// ROW_COUNT(), CONNECTION_ID()): the pooled router gives every statement
// whichever connection is free, so the value was another statement's, or
// another client's (FOUND_ROWS() answered 1 after a SELECT
// SQL_CALC_FOUND_ROWS that found 4). A Session answers them from its own
// statements; a write's result carries its LAST_INSERT_ID and row count.
func pooledValue(st *Statement) error {
	if st.FoundRows || st.LastInsertID || st.RowCount || st.ConnectionID || st.SetsLastInsertID && st.Kind != Write {
		return fmt.Errorf("%w: FOUND_ROWS(), LAST_INSERT_ID(), ROW_COUNT() and CONNECTION_ID() are values of one connection, and the pooled router runs each statement on whichever connection is free; run it on a router.Session (the proxy gives every client one), or read a write's LastInsertId and RowsAffected from its result", ErrConnectionValue)
	}
	return nil
}

// BeginTx starts a transaction in the view's mode: under read-your-writes
// its commit's GTID is kept, so the view's later reads see it.
func (v *View) BeginTx(ctx context.Context, opts *sql.TxOptions) (*Tx, error) {
	t, err := v.r.BeginTx(ctx, opts)
	if err == nil {
		t.mode = v.mode
	}
	return t, err
}

// gtids remembers, per shard, the newest GTID position a reader must wait
// for. Safe for concurrent use; it only ever moves forward.
type gtids struct {
	mu  sync.Mutex
	pos map[string]string
	// untracked holds the shards written, since their last position
	// here, by a write whose GTID was not kept (in another mode than
	// read-your-writes): a read hinted read-your-writes has no position
	// to wait for there, and reads on the primary.
	untracked map[string]bool
}

// wroteUntracked records a write on shard whose GTID was not kept.
func (g *gtids) wroteUntracked(shard string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.untracked[shard] {
		return
	}
	if g.untracked == nil {
		g.untracked = map[string]bool{}
	}
	g.untracked[shard] = true
}

// isUntracked reports whether shard has a write whose GTID was not kept.
func (g *gtids) isUntracked(shard string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.untracked[shard]
}

// merge takes into g the positions and the untracked writes of from.
func (g *gtids) merge(from *gtids) {
	from.mu.Lock()
	pos, untracked := maps.Clone(from.pos), maps.Clone(from.untracked)
	from.mu.Unlock()
	for shard, gtid := range pos {
		g.advance(shard, gtid)
	}
	for shard := range untracked {
		g.wroteUntracked(shard)
	}
}

func (g *gtids) get(shard string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.pos[shard]
}

func (g *gtids) advance(shard, gtid string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.pos == nil {
		g.pos = map[string]string{}
	}
	if flavor.NewerGTID(gtid, g.pos[shard]) {
		g.pos[shard] = gtid
	}
	// A position read after a write covers the earlier writes too.
	delete(g.untracked, shard)
}
