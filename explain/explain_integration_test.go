package explain_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/explain"
	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/schema"
	"github.com/scalelab/scalelab/topology"
)

const (
	explainDB     = "explain_test"
	explainImages = 3000
	frontPage     = "SELECT * FROM images ORDER BY dt DESC LIMIT 5"
)

// explainEnv is the loaded test database, shared by the Explain tests.
type explainEnv struct {
	flavor           flavor.Flavor
	primary, replica *sql.DB
}

var explainSetup struct {
	once sync.Once
	env  *explainEnv
	err  error
}

// explainFixture creates the sample tables in their own database on the
// package sandbox's primary and loads explainImages generated images.
func explainFixture(t *testing.T) *explainEnv {
	t.Helper()
	sb := dbtest.Sandbox(t)
	explainSetup.once.Do(func() {
		explainSetup.env, explainSetup.err = loadExplainDB(sb)
	})
	if explainSetup.err != nil {
		t.Fatal(explainSetup.err)
	}
	return explainSetup.env
}

func loadExplainDB(sb *sandbox.Sandbox) (*explainEnv, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	topo := sb.Topology
	f, err := flavor.Lookup(topo.Flavor)
	if err != nil {
		return nil, err
	}
	var primary, replica topology.Node
	for _, n := range topo.Nodes() {
		if n.Role == topology.Primary && primary.Addr == "" {
			primary = n
		}
		if n.Role == topology.Replica && replica.Addr == "" {
			replica = n
		}
	}
	open := func(addr, db string) (*sql.DB, error) {
		cfg := topo.MySQLConfig(addr, topo.AdminCredentials())
		cfg.DBName = db
		conn, err := mysql.NewConnector(cfg)
		if err != nil {
			return nil, err
		}
		return sql.OpenDB(conn), nil
	}
	admin, err := open(primary.Addr, "")
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	for _, q := range []string{"DROP DATABASE IF EXISTS " + explainDB, "CREATE DATABASE " + explainDB} {
		if _, err := admin.ExecContext(ctx, q); err != nil {
			return nil, err
		}
	}
	{
		q, args := topo.GrantApp(explainDB)
		if _, err := admin.ExecContext(ctx, q, args...); err != nil {
			return nil, err
		}
	}
	env := &explainEnv{flavor: f}
	// The pools live until the test binary exits, with the sandbox.
	if env.primary, err = open(primary.Addr, explainDB); err != nil {
		return nil, err
	}
	ddl, err := schema.CreateTables(topo.Flavor)
	if err != nil {
		return nil, err
	}
	for _, q := range ddl {
		if _, err := env.primary.ExecContext(ctx, q); err != nil {
			return nil, err
		}
	}
	g, err := schema.NewGenerator(schema.Config{Seed: 1, Users: 100, Images: explainImages, Likes: 1})
	if err != nil {
		return nil, err
	}
	const batch = 500
	cols := schema.Image{}.Columns()
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	insert := "INSERT INTO images (" + strings.Join(cols, ", ") + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(tuple+",", batch), ",")
	var args []any
	err = g.Images(func(img schema.Image) error {
		args = append(args, img.Values()...)
		if len(args) < batch*len(cols) {
			return nil
		}
		_, err := env.primary.ExecContext(ctx, insert, args...)
		args = args[:0]
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(args) != 0 {
		return nil, errors.New("explainImages must be a multiple of the batch size")
	}
	// Fresh statistics, so that estimates are about the loaded table.
	if _, err := env.primary.ExecContext(ctx, "ANALYZE TABLE images"); err != nil {
		return nil, err
	}
	// The replica's pool names the database in its DSN, so it can connect
	// only once the replica has applied CREATE DATABASE: wait for everything
	// above to arrive before opening it.
	if err := sb.WaitReplication(ctx); err != nil {
		return nil, err
	}
	if env.replica, err = open(replica.Addr, explainDB); err != nil {
		return nil, err
	}
	return env, nil
}

func TestExplainFrontPageIndex(t *testing.T) {
	env := explainFixture(t)
	ctx := context.Background()

	res, err := explain.Index(ctx, explain.IndexConfig{
		Flavor:    env.flavor,
		Statement: frontPage,
		DDL:       "CREATE INDEX idx_images_dt ON images (dt)",
		Node:      env.primary,
		Primary:   env.primary,
		Replicas:  []flavor.Queryer{env.replica},
	})
	if err != nil {
		t.Fatal(err)
	}
	before, after := res.Before, res.After
	var out bytes.Buffer
	if err := explain.WritePlan(&out, before); err != nil {
		t.Fatal(err)
	}
	if err := explain.WritePlan(&out, after); err != nil {
		t.Fatal(err)
	}
	if err := explain.WriteComparison(&out, before, after, "no index", "images(dt)"); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", out.String())

	b := images(t, before)
	if b.Type != "ALL" || !b.Filesort || !b.FullScan || b.Key != "" {
		t.Errorf("before: got type %q key %q filesort %v full scan %v, want ALL, no key, filesort, full scan", b.Type, b.Key, b.Filesort, b.FullScan)
	}
	if b.Real == nil || b.Real.Rows != explainImages {
		t.Errorf("before: got real rows %+v, want %d", b.Real, explainImages)
	}
	if before.RowsExamined < explainImages || before.RowsExamined > explainImages+10 {
		t.Errorf("before: got %d rows examined (%v), want about %d", before.RowsExamined, before.HandlerReads, explainImages)
	}
	if before.RowsSent != 5 {
		t.Errorf("before: got %d rows sent, want 5", before.RowsSent)
	}

	a := images(t, after)
	if (a.Type != "index" && a.Type != "range") || a.Filesort || a.Key != "idx_images_dt" {
		t.Errorf("after: got type %q key %q filesort %v, want index or range on idx_images_dt without filesort", a.Type, a.Key, a.Filesort)
	}
	if a.Real == nil || a.Real.Rows > 10 {
		t.Errorf("after: got real rows %+v, want about 5", a.Real)
	}
	// The index read stopped after about 5 rows: not a full scan, whatever
	// its access type; the full table scan before stays one.
	if a.Type == "index" && (a.FullScan || !a.Stopped || a.Scan() != "stopped early") {
		t.Errorf("after: an index read of %v rows of %d is marked full scan %v, stopped %v (%s)", a.Real.Rows, a.TableRows, a.FullScan, a.Stopped, a.Scan())
	}
	if b.Stopped || b.Scan() != "table" {
		t.Errorf("before: a full table scan is marked %q", b.Scan())
	}
	if after.RowsExamined < 5 || after.RowsExamined > 10 {
		t.Errorf("after: got %d rows examined (%v), want about 5", after.RowsExamined, after.HandlerReads)
	}
	if before.RowsExamined < 100*after.RowsExamined {
		t.Errorf("got %d rows examined before and %d after, want at least 100× fewer after", before.RowsExamined, after.RowsExamined)
	}

	c := explain.Compare(before, after)
	if len(c.Tables) != 1 {
		t.Fatalf("got %d compared tables, want 1", len(c.Tables))
	}
	tc := c.Tables[0]
	for name, ch := range map[string]explain.Change{"type": tc.Type, "key": tc.Key, "filesort": tc.Filesort, "rows": tc.RealRows} {
		if !ch.Changed {
			t.Errorf("comparison: %s unchanged (%s), want a change", name, ch)
		}
	}
	if c.Factor < 100 {
		t.Errorf("comparison: got factor %.1f, want at least 100", c.Factor)
	}
	for _, want := range []string{"ALL → " + a.Type, "yes → no", "⚠ table →", "- → idx_images_dt", "→ stopped early"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("comparison output lacks %q", want)
		}
	}

	if !res.Dropped {
		t.Error("index not dropped, want dropped (Keep is false)")
	}
	var n int
	if err := env.primary.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = ? AND index_name = 'idx_images_dt'", explainDB).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("got %d idx_images_dt index rows after the experiment, want 0", n)
	}
}

