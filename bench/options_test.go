package bench

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scalelab/scalelab/router"
)

// cliOptions are Options as the command line's defaults leave them.
func cliOptions() Options {
	return Options{
		Consistency: string(router.Eventual), Concurrency: "1", Format: string(FormatTable),
		LoadType: string(DefaultLoadType), Run: Config{Iterations: DefaultIterations},
		AutoGen: AutoGenConfig{Rows: DefaultAutoRows, UniqueQueries: DefaultUniqueQueries, IntCols: DefaultIntCols, CharCols: DefaultCharCols},
	}
}

func given(names ...string) func(string) bool {
	return func(n string) bool { return slices.Contains(names, n) }
}

func TestOptionsResolveErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no.sql")
	for _, tc := range []struct {
		name string
		set  func(o *Options)
		want string // the start of the error
	}{
		{"concurrency", func(o *Options) { o.Query, o.Concurrency = "SELECT 1", "1,x" }, `--concurrency "1,x": want a comma-separated list`},
		{"format", func(o *Options) { o.Query, o.Format = "SELECT 1", "xml" }, `--format "xml": want table, markdown, csv, json, slap, slap-csv`},
		{"plain csv with format", func(o *Options) { o.Query, o.CSV, o.Given = "SELECT 1", "-", given("format") }, "plain --csv replaces the report"},
		{"dsn and node", func(o *Options) { o.Query, o.DSN, o.Node = "SELECT 1", "u:p@tcp(h:1)/d", "0/primary" }, "--dsn and --node both name a server"},
		{"node for router", func(o *Options) { o.Query, o.Target, o.Node = "SELECT 1", TargetRouter, "0/primary" }, "--dsn and --node are for --target direct"},
		{"target", func(o *Options) { o.Query, o.Target = "SELECT 1", "proxy" }, `--target "proxy": want direct or router`},
		{"consistency", func(o *Options) { o.Query, o.Consistency = "SELECT 1", "sometimes" }, `router: consistency "sometimes"`},
		{"negative count", func(o *Options) { o.Query, o.AutoGen.CharCols = "SELECT 1", -2 }, "--number-char-cols -2: want 0 or more"},
		{"negative duration", func(o *Options) { o.Query, o.Run.Warmup = "SELECT 1", -time.Second }, "--duration, --warmup and --rate must not be negative"},
		{"pre-query file", func(o *Options) { o.Query, o.PreQuery = "SELECT 1", "@"+missing }, "--pre-query: open "},
		{"two workloads", func(o *Options) { o.Query, o.AutoGenerate = "SELECT 1", true }, "--query and --auto-generate-sql both give the workload"},
		{"no workload", func(o *Options) {}, "no workload: give --query or --auto-generate-sql"},
		{"load type alone", func(o *Options) { o.Query, o.Given = "SELECT 1", given("auto-generate-sql-load-type") }, "--auto-generate-sql-load-type needs --auto-generate-sql"},
		{"load type", func(o *Options) { o.AutoGenerate, o.LoadType = true, "delete" }, `bench: unknown load type "delete"`},
		{"empty query", func(o *Options) { o.Query = " ; ;" }, `--query " ; ;" holds no statement`},
		{"dsn", func(o *Options) { o.Query, o.DSN = "SELECT 1", "u:p@tcp(h:1" }, "--dsn: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := cliOptions()
			tc.set(&o)
			p, err := o.Resolve()
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("got %v, %v; want an error starting %q", p, err, tc.want)
			}
		})
	}
}

func TestOptionsResolve(t *testing.T) {
	file := filepath.Join(t.TempDir(), "pre.sql")
	if err := os.WriteFile(file, []byte("SET @a = 1; SET @b = 2"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Run("queries to the router", func(t *testing.T) {
		o := cliOptions()
		o.Query, o.PreQuery, o.Concurrency, o.Out, o.CSV = "SELECT 1; SELECT 2", "@"+file, "1, 8,4", "r.json", "slap.csv"
		p, err := o.Resolve()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(p.Run.Queries, []string{"SELECT 1", "SELECT 2"}) || !slices.Equal(p.Run.PreQuery, []string{"SET @a = 1", "SET @b = 2"}) {
			t.Errorf("got queries %q, pre-query %q", p.Run.Queries, p.Run.PreQuery)
		}
		if !slices.Equal(p.Run.Concurrency, []int{1, 8, 4}) || p.Target.Clients != 8 {
			t.Errorf("got concurrency %v and %d clients, want [1 8 4] and 8", p.Run.Concurrency, p.Target.Clients)
		}
		if !p.Target.Router || p.Target.DSN != nil || p.Target.Consistency != router.Eventual {
			t.Errorf("got target %+v, want the router with eventual reads", p.Target)
		}
		if want := (ReportConfig{Format: FormatTable, CSVFile: "slap.csv", JSONFile: "r.json"}); p.Report != want {
			t.Errorf("got report %+v, want %+v", p.Report, want)
		}
	})
	t.Run("generated workload on a node", func(t *testing.T) {
		o := cliOptions()
		o.AutoGenerate, o.LoadType, o.Node, o.CSV, o.PostQuery = true, "key", "0/primary", "-", "DO 1"
		p, err := o.Resolve()
		if err != nil {
			t.Fatal(err)
		}
		w, err := AutoGenerate(AutoGenConfig{LoadType: LoadKey, Rows: DefaultAutoRows, UniqueQueries: DefaultUniqueQueries, IntCols: 1, CharCols: 1})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(p.Run.Queries, w.Queries) || !slices.Equal(p.Run.PreQuery, w.Setup) {
			t.Errorf("got queries %q and pre-query %q, want the generated ones", p.Run.Queries, p.Run.PreQuery)
		}
		if want := append([]string{"DO 1"}, w.Cleanup...); !slices.Equal(p.Run.PostQuery, want) {
			t.Errorf("got post-query %q, want %q: --post-query, then the cleanup", p.Run.PostQuery, want)
		}
		if p.Target.Router || p.Target.Node != "0/primary" {
			t.Errorf("got target %+v, want direct to 0/primary", p.Target)
		}
		if !p.Report.SlapCSV || p.Report.CSVFile != "" || p.Report.LoadType != LoadKey {
			t.Errorf("got report %+v, want mysqlslap's CSV of load type key on the output", p.Report)
		}
	})
	t.Run("no drop keeps t1", func(t *testing.T) {
		o := cliOptions()
		o.AutoGenerate, o.NoDrop, o.DSN = true, true, "u:p@tcp(127.0.0.1:1)/d"
		p, err := o.Resolve()
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Run.PostQuery) != 0 {
			t.Errorf("got post-query %q, want none", p.Run.PostQuery)
		}
		if p.Target.Router || p.Target.DSN == nil || p.Target.DSN.Addr != "127.0.0.1:1" {
			t.Errorf("got target %+v, want direct to the DSN", p.Target)
		}
	})
}
