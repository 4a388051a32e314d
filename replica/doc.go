// Package replica owns what scalelab knows about one primary and its
// replicas: probing each node's state (up, read_only, replication threads,
// Seconds_Behind_Master, GTID position) and, for the router, replica sets
// with per-node pools, balancing, lag and health.
//
//	st, err := replica.Probe(ctx, topo, 3*time.Second)
//	for _, n := range st {
//		fmt.Println(n.Name, n.Up, n.IORunning, n.SQLRunning, n.SecondsBehind)
//	}
package replica
