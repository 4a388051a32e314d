// Package explain shows how a server runs one statement: EXPLAIN's rows
// (access type, key, estimated rows), the JSON plan, and, by executing the
// statement under ANALYZE (MariaDB) or EXPLAIN ANALYZE (MySQL), the rows
// each table really examined and the session's Handler_read_* counters.
// Writes are executed only when asked, inside a transaction that is rolled
// back. Index creates an index on a primary, waits until the replicas have
// it, and explains again, so Compare can put the two plans side by side:
// the index-versus-no-index lesson. OnTopology does all of this on a node
// of a topology, opening its shard's primary and replicas itself.
//
//	p, err := explain.Run(ctx, db, f, "SELECT * FROM images ORDER BY dt DESC LIMIT 5")
//	if err != nil {
//		return err
//	}
//	return explain.WritePlan(os.Stdout, p)
package explain
