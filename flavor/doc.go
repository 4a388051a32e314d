// Package flavor keeps every difference between MariaDB and MySQL in one
// place: how a data dir is initialized, which server options turn on GTID
// replication, how a replica is pointed at its source, how replica status and
// GTID positions are read, how a read waits for a GTID, and how a statement is
// explained with real execution. Nothing else in scalelab branches on the
// server's brand; it asks a Flavor.
//
//	f, err := flavor.Lookup("mariadb")
//	if err != nil { ... }
//	q, args := f.ChangeSource(flavor.Source{Host: "127.0.0.1", Port: 24000, User: "repl", Password: pw})
//	_, err = db.ExecContext(ctx, q, args...)
package flavor
