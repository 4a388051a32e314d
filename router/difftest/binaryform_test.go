package difftest

import (
	"context"
	"strings"
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
	withColumns(t, e, []string{"ip INET6 NULL", "ip4 INET4 NULL", "u UUID NULL"},
		"ip = IF(id % 9 = 0, NULL, CONCAT('::', id)), ip4 = CONCAT('10.0.', id DIV 256, '.', id % 256), "+
			"u = CONCAT(LPAD(HEX(id), 8, '0'), '-0000-1', LPAD(HEX(500 - id), 3, '0'), '-8000-000000000000')")
	runEntries(t, e, "binaryform.sql", readCorpus(t, "testdata/binaryform.sql"))
}

// TestTypedColumns gives images columns of types whose merges have rules
// of their own, and runs testdata/typedcols.sql over them: BIT (MIN and
// MAX of it are sent as decimal digits, whose text does not sort as the
// numbers), FLOAT(M,D) (whose sums are DOUBLEs printed with D decimals)
// and DOUBLE near its limit (a sum that overflows on a shard).
func TestTypedColumns(t *testing.T) {
	e := setup(t)
	withColumns(t, e, []string{"b64 BIT(64) NULL", "b8 BIT(8) NULL", "b1 BIT(1) NULL", "f2 FLOAT(7,3) NULL", "fd DOUBLE(12,4) NULL", "dbl DOUBLE NULL"},
		"b64 = CASE WHEN id % 7 = 0 THEN NULL WHEN id % 5 = 0 THEN 0xFFFFFFFFFFFFFFFF WHEN id % 3 = 0 THEN 0x8000000000000000 ELSE id END, "+
			"b8 = IF(id % 11 = 0, NULL, id % 256), b1 = id % 2, "+
			"f2 = IF(id % 13 = 0, NULL, (id % 97) * 12.345 + 0.001), "+
			"fd = IF(id % 13 = 0, NULL, (id % 89) / 7), "+
			"dbl = CASE WHEN id IN (1, 24) THEN 1.7e308 WHEN id IN (3, 5) THEN -1.7e308 ELSE id / 3 END")
	runEntries(t, e, "typedcols.sql", readCorpus(t, "testdata/typedcols.sql"))
}

// withColumns adds cols (column definitions) to the
// sharded images table on every shard's primary and on the unsharded
// server (past the router, whose parser may not read their types), sets
// them by set (an UPDATE's SET list), waits for the replicas, and drops
// them when t ends.
func withColumns(t *testing.T, e *env, cols []string, set string) {
	t.Helper()
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
	var names []string
	for _, c := range cols {
		names = append(names, "DROP COLUMN "+strings.Fields(c)[0])
	}
	if err := run("ALTER TABLE images ADD COLUMN (" + strings.Join(cols, ", ") + ")"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := run("ALTER TABLE images " + strings.Join(names, ", ")); err != nil {
			t.Error(err)
		}
		if err := waitReplicas(ctx, e.topo); err != nil {
			t.Error(err)
		}
	})
	if err := run("UPDATE images SET " + set); err != nil {
		t.Fatal(err)
	}
	if err := waitReplicas(ctx, e.topo); err != nil {
		t.Fatal(err)
	}
}
