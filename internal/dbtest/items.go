package dbtest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/topology"
)

// The resharding tests move one small table, items, sharded by id.

// ItemsDDL creates the items table.
const ItemsDDL = "CREATE TABLE items (id BIGINT UNSIGNED PRIMARY KEY, name VARCHAR(32) NOT NULL, qty INT)"

// ItemsInsert is one multi-row INSERT of items 1 to n.
func ItemsInsert(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO items (id, name, qty) VALUES ")
	for id := 1; id <= n; id++ {
		if id > 1 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(%d, 'item-%d', %d)", id, id, id%17)
	}
	return b.String()
}

// ItemsLayout is where the items rows are.
type ItemsLayout struct {
	ShardOf map[uint64]string // id → the shard whose primary holds it
	CRC     uint32            // XOR of every primary row's CRC32
}

// ReadItems reads every shard primary's items rows, after each replica has
// caught up with its primary (flavor.WaitApplied). It fails t if an
// id is on two shards, or if a replica's rows differ from its primary's in
// number or checksum.
func ReadItems(t testing.TB, topo *topology.Topology) ItemsLayout {
	t.Helper()
	l := ItemsLayout{ShardOf: map[uint64]string{}}
	f, err := flavor.Lookup(topo.Flavor)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range topo.Shards {
		pos, err := flavor.Position(t.Context(), OpenAdmin(t, topo, s.Primary.HostPort), f)
		if err != nil {
			t.Fatal(err)
		}
		var primaryRows int
		var primaryCRC uint32
		for i, addr := range s.Addrs() {
			db := OpenAdmin(t, topo, addr.HostPort)
			if i > 0 {
				if ok, err := flavor.WaitApplied(t.Context(), db, f, pos, 30*time.Second); err != nil || !ok {
					t.Fatalf("replica %s of shard %s did not catch up: %v", addr.HostPort, s.Name, err)
				}
			}
			rows, err := db.Query("SELECT id, CRC32(CONCAT_WS('#', id, name, qty)) FROM items")
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			var crc uint32
			for rows.Next() {
				var id uint64
				var c uint32
				if err := rows.Scan(&id, &c); err != nil {
					t.Fatal(err)
				}
				n++
				crc ^= c
				if i > 0 {
					continue
				}
				if prev, ok := l.ShardOf[id]; ok {
					t.Errorf("id %d is on shard %s and on shard %s", id, prev, s.Name)
				}
				l.ShardOf[id] = s.Name
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			rows.Close()
			if i == 0 {
				primaryRows, primaryCRC = n, crc
				l.CRC ^= crc
				continue
			}
			if n != primaryRows || crc != primaryCRC {
				t.Errorf("replica %s of shard %s has %d rows with checksum %08x, its primary %d with %08x", addr.HostPort, s.Name, n, crc, primaryRows, primaryCRC)
			}
		}
	}
	return l
}
