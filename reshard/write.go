package reshard

import (
	"encoding/json"
	"fmt"
	"github.com/scalelab/scalelab/internal/table"
	"io"
	"strconv"
	"strings"
	"time"
)

// WriteTable prints a row per table (rows total, rows moved, the share
// moved, rows per new shard), then a line with the totals. It returns w's
// errors.
func (r *Result) WriteTable(w io.Writer) error {
	var rows [][]string
	for _, t := range r.Tables {
		pct := 0.0
		if t.Total > 0 {
			pct = 100 * float64(t.Moved) / float64(t.Total)
		}
		per := ""
		for _, name := range r.To {
			per += fmt.Sprintf("%s:%d ", name, t.PerShard[name])
		}
		rows = append(rows, []string{t.Table, strconv.FormatInt(t.Total, 10), strconv.FormatInt(t.Moved, 10), fmt.Sprintf("%.1f", pct), strings.TrimSpace(per)})
	}
	if err := table.Write(w, []string{"table", "rows total", "rows moved", "moved %", "rows per new shard"}, rows); err != nil {
		return err
	}
	from, to := fmt.Sprint(r.From), fmt.Sprint(r.To)
	if r.Move != nil {
		from, to = "keyspace "+r.Move.From, "keyspace "+r.Move.To
	}
	if _, err := fmt.Fprintf(w, "%s → %s: moved %d of %d rows in %v\n", from, to, r.Moved(), r.Total(), r.Elapsed.D().Round(time.Millisecond)); err != nil {
		return err
	}
	if r.Switch != nil {
		what := "switch window (writes held: last catch-up, count check, publish, routers follow)"
		if r.Stage == StageReversed {
			what = "reverse switch window (writes held: last reverse catch-up, publish, routers follow)"
		}
		if _, err := fmt.Fprintf(w, "%s: %v\n", what, r.Switch.D().Round(time.Millisecond)); err != nil {
			return err
		}
	}
	switch r.Stage {
	case StageSwitched:
		_, err := fmt.Fprintln(w, "switched: the new shards serve; the old ones keep their rows. Next: --complete deletes them, --reverse switches back")
		return err
	case StageReversed:
		_, err := fmt.Fprintln(w, "reversed: the old shards serve again, with every change made meanwhile; the workflow ended")
		return err
	case StageCanceled:
		_, err := fmt.Fprintln(w, "canceled: the old shards serve on; what the workflow added is gone")
		return err
	}
	return nil
}

// WriteJSON writes r as indented JSON.
func (r *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable prints a vdiff per table and key range, then the differing
// rows it names.
func (r *VDiffResult) WriteTable(w io.Writer) error {
	var rows [][]string
	var samples []string
	for _, d := range r.Ranges {
		rows = append(rows, []string{d.Table, d.Range, strconv.FormatInt(d.Source, 10), strconv.FormatInt(d.Target, 10),
			strconv.FormatInt(d.Missing, 10), strconv.FormatInt(d.Extra, 10), strconv.FormatInt(d.Different, 10), strconv.FormatInt(d.InFlight, 10)})
		for _, s := range d.Samples {
			samples = append(samples, fmt.Sprintf("  %s %s: %s row, primary key %s", d.Table, d.Range, s.Kind, s.Key))
		}
	}
	if err := table.Write(w, []string{"table", "range", "source rows", "target rows", "missing", "extra", "different", "in flight"}, rows); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "%s: %d difference(s) in %v\n", r.Workflow, r.Differences(), r.Elapsed.D().Round(time.Millisecond)); err != nil {
		return err
	}
	for _, s := range samples {
		if _, err := fmt.Fprintln(w, s); err != nil {
			return err
		}
	}
	return nil
}

// WriteJSON writes the vdiff as indented JSON.
func (r *VDiffResult) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
