package difftest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/router"
)

// TestIssueExamples pins down every wrong answer once reported: each
// statement now gives the unsharded server's answer, or is refused by
// name; and where it runs, the router's trace shows where it went.
func TestIssueExamples(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	for _, tc := range []struct {
		q    string
		opts cmpOpts
		// refuse is text the refusal must contain; empty: it must run.
		refuse string
		// plan, when set, is the plan the router must choose.
		plan string
	}{
		// Statements taken as pinned that read more than one shard.
		{q: "SELECT p.id, c.id FROM images p JOIN images c ON c.parent_id = p.id WHERE p.id = 8", refuse: "cross-shard join of images p, images c"},
		{q: "SELECT id, (SELECT COUNT(*) FROM images) FROM images WHERE id = 5", refuse: "subquery"},
		{q: "SELECT COUNT(*) FROM (SELECT user_id AS id FROM images) t WHERE id = 5", refuse: "derived table"},
		{q: "SELECT i.id, l.id FROM images i LEFT JOIN likes l ON l.image_id = 7 WHERE i.id = 5", refuse: "cross-shard join"},
		{q: "SELECT i.id, l.id FROM images i LEFT JOIN likes l ON l.image_id = i.id AND l.image_id = 7 WHERE i.id = 7", plan: router.PlanSingleShard},
		{q: "SELECT i.id, l.user_id FROM likes l RIGHT JOIN images i ON l.image_id = i.id WHERE i.id = 11", plan: router.PlanSingleShard},
		{q: "SELECT i.id, (SELECT COUNT(*) FROM likes l WHERE l.image_id = i.id) FROM images i WHERE i.id = 12", plan: router.PlanSingleShard},
		// Statements that ran silently on one shard.
		{q: "CHECKSUM TABLE images", refuse: "CHECKSUM TABLE on sharded table images"},
		{q: "PREPARE s1 FROM 'SELECT * FROM images WHERE id = ?'", refuse: "PREPARE"},
		{q: "PREPARE s2 FROM @q", refuse: "PREPARE from a variable"},
		// Aggregates the merge does not know.
		{q: "SELECT STD(user_id) FROM images", refuse: "aggregate STD"},
		{q: "SELECT VARIANCE(user_id) FROM images", refuse: "aggregate VARIANCE"},
		{q: "SELECT JSON_ARRAYAGG(id) FROM images", refuse: "aggregate JSON_ARRAYAGG"},
		{q: "SELECT GROUP_CONCAT(id) FROM images", refuse: "aggregate GROUP_CONCAT"},
		{q: "SELECT BIT_XOR(id), BIT_AND(user_id), BIT_OR(parent_id) FROM images", plan: router.PlanScatter},
		{q: "SELECT user_id, BIT_XOR(id) FROM images GROUP BY user_id"},
		// Window functions.
		{q: "SELECT id, ROW_NUMBER() OVER (ORDER BY id) FROM images", refuse: "window function"},
		{q: "SELECT id, RANK() OVER (PARTITION BY user_id ORDER BY dt) FROM images", refuse: "window function"},
		{q: "SELECT id, LAG(id) OVER (ORDER BY id) FROM images", refuse: "window function"},
		{q: "SELECT id, SUM(id) OVER () FROM images", refuse: "window function"},
		// The collation decides ORDER BY, MIN, MAX and GROUP BY.
		{q: "SELECT id, name FROM users ORDER BY name, id", opts: cmpOpts{ordered: true}},
		{q: "SELECT id, name FROM users ORDER BY name DESC, id LIMIT 20", opts: cmpOpts{ordered: true}},
		{q: "SELECT id, name FROM users ORDER BY name COLLATE utf8mb4_bin, id", opts: cmpOpts{ordered: true}},
		{q: "SELECT id, name FROM images ORDER BY name, id LIMIT 50 OFFSET 7", opts: cmpOpts{ordered: true}},
		{q: "SELECT MIN(name), MAX(name) FROM users", opts: cmpOpts{collation: true}},
		{q: "SELECT name, COUNT(*) FROM users GROUP BY name", opts: cmpOpts{collation: true}},
		{q: "SELECT DISTINCT name FROM images", opts: cmpOpts{collation: true}},
		// ORDER BY an alias, with SELECT *.
		{q: "SELECT *, id AS x FROM images ORDER BY x LIMIT 5", opts: cmpOpts{ordered: true}},
		{q: "SELECT *, user_id AS x FROM images ORDER BY x DESC, id LIMIT 9", opts: cmpOpts{ordered: true}},
		{q: "SELECT i.* FROM images i ORDER BY i.id LIMIT 3", opts: cmpOpts{ordered: true}, plan: router.PlanScatter},
		// Metadata: decimals of times and of computed numbers.
		{q: "SELECT id, CAST(dt AS DATETIME), CAST(dt AS DATETIME(3)) FROM images WHERE id IN (1, 2, 3, 4, 5, 6)"},
		{q: "SELECT MIN(CAST(dt AS DATETIME)), MAX(CAST(dt AS DATETIME(3))) FROM images"},
		{q: "SELECT AVG(user_id * 1.5), AVG(id), SUM(id * 1e0), AVG(id * 1e0) FROM images"},
		{q: "SELECT user_id, AVG(id), SUM(id * 0.5) FROM images GROUP BY user_id"},
		{q: "SELECT AVG(id / 7) FROM images", refuse: "over a division"},
		// MariaDB takes casts that differ only in precision for one
		// expression (found by the generator).
		{q: "SELECT id FROM images ORDER BY CAST(dt AS DATETIME), CAST(dt AS DATETIME(3)), id DESC", refuse: "differ only in a cast's precision"},
		{q: "SELECT CAST(dt AS DATETIME), CAST(dt AS DATETIME(3)), COUNT(*) FROM images GROUP BY 1, 2", refuse: "differ only in a cast's precision"},
		{q: "SELECT id, CAST(dt AS DATETIME(3)) FROM images ORDER BY CAST(dt AS DATETIME) DESC, id LIMIT 20", opts: cmpOpts{ordered: true}},
		// Keys, limits and one-table aliases.
		{q: "SELECT * FROM images WHERE id = '5abc'", plan: router.PlanSingleShard},
		{q: "SELECT * FROM users WHERE id IN ('3x', 4, ' 7')", plan: router.PlanMultiShard},
		{q: "SELECT id FROM images ORDER BY id LIMIT 390, 18446744073709551615", opts: cmpOpts{ordered: true}},
	} {
		t.Run(tc.q, func(t *testing.T) {
			if tc.refuse != "" {
				rows, err := e.r.QueryContext(ctx, tc.q)
				if err == nil {
					rows.Close()
				}
				if !errors.Is(err, router.ErrUnsupported) || !strings.Contains(err.Error(), tc.refuse) {
					t.Fatalf("got %v, want a refusal naming %q", err, tc.refuse)
				}
				return
			}
			if v, detail := e.check(ctx, tc.q, tc.opts); v != same {
				t.Fatalf("got %v: %s", v, detail)
			}
			if tc.plan == "" {
				return
			}
			var tr router.Trace
			rows, err := e.r.QueryContext(router.WithTrace(ctx, &tr), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			rows.Close()
			if tr.Plan != tc.plan {
				t.Errorf("plan %q on shards %v, want %q", tr.Plan, tr.Shards, tc.plan)
			}
		})
	}
}

// TestRefusalsNameTheirShape: every refusal wraps router.ErrUnsupported
// and says what shape it refuses.
func TestRefusalsNameTheirShape(t *testing.T) {
	e := setup(t)
	_, err := e.r.QueryContext(context.Background(), "SELECT id, STDDEV_POP(id) FROM images GROUP BY id")
	if !errors.Is(err, router.ErrUnsupported) || !strings.Contains(err.Error(), "STDDEV_POP") {
		t.Fatalf("got %v, want ErrUnsupported naming STDDEV_POP", err)
	}
}

func (v verdict) String() string {
	return [...]string{"same", "refused", "invalid", "different", "data error"}[v]
}
