package shard_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/scalelab/scalelab/shard"
)

func Example() {
	names, err := shard.GenerateNames(2)
	if err != nil {
		log.Fatal(err)
	}
	m, err := shard.NewMap(names)
	if err != nil {
		log.Fatal(err)
	}
	ksid, err := shard.NewHash().Map("1") // SQL literals arrive as text
	if err != nil {
		log.Fatal(err)
	}
	i, name := m.Shard(ksid)
	fmt.Printf("id 1: keyspace id %x, shard %d (%s)\n", ksid, i, name)

	// WHERE id IN (1, 2, 3, 4): one query per shard, with that shard's keys.
	keys := []any{1, 2, 3, 4}
	groups, err := m.Group(shard.NewHash(), keys)
	if err != nil {
		log.Fatal(err)
	}
	for i, name := range m.Names() {
		var ids []any
		for _, pos := range groups[i] {
			ids = append(ids, keys[pos])
		}
		fmt.Printf("shard %s: ids %v\n", name, ids)
	}
	// Output:
	// id 1: keyspace id 166b40b44aba4bd6, shard 0 (-80)
	// shard -80: ids [1 2 3]
	// shard 80-: ids [4]
}

func ExampleModulo() {
	for _, n := range []int{2, 3} {
		names, _ := shard.GenerateNames(n)
		m, _ := shard.NewMap(names)
		mod, _ := shard.NewModulo(n)
		var shards []string
		for id := 1; id <= 6; id++ {
			ksid, _ := mod.Map(id)
			_, name := m.Shard(ksid)
			shards = append(shards, name)
		}
		fmt.Printf("%d shards, ids 1-6: %s\n", n, strings.Join(shards, " "))
	}
	// Output:
	// 2 shards, ids 1-6: 80- -80 80- -80 80- -80
	// 3 shards, ids 1-6: 55-aa aa- -55 55-aa aa- -55
}
