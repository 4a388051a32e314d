package reshard_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/reshard"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/shard"
	"github.com/scalelab/scalelab/topology"
)

// Each case reshards a sandbox of its own (resharding changes it for good).
var cases = []struct {
	vindex   string
	from, to int
	basePort int
	// moved is the expected share of rows that move, ±0.06.
	moved float64
}{
	{"hash", 2, 4, 27000, 0.5},         // BasePort: 27000
	{"xxhash", 2, 4, 27100, 0.5},       // BasePort: 27100
	{"modulo", 2, 4, 27200, 0.5},       // BasePort: 27200
	{"modulo", 2, 3, 27300, 2.0 / 3.0}, // BasePort: 27300
}

const rows = 3000

func startSandbox(t *testing.T, shards, basePort int, vindex string) *sandbox.Sandbox {
	t.Helper()
	srv := dbtest.RequireServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sb, err := sandbox.Start(ctx, sandbox.Config{
		Dir: t.TempDir(), Shards: shards, Replicas: 1, BasePort: basePort, Server: srv,
		Tables: map[string]topology.Table{"items": {Column: "id", Vindex: vindex}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Stop(context.Background()) })
	return sb
}

func load(t *testing.T, topo *topology.Topology) {
	t.Helper()
	ctx := context.Background()
	r, err := router.Open(ctx, topo, router.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.ExecContext(ctx, "CREATE TABLE items (id BIGINT UNSIGNED PRIMARY KEY, name VARCHAR(32) NOT NULL, qty INT)"); err != nil {
		t.Fatal(err)
	}
	// An unsharded table: it lives on the first shard, and must stay
	// reachable after the reshard.
	for _, q := range []string{
		"CREATE TABLE settings (name VARCHAR(32) PRIMARY KEY, value VARCHAR(32) NOT NULL)",
		"INSERT INTO settings VALUES ('theme', 'dark')",
	} {
		if _, err := r.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var b strings.Builder
	b.WriteString("INSERT INTO items (id, name, qty) VALUES ")
	for id := 1; id <= rows; id++ {
		if id > 1 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(%d, 'item-%d', %d)", id, id, id%17)
	}
	if _, err := r.ExecContext(ctx, b.String()); err != nil {
		t.Fatal(err)
	}
}

// layout reads every shard's rows: id → shard name, and the XOR of the
// server's row checksums.
func layout(t *testing.T, topo *topology.Topology) (map[uint64]string, uint32) {
	t.Helper()
	where := map[uint64]string{}
	var crc uint32
	for _, s := range topo.Shards {
		for _, addr := range append([]topology.Addr{s.Primary}, s.Replicas...) {
			db := dbtest.OpenAdmin(t, topo, addr.HostPort)
			if len(s.Replicas) > 0 && addr != s.Primary {
				// Replicas must converge on the same rows.
				var pos string
				p := dbtest.OpenAdmin(t, topo, s.Primary.HostPort)
				p.QueryRow("SELECT @@GLOBAL.gtid_binlog_pos").Scan(&pos)
				var res int
				if err := db.QueryRow("SELECT MASTER_GTID_WAIT(?, 30)", pos).Scan(&res); err != nil || res != 0 {
					t.Fatalf("replica %s did not catch up: %d %v", addr, res, err)
				}
			}
			rows, err := db.Query("SELECT id, CRC32(CONCAT_WS('#', id, name, qty)) FROM items")
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for rows.Next() {
				var id uint64
				var c uint32
				rows.Scan(&id, &c)
				n++
				if addr == s.Primary {
					if prev, ok := where[id]; ok {
						t.Errorf("id %d is on shard %s and on shard %s", id, prev, s.Name)
					}
					where[id] = s.Name
					crc ^= c
				}
			}
			rows.Close()
			if addr != s.Primary && n != countOn(where, s.Name) {
				t.Errorf("replica %s has %d rows, its primary %d", addr, n, countOn(where, s.Name))
			}
		}
	}
	return where, crc
}

func countOn(where map[uint64]string, name string) int {
	n := 0
	for _, s := range where {
		if s == name {
			n++
		}
	}
	return n
}

func TestReshard(t *testing.T) {
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s %d→%d", tc.vindex, tc.from, tc.to), func(t *testing.T) {
			sb := startSandbox(t, tc.from, tc.basePort, tc.vindex)
			load(t, sb.Topology)
			_, crcBefore := layout(t, sb.Topology)

			// Kill the run in the middle of the row copy (cancel after the
			// first batch), then after every phase, and resume each time.
			ctx, cancel := context.WithCancel(context.Background())
			_, err := reshard.Run(ctx, reshard.Config{Sandbox: sb, Shards: tc.to, BatchRows: 200, Progress: func(s string) {
				if strings.Contains(s, "rows into shard") {
					cancel()
				}
			}})
			cancel()
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted copy: got %v, want context.Canceled", err)
			}
			var res *reshard.Result
			for _, phase := range []string{reshard.PhaseCopied, reshard.PhaseVerified, reshard.PhaseSwitched, ""} {
				sb2, err := sandbox.Open(sb.Dir) // a new process would start from the files
				if err != nil {
					t.Fatal(err)
				}
				res, err = reshard.Run(context.Background(), reshard.Config{Sandbox: sb2, StopAfter: phase})
				if phase != "" && !errors.Is(err, reshard.ErrStopped) {
					t.Fatalf("stop after %s: got %v, want ErrStopped", phase, err)
				}
				if phase == "" && err != nil {
					t.Fatal(err)
				}
				sb = sb2
			}
			topo, err := topology.Load(sb.TopologyPath())
			if err != nil {
				t.Fatal(err)
			}
			want, _ := shard.GenerateNames(tc.to)
			if got := topo.ShardNames(); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("topology shards %v, want %v", got, want)
			}
			where, crcAfter := layout(t, topo)
			if len(where) != rows {
				t.Errorf("got %d rows after resharding, want %d (none lost or duplicated)", len(where), rows)
			}
			if crcAfter != crcBefore {
				t.Errorf("checksum %08x after, %08x before", crcAfter, crcBefore)
			}
			// Every row is on the shard its vindex names.
			params := map[string]string{}
			if tc.vindex == "modulo" {
				params["shards"] = fmt.Sprint(tc.to)
			}
			v, _ := shard.NewVindex(tc.vindex, params)
			m, _ := shard.NewMap(want)
			for id, s := range where {
				k, _ := v.Map(id)
				if _, name := m.Shard(k); name != s {
					t.Fatalf("id %d is on %s, the vindex says %s", id, s, name)
				}
			}
			// The resumed runs' result still counts the whole move.
			frac := float64(res.Moved()) / float64(res.Total())
			if res.Total() != rows || frac < tc.moved-0.06 || frac > tc.moved+0.06 {
				t.Errorf("moved %d of %d rows (%.2f), want about %.2f", res.Moved(), res.Total(), frac, tc.moved)
			}
			// The router over the new topology sees every row once.
			r, err := router.Open(context.Background(), topo, router.Config{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var n int
			if err := r.GetContext(router.WithConsistency(context.Background(), router.Strong), &n, "SELECT COUNT(*) FROM items"); err != nil || n != rows {
				t.Errorf("router count after reshard: %d %v, want %d", n, err, rows)
			}
			var theme string
			if err := r.GetContext(router.WithConsistency(context.Background(), router.Strong), &theme, "SELECT value FROM settings WHERE name = 'theme'"); err != nil || theme != "dark" {
				t.Errorf("unsharded table after reshard: got %q, %v, want dark", theme, err)
			}
			t.Logf("%s %d→%d moved %d of %d rows (%.0f%%)", tc.vindex, tc.from, tc.to, res.Moved(), res.Total(), frac*100)
		})
	}
}
