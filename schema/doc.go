// Package schema is the sample application that scalelab loads, queries and
// measures: an InstaClone-style photo site with users, images and likes, whose
// front page is "select * from images order by dt desc limit 5". It owns the
// DDL for MariaDB and MySQL, how each table is sharded, the named secondary
// index sets that experiments compare (none, fk, full), a deterministic
// streaming data generator, and a per-table checksum that Go and the server
// compute identically, so a loader can prove that what it loaded is what was
// generated. Most of the package returns SQL text and rows without I/O; Load
// is the exception: it bulk-loads the generated rows into every shard's
// primary, each row on the shard the routing schema (package vschema) names,
// and creates the tables and indexes there.
//
//	g, err := schema.NewGenerator(schema.Config{Seed: 1, Users: 100, Images: 1000, Likes: 10000})
//	if err != nil {
//		return err
//	}
//	ddl, err := schema.CreateTables("mariadb")
//	if err != nil {
//		return err
//	}
//	// run ddl, then insert every row:
//	err = g.Images(func(img schema.Image) error {
//		_, err := stmt.ExecContext(ctx, img.Values()...)
//		return err
//	})
//	// then compare the server's count and CRC with Go's:
//	q, _ := schema.ChecksumSQL("images")
//	var got schema.Checksum
//	err = db.QueryRowContext(ctx, q).Scan(&got.Count, &got.CRC)
//	want, _ := g.Checksum("images")
//	if got != want { /* the load lost or changed rows */ }
package schema
