package bench

import (
	"encoding/csv"
	"io"
	"strconv"
)

// WriteCSV writes a header and, for each concurrency level, one row per
// iteration (iteration 1, 2, …) and one for their total (iteration "all").
// Errors by kind are in the JSON report only.
func WriteCSV(w io.Writer, r *Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(append([]string{"clients", "iteration"}, statsColumns(r)...)); err != nil {
		return err
	}
	for _, l := range r.Levels {
		clients := strconv.Itoa(l.Concurrency)
		for i := range l.Iterations {
			if err := cw.Write(append([]string{clients, strconv.Itoa(i + 1)}, statsCells(r, &l.Iterations[i], "")...)); err != nil {
				return err
			}
		}
		if err := cw.Write(append([]string{clients, "all"}, statsCells(r, &l.Total, "")...)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
