package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"github.com/scalelab/scalelab/bench"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/sandbox"
)

// runCLI runs scalelab in process with args and returns its stdout, stderr
// and error.
func runCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	return runCLIContext(context.Background(), args...)
}

// runCLIContext is runCLI under ctx, which Ctrl-C cancels in main.
func runCLIContext(ctx context.Context, args ...string) (string, string, error) {
	var out, errOut bytes.Buffer
	root := newRootCmd()
	root.SetArgs(nodeArgsLast(args))
	root.SetOut(&out)
	root.SetErr(&errOut)
	err := root.ExecuteContext(ctx)
	return out.String(), errOut.String(), err
}

func TestBenchUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string // in the error message
	}{
		{"concurrency not a number", []string{"--concurrency", "1,x", "--query", "SELECT 1"}, `--concurrency "1,x"`},
		{"concurrency zero", []string{"--concurrency", "0", "--query", "SELECT 1"}, `--concurrency "0"`},
		{"concurrency empty item", []string{"--concurrency", "1,,4", "--query", "SELECT 1"}, `--concurrency "1,,4"`},
		{"no workload", []string{}, "no workload"},
		{"two workloads", []string{"--query", "SELECT 1", "--auto-generate-sql"}, "use one"},
		{"bad format", []string{"--query", "SELECT 1", "--format", "xml"}, `--format "xml"`},
		{"bad target", []string{"--query", "SELECT 1", "--target", "proxy"}, `--target "proxy"`},
		{"dsn and node", []string{"--query", "SELECT 1", "--dsn", "u:p@tcp(127.0.0.1:1)/d", "--node", "0/primary"}, "give one"},
		{"dsn for router", []string{"--query", "SELECT 1", "--target", "router", "--dsn", "u:p@tcp(127.0.0.1:1)/d"}, "--target direct"},
		{"bad dsn", []string{"--query", "SELECT 1", "--dsn", "u:p@tcp(127.0.0.1:1"}, "--dsn"},
		{"bad load type", []string{"--auto-generate-sql", "--auto-generate-sql-load-type", "delete"}, `unknown load type "delete"`},
		{"load type without auto-generate", []string{"--query", "SELECT 1", "--auto-generate-sql-load-type", "key"}, "needs --auto-generate-sql"},
		{"plain csv with format", []string{"--query", "SELECT 1", "--csv", "--format", "json"}, "--csv=FILE"},
		{"negative iterations", []string{"--query", "SELECT 1", "--iterations", "-1"}, "--iterations -1"},
		{"connection flags and dsn", []string{"--query", "SELECT 1", "-h", "127.0.0.1", "--dsn", "u:p@tcp(127.0.0.1:1)/d"}, "give one way"},
		{"execute number and number of queries", []string{"-a", "--auto-generate-sql-execute-number", "5", "--number-of-queries", "9"}, "leave out --number-of-queries"},
		{"zero iterations", []string{"--query", "SELECT 1", "--iterations", "0"}, "--iterations 0"},
		{"bad consistency", []string{"--query", "SELECT 1", "--consistency", "sometimes"}, "sometimes"},
		{"unknown flag", []string{"--query", "SELECT 1", "--concurency", "4"}, "unknown flag"},
		{"missing query file", []string{"--query", "@/no/such/file.sql"}, "no such file"},
		{"argument", []string{"SELECT 1"}, "takes 0 argument"},
		{"events and number of queries", []string{"--query", "SELECT 1", "--events", "10", "--number-of-queries", "10"}, "give one"},
		{"percentile zero", []string{"--query", "SELECT 1", "--percentile", "0"}, "--percentile 0"},
		{"histogram as json", []string{"--query", "SELECT 1", "--histogram", "--format", "json"}, "--histogram"},
		{"prepared through the router", []string{"--query", "SELECT 1", "--prepared", "--target", "router"}, "--prepared needs a direct target"},
		{"prepared placeholder in a string", []string{"--query", "SELECT * FROM images WHERE path = 'photos/{id:uniform(1,10)}.jpg'", "--prepared"}, "{id:uniform(1,10)}"},
		{"prepared placeholder in an identifier", []string{"--query", "SELECT * FROM `sbtest{t:uniform(1,4)}`", "--prepared"}, "{t:uniform(1,4)}"},
		{"negative events", []string{"--query", "SELECT 1", "--events", "-1"}, "--events -1"},
		{"events 0 without duration", []string{"--query", "SELECT 1", "--events", "0"}, "--duration"},
		{"negative iterations want 1", []string{"--query", "SELECT 1", "--iterations", "-1"}, "want 1 or more"},
		{"rate NaN", []string{"--query", "SELECT 1", "--rate", "NaN"}, "--rate NaN"},
		{"rate Inf", []string{"--query", "SELECT 1", "--rate", "Inf"}, "--rate +Inf"},
		{"negative duration", []string{"--query", "SELECT 1", "--duration", "-1"}, "duration"},
		{"duration not a number", []string{"--query", "SELECT 1", "--duration", "soon"}, "duration"},
		{"report interval not a number", []string{"--query", "SELECT 1", "--report-interval", "soon"}, "report-interval"},
		{"negative report interval", []string{"--query", "SELECT 1", "--report-interval", "-1"}, "report-interval"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, _, err := runCLI(t, append([]string{"bench"}, tc.args...)...)
			var ue *usageError
			if !errors.As(err, &ue) {
				t.Fatalf("got error %v (%T), want a usage error (exit 2)", err, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got error %q, want it to mention %q", err, tc.want)
			}
			if stdout != "" {
				t.Errorf("got stdout %q, want nothing", stdout)
			}
		})
	}
}

