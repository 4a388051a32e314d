// Package lab runs scalelab's experiments (index, pool, replicas, shards,
// batch): each loads what it needs, measures both sides of one scaling
// technique on real servers, and ends with a verdict computed from its own
// numbers. Results are plain data (Report) that the CLI prints and the HTML
// report renders.
//
//	rep, err := lab.RunAll(ctx, lab.Names(), lab.Config{Size: lab.Small()}, nil)
//	for _, e := range rep.Experiments {
//		fmt.Println(e.Name, e.Verdict)
//	}
package lab
