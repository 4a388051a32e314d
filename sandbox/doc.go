// Package sandbox starts and stops real mariadbd or mysqld processes on one
// machine, in the manner of dbdeployer: one data dir, port, socket and error
// log per node, GTID replication from each shard's primary to its replicas,
// and no Docker. Start returns only when every replica's threads run and a
// marker row written on each primary is visible on all of its replicas.
//
//	sb, err := sandbox.Start(ctx, sandbox.Config{Dir: ".scalelab", Shards: 2, Replicas: 2})
//	if err != nil { ... }
//	defer sb.Stop(context.Background())
//	fmt.Println(sb.Topology.Nodes())
package sandbox