// TestBenchSecondsFlags: --duration and --warmup take sysbench's plain
// seconds, as --report-interval does, or a duration.
func TestBenchSecondsFlags(t *testing.T) {
	for _, args := range [][]string{{"--duration", "5"}, {"--duration", "1.5", "--warmup", "0.5"}, {"--duration", "2m", "--warmup", "500ms"}, {"--duration", "3", "--events", "0"}} {
		out, _, err := runCLI(t, append([]string{"bench", "--only-print", "-q", "SELECT 1"}, args...)...)
		if err != nil || out != "SELECT 1;\n" {
			t.Errorf("%v: got %q, %v", args, out, err)
		}
	}
}

// TestBenchOnlyPrint prints the statements a run would send, with the
// placeholders drawn, and connects to nothing (no server is named).
func TestBenchOnlyPrint(t *testing.T) {
	out, _, err := runCLI(t, "bench", "--only-print", "-F", "|", "-q", "SELECT {id:uniform(5,5)}|SELECT 2", "--pre-query", "SET @a = 1")
	if err != nil || out != "SET @a = 1|\nSELECT 5|\nSELECT 2|\n" {
		t.Errorf("got %q, %v", out, err)
	}
}

// TestBenchAgainstServer runs the command against a real server in each
// output form.
func TestBenchAgainstServer(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{Replicas: 0, BasePort: 26800, Name: "cmdbench"})
	topo := sb.Topology
	dsn := topo.MySQLConfig(topo.Nodes()[0].Addr, topo.User).FormatDSN()

	t.Run("json is all of stdout", func(t *testing.T) {
		outFile := filepath.Join(t.TempDir(), "results.json")
		stdout, stderr, err := runCLI(t, "bench", "--dsn", dsn, "--concurrency", "1,3", "--iterations", "2",
			"--number-of-queries", "30", "--query", "SELECT {id:uniform(1,9)}; SELECT * FROM no_such_table",
			"--format", "json", "--out", outFile, "--max-error-rate", "0.5")
		if err != nil {
			t.Fatalf("%v; stderr: %s", err, stderr)
		}
		var res struct {
			Meta struct {
				Queries []string `json:"queries"`
				Target  string   `json:"target"`
				Args    []string `json:"args"`
				Server  string   `json:"server"`
				Started string   `json:"started_at"`
			} `json:"meta"`
			Partial bool `json:"partial"`
			Levels  []struct {
				Concurrency int `json:"concurrency"`
				Total       struct {
					Queries      int64            `json:"queries"`
					Errors       int64            `json:"errors"`
					ErrorsByKind map[string]int64 `json:"errors_by_kind"`
				} `json:"total"`
			} `json:"levels"`
		}
		dec := json.NewDecoder(strings.NewReader(stdout))
		if err := dec.Decode(&res); err != nil {
			t.Fatalf("stdout is not the JSON report: %v\n%s", err, stdout)
		}
		if rest, _ := dec.Token(); rest != nil || dec.More() {
			t.Errorf("stdout has more after the JSON document: %v", rest)
		}
		if len(res.Levels) != 2 || res.Partial {
			t.Fatalf("got %+v, want 2 complete levels", res)
		}
		// The report says what it measured, and never the password.
		m := res.Meta
		if len(m.Queries) != 2 || !strings.Contains(m.Target, "(direct)") || m.Server == "" || m.Started == "" ||
			!slices.Contains(m.Args, "--concurrency=1,3") || strings.Contains(stdout, topo.User.Password) {
			t.Errorf("meta %+v: want the queries, the target, the server, the start and the flags without the password", m)
		}
		for _, l := range res.Levels {
			if l.Total.Queries != 30 || l.Total.Errors != 30 || l.Total.ErrorsByKind["1146 ER_NO_SUCH_TABLE"] != 30 {
				t.Errorf("concurrency %d: got %+v, want 30 ok and 30 errors 1146", l.Concurrency, l.Total)
			}
		}
		saved, err := os.ReadFile(outFile)
		if err != nil || !bytes.Equal(saved, []byte(stdout)) {
			t.Errorf("--out file differs from stdout (%v):\n%s", err, saved)
		}
		if !strings.Contains(stderr, "failed") {
			t.Errorf("stderr %q does not mention the failed queries", stderr)
		}
	})

	t.Run("failed queries fail the command", func(t *testing.T) {
		// mysqlslap stops at a failed query; by default so does the exit
		// status here, after the report, which still shows what ran.
		stdout, _, err := runCLI(t, "bench", "--dsn", dsn, "--number-of-queries", "20", "--query", "SELECT * FROM no_such_table", "--format", "json")
		if !errors.Is(err, bench.ErrTooManyErrors) || !strings.Contains(err.Error(), "20 of 20 failed") || !strings.Contains(err.Error(), "1146 ER_NO_SUCH_TABLE × 20") {
			t.Errorf("every query failed: got %v, want an error naming 20 of 20 and the kind", err)
		}
		if !strings.Contains(stdout, `"p50_ms": null`) {
			t.Errorf("with no successful query the latencies are not null:\n%s", stdout)
		}
		if !strings.Contains(stdout, `"errors": 20`) {
			t.Errorf("the report was not printed:\n%s", stdout)
		}
		// The server's message says what failed, as sysbench and
		// mysqlslap print it: in the report and on stderr.
		stdout, stderr, _ := runCLI(t, "bench", "--dsn", dsn, "--number-of-queries", "4", "--query", "SELECT * FROM no_such_table")
		for _, out := range []string{stdout, stderr} {
			if !strings.Contains(out, "first 1146 ER_NO_SUCH_TABLE: ") || !strings.Contains(out, "no_such_table' doesn't exist") {
				t.Errorf("the server's error message is missing:\n%s", out)
			}
		}
		_, _, err = runCLI(t, "bench", "--dsn", dsn, "--number-of-queries", "20", "--query", "SELECT 1; SELECT * FROM no_such_table", "--format", "json", "--max-error-rate", "0.4")
		if !errors.Is(err, bench.ErrTooManyErrors) {
			t.Errorf("half failed over a 40%% limit: got %v", err)
		}
	})

	t.Run("Ctrl-C ends a stuck query and exits 130", func(t *testing.T) {
		// The query waits for a lock the test holds; Ctrl-C (ctx) must end
		// it, print the report, marked partial, and fail the command as
		// interrupted, not succeed.
		db := dbtest.OpenAdmin(t, topo, topo.Nodes()[0].Addr)
		holder, err := db.Conn(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer holder.Close()
		var got int
		if err := holder.QueryRowContext(t.Context(), "SELECT GET_LOCK('cmd_stuck', 0)").Scan(&got); err != nil || got != 1 {
			t.Fatalf("GET_LOCK: %d, %v", got, err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		type ran struct {
			stdout string
			err    error
		}
		done := make(chan ran, 1)
		go func() {
			stdout, _, err := runCLIContext(ctx, "bench", "--dsn", dsn, "--query", "SELECT GET_LOCK('cmd_stuck', 30)", "--format", "json")
			done <- ran{stdout, err}
		}()
		for {
			var n int
			if err := db.QueryRow("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE STATE = 'User lock' AND INFO LIKE '%cmd_stuck%'").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n > 0 {
				break
			}
		}
		cancel()
		r := <-done
		var ie *interruptedError
		if !errors.As(r.err, &ie) {
			t.Errorf("got error %v (%T), want an interruption (exit 130)", r.err, r.err)
		}
		if !strings.Contains(r.stdout, `"partial": true`) || !strings.Contains(r.stdout, `"queries": 0`) {
			t.Errorf("the report is not the partial one of no query:\n%s", r.stdout)
		}
	})

	t.Run("interval lines keep a machine format's stdout clean", func(t *testing.T) {
		// Each run lasts at least 0.1s (two queries of SLEEP(0.05)), so
		// intervals of 10ms print lines.
		for _, format := range []string{"slap-csv", "csv", "json"} {
			stdout, stderr, err := runCLI(t, "bench", "--dsn", dsn, "--number-of-queries", "2", "--query", "SELECT SLEEP(0.05)",
				"--report-interval", "0.01", "--format", format)
			if err != nil {
				t.Fatalf("%s: %v; stderr: %s", format, err, stderr)
			}
			if strings.Contains(stdout, "thds:") || !strings.Contains(stderr, "thds:") {
				t.Errorf("%s: interval lines on stdout, or not on stderr:\nstdout: %s\nstderr: %s", format, stdout, stderr)
			}
		}
	})

	t.Run("markdown fences its text", func(t *testing.T) {
		// Interval lines (a run of at least 0.1s, lines every 10ms) and
		// the histogram are text blocks in Markdown.
		stdout, stderr, err := runCLI(t, "bench", "--dsn", dsn, "--number-of-queries", "2", "--query", "SELECT SLEEP(0.05)",
			"--report-interval", "0.01", "--histogram", "--format", "markdown")
		if err != nil {
			t.Fatalf("%v; stderr: %s", err, stderr)
		}
		fenced, fences, text := false, 0, 0
		for _, line := range strings.Split(stdout, "\n") {
			if strings.HasPrefix(line, "```") {
				fenced = !fenced
				fences++
				continue
			}
			if strings.Contains(line, "thds:") || strings.Contains(line, "|*") || strings.Contains(line, "th percentile:") {
				text++
				if !fenced {
					t.Errorf("line %q is outside a text block", line)
				}
			}
		}
		if fenced || fences != 6 || text < 3 {
			t.Errorf("got %d fences (want 6: the intervals, the Benchmark summary, the histogram, each closed) around %d text lines:\n%s", fences, text, stdout)
		}
	})

	t.Run("table and the Benchmark block", func(t *testing.T) {
		stdout, _, err := runCLI(t, "bench", "--topology", sb.TopologyPath(), "--node", "0/primary",
			"--concurrency", "2", "--iterations", "3", "--number-of-queries", "10", "--query", "SELECT 1")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"p99_ms", "Benchmark\n", "Number of clients running queries: 2\n", "Average number of queries per client: 5\n"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("stdout lacks %q:\n%s", want, stdout)
			}
		}
	})

	t.Run("create schema and auto-generate as mysqlslap csv", func(t *testing.T) {
		stdout, stderr, err := runCLI(t, "bench", "--topology", sb.TopologyPath(), "--node", "0/primary",
			"--create-schema", "slap_cmd", "--auto-generate-sql", "--auto-generate-sql-load-type", "write",
			"--concurrency", "1,2", "--number-of-queries", "20", "--no-drop", "--csv")
		if err != nil {
			t.Fatalf("%v; stderr: %s", err, stderr)
		}
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], ",write,") || !strings.HasSuffix(lines[1], ",2,10") {
			t.Errorf("got csv %q, want 2 lines of ,write,…, the second ending in ,2,10", lines)
		}
		db := dbtest.Open(t, topo, topo.Nodes()[0].Addr)
		var n int
		if err := db.QueryRow("SELECT COUNT(*) FROM slap_cmd.t1").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 100+20 {
			t.Errorf("got %d rows in slap_cmd.t1, want 120 (100 prepopulated, 20 written by the last level)", n)
		}
	})
}
