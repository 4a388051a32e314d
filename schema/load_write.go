package schema

import (
	"encoding/json"
	"fmt"
	"github.com/scalelab/scalelab/internal/units"
	"io"
	"strconv"
	"time"

	textTable "github.com/scalelab/scalelab/internal/table"
)

// Summary is one line about the load into the topology named topo: rows,
// shards, method, rate, and the time spent on rows, indexes and in all.
func (r *LoadResult) Summary(topo string) string {
	ms := func(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
	return fmt.Sprintf("loaded %d rows into %d shard(s) of %s by %s in %s (%.0f rows/s); indexes %s in %s; total %s",
		r.Rows(), len(r.Shards), topo, r.Method, ms(r.LoadTime), r.RowsPerSecond(), r.IndexSet, ms(r.IndexTime), ms(r.Elapsed))
}

// WriteTable prints the rows loaded into every table on every shard, with
// each table's total, time and rate, as a text table. It returns w's
// errors.
func (r *LoadResult) WriteTable(w io.Writer) error {
	// Shard names such as -40 and c0- must print as they are.
	header := append([]string{"table"}, r.Shards...)
	header = append(header, "total", "seconds", "rows/s")
	var rows [][]string
	for _, tl := range r.Tables {
		row := []string{tl.Table}
		for i, n := range tl.Rows {
			cell := strconv.FormatUint(n, 10)
			if !tl.on(i) {
				cell = "-" // another keyspace's shard
			}
			row = append(row, cell)
		}
		row = append(row, strconv.FormatUint(tl.Total(), 10), fmt.Sprintf("%.2f", tl.Elapsed.Seconds()), fmt.Sprintf("%.0f", tl.RowsPerSecond()))
		rows = append(rows, row)
	}
	return textTable.Write(w, header, rows)
}

// WriteJSON writes r as indented JSON: rows per shard for every table,
// times as *_ms.
func (r *LoadResult) WriteJSON(w io.Writer) error {
	type table struct {
		Table   string            `json:"table"`
		Rows    map[string]uint64 `json:"rows"`
		Total   uint64            `json:"total"`
		Elapsed units.Ms          `json:"elapsed_ms"`
	}
	out := struct {
		Method    string   `json:"method"`
		Indexes   string   `json:"indexes"`
		Tables    []table  `json:"tables"`
		Rows      uint64   `json:"rows"`
		LoadTime  units.Ms `json:"load_ms"`
		IndexTime units.Ms `json:"index_ms"`
		Elapsed   units.Ms `json:"elapsed_ms"`
	}{Method: r.Method, Indexes: r.IndexSet, Rows: r.Rows(), LoadTime: units.Ms(r.LoadTime), IndexTime: units.Ms(r.IndexTime), Elapsed: units.Ms(r.Elapsed)}
	for _, t := range r.Tables {
		tb := table{Table: t.Table, Rows: map[string]uint64{}, Total: t.Total(), Elapsed: units.Ms(t.Elapsed)}
		for i, n := range t.Rows {
			if t.on(i) {
				tb.Rows[r.Shards[i]] = n
			}
		}
		out.Tables = append(out.Tables, tb)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
