package router

import (
	"context"
	"database/sql"
	"fmt"
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

// ParseConsistency validates a consistency name.
func ParseConsistency(s string) (Consistency, error) {
	switch c := Consistency(s); c {
	case Eventual, ReadYourWrites, Strong:
		return c, nil
	}
	return "", fmt.Errorf("router: consistency %q: want %s, %s or %s", s, Eventual, ReadYourWrites, Strong)
}

// View is the router seen in another consistency mode: the same pools,
// GTID positions and counters, with reads placed by the view's mode. Like
// the Router, it is safe for concurrent use.
type View struct {
	r    *Router
	mode Consistency
}

// With returns the router seen in consistency mode c ("" means the
// router's own mode).
func (r *Router) With(c Consistency) *View {
	if c == "" {
		c = r.cfg.Consistency
	}
	return &View{r: r, mode: c}
}

func (v *View) env() *env { return &env{g: &v.r.gtids, on: pooled, mode: v.mode} }

// ExecContext runs a statement that returns no rows.
func (v *View) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	o := &op{kind: opExec, query: query, args: args}
	err := v.r.run(ctx, v.env(), o)
	return o.res, err
}

// QueryContext runs a query and returns its rows.
func (v *View) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	o := &op{kind: opQuery, query: query, args: args}
	err := v.r.run(ctx, v.env(), o)
	return o.rows, err
}

// GetContext scans one row into dest, as sqlx.GetContext does.
func (v *View) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	return v.r.run(ctx, v.env(), &op{kind: opGet, query: query, args: args, dest: dest})
}

// SelectContext scans all rows into dest, as sqlx.SelectContext does.
func (v *View) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	return v.r.run(ctx, v.env(), &op{kind: opSelect, query: query, args: args, dest: dest})
}

// gtids remembers, per shard, the newest GTID position a reader must wait
// for. Safe for concurrent use; it only ever moves forward.
type gtids struct {
	mu  sync.Mutex
	pos map[string]string
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
}
