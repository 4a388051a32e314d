package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/scalelab/scalelab/bench"
	"github.com/scalelab/scalelab/lab"
)

var update = flag.Bool("update", false, "rewrite testdata/*.json from the samples in sample_test.go")

// sampleLab is a hand-built lab report with every kind of content: line
// and bar charts, log axes, tables, params, notes, and text that must be
// escaped.
func sampleLab() *lab.Report {
	return &lab.Report{
		Version:  lab.ReportVersion,
		Started:  time.Date(2026, 11, 21, 14, 3, 0, 0, time.UTC),
		Elapsed:  171.4,
		Topology: "2 shards × (1 primary + 2 replicas)",
		Flavor:   "mariadb",
		Server:   "11.4.4-MariaDB",
		Experiments: []lab.Experiment{
			{
				Name:     "index",
				Title:    "Index: the front-page query with and without an index",
				Question: "What does an index on posts(user_id, created_at) buy the lookup by user, and what does it cost inserts?",
				Verdict:  "the index cut rows examined from 1,000,000 to 20 and made the query 180× faster; inserts got 1.3× slower",
				Params:   map[string]any{"sizes": []any{1000.0, 10000.0, 100000.0, 1000000.0}, "clients": 4.0, "duration": "5s"},
				Charts: []lab.Chart{
					{
						Title: "Lookup latency against table size", XLabel: "rows in posts", YLabel: "p50 latency (ms)",
						Kind: "line", LogX: true, LogY: true,
						Series: []lab.Series{
							{Name: "without index", Points: []lab.Point{{X: 1e3, Y: 0.21}, {X: 1e4, Y: 1.9}, {X: 1e5, Y: 18.7}, {X: 1e6, Y: 190}}},
							{Name: "with index", Points: []lab.Point{{X: 1e3, Y: 0.09}, {X: 1e4, Y: 0.1}, {X: 1e5, Y: 0.1}, {X: 1e6, Y: 0.11}}},
						},
					},
					{
						Title: "Insert throughput", XLabel: "rows in posts", YLabel: "inserts per second",
						Kind: "bar",
						Series: []lab.Series{
							{Name: "without index", Points: []lab.Point{{Label: "10k", Y: 9200}, {Label: "1M", Y: 8800}}},
							{Name: "with index", Points: []lab.Point{{Label: "10k", Y: 7100}, {Label: "1M", Y: 6700}}},
						},
					},
				},
				Tables: []lab.Table{{
					Title:  "EXPLAIN, side by side (1,000,000 rows)",
					Header: []string{"", "type", "key", "rows", "Extra"},
					Rows: [][]string{
						{"without index", "ALL", "NULL", "1,000,000", "Using where; Using filesort"},
						{"with index", "ref", "idx_user_created", "20", "Using index condition"},
					},
				}},
				Notes: []string{"Rows examined come from ANALYZE's r_rows.", "<script>alert('notes are escaped')</script>"},
			},
			{
				Name:     "pool",
				Title:    "Pool size at 32 clients",
				Question: "Where does adding connections stop helping?",
				Verdict:  "QPS stopped growing at 8 connections (2 per core); beyond that, p99 rose from 2.1 ms to 9.8 ms while clients waited on the server instead of the pool",
				Params:   map[string]any{"clients": 32.0, "cpus": 4.0},
				Charts: []lab.Chart{
					{
						Title: "QPS against pool size", XLabel: "max open connections", YLabel: "queries per second",
						Kind: "line", LogX: true,
						Series: []lab.Series{{Name: "QPS", Points: []lab.Point{{X: 1, Y: 3900}, {X: 2, Y: 7600}, {X: 4, Y: 14100}, {X: 8, Y: 21800}, {X: 16, Y: 22400}, {X: 32, Y: 21900}, {X: 64, Y: 21300}}}},
					},
					{
						Title: "p99 latency and pool wait against pool size", XLabel: "max open connections", YLabel: "ms",
						Kind: "line", LogX: true,
						Series: []lab.Series{
							{Name: "p99", Points: []lab.Point{{X: 1, Y: 10.2}, {X: 2, Y: 5.3}, {X: 4, Y: 3.1}, {X: 8, Y: 2.1}, {X: 16, Y: 4.4}, {X: 32, Y: 7.9}, {X: 64, Y: 9.8}}},
							{Name: "mean pool wait", Points: []lab.Point{{X: 1, Y: 7.9}, {X: 2, Y: 3.8}, {X: 4, Y: 1.7}, {X: 8, Y: 0.4}, {X: 16, Y: 0}, {X: 32, Y: 0}, {X: 64, Y: 0}}},
						},
					},
				},
				Tables: []lab.Table{{
					Title:  "Pool sizes",
					Header: []string{"pool", "QPS", "p99 ms", "wait count", "wait time"},
					Rows: [][]string{
						{"1", "3,900", "10.2", "118,004", "31.4s"},
						{"8", "21,800", "2.1", "2,311", "0.9s"},
						{"64", "21,300", "9.8", "0", "0s"},
					},
				}},
			},
			{
				Name:     "batch",
				Title:    "N+1 against batched fetches",
				Question: "How many round trips does the dataloader save on a 50-post feed?",
				Verdict:  "batching cut 51 queries to 2 and the feed's latency from 9.4 ms to 0.6 ms (16× faster)",
				Charts: []lab.Chart{{
					Title: "Feed of 50 posts", XLabel: "", YLabel: "queries per feed",
					Kind: "bar", LogY: true,
					Series: []lab.Series{
						{Name: "queries", Points: []lab.Point{{Label: "N+1", Y: 51}, {Label: "batched", Y: 2}}},
						{Name: "round trips", Points: []lab.Point{{Label: "N+1", Y: 51}, {Label: "batched", Y: 3}}},
					},
				}},
			},
			{
				Name:     "empty",
				Title:    "An experiment that measured nothing",
				Question: "Does a chart without points break the page?",
				Verdict:  "no",
				Charts:   []lab.Chart{{Title: "Nothing here", Kind: "line", Series: []lab.Series{{Name: "none"}}}},
			},
		},
	}
}

