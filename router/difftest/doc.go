// Package difftest checks that the router never returns a wrong answer:
// it runs the same statements over the sample schema on four shards (each
// with a replica) and on one unsharded server holding the same rows, and
// compares the answers, through the router and through the proxy with a
// real MySQL-protocol client, down to column types and the bytes of every
// value. A statement the router cannot run exactly must be refused with
// an error that names its shape; a different answer fails the test.
//
// The package has only tests. Hand-written corpora feed them
// (testdata/corpus.sql of statements chosen to break merges, corpus2.sql,
// and corpus3.sql and corpus4.sql, by testers who did not write the
// router), and
// so does a random generator in the manner of SQLancer, run at a fixed
// seed in CI and at any size on demand:
//
//	go test ./router/difftest -run Differential -count=1 -args -queries=100000 -seed=7
package difftest
