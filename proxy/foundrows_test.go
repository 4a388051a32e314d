package proxy_test

import (
	"context"
	"testing"

	"github.com/go-sql-driver/mysql"
)

// TestFoundRows: a client that logs in with CLIENT_FOUND_ROWS (Connector/J
// by default, go-sql-driver with clientFoundRows=true) gets the rows its
// writes matched as their affected rows, and from ROW_COUNT(), as a server
// gives them: one key, an IN list over shards, a write to every shard, an
// upsert of one row and of rows over shards, in a transaction and out of
// one, under read-your-writes. A client
// without it gets the rows changed. Before, every client got the rows
// changed, so that an UPDATE of a row to the values it had reported 0, and
// a client that took 0 for "no such row" inserted it again.
func TestFoundRows(t *testing.T) {
	f := writesProxy(t)
	steps := []struct {
		q              string
		found, changed int64
	}{
		{"INSERT INTO kvs (id, v) VALUES (9201, 'a'), (9202, 'b'), (9203, 'c') ON DUPLICATE KEY UPDATE v = VALUES(v)", -1, -1},
		{"UPDATE kvs SET v = 'a' WHERE id = 9201", 1, 0},
		{"UPDATE kvs SET v = 'b' WHERE id IN (9201, 9202)", 2, 1},
		{"INSERT INTO kvs (id, v) VALUES (9203, 'c') ON DUPLICATE KEY UPDATE v = VALUES(v)", 1, 0},
		{"UPDATE kvs SET v = v WHERE id BETWEEN 9201 AND 9203", 3, 0},
		{"BEGIN", 0, 0},
		{"UPDATE kvs SET v = 'c' WHERE id = 9203", 1, 0},
		{"SELECT ROW_COUNT()", 1, 0},
		{"UPDATE kvs SET v = 'b' WHERE id = 9203", 1, 1},
		{"ROLLBACK", 0, 0},
		{"SET autocommit = 0", 0, 0},
		{"UPDATE kvs SET v = 'a' WHERE id = 9202", 1, 1},
		{"UPDATE kvs SET v = 'a' WHERE id = 9202", 1, 0},
		{"COMMIT", 0, 0},
		{"SET autocommit = 1", 0, 0},
		// Under read-your-writes, a write reads its GTID on its own
		// connection.
		{"SET scalelab_consistency = 'read-your-writes'", 0, 0},
		{"UPDATE kvs SET v = 'a' WHERE id = 9202", 1, 0},
		{"INSERT INTO kvs (id, v) VALUES (9202, 'a') ON DUPLICATE KEY UPDATE v = VALUES(v)", 1, 0},
		{"INSERT INTO kvs (id, v) VALUES (9201, 'a'), (9202, 'a'), (9203, 'c'), (9204, 'd') ON DUPLICATE KEY UPDATE v = VALUES(v)", 5, 3},
		{"SET scalelab_consistency = 'eventual'", 0, 0},
		{"DELETE FROM kvs WHERE id = 9204", 1, 1},
	}
	for _, found := range []bool{true, false} {
		name := "CLIENT_FOUND_ROWS"
		if !found {
			name = "without CLIENT_FOUND_ROWS"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := f.open(t, func(c *mysql.Config) { c.ClientFoundRows = found })
			conn, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			for _, s := range steps {
				want := s.changed
				if found {
					want = s.found
				}
				var got int64
				if s.q == "SELECT ROW_COUNT()" {
					err = conn.QueryRowContext(ctx, s.q).Scan(&got)
				} else {
					var res interface{ RowsAffected() (int64, error) }
					res, err = conn.ExecContext(ctx, s.q)
					if err == nil {
						got, _ = res.RowsAffected()
					}
				}
				if err != nil {
					t.Fatalf("%s: %v", s.q, err)
				}
				if want >= 0 && got != want {
					t.Errorf("%s: %d rows, want %d", s.q, got, want)
				}
			}
		})
	}
}
