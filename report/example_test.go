package report_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/report"
)

func ExampleWriteHTMLFile() {
	r := &lab.Report{Version: lab.ReportVersion, Topology: "1 primary + 2 replicas", Flavor: "mysql",
		Experiments: []lab.Experiment{{
			Name: "batch", Title: "N+1 against batched fetches",
			Verdict: "batching cut 51 queries to 2",
			Charts: []lab.Chart{{Title: "Queries per feed", Kind: "bar", Series: []lab.Series{
				{Name: "queries", Points: []lab.Point{{Label: "N+1", Y: 51}, {Label: "batched", Y: 2}}},
			}}},
		}}}
	dir, err := os.MkdirTemp("", "report")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "report.html")

	if err := report.WriteHTMLFile(path, report.Config{}, []report.Input{{Name: "lab.json", Lab: r}}); err != nil {
		panic(err)
	}
	page, _ := os.ReadFile(path)
	fmt.Println(strings.Count(string(page), "<svg"), "chart,", strings.Contains(string(page), "batching cut 51 queries to 2"))
	// Output: 1 chart, true
}
