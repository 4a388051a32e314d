package lab_test

import (
	"context"
	"fmt"
	"os"

	"github.com/scalelab/scalelab/lab"
)

// Run one lab at the tests' size in sandboxes of its own, print it, and
// keep its numbers for `scalelab report`.
func ExampleRun() {
	ctx := context.Background()
	exp, err := lab.Run(ctx, "index", lab.Config{
		Size:     lab.Small(),
		Progress: func(line string) { fmt.Fprintln(os.Stderr, line) },
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	_ = lab.Write(os.Stdout, lab.FormatTable, exp)
	_ = lab.WriteJSON(os.Stdout, &lab.Report{Version: lab.ReportVersion, Experiments: []lab.Experiment{*exp}})
}
