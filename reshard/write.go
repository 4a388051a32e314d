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
	_, err := fmt.Fprintf(w, "%s → %s: moved %d of %d rows in %v\n", from, to, r.Moved(), r.Total(), r.Elapsed.D().Round(time.Millisecond))
	return err
}

// WriteJSON writes r as indented JSON.
func (r *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
