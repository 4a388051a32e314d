package schema

import (
	"context"
	"fmt"
	"slices"

	"github.com/scalelab/scalelab/topology"
	"github.com/scalelab/scalelab/vschema"
)

// Checksums returns the Checksum of every sample table over all shards of
// its keyspace in topo: it runs ChecksumSQL on every shard's primary, as the application
// user, and combines the results. Compare it with the Generator's Checksum
// to prove a load complete and exact. Errors name the shard and table.
func Checksums(ctx context.Context, topo *topology.Topology) (map[string]Checksum, error) {
	dbs, err := openPrimaries(ctx, topo, 1)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, db := range dbs {
			db.Close()
		}
	}()
	vs, err := vschema.New(topo)
	if err != nil {
		return nil, err
	}
	names := Tables()
	perShard := make([][]Checksum, len(dbs))
	err = eachShard(ctx, len(dbs), func(ctx context.Context, i int) error {
		perShard[i] = make([]Checksum, len(names))
		for j, table := range names {
			if !slices.Contains(vs.KeyspaceShards(table), i) {
				continue // another keyspace's shard
			}
			q, err := ChecksumSQL(table)
			if err != nil {
				return err
			}
			c := &perShard[i][j]
			if err := dbs[i].QueryRowContext(ctx, q).Scan(&c.Count, &c.CRC); err != nil {
				return fmt.Errorf("checksum %s on shard %s: %w", table, topo.Shards[i].Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]Checksum, len(names))
	for j, table := range names {
		var c Checksum
		for i := range perShard {
			c = c.Combine(perShard[i][j])
		}
		out[table] = c
	}
	return out, nil
}
