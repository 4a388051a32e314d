package reshard

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/scalelab/scalelab/internal/units"
)

// ErrNoWorkflow is returned by VDiff when no reshard or table move is in
// progress: there is no source and target to compare.
var ErrNoWorkflow = errors.New("vdiff: no reshard or movetables in progress")

const vdiffFile = "vdiff.json"

// VDiffConfig describes one vdiff run.
type VDiffConfig struct {
	// Cluster is the servers of the workflow in progress. Required.
	Cluster Cluster
	// Progress, if set, receives one line per key range compared.
	Progress func(string)
	// Samples is how many differing rows of each key range the result
	// names. Zero means 10.
	Samples int
}

// RowDiff is one row that is not the same on both sides, by its primary
// key.
type RowDiff struct {
	// Kind is missing (in the source, not the target), extra (in the
	// target, not the source) or different (both, with other values).
	Kind string `json:"kind"`
	Key  string `json:"primary_key"`
}

// RangeDiff is one table's comparison over one target key range.
type RangeDiff struct {
	Table     string `json:"table"`
	Range     string `json:"range"`
	Source    int64  `json:"source_rows"`
	Target    int64  `json:"target_rows"`
	Missing   int64  `json:"missing"`
	Extra     int64  `json:"extra"`
	Different int64  `json:"different"`
	// InFlight counts the rows that differed in the first comparison
	// and no longer did after a catch-up (see VDiff): changes that
	// were on their way, not differences.
	InFlight int64     `json:"in_flight,omitempty"`
	Samples  []RowDiff `json:"samples,omitempty"`
}

// Differences is the range's missing, extra and different rows.
func (r RangeDiff) Differences() int64 { return r.Missing + r.Extra + r.Different }

// VDiffResult is a vdiff's report.
type VDiffResult struct {
	// Workflow says what was compared: a reshard's shards or a move's
	// tables.
	Workflow string      `json:"workflow"`
	Ranges   []RangeDiff `json:"ranges"`
	// Resumed counts the ranges an earlier, interrupted run had compared.
	Resumed int      `json:"resumed_ranges"`
	Elapsed units.Ms `json:"elapsed_ms"`
}

// Differences sums every range's differences.
func (r *VDiffResult) Differences() (n int64) {
	for _, d := range r.Ranges {
		n += d.Differences()
	}
	return n
}

// vdiffState is the record of a vdiff run, kept until it finishes: the
// ranges compared so far, for a run after a kill to resume from.
type vdiffState struct {
	// Of names the workflow it compares (its From and To), so a record of
	// another workflow is not resumed.
	Of     string      `json:"of"`
	Ranges []RangeDiff `json:"ranges"`
}

