// Package shardtest holds the router's integration tests on a sandbox of
// four shards (the router package's own tests use one shard with two
// replicas; each test package has one sandbox).
package shardtest