func images(t *testing.T, p *explain.Plan) explain.TablePlan {
	t.Helper()
	if len(p.Tables) != 1 || p.Tables[0].Table != "images" {
		t.Fatalf("got plan tables %+v, want images only", p.Tables)
	}
	if !p.Analyzed || len(p.JSONPlan) == 0 || p.Executed == "" {
		t.Fatalf("got analyzed %v, %d bytes of JSON plan, %d of executed plan; want all", p.Analyzed, len(p.JSONPlan), len(p.Executed))
	}
	return p.Tables[0]
}

func TestExplainRefusesWrite(t *testing.T) {
	env := explainFixture(t)
	ctx := context.Background()
	for _, stmt := range []string{
		"DELETE FROM images WHERE id = 1",
		"UPDATE images SET name = 'x' WHERE id = 2",
		"INSERT INTO users (id, name, email, created_at) VALUES (999999, 'a', 'b', NOW())",
		"SELECT * FROM images INTO OUTFILE '/tmp/explain-images'",
		"DROP TABLE images",
	} {
		t.Run(stmt, func(t *testing.T) {
			_, err := explain.Run(ctx, env.primary, env.flavor, stmt)
			if !errors.Is(err, explain.ErrWrite) {
				t.Fatalf("got %v, want ErrWrite", err)
			}
		})
	}
	var n int
	if err := env.primary.QueryRowContext(ctx, "SELECT COUNT(*) FROM images WHERE id IN (1, 2) AND name <> 'x'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("got %d untouched images, want 2: a refused write ran", n)
	}
}

func TestExplainWriteOptions(t *testing.T) {
	env := explainFixture(t)
	ctx := context.Background()
	const stmt = "DELETE FROM images WHERE id = 3"

	p, err := explain.RunWith(ctx, env.primary, env.flavor, stmt, explain.Options{SkipAnalyze: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.Analyzed || len(p.Tables) == 0 {
		t.Errorf("SkipAnalyze: got analyzed %v with %d tables, want explained only", p.Analyzed, len(p.Tables))
	}

	p, err = explain.RunWith(ctx, env.primary, env.flavor, stmt, explain.Options{AllowWrites: true})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Analyzed || p.Executed == "" {
		t.Errorf("AllowWrites: got analyzed %v, executed %q, want analyzed", p.Analyzed, p.Executed)
	}
	var n int
	if err := env.primary.QueryRowContext(ctx, "SELECT COUNT(*) FROM images WHERE id = 3").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("got %d rows with id 3 after AllowWrites, want 1: the write was not rolled back", n)
	}
}
