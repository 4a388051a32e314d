// Package report renders scalelab's results as one self-contained HTML page:
// lab reports (lab.Report, written by `scalelab lab --out`) get one section
// per experiment with its question, verdict, charts, tables and notes; bench
// results (the JSON of `scalelab bench --format json` or `--out`) get a QPS
// against concurrency chart, a latency percentiles chart and a table per
// concurrency level. Charts are drawn with gonum.org/v1/plot and inlined as
// SVG, and the CSS is inline too, so the page needs no network to display or
// print.
//
//	var inputs []report.Input
//	for _, path := range []string{"lab.json", "bench.json"} {
//		in, err := report.ReadFile(path)
//		if err != nil {
//			return err
//		}
//		inputs = append(inputs, in)
//	}
//	return report.WriteHTMLFile("report.html", report.Config{Generated: time.Now()}, inputs)
package report
