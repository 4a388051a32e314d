package lab

import "time"

// ReportVersion is the version of the Report JSON format.
const ReportVersion = 1

// Report is everything one run of experiments measured. It is what
// `--out results.json` writes and `scalelab report` reads.
type Report struct {
	Version     int          `json:"version"`
	Started     time.Time    `json:"started"`
	Elapsed     float64      `json:"elapsed_s"`
	Topology    string       `json:"topology"`
	Flavor      string       `json:"flavor"`
	Server      string       `json:"server_version,omitempty"`
	Experiments []Experiment `json:"experiments"`
}

// Experiment is one lab's result.
type Experiment struct {
	// Name is the lab's name: index, pool, replicas, shards or batch.
	Name  string `json:"name"`
	Title string `json:"title"`
	// Question is what the lab asks, in one sentence, for the reader.
	Question string `json:"question"`
	// Verdict is the plain-language conclusion, computed from the numbers.
	Verdict string `json:"verdict"`
	// Params are the sizes and settings the lab ran with.
	Params map[string]any `json:"params,omitempty"`
	// Charts are what the HTML report draws; Tables what both the CLI and
	// the report print.
	Charts []Chart `json:"charts,omitempty"`
	Tables []Table `json:"tables,omitempty"`
	// Notes are further observations (caveats, EXPLAIN excerpts).
	Notes []string `json:"notes,omitempty"`
}

// Chart is one chart: several series over a shared x axis.
type Chart struct {
	Title  string `json:"title"`
	XLabel string `json:"x_label"`
	YLabel string `json:"y_label"`
	// Kind is "line" (numeric x, e.g. QPS against concurrency) or "bar"
	// (categorical x, e.g. N+1 against batched).
	Kind string `json:"kind"`
	// LogX and LogY ask for logarithmic axes (pool sizes, table sizes).
	LogX   bool     `json:"log_x,omitempty"`
	LogY   bool     `json:"log_y,omitempty"`
	Series []Series `json:"series"`
}

// Series is one named line or bar group.
type Series struct {
	Name   string  `json:"name"`
	Points []Point `json:"points"`
	// Ideal marks a reference line that was computed, not measured (such
	// as linear scaling from the first point); charts draw it dashed.
	Ideal bool `json:"ideal,omitempty"`
}

// Point is one measurement. Label names a categorical x (bar charts);
// X is the numeric x (line charts).
type Point struct {
	X     float64 `json:"x"`
	Label string  `json:"label,omitempty"`
	Y     float64 `json:"y"`
}

// Table is a titled text table.
type Table struct {
	Title  string     `json:"title"`
	Header []string   `json:"header"`
	Rows   [][]string `json:"rows"`
}
