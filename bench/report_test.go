package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/internal/units"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenResult builds a fixed Result: concurrency 1 with two iterations, and
// concurrency 10 with three iterations and some errors.
func goldenResult() *Result {
	level := func(conc int, walls []time.Duration, perIter int, errs []error) Level {
		l := Level{Concurrency: conc}
		total := NewRecorder()
		var wall time.Duration
		for i, w := range walls {
			r := NewRecorder()
			for q := 1; q <= perIter; q++ {
				r.Record(time.Duration(q*(i+1)*conc) * 10 * time.Microsecond)
			}
			for _, err := range errs {
				r.RecordError(err)
			}
			l.Iterations = append(l.Iterations, r.Stats(w, conc))
			total.Merge(r)
			wall += w
		}
		l.Total = total.Stats(wall, conc)
		return l
	}
	return &Result{Levels: []Level{
		level(1, []time.Duration{1234 * time.Millisecond, 1300 * time.Millisecond}, 100, nil),
		level(10, []time.Duration{10 * time.Millisecond, 12 * time.Millisecond, 15 * time.Millisecond}, 995,
			[]error{&mysql.MySQLError{Number: 1062, Message: "Duplicate entry '7' for key 'PRIMARY'"},
				&mysql.MySQLError{Number: 1290, Message: "The MariaDB server is running with the --read-only option so it cannot execute this statement"},
				&mysql.MySQLError{Number: 1290}, errors.New("x"), &mysql.MySQLError{Number: 1062, Message: "Duplicate entry '8' for key 'PRIMARY'"}}),
	}}
}

func TestWriteGolden(t *testing.T) {
	for _, f := range Formats() {
		t.Run(string(f), func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, f, goldenResult()); err != nil {
				t.Fatalf("Write: %v", err)
			}
			path := filepath.Join("testdata", "report."+string(f)+".golden")
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden file (run go test -update to create it): %v", err)
			}
			if got := buf.String(); got != string(want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	if err := Write(&bytes.Buffer{}, "xml", goldenResult()); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("got %v, want ErrUnknownFormat", err)
	}
}

// TestWriteSlapSummary pins mysqlslap's exact block: times are whole
// milliseconds, and the average is their integer mean ((10+12+15)/3 = 12).
func TestWriteSlapSummary(t *testing.T) {
	r := goldenResult()
	r.Levels = r.Levels[1:]
	var buf bytes.Buffer
	if err := WriteSlapSummary(&buf, r); err != nil {
		t.Fatal(err)
	}
	want := "Benchmark\n" +
		"\tAverage number of seconds to run all queries: 0.012 seconds\n" +
		"\tMinimum number of seconds to run all queries: 0.010 seconds\n" +
		"\tMaximum number of seconds to run all queries: 0.015 seconds\n" +
		"\tNumber of clients running queries: 10\n" +
		"\tAverage number of queries per client: 100\n\n"
	if buf.String() != want {
		t.Errorf("got:\n%q\nwant:\n%q", buf.String(), want)
	}
}

func TestWriteJSONParsesBack(t *testing.T) {
	r := goldenResult()
	r.Partial = true
	var buf bytes.Buffer
	if err := WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var got JSONResult
	dec := json.NewDecoder(&buf)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if dec.More() {
		t.Errorf("got more than one JSON document, want pure JSON")
	}
	l := got.Levels[1]
	want := r.Levels[1].Total
	if !got.Partial || l.Concurrency != 10 || len(l.Iterations) != 3 || l.Total.Queries != want.Count ||
		l.Total.P99Ms == nil || *l.Total.P99Ms != *msf(want.P99) || l.Total.ErrorsByKind["1290 ER_OPTION_PREVENTS_STATEMENT"] != 6 {
		t.Errorf("got %+v, want the result written", got)
	}
	if len(got.Levels[0].Total.ErrorsByKind) != 0 || got.Levels[0].Total.ErrorsByKind == nil {
		t.Errorf("got errors_by_kind %v for an error-free level, want {}", got.Levels[0].Total.ErrorsByKind)
	}
}

