package difftest

import (
	"context"
	"testing"
)

// TestBinaryFormColumns gives the sharded images table columns of
// MariaDB's INET6, INET4 and UUID types, on every shard's primary and on
// the unsharded server (past the router, whose parser does not read
// them), and runs testdata/binaryform.sql over them. The server orders
// these values by their binary form ('::2' before '::11'), which neither
// their text nor their WEIGHT_STRING gives: the router must refuse to
// merge on them, never order them by their text.
func TestBinaryFormColumns(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	run := func(q string) error {
		for _, s := range e.topo.Shards {
			cfg := e.topo.MySQLConfig(s.Primary.HostPort, e.topo.AdminCredentials())
			cfg.DBName = e.topo.DatabaseName()
			db, err := openDB(cfg)
			if err != nil {
				return err
			}
			_, err = db.ExecContext(ctx, q)
			db.Close()
			if err != nil {
				return err
			}
		}
		_, err := e.single.ExecContext(ctx, q)
		return err
	}
	if err := run("ALTER TABLE images ADD COLUMN ip INET6 NULL, ADD COLUMN ip4 INET4 NULL, ADD COLUMN u UUID NULL"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := run("ALTER TABLE images DROP COLUMN ip, DROP COLUMN ip4, DROP COLUMN u"); err != nil {
			t.Error(err)
		}
		if err := waitReplicas(ctx, e.topo); err != nil {
			t.Error(err)
		}
	})
	if err := run("UPDATE images SET ip = IF(id % 9 = 0, NULL, CONCAT('::', id)), ip4 = CONCAT('10.0.', id DIV 256, '.', id % 256), " +
		"u = CONCAT(LPAD(HEX(id), 8, '0'), '-0000-1', LPAD(HEX(500 - id), 3, '0'), '-8000-000000000000')"); err != nil {
		t.Fatal(err)
	}
	if err := waitReplicas(ctx, e.topo); err != nil {
		t.Fatal(err)
	}
	runEntries(t, e, "binaryform.sql", readCorpus(t, "testdata/binaryform.sql"))
}
