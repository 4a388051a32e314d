// Package router routes SQL over a topology, like one sql.DB over every
// shard and replica. For each statement it classifies the text with the
// Vitess MySQL parser (cached by text), picks the shards from the table's
// shard key through its vindex (one shard for key = v, each owning shard
// for IN (…), all shards otherwise; a statement with joins or subqueries
// runs on one shard only when every table reference in it is proven to be
// pinned there, see scope.go), picks a node in each shard's replica
// set (the primary for writes, DDL, locking reads, transactions and
// consistency strong; a healthy replica under the lag limit for other
// reads, waiting for the caller's last GTID under read-your-writes), runs
// it, and merges scatter results: a heap merge for ORDER BY, LIMIT pushed
// down as count+offset, COUNT/SUM/MIN/MAX/AVG/BIT_* and GROUP BY
// combined, text compared by the servers' own sort keys (WEIGHT_STRING).
// Shapes it cannot merge exactly are refused with ErrUnsupported naming
// the shape: it never returns a wrong answer (router/difftest checks that
// against one unsharded server). Stats counts every statement per route and per node; a Trace
// says where one statement went and why.
//
//	r, err := router.Open(ctx, topo, router.Config{})
//	if err != nil { ... }
//	defer r.Close()
//	var tr router.Trace
//	rows, err := r.QueryContext(router.WithTrace(ctx, &tr), "SELECT * FROM images ORDER BY dt DESC LIMIT 5")
//	// tr.Plan == "scatter", tr.Merged == "heap merge of the sorted shard streams; …"
//
// A Router is safe for concurrent use. A Session is one client's view (its
// own transaction, SET and USE state, consistency mode); the proxy gives
// every connection one.
package router