// TestWriteInterval: a line's time prints as the decimal it is, where
// Duration.Seconds() of 1.503s printed as 1.5030000000000001.
func TestWriteInterval(t *testing.T) {
	for _, tc := range []struct {
		name string
		st   IntervalStats
		want string
	}{
		{"whole seconds", IntervalStats{Elapsed: units.Ms(2 * time.Second), Clients: 4, QPS: 100, Percentile: 95},
			"[ 2s ] thds: 4 qps: 100.00 lat (ms,95%): 0.000 err/s: 0.00 reconn/s: 0.00\n"},
		{"milliseconds", IntervalStats{Elapsed: units.Ms(1503 * time.Millisecond), Clients: 1, Percentile: 99, ReconnectsPerSec: 2},
			"[ 1.503s ] thds: 1 qps: 0.00 lat (ms,99%): 0.000 err/s: 0.00 reconn/s: 2.00\n"},
		{"warmup", IntervalStats{Elapsed: units.Ms(500 * time.Millisecond), Warmup: true, Clients: 1, Percentile: 95},
			"[ 0.5s ] thds: 1 qps: 0.00 lat (ms,95%): 0.000 err/s: 0.00 reconn/s: 0.00 (warmup)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			WriteInterval(&b, tc.st)
			if b.String() != tc.want {
				t.Errorf("got %q, want %q", b.String(), tc.want)
			}
		})
	}
}

// TestReportNoSuccessfulQuery: when no query succeeded, the latencies
// were not measured, and the text and CSV reports say so ("-", an empty
// cell), as JSON says null, rather than print a latency of 0.000.
func TestReportNoSuccessfulQuery(t *testing.T) {
	r := NewRecorder()
	for range 10 {
		r.RecordError(errors.New("refused"))
	}
	res := &Result{Levels: []Level{{Concurrency: 2, Iterations: []Stats{r.Stats(time.Second, 2)}, Total: r.Stats(time.Second, 2)}}}
	for _, tc := range []struct {
		format Format
		want   string
	}{
		{FormatTable, "│       2 │          1 │       0 │     10 │ 0.0 │      - │       - │      - │      - │      - │      - │        - │      - │  1.000 │"},
		{FormatCSV, "2,all,0,10,0.0,,,,,,,,,1.000"},
	} {
		t.Run(string(tc.format), func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, tc.format, res); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), tc.want) || strings.Contains(b.String(), "0.000") {
				t.Errorf("got\n%s\nwant a row %q, and no latency of 0.000", b.String(), tc.want)
			}
		})
	}
}

// TestReportPercentile: the percentile a run asked for (--percentile) is
// in the final reports too: a column of its own in the table and CSV when
// it is not one of the fixed ones, and percentile_ms in JSON.
func TestReportPercentile(t *testing.T) {
	res := goldenResult()
	res.Percentile = 97
	p97 := res.Levels[1].Total.Percentile(97)
	if p97 <= res.Levels[1].Total.P95 || p97 > res.Levels[1].Total.P99 {
		t.Fatalf("p97 %v is not between p95 %v and p99 %v", p97, res.Levels[1].Total.P95, res.Levels[1].Total.P99)
	}
	for _, tc := range []struct {
		format Format
		want   []string
	}{
		{FormatTable, []string{"p97_ms", " " + ms(p97) + " "}},
		{FormatCSV, []string{"p99.9_ms,p97_ms,max_ms", "," + ms(p97) + ","}},
		{FormatJSON, []string{`"percentile": 97`, `"percentile_ms": ` + strconv.FormatFloat(float64(p97)/1e6, 'f', -1, 64)}},
	} {
		t.Run(string(tc.format), func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, tc.format, res); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("lacks %q:\n%s", w, b.String())
				}
			}
		})
	}
	// A fixed one gets no second column.
	res.Percentile = 99
	var b bytes.Buffer
	if err := Write(&b, FormatCSV, res); err != nil || strings.Count(b.String(), "p99_ms") != 1 {
		t.Errorf("--percentile 99: got %v\n%s", err, b.String())
	}
}
