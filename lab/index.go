package lab

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/scalelab/scalelab/explain"
	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/schema"
)

// The index lab compares two copies of images on one server: images, with
// no secondary index, and indexedTable, with the two indexes of the full
// set that its queries need. Both are queried and written in alternating
// rounds of one run, so the comparison is fair to both.
const (
	indexedTable = "images_indexed"
	// insertBatch is the rows per INSERT … SELECT FROM digitsTable.
	insertBatch = 100
	digitsTable = "lab_digits"
	// indexClients is the concurrency of the query and insert benchmarks:
	// one client, so latency is the server's work for one query and not
	// time spent queued behind another.
	indexClients = 1
)

// indexLabIndexes returns the full set's indexes on images that the lab's
// queries use, (dt) and (user_id, dt), moved to table.
func indexLabIndexes(table string) ([]schema.Index, error) {
	full, err := schema.IndexSet(schema.IndexSetFull)
	if err != nil {
		return nil, err
	}
	var out []schema.Index
	for _, ix := range full {
		if ix.Table == schema.TableImages && slices.Contains(ix.Columns, "dt") {
			ix.Table = table
			out = append(out, ix)
		}
	}
	return out, nil
}

func frontPageQuery(table string) string {
	return "SELECT * FROM " + table + " AS i ORDER BY dt DESC LIMIT 5"
}

func userLookupQuery(table, user string) string {
	return "SELECT * FROM " + table + " AS i WHERE user_id = " + user
}

// insertQuery inserts insertBatch rows with ids from batch*insertBatch on:
// batch is a seq placeholder starting at first, so every execution writes
// new ids. Their dt values are scattered over the data's two years, so the
// dt index is written all over, not only at its end.
func insertQuery(table string, first int64, users int) string {
	id := "({b} * " + strconv.Itoa(insertBatch) + " + n)"
	return "INSERT INTO " + table + " (id, user_id, parent_id, name, path, dt) SELECT " +
		"{b:seq(" + strconv.FormatInt(first, 10) + ")} * " + strconv.Itoa(insertBatch) + " + n, " +
		"1 + " + id + " % " + strconv.Itoa(users) + ", NULL, CONCAT('lab-', " + id + "), CONCAT('lab/', " + id + ", '.jpg'), " +
		"TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (" + id + " * 7919) % 63158400 SECOND FROM " + digitsTable
}

func runIndex(ctx context.Context, e *env) (*Experiment, error) {
	topo, err := e.singleNode(ctx)
	if err != nil {
		return nil, err
	}
	f, err := flavor.Lookup(topo.Flavor)
	if err != nil {
		return nil, err
	}
	db, err := openNode(topo, topo.Shards[0].Primary.HostPort, false, indexClients+2)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	indexes, err := indexLabIndexes(indexedTable)
	if err != nil {
		return nil, err
	}
	var m indexMeasurements
	var plans []*explain.Plan // at the largest size: front without, with; lookup without, with
	for _, n := range e.cfg.Size.IndexRows {
		data := dataset(n)
		data.Likes = 1 // the lab reads users and images only
		if _, err := e.load(ctx, topo, data, schema.IndexSetNone); err != nil {
			return nil, err
		}
		if err := prepareIndexTables(ctx, db, indexes); err != nil {
			return nil, fmt.Errorf("copy images to %s: %w", indexedTable, err)
		}
		e.say("measuring at %s images: EXPLAIN, queries and inserts, without and with the index", count(int64(n)))
		p, ps, err := measureIndexSize(ctx, e, db, f, int64(n), data.Users)
		if err != nil {
			return nil, err
		}
		m.Points = append(m.Points, p)
		plans = ps
	}
	exp := &Experiment{
		Params: map[string]any{
			"flavor":            topo.Flavor,
			"topology":          topo.Name,
			"table_sizes":       e.cfg.Size.IndexRows,
			"clients":           indexClients,
			"duration_per_side": e.cfg.Size.Duration.String(),
			"rounds":            e.cfg.Size.Rounds,
			"insert_batch_rows": insertBatch,
		},
		Verdict: indexVerdict(m),
	}
	e.measured = m
	indexReport(exp, m, plans, indexes)
	return exp, nil
}

