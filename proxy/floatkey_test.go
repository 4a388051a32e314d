package proxy_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/proxy"
)

// TestFloatShardKey binds the shard key as a DOUBLE (a float64 parameter
// with the binary protocol) and as a DECIMAL's text: an integral value
// routes like the integer, so the row is found by an integer lookup, which
// goes to one shard only; a value with a fraction is refused, not
// truncated, since the server would round it into another shard's row.
func TestFloatShardKey(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	ctx := context.Background()
	db := f.open(t, func(c *mysql.Config) { c.InterpolateParams = false })
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS kvs (id BIGINT PRIMARY KEY, v VARCHAR(40), n DECIMAL(10,2), d DATETIME(6), b VARBINARY(8))",
		"DELETE FROM kvs WHERE id IN (0, 101, 102, 103, 104, 105, 106)",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for i, key := range []any{101.0, float32(102), "103.00", "-0.0"} {
		id := []int64{101, 102, 103, 0}[i]
		if _, err := db.ExecContext(ctx, "INSERT INTO kvs (id, v) VALUES (?, ?) ON DUPLICATE KEY UPDATE v = VALUES(v)", key, fmt.Sprint(key)); err != nil {
			t.Fatalf("insert with key %T %v: %v", key, key, err)
		}
		var v string
		// An integer key is targeted at one shard: it finds the row only
		// where the float key put it.
		if err := db.QueryRowContext(ctx, "SELECT /*+ scalelab_consistency=strong */ v FROM kvs WHERE id = ?", id).Scan(&v); err != nil || v != fmt.Sprint(key) {
			t.Errorf("key %T %v: the integer %d finds %q (%v)", key, key, id, v, err)
		}
		if err := db.QueryRowContext(ctx, "SELECT /*+ scalelab_consistency=strong */ v FROM kvs WHERE id = ?", key).Scan(&v); err != nil || v != fmt.Sprint(key) {
			t.Errorf("key %T %v: a lookup by it finds %q (%v)", key, key, v, err)
		}
	}
	for _, key := range []any{104.5, "105.25", -1.5} {
		_, err := db.ExecContext(ctx, "INSERT INTO kvs (id, v) VALUES (?, 'fraction')", key)
		if err == nil || !strings.Contains(err.Error(), "fraction") {
			t.Errorf("insert with key %v: got %v, want a refusal that names the fraction", key, err)
		}
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT /*+ scalelab_consistency=strong */ COUNT(*) FROM kvs WHERE v = 'fraction'").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d rows with a fractional key were written (%v)", n, err)
	}
	if _, err := db.ExecContext(ctx, "DELETE FROM kvs WHERE id = 0"); err != nil {
		t.Fatal(err)
	}
}
