// Package reshard splits a sandbox's shards the way Vitess resharding does:
// it adds the new shards' servers, copies the rows whose keyspace id moves,
// verifies every table per key range by row count and checksum, switches
// the topology file, and only then deletes the moved rows from their old
// shards. Every step is recorded in a state file, so a run that is killed
// at any point can be run again and ends in the same correct state.
//
// Writes must be paused while it runs: rows written to a source shard after
// its copy are not moved.
//
//	res, err := reshard.Run(ctx, reshard.Config{Cluster: sb.Cluster(), Shards: 4})
//	fmt.Printf("moved %d of %d rows\n", res.Moved(), res.Total())
package reshard