// prepareIndexTables makes indexedTable a copy of images with the indexes,
// and the digits table the insert workload selects from.
func prepareIndexTables(ctx context.Context, db *sql.DB, indexes []schema.Index) error {
	stmts := []string{
		"DROP TABLE IF EXISTS " + indexedTable,
		"CREATE TABLE " + indexedTable + " LIKE " + schema.TableImages,
		"INSERT INTO " + indexedTable + " SELECT * FROM " + schema.TableImages,
	}
	for _, ix := range indexes {
		stmts = append(stmts, ix.CreateSQL())
	}
	digits := make([]string, insertBatch)
	for i := range digits {
		digits[i] = "(" + strconv.Itoa(i) + ")"
	}
	stmts = append(stmts,
		"DROP TABLE IF EXISTS "+digitsTable,
		"CREATE TABLE "+digitsTable+" (n INT PRIMARY KEY)",
		"INSERT INTO "+digitsTable+" VALUES "+strings.Join(digits, ", "),
		// Fresh statistics, so that the optimizer's estimates in EXPLAIN
		// are those of the table as loaded.
		"ANALYZE TABLE "+schema.TableImages+", "+indexedTable,
	)
	return execAll(ctx, db, stmts...)
}

// measureIndexSize explains and benchmarks both queries on both tables,
// then inserts into both, and returns the measurements and the four plans.
func measureIndexSize(ctx context.Context, e *env, db *sql.DB, f flavor.Flavor, rows int64, users int) (indexPoint, []*explain.Plan, error) {
	p := indexPoint{Rows: rows}
	user := strconv.Itoa(max(users/2, 1))
	stmts := []string{
		frontPageQuery(schema.TableImages), frontPageQuery(indexedTable),
		userLookupQuery(schema.TableImages, user), userLookupQuery(indexedTable, user),
	}
	plans := make([]*explain.Plan, len(stmts))
	for i, s := range stmts {
		var err error
		if plans[i], err = explain.Run(ctx, db, f, s); err != nil {
			return p, nil, fmt.Errorf("explain %s: %w", s, err)
		}
	}
	u := "{u:uniform(1," + strconv.Itoa(users) + ")}"
	sides := []side{
		{name: "front page without index", queries: []string{frontPageQuery(schema.TableImages)}},
		{name: "front page with index", queries: []string{frontPageQuery(indexedTable)}},
		{name: "lookup by user without index", queries: []string{userLookupQuery(schema.TableImages, u)}},
		{name: "lookup by user with index", queries: []string{userLookupQuery(indexedTable, u)}},
	}
	for i := range sides {
		sides[i].target, sides[i].clients = db, indexClients
	}
	s := e.cfg.Size
	res, err := interleave(ctx, sides, s.Duration, s.Warmup, s.Rounds)
	if err != nil {
		return p, nil, err
	}
	q := func(i int) queryStats {
		return queryStats{P50: res[i].P(50), P99: res[i].P(99), QPS: res[i].QPS(), RowsExamined: plans[i].RowsExamined}
	}
	p.Front = indexQuery{Without: q(0), With: q(1)}
	p.Lookup = indexQuery{Without: q(2), With: q(3)}

	insert := func(table string) side {
		return side{name: "inserts into " + table, target: db, clients: indexClients, prepare: func(ctx context.Context) ([]string, error) {
			var maxID sql.NullInt64
			if err := db.QueryRowContext(ctx, "SELECT MAX(id) FROM "+table).Scan(&maxID); err != nil {
				return nil, err
			}
			return []string{insertQuery(table, maxID.Int64/insertBatch+1, users)}, nil
		}}
	}
	ins, err := interleave(ctx, []side{insert(schema.TableImages), insert(indexedTable)}, s.Duration, s.Warmup, s.Rounds)
	if err != nil {
		return p, nil, err
	}
	p.InsertWithout, p.InsertWith = ins[0].QPS()*insertBatch, ins[1].QPS()*insertBatch
	return p, plans, nil
}

