package reshard

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/olekukonko/tablewriter"
)

// WriteTable prints a row per table (rows total, rows moved, the share
// moved, rows per new shard), then a line with the totals. It returns w's
// errors.
func (r *Result) WriteTable(w io.Writer) error {
	tw := tablewriter.NewWriter(w)
	tw.Header("table", "rows total", "rows moved", "moved %", "rows per new shard")
	for _, t := range r.Tables {
		pct := 0.0
		if t.Total > 0 {
			pct = 100 * float64(t.Moved) / float64(t.Total)
		}
		per := ""
		for _, name := range r.To {
			per += fmt.Sprintf("%s:%d ", name, t.PerShard[name])
		}
		if err := tw.Append(t.Table, t.Total, t.Moved, fmt.Sprintf("%.1f", pct), per); err != nil {
			return err
		}
	}
	if err := tw.Render(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%v → %v: moved %d of %d rows in %v\n", r.From, r.To, r.Moved(), r.Total(), r.Elapsed.Round(time.Millisecond))
	return err
}

// WriteJSON writes r as indented JSON.
func (r *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
