package explain

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/topology"
)

// TopologyConfig is one explain on a node of a topology, as scalelab
// explain runs it: one statement, two side by side (Compare), or one
// before and after an index (Index).
type TopologyConfig struct {
	// Topology holds the node. Required.
	Topology *topology.Topology
	// Node names the node that explains, such as "0/replica-1". Default:
	// the first shard's primary. Every node of a shard holds the same
	// data, so the plan is the same on each.
	Node string
	// Statement is explained. Required.
	Statement string
	// Compare, if set, is a second statement, explained on the same node
	// and compared with Statement. The comparison labels them "SQL" and
	// "--compare", as scalelab explain names them.
	Compare string
	// Index, if set, is index DDL (see IndexConfig.DDL): Statement is
	// explained before and after it, the index created on the primary of
	// Node's shard and waited for on that shard's replicas. It excludes
	// Compare.
	Index string
	// KeepIndex keeps the index afterwards (IndexConfig.Keep).
	KeepIndex bool
	// WaitTimeout bounds each replica's wait for the index. Zero means
	// DefaultReplicationWait.
	WaitTimeout time.Duration
	// Options apply to every explain.
	Options Options
}

// Report is what OnTopology found: one plan, or two plans compared.
type Report struct {
	// Plan is Statement's plan when nothing was compared.
	Plan *Plan
	// A and B are the compared plans: Statement and Compare, or Statement
	// before and after Index. Comparison compares them.
	A, B       *Plan
	Comparison *Comparison
	// Index is the outcome of an Index run; with an error, what was done
	// before it (it may be set while A and B are not).
	Index *IndexResult

	keep bool
}

// OnTopology explains cfg.Statement on a node of cfg.Topology, connecting
// as the application user (and, for Index, as the admin user to the
// shard's primary and replicas). An unknown node is an error wrapping
// topology.ErrNoNode. With Index, the Report is returned also with an
// error, when the index was created, so that IndexNote can say what became
// of it.
func OnTopology(ctx context.Context, cfg TopologyConfig) (*Report, error) {
	t := cfg.Topology
	switch {
	case t == nil, cfg.Statement == "":
		return nil, errors.New("explain: TopologyConfig needs Topology and Statement")
	case cfg.Compare != "" && cfg.Index != "":
		return nil, errors.New("explain: Compare and Index exclude each other")
	}
	f, err := flavor.Lookup(t.Flavor)
	if err != nil {
		return nil, err
	}
	name := cfg.Node
	if name == "" {
		name = t.ShardNames()[homeShard(t, cfg.Statement)] + "/primary"
	}
	n, err := t.Node(name)
	if err != nil {
		return nil, err
	}
	db, err := t.OpenDB(n.Addr, t.User, 0)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rep := &Report{keep: cfg.KeepIndex}
	switch {
	case cfg.Index != "":
		return rep, rep.index(ctx, cfg, f, n, db)
	case cfg.Compare != "":
		if rep.A, err = RunWith(ctx, db, f, cfg.Statement, cfg.Options); err != nil {
			return nil, err
		}
		if rep.B, err = RunWith(ctx, db, f, cfg.Compare, cfg.Options); err != nil {
			return nil, err
		}
		rep.Comparison = Compare(rep.A, rep.B)
		rep.Comparison.LabelA, rep.Comparison.LabelB = "SQL", "--compare"
		return rep, nil
	}
	if rep.Plan, err = RunWith(ctx, db, f, cfg.Statement, cfg.Options); err != nil {
		return nil, err
	}
	return rep, nil
}

// index runs Index on node's shard: its primary creates the index, its
// replicas are waited for.
func (r *Report) index(ctx context.Context, cfg TopologyConfig, f flavor.Flavor, node topology.Node, db *sql.DB) error {
	t := cfg.Topology
	admin := t.AdminCredentials()
	var pools []*sql.DB
	defer func() {
		for _, p := range pools {
			p.Close()
		}
	}()
	open := func(addr string) (*sql.DB, error) {
		p, err := t.OpenDB(addr, admin, 0)
		if err == nil {
			pools = append(pools, p)
		}
		return p, err
	}
	primaryAddr := node.Addr // the main node is its own primary
	if node.Shard != "" {
		p, err := t.Node(node.Shard + "/primary")
		if err != nil {
			return err
		}
		primaryAddr = p.Addr
	}
	primary, err := open(primaryAddr)
	if err != nil {
		return err
	}
	var replicas []flavor.Queryer
	for _, n := range t.Nodes() {
		if n.Shard == node.Shard && n.Role == topology.Replica {
			rdb, err := open(n.Addr)
			if err != nil {
				return err
			}
			replicas = append(replicas, rdb)
		}
	}
	r.Index, err = Index(ctx, IndexConfig{
		Flavor: f, Statement: cfg.Statement, DDL: cfg.Index, Keep: cfg.KeepIndex,
		Node: db, Primary: primary, Replicas: replicas, WaitTimeout: cfg.WaitTimeout, Options: cfg.Options,
	})
	if err != nil {
		return err
	}
	r.A, r.B = r.Index.Before, r.Index.After
	r.Comparison = Compare(r.A, r.B)
	r.Comparison.LabelA, r.Comparison.LabelB = "before", "after "+cfg.Index
	return nil
}