// VDiff compares, row by row, the source and the target of the reshard or
// table move in progress, as Vitess VDiff does: for every moving table and
// every target key range, the rows the source holds for that range against
// the rows the target shard holds, by primary key and a checksum of the
// whole row. Run it after the copy and before the switch, or after the
// switch and before the cleanup. It records each range as it finishes
// (vdiff.json, next to the workflow's state), and a run after a kill
// resumes with the ranges not yet compared. It holds the sandbox's
// workflow lock while it runs, and returns an error wrapping ErrBusy if
// another workflow command holds it (see LockDir).
func VDiff(ctx context.Context, cfg VDiffConfig) (*VDiffResult, error) {
	start := time.Now()
	c := cfg.Cluster
	if c == nil || c.Topology() == nil {
		return nil, errors.New("vdiff: no sandbox (start one with scalelab up)")
	}
	// It writes its own record, and after a switch it applies the reverse
	// catch-up, moving the workflow's positions: one command at a time.
	lock, err := LockDir(c.StateDir())
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	say := cfg.Progress
	if say == nil {
		say = func(string) {}
	}
	samples := cfg.Samples
	if samples == 0 {
		samples = 10
	}
	st, err := loadState(c)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return nil, fmt.Errorf("%w: compare a workflow's source and target between its copy and its cleanup, e.g. after scalelab movetables … --stop-after verified", ErrNoWorkflow)
	}
	if st.Online && !done(st, PhaseCaughtUp) {
		return nil, fmt.Errorf("vdiff: %s copies online and has not caught up yet (phase %q): run it with --online first; with writes going on, the two sides differ by what is not applied yet", st.describe(), st.Phase)
	}
	if !done(st, PhaseCopied) {
		return nil, fmt.Errorf("vdiff: %s has not copied its rows yet (phase %q): run it to %q first", st.describe(), st.Phase, PhaseCopied)
	}
	path := filepath.Join(c.StateDir(), vdiffFile)
	of := fmt.Sprintf("%s %v→%v", st.ID, st.From, st.To)
	rec := vdiffState{Of: of}
	if b, err := os.ReadFile(path); err == nil {
		var prev vdiffState
		if json.Unmarshal(b, &prev) == nil && prev.Of == of {
			rec = prev
		}
	}
	res := &VDiffResult{Workflow: st.describe(), Resumed: len(rec.Ranges)}
	compared := map[string]bool{}
	for _, r := range rec.Ranges {
		compared[r.Table+"\x00"+r.Range] = true
	}
	w := &worker{cluster: c, st: st, say: say}
	if err := w.vdiffCatchUp(ctx); err != nil {
		return nil, fmt.Errorf("vdiff: %w", err)
	}
	for _, table := range w.shardedTables() {
		to, belongs, err := w.moving(table)
		if err != nil {
			return nil, err
		}
		for i, name := range w.st.To {
			if compared[table+"\x00"+name] {
				continue
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			d, err := w.diffRecheck(ctx, table, i, to, belongs, samples)
			if err != nil {
				return nil, fmt.Errorf("vdiff: %s, range %s: %w", table, name, err)
			}
			rec.Ranges = append(rec.Ranges, d)
			b, err := json.MarshalIndent(rec, "", "  ")
			if err == nil {
				err = os.WriteFile(path, b, 0o600)
			}
			if err != nil {
				return nil, err
			}
			line := fmt.Sprintf("%s %s: compared %d source rows with %d target rows: %d missing, %d extra, %d different", table, name, d.Source, d.Target, d.Missing, d.Extra, d.Different)
			if d.InFlight > 0 {
				line += fmt.Sprintf(" (and %d in flight, the same after a catch-up)", d.InFlight)
			}
			say(line)
		}
	}
	res.Ranges = rec.Ranges
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return res, err
	}
	res.Elapsed = units.Ms(time.Since(start))
	return res, nil
}

// Rechecks: under writes, an online workflow's two sides differ by the
// changes not yet applied to the side that does not take writes, and by
// those made between the reading of one side and the other's. A range's
// differing rows, up to maxRecheck of them, are compared again after a
// catch-up, up to recheckRounds times; those that then agree were in
// flight.
const (
	maxRecheck    = 1000
	recheckRounds = 3
)

// vdiffCatchUp brings the side of an online workflow that does not take
// writes up to date with the one that does: before the switch, the
// targets (the workflow's catch-up); after it, the old shards (reverse
// replication). An offline workflow's sides take no writes.
func (w *worker) vdiffCatchUp(ctx context.Context) error {
	switch {
	case !w.st.Online:
		return nil
	case done(w.st, PhaseSwitched):
		if len(w.st.Reverse) != len(w.st.To) {
			return nil
		}
		_, err := w.reverseCatchUp(ctx)
		return err
	}
	return w.catchUp(ctx)
}

// diffRecheck is diffRange of the whole range, then, for an online
// workflow, of its differing rows again after each catch-up (see
// maxRecheck).
func (w *worker) diffRecheck(ctx context.Context, table string, i int, to layout, belongs func(string, int) (bool, error), samples int) (RangeDiff, error) {
	d, keys, err := w.diffRange(ctx, table, i, to, belongs, samples, nil)
	for round := 0; err == nil && w.st.Online && len(keys) > 0 && len(keys) <= maxRecheck && round < recheckRounds; round++ {
		if err = w.vdiffCatchUp(ctx); err != nil {
			break
		}
		var again RangeDiff
		if again, keys, err = w.diffRange(ctx, table, i, to, belongs, samples, keys); err != nil {
			break
		}
		d.InFlight += d.Differences() - again.Differences()
		d.Missing, d.Extra, d.Different, d.Samples = again.Missing, again.Extra, again.Different, again.Samples
	}
	return d, err
}