// sampleBench is a bench.Result as a run at 1, 4, 16 and 64 clients would
// measure it: QPS grows, then flattens while the tail latency grows.
func sampleBench() *bench.Result {
	ms := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	level := func(c int, qps, p50 float64, errs int64) bench.Level {
		wall := 5 * time.Second
		count := int64(qps * wall.Seconds())
		s := bench.Stats{
			Clients: c, Count: count, Errors: errs, ErrorsByKind: map[string]int64{},
			Wall: wall, QPS: qps,
			Min: ms(p50 / 4), Mean: ms(p50 * 1.2), P50: ms(p50), P90: ms(p50 * 2), P95: ms(p50 * 3),
			P99: ms(p50 * 6), P999: ms(p50 * 15), Max: ms(p50 * 40),
		}
		if errs > 0 {
			s.ErrorsByKind["1205 ER_LOCK_WAIT_TIMEOUT"] = errs
		}
		return bench.Level{Concurrency: c, Iterations: []bench.Stats{s}, Total: s}
	}
	return &bench.Result{Levels: []bench.Level{
		level(1, 4120, 0.23, 0),
		level(4, 14900, 0.26, 0),
		level(16, 31800, 0.48, 0),
		level(64, 33100, 1.9, 7),
	}}
}

// sampleBenchJSON is sampleBench as `scalelab bench --format json` writes it.
func sampleBenchJSON(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := bench.Write(&buf, bench.FormatJSON, sampleBench()); err != nil {
		t.Fatalf("bench.Write: %v", err)
	}
	return buf.Bytes()
}

// TestSamplesUpToDate keeps testdata/lab.json and testdata/bench.json, which
// scripts/screenshot-report.sh renders, equal to the samples above (go test
// -update rewrites them).
func TestSamplesUpToDate(t *testing.T) {
	labJSON, err := marshalIndent(sampleLab())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		want []byte
	}{
		{"lab.json", labJSON},
		{"bench.json", sampleBenchJSON(t)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join("testdata", tc.name)
			if *update {
				if err := os.WriteFile(path, tc.want, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got, tc.want) {
				t.Errorf("%s differs from the sample: run go test ./report -run TestSamplesUpToDate -update", path)
			}
		})
	}
}

func marshalIndent(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	return append(b, '\n'), err
}