// IndexNote says what became of an Index run's index, for the user: that
// it was dropped again, or, when kept, how to drop it. It is "" when no
// index was created, or nothing needs saying, and for a nil Report.
func (r *Report) IndexNote() string {
	if r == nil {
		return ""
	}
	switch ir := r.Index; {
	case ir == nil || ir.Before == nil:
		return ""
	case ir.Existed:
		return "the index existed already: the plan before is with it hidden from the optimizer, and it is in use again, as it was"
	case ir.Dropped:
		return "dropped the index again: " + ir.Drop
	case r.keep && ir.After != nil:
		return "kept the index; to drop it: " + ir.Drop
	}
	return ""
}

// WriteIndexNote writes the IndexNote, if there is one, as a line.
func (r *Report) WriteIndexNote(w io.Writer) {
	if n := r.IndexNote(); n != "" {
		fmt.Fprintln(w, n)
	}
}

// Write prints the report as tables: the plan (WritePlan), or the
// comparison (Comparison.Write). With raw, each plan's EXPLAIN FORMAT=JSON
// and executed plan follow, as the server sent them (JSON indented).
func (r *Report) Write(w io.Writer, raw bool) error {
	if r.Comparison == nil {
		if err := WritePlan(w, r.Plan); err != nil {
			return err
		}
		if raw {
			writeRaw(w, r.Plan)
		}
		return nil
	}
	if err := r.Comparison.Write(w, r.A, r.B); err != nil {
		return err
	}
	if raw {
		fmt.Fprintf(w, "\nA  %s\n", r.Comparison.LabelA)
		writeRaw(w, r.A)
		fmt.Fprintf(w, "\nB  %s\n", r.Comparison.LabelB)
		writeRaw(w, r.B)
	}
	return nil
}

// WriteJSON writes the report as indented JSON: the Plan; or
// {"a", "b", "comparison"} for Compare; or the IndexResult with a
// "comparison" for Index. Without raw, the plans leave out the server's
// own output (Plan.JSONPlan and Plan.Executed).
func (r *Report) WriteJSON(w io.Writer, raw bool) error {
	trim := func(p *Plan) *Plan {
		if raw || p == nil {
			return p
		}
		c := *p
		c.JSONPlan, c.Executed = nil, ""
		return &c
	}
	var v any
	switch {
	case r.Index != nil:
		ir := *r.Index
		ir.Before, ir.After = trim(ir.Before), trim(ir.After)
		v = struct {
			*IndexResult
			Comparison *Comparison `json:"comparison"`
		}{&ir, r.Comparison}
	case r.Comparison != nil:
		v = map[string]any{"a": trim(r.A), "b": trim(r.B), "comparison": r.Comparison}
	default:
		v = trim(r.Plan)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeRaw prints p's EXPLAIN FORMAT=JSON and, when executed, its executed
// plan.
func writeRaw(w io.Writer, p *Plan) {
	fmt.Fprintln(w, "EXPLAIN FORMAT=JSON:")
	fmt.Fprintln(w, indentJSON(p.JSONPlan))
	if p.Analyzed {
		fmt.Fprintln(w, "executed plan:")
		fmt.Fprintln(w, indentJSON([]byte(p.Executed)))
	}
}

// indentJSON indents JSON, and returns anything else (MySQL's EXPLAIN
// ANALYZE tree) unchanged.
func indentJSON(b []byte) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		return string(b)
	}
	return buf.String()
}

// homeShard is the index of the shard a statement is explained on by
// default: the first shard of the keyspace of the first table it names
// that a keyspaces section lists, else the first shard.
func homeShard(t *topology.Topology, stmt string) int {
	if len(t.Keyspaces) == 0 {
		return 0
	}
	ast, err := parse(stmt)
	if err != nil {
		return 0
	}
	home := -1
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if tn, ok := n.(sqlparser.TableName); ok && home < 0 {
			for _, k := range t.Keyspaces {
				if _, listed := k.Tables[tn.Name.String()]; listed {
					home = t.KeyspaceShards(k.Name)[0]
				}
			}
		}
		return home < 0, nil
	}, ast)
	return max(home, 0)
}