// diffRange compares table's rows of target range i: every source shard's
// rows that belong there against the target shard's; of the rows whose
// primary keys (rowID.id) only lists, when only is not nil. It returns
// the differing rows' keys too.
func (w *worker) diffRange(ctx context.Context, table string, i int, to layout, belongs func(string, int) (bool, error), samples int, only []string) (RangeDiff, []string, error) {
	d := RangeDiff{Table: table, Range: w.st.To[i]}
	var keys []string
	type row struct {
		id  rowID
		crc uint32
	}
	src := map[string]row{}
	for j, old := range w.sources() {
		db, err := w.open(old.Primary.HostPort)
		if err != nil {
			return d, nil, err
		}
		err = scanRows(ctx, db, table, to.key, only, func(k string, r rowID, crc uint32) error {
			if ok, err := belongs(k, j); !ok || err != nil {
				return err
			}
			if t, err := to.shardOf(k); err != nil || t != i {
				return err
			}
			src[r.id] = row{r, crc}
			return nil
		})
		db.Close()
		if err != nil {
			return d, nil, err
		}
	}
	d.Source = int64(len(src))
	db, err := w.open(w.primary(i))
	if err != nil {
		return d, nil, err
	}
	defer db.Close()
	note := func(kind string, r rowID) {
		if len(d.Samples) < samples {
			d.Samples = append(d.Samples, RowDiff{Kind: kind, Key: r.label})
		}
		if len(keys) <= maxRecheck {
			keys = append(keys, r.id)
		}
	}
	reused := w.st.Reuse[i] // the old shard whose servers serve range i, or -1
	err = scanRows(ctx, db, table, to.key, only, func(k string, r rowID, crc uint32) error {
		t, err := to.shardOf(k)
		if err != nil {
			return err
		}
		if t != i {
			// Another range's row: on a reused shard, one of its old rows,
			// which the cleanup deletes; anywhere else, a row that would
			// stay where no lookup finds it and every scatter reads it.
			if old, err := belongs(k, reused); reused >= 0 && (old || err != nil) {
				return err
			}
			d.Extra++
			note("extra", r)
			return nil
		}
		d.Target++
		want, ok := src[r.id]
		switch {
		case !ok:
			d.Extra++
			note("extra", r)
		case want.crc != crc:
			d.Different++
			note("different", r)
		}
		delete(src, r.id)
		return nil
	})
	if err != nil {
		return d, nil, err
	}
	for _, r := range src {
		d.Missing++
		note("missing", r.id)
	}
	return d, keys, nil
}

// scanRows streams a table's rows on one server: the shard key as text,
// the primary key (its columns quoted and joined with commas), and a
// CRC32 of the whole row, every column quoted; of the rows whose primary
// keys, so written, only lists, when only is not nil. A table that does
// not exist there has no rows.
func scanRows(ctx context.Context, db dbQuerier, table, key string, only []string, fn func(key string, r rowID, crc uint32) error) error {
	cols, err := columns(ctx, db, table)
	if err != nil || len(cols) == 0 {
		return err // no such table here: no rows
	}
	pk, err := primaryKey(ctx, db, table)
	if err != nil {
		return err
	}
	if len(pk) == 0 {
		return fmt.Errorf("table %s has no primary key: vdiff tells rows apart by it", table)
	}
	// QUOTE tells NULL from 'NULL' and keeps a separator inside a value
	// from joining two values into one.
	quoted := make([]string, len(pk))
	for i, c := range pk {
		quoted[i] = "QUOTE(" + ident(c) + ")"
	}
	all := make([]string, len(cols))
	for i, c := range cols {
		all[i] = "QUOTE(" + ident(c) + ")"
	}
	plain := make([]string, len(pk))
	for i, c := range pk {
		plain[i] = ident(c)
	}
	id := "CONCAT_WS(',', " + strings.Join(quoted, ", ") + ")"
	q := "SELECT CAST(" + ident(key) + " AS CHAR), " + id + ", CONCAT_WS(',', " + strings.Join(plain, ", ") + "), CRC32(CONCAT_WS('#', " + strings.Join(all, ", ") + ")) FROM " + ident(table)
	var args []any
	if only != nil {
		q += " WHERE " + id + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(only)), ", ") + ")"
		for _, k := range only {
			args = append(args, k)
		}
	}
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var k string
	var r rowID
	var crc uint32
	for rows.Next() {
		if err := rows.Scan(&k, &r.id, &r.label, &crc); err != nil {
			return err
		}
		if err := fn(k, r, crc); err != nil {
			return err
		}
	}
	return rows.Err()
}

// primaryKey lists a table's primary key columns, in order; none when
// the table does not exist.
func primaryKey(ctx context.Context, db dbQuerier, table string) ([]string, error) {
	return listColumns(ctx, db, "SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION", table)
}

// columns lists a table's columns, in order.
func columns(ctx context.Context, db dbQuerier, table string) ([]string, error) {
	return listColumns(ctx, db, "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION", table)
}

func listColumns(ctx context.Context, db dbQuerier, q string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		if isNoTable(err) {
			return nil, nil
		}
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// rowID is a row's primary key: id compares (its columns quoted), label
// names it to people (the plain values).
type rowID struct{ id, label string }

// dbQuerier is what scanRows reads with: a pool.
type dbQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}
