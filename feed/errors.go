package feed

import (
	"errors"
	"fmt"
)

var (
	// ErrNotFound is wrapped by the per-key error of a Users or Images load
	// whose id has no row, and by the N+1 feed when an image's author is
	// missing. Test for it with errors.Is.
	ErrNotFound = errors.New("loader: not found")
	// ErrInvalidConfig is wrapped by New for a Config it cannot use.
	ErrInvalidConfig = errors.New("loader: invalid config")
)

// notFound is the per-key error of a key that has no row.
func notFound(table, column string, key uint64) error {
	return fmt.Errorf("%w: %s with %s %d (it may have been deleted, or the id is wrong)", ErrNotFound, table, column, key)
}

// ShardError is the per-key error of every key whose shard's statement
// failed: the keys of other shards in the same batch still get their rows.
// Err is the router's error, such as a refused connection.
type ShardError struct {
	// Table is the table the batch read.
	Table string
	// Shard names the failed shard, or is "*" when the router chose the
	// shards itself (the table is not sharded by the loader's key).
	Shard string
	// Keys is how many keys of the batch were on that shard.
	Keys int
	Err  error
}

func (e *ShardError) Error() string {
	return fmt.Sprintf("loader: %s on shard %s failed for %d keys of the batch (check the shard with scalelab status): %v", e.Table, e.Shard, e.Keys, e.Err)
}

// Unwrap returns the router's error.
func (e *ShardError) Unwrap() error { return e.Err }
