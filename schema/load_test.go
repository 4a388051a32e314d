package schema_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/schema"
	"github.com/scalelab/scalelab/topology"
	"github.com/scalelab/scalelab/vschema"
)

// small keeps the load tests fast: a few thousand rows, on every shard.
var small = schema.Config{Seed: 7, Users: 300, Images: 1500, Likes: 4000}

// testTimeout bounds every load; a hung server fails the test instead of
// the whole package timing out.
const testTimeout = 2 * time.Minute

func load(t *testing.T, topo *topology.Topology, cfg schema.LoadConfig) *schema.LoadResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	cfg.Topology = topo
	res, err := schema.Load(ctx, cfg)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return res
}

func checksums(t *testing.T, topo *topology.Topology) map[string]schema.Checksum {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	got, err := schema.Checksums(ctx, topo)
	if err != nil {
		t.Fatalf("checksums: %v", err)
	}
	return got
}

func generator(t *testing.T, cfg schema.Config) *schema.Generator {
	t.Helper()
	g, err := schema.NewGenerator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestLoadChecksumMatchesGenerator verifies ChecksumSQL against a real
// server: after a load by either method, the server's checksum of every
// table equals the one Go computes from the generator, and both methods
// load the same rows.
func TestLoadChecksumMatchesGenerator(t *testing.T) {
	sb := dbtest.Sandbox(t)
	g := generator(t, small)
	byMethod := map[string]map[string]schema.Checksum{}
	for _, method := range schema.Methods() {
		t.Run(method, func(t *testing.T) {
			res := load(t, sb.Topology, schema.LoadConfig{Generator: small, Method: method, Drop: true, BatchRows: 250})
			t.Logf("%s: %d rows in %v (%.0f rows/s), indexes in %v, all in %v",
				method, res.Rows(), res.LoadTime, res.RowsPerSecond(), res.IndexTime, res.Elapsed)
			if res.Method != method {
				t.Errorf("got method %s, want %s", res.Method, method)
			}
			got := checksums(t, sb.Topology)
			for i, table := range schema.Tables() {
				want, err := g.Checksum(table)
				if err != nil {
					t.Fatal(err)
				}
				if got[table] != want {
					t.Errorf("%s: server checksum %v, want the generator's %v", table, got[table], want)
				}
				if n := res.Tables[i].Total(); res.Tables[i].Table != table || n != want.Count {
					t.Errorf("result table %d: got %s with %d rows, want %s with %d", i, res.Tables[i].Table, n, table, want.Count)
				}
			}
			byMethod[method] = got
		})
	}
	for _, table := range schema.Tables() {
		if a, b := byMethod[schema.MethodInsert][table], byMethod[schema.MethodInfile][table]; a != b {
			t.Errorf("%s: insert loaded %v, infile %v", table, a, b)
		}
	}
}

// singleShard returns a copy of topo with one shard, "0", on topo's first
// primary, loading into database name, which it creates.
func singleShard(t *testing.T, topo *topology.Topology, name string) *topology.Topology {
	t.Helper()
	admin := dbtest.OpenAdmin(t, topo, topo.Shards[0].Primary.HostPort)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS `"+name+"`"); err != nil {
		t.Fatal(err)
	}
	{
		q, args := topo.GrantApp(name)
		if _, err := admin.ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	single := *topo
	single.Database = name
	single.Shards = []topology.Shard{{Name: "0", Primary: topo.Shards[0].Primary}}
	if err := single.Validate(); err != nil {
		t.Fatal(err)
	}
	return &single
}

// TestLoadSameDataOnOneAndFourShards loads one seed into 4 shards and into
// 1: sharding changes where rows live, not what they are.
func TestLoadSameDataOnOneAndFourShards(t *testing.T) {
	sb := dbtest.Sandbox(t)
	single := singleShard(t, sb.Topology, "scalelab_single")
	four := load(t, sb.Topology, schema.LoadConfig{Generator: small, Drop: true, IndexSet: schema.IndexSetNone})
	one := load(t, single, schema.LoadConfig{Generator: small, Drop: true, IndexSet: schema.IndexSetNone})
	for i, table := range schema.Tables() {
		if got, want := four.Tables[i].Total(), one.Tables[i].Total(); got != want {
			t.Errorf("%s: 4 shards loaded %d rows, 1 shard %d", table, got, want)
		}
		if len(four.Tables[i].Rows) != 4 || len(one.Tables[i].Rows) != 1 {
			t.Errorf("%s: got %d and %d per-shard counts, want 4 and 1", table, len(four.Tables[i].Rows), len(one.Tables[i].Rows))
		}
	}
	got4, got1 := checksums(t, sb.Topology), checksums(t, single)
	for _, table := range schema.Tables() {
		if got4[table] != got1[table] {
			t.Errorf("%s: 4 shards hold %v, 1 shard %v", table, got4[table], got1[table])
		}
	}
}

// TestLoadRoutesRows checks where rows really are: each sampled row is on
// the shard its vindex names and on no other, and every shard's row count
// is what routing the generator's rows predicts.
func TestLoadRoutesRows(t *testing.T) {
	sb := dbtest.Sandbox(t)
	topo := sb.Topology
	res := load(t, topo, schema.LoadConfig{Generator: small, Drop: true, IndexSet: schema.IndexSetNone})
	g := generator(t, small)
	vs, err := vschema.New(topo)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	keys := schema.Sharding()
	for ti, table := range schema.Tables() {
		key := keys[table]
		cols, err := schema.Columns(table)
		if err != nil {
			t.Fatal(err)
		}
		col := indexOf(cols, key.Column)
		want := make([]uint64, len(vs.Shards()))
		owner := map[uint64]int{} // sampled id -> shard index
		n, _ := g.Count(table)
		err = g.Range(table, 1, n, func(r schema.Row) error {
			vals := r.Values()
			i, err := vs.Locate(table, vals[col])
			if err != nil {
				return err
			}
			want[i]++
			if id := vals[0].(uint64); id%97 == 1 {
				owner[id] = i
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range topo.Shards {
			db := dbtest.Open(t, topo, s.Primary.HostPort)
			var count uint64
			if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM `"+table+"`").Scan(&count); err != nil {
				t.Fatal(err)
			}
			if count != want[i] || res.Tables[ti].Rows[i] != want[i] {
				t.Errorf("%s on shard %s: server has %d rows, load reported %d, routing predicts %d",
					table, s.Name, count, res.Tables[ti].Rows[i], want[i])
			}
			for id, home := range owner {
				var found int
				if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM `"+table+"` WHERE id = ?", id).Scan(&found); err != nil {
					t.Fatal(err)
				}
				wantFound := 0
				if i == home {
					wantFound = 1
				}
				if found != wantFound {
					t.Errorf("%s id %d: found %d time(s) on shard %s, want %d (its shard is %s)",
						table, id, found, s.Name, wantFound, topo.Shards[home].Name)
				}
			}
		}
	}
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// TestLoadTwice checks that loading over an earlier load fails with an
// error that names the shard and the table, and that Drop starts over.
func TestLoadTwice(t *testing.T) {
	sb := dbtest.Sandbox(t)
	topo := sb.Topology
	g := generator(t, small)
	for _, method := range schema.Methods() {
		t.Run(method, func(t *testing.T) {
			cfg := schema.LoadConfig{Generator: small, Method: method, Drop: true, IndexSet: schema.IndexSetFK}
			load(t, topo, cfg)

			// A larger second load without Drop is refused, and writes
			// nothing: its new ids would not collide with the old ones.
			before := checksums(t, topo)
			larger := small
			larger.Users, larger.Images, larger.Likes = 2*small.Users, 2*small.Images, 2*small.Likes
			cfg.Topology, cfg.Drop, cfg.Generator = topo, false, larger
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			_, err := schema.Load(ctx, cfg)
			if !errors.Is(err, schema.ErrAlreadyLoaded) {
				t.Fatalf("second load without Drop: got %v, want an error wrapping ErrAlreadyLoaded", err)
			}
			// The message is for the user of the command: it names the flag,
			// not the Go field.
			if !strings.Contains(err.Error(), "scalelab load --drop") || strings.Contains(err.Error(), "with Drop") {
				t.Errorf("second load: the message %q does not say to run scalelab load --drop", err)
			}
			msg := err.Error()
			t.Logf("second load: %s", msg)
			if !strings.Contains(msg, "table users on shard ") || !strings.Contains(msg, "nothing was written") || !strings.Contains(msg, "--drop") {
				t.Errorf("got %q, want it to name the table and shard, say nothing was written and suggest --drop", msg)
			}
			after := checksums(t, topo)
			for _, table := range schema.Tables() {
				if after[table] != before[table] {
					t.Errorf("%s changed by the refused load: %v, then %v", table, before[table], after[table])
				}
			}
			cfg.Generator = small

			cfg.Drop = true
			load(t, topo, cfg)
			got := checksums(t, topo)
			for _, table := range schema.Tables() {
				if want, _ := g.Checksum(table); got[table] != want {
					t.Errorf("%s after a load with Drop: got %v, want %v", table, got[table], want)
				}
			}
		})
	}
}

// TestLoadInterrupted cancels the context mid-load, as Ctrl-C does.
func TestLoadInterrupted(t *testing.T) {
	sb := dbtest.Sandbox(t)
	for _, method := range schema.Methods() {
		t.Run(method, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			var saw []string
			cfg := schema.LoadConfig{
				Topology:  sb.Topology,
				Generator: schema.Config{Seed: 1, Users: 20_000, Images: 1000, Likes: 1000},
				Method:    method,
				Drop:      true,
				BatchRows: 100,
				Progress: func(table string, done, total uint64) {
					saw = append(saw, fmt.Sprintf("%s %d/%d", table, done, total))
					if done > 0 {
						cancel()
					}
				},
			}
			res, err := schema.Load(ctx, cfg)
			if !errors.Is(err, schema.ErrInterrupted) || !errors.Is(err, context.Canceled) {
				t.Fatalf("got %v, %v; want an error wrapping ErrInterrupted and context.Canceled", res, err)
			}
			if !strings.Contains(err.Error(), "interrupted") {
				t.Errorf("got %q, want it to say interrupted", err)
			}
			if len(saw) == 0 || !strings.HasPrefix(saw[0], "users 0/20000") {
				t.Errorf("progress: got %q, want users 0/20000 first", saw)
			}
		})
	}
}

func TestLoadBadConfig(t *testing.T) {
	topo := &topology.Topology{Name: "t", Flavor: "mariadb", Shards: []topology.Shard{{Name: "0"}}}
	tests := []struct {
		name string
		cfg  schema.LoadConfig
		want string
	}{
		{"no topology", schema.LoadConfig{}, "Topology is nil"},
		{"method", schema.LoadConfig{Topology: topo, Method: "copy"}, `Method "copy"`},
		{"index set", schema.LoadConfig{Topology: topo, IndexSet: "most"}, `"most"`},
		{"batch", schema.LoadConfig{Topology: topo, BatchRows: -1}, "BatchRows is -1"},
		{"workers", schema.LoadConfig{Topology: topo, Workers: 1000}, "Workers is 1000"},
		{"generator", schema.LoadConfig{Topology: topo, Generator: schema.Config{Users: -1}}, "Users is -1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := schema.Load(context.Background(), tc.cfg)
			if !errors.Is(err, schema.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want ErrInvalidConfig mentioning %s", err, tc.want)
			}
		})
	}
}