// indexReport fills the experiment's charts, tables and notes.
func indexReport(exp *Experiment, m indexMeasurements, plans []*explain.Plan, indexes []schema.Index) {
	lat := Chart{Title: "Query latency (p50) against table size", XLabel: "rows in images", YLabel: "p50 latency (ms)", Kind: "line", LogX: true, LogY: true}
	exam := Chart{Title: "Rows examined against table size", XLabel: "rows in images", YLabel: "rows examined (Handler_read_*)", Kind: "line", LogX: true, LogY: true}
	ins := Chart{Title: "Insert rate with and without the indexes", XLabel: "rows in images", YLabel: "rows inserted per second", Kind: "bar"}
	type series struct {
		name string
		get  func(indexPoint) queryStats
	}
	all := []series{
		{"front page, no index", func(p indexPoint) queryStats { return p.Front.Without }},
		{"front page, index", func(p indexPoint) queryStats { return p.Front.With }},
		{"lookup by user, no index", func(p indexPoint) queryStats { return p.Lookup.Without }},
		{"lookup by user, index", func(p indexPoint) queryStats { return p.Lookup.With }},
	}
	queries := Table{Title: "Queries by table size (both tables measured in alternating rounds)",
		Header: []string{"rows", "query", "index", "rows examined", "p50 ms", "p99 ms", "QPS", "speed-up"}}
	for _, s := range all {
		l, x := Series{Name: s.name}, Series{Name: s.name}
		for _, p := range m.Points {
			q := s.get(p)
			l.Points = append(l.Points, Point{X: float64(p.Rows), Y: msFloat(q.P50)})
			x.Points = append(x.Points, Point{X: float64(p.Rows), Y: float64(q.RowsExamined)})
		}
		lat.Series = append(lat.Series, l)
		exam.Series = append(exam.Series, x)
	}
	insertTable := Table{Title: "Inserts (" + strconv.Itoa(insertBatch) + " rows per statement, one client)",
		Header: []string{"rows", "no index rows/s", "index rows/s", "cost"}}
	without, with := Series{Name: "no index"}, Series{Name: "index"}
	for _, p := range m.Points {
		label := count(p.Rows) + " rows"
		for _, q := range []struct {
			name string
			q    indexQuery
		}{{"front page", p.Front}, {"lookup by user", p.Lookup}} {
			speed := times(ratio(float64(q.q.Without.P50), float64(q.q.With.P50)))
			queries.Rows = append(queries.Rows,
				[]string{count(p.Rows), q.name, "no", count(q.q.Without.RowsExamined), msCell(q.q.Without.P50), msCell(q.q.Without.P99), rate(q.q.Without.QPS), ""},
				[]string{count(p.Rows), q.name, "yes", count(q.q.With.RowsExamined), msCell(q.q.With.P50), msCell(q.q.With.P99), rate(q.q.With.QPS), speed})
		}
		without.Points = append(without.Points, Point{X: float64(p.Rows), Label: label, Y: p.InsertWithout})
		with.Points = append(with.Points, Point{X: float64(p.Rows), Label: label, Y: p.InsertWith})
		insertTable.Rows = append(insertTable.Rows, []string{count(p.Rows), rate(p.InsertWithout), rate(p.InsertWith),
			slowerOrFaster(ratio(p.InsertWithout, p.InsertWith))})
	}
	ins.Series = []Series{without, with}
	exp.Charts = []Chart{lat, exam, ins}
	exp.Tables = []Table{queries}
	if len(plans) == 4 && len(m.Points) > 0 {
		rows := count(m.Points[len(m.Points)-1].Rows)
		exp.Tables = append(exp.Tables,
			planTable("EXPLAIN, front page, at "+rows+" rows: no index → index", plans[0], plans[1]),
			planTable("EXPLAIN, lookup by user, at "+rows+" rows: no index → index", plans[2], plans[3]))
	}
	exp.Tables = append(exp.Tables, insertTable)
	var ddl []string
	for _, ix := range indexes {
		ddl = append(ddl, ix.CreateSQL())
	}
	exp.Notes = []string{
		"front page: " + frontPageQuery("images") + "; lookup by user: " + userLookupQuery("images", "{u}") + ".",
		"The index side runs the same statements on " + indexedTable + ", a copy of images with " + strings.Join(ddl, " and ") +
			"; both tables live on the same server and are measured in alternating rounds of the same run.",
		"Rows examined are the Handler_read_* counters of one execution (what the storage engine handed to the server), not the optimizer's estimate.",
	}
}

// planTable shows two plans side by side, one row per compared field, as
// explain.Compare sees them.
func planTable(title string, a, b *explain.Plan) Table {
	c := explain.Compare(a, b)
	t := Table{Title: title, Header: []string{"", "no index", "index"}}
	for _, tc := range c.Tables {
		prefix := ""
		if len(c.Tables) > 1 {
			prefix = tc.Table + " "
		}
		for _, f := range []struct {
			name string
			c    explain.Change
		}{
			{"type", tc.Type}, {"key", tc.Key}, {"est. rows", tc.Rows}, {"real rows", tc.RealRows},
			{"filesort", tc.Filesort}, {"temporary", tc.Temporary}, {"full scan", tc.FullScan},
		} {
			t.Rows = append(t.Rows, []string{prefix + f.name, f.c.A, f.c.B})
		}
	}
	t.Rows = append(t.Rows, []string{"rows examined", c.RowsExamined.A, c.RowsExamined.B})
	return t
}
