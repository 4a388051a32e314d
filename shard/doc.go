// Package shard decides which shard owns a row: the Z axis of the AKF scale
// cube. A Vindex maps a shard-key value (an integer id, or a string holding
// one as SQL literals do) to an 8-byte keyspace id; a Map turns a list of
// Vitess-style shard names such as "-80" and "80-" into key ranges that
// partition the keyspace and finds the shard whose range holds a keyspace id.
// The vindexes follow Vitess vtgate: Hash is Vitess's "hash" (DES with an
// all-zero key, reversible), XXHash is Vitess's "xxhash", and Modulo is a
// teaching vindex that puts id into shard id mod N, so that resharding with it
// visibly moves most rows. The vindexes, key ranges and maps are pure
// computation, without I/O, and safe for concurrent use once built; package
// vschema builds them from a topology. A Sequence is the exception: it hands
// out ids by reserving blocks of them in a table on the node that holds the
// sequences.
//
// Example:
//
//	names, _ := shard.GenerateNames(2)   // ["-80", "80-"]
//	m, err := shard.NewMap(names)
//	if err != nil {
//		return err
//	}
//	ksid, err := shard.NewHash().Map("1") // 166b40b44aba4bd6
//	if err != nil {
//		return err
//	}
//	i, name := m.Shard(ksid)              // 0, "-80"
//
//	// For WHERE id IN (...): one query per shard, with that shard's keys.
//	groups, err := m.Group(shard.NewHash(), []any{1, 2, 3, 4})
package shard
