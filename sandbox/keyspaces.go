package sandbox

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/scalelab/scalelab/topology"
	"go.yaml.in/yaml/v3"
)

// ParseKeyspace reads the compact form of one keyspace,
// NAME:SHARDSxREPLICAS[=TABLE,TABLE…], as in
//
//	users:1x2             # keyspace users: 1 shard, 2 replicas
//	media:4x1=images,likes
//
// Each table it names takes its shard key from rules (the sample
// application's sharding).
func ParseKeyspace(spec string, rules map[string]topology.Table) (KeyspaceConfig, error) {
	bad := func(why string) (KeyspaceConfig, error) {
		return KeyspaceConfig{}, fmt.Errorf("keyspace %q: %s: want NAME:SHARDSxREPLICAS[=TABLE,…], such as media:4x1=images,likes", spec, why)
	}
	head, list, hasTables := strings.Cut(spec, "=")
	name, shape, ok := strings.Cut(head, ":")
	if !ok || name == "" {
		return bad("no NAME:")
	}
	s, r, ok := strings.Cut(strings.ToLower(shape), "x")
	shards, err1 := strconv.Atoi(s)
	replicas, err2 := strconv.Atoi(r)
	if !ok || err1 != nil || err2 != nil {
		return bad(fmt.Sprintf("%q is not SHARDSxREPLICAS", shape))
	}
	k := KeyspaceConfig{Name: name, Shards: shards, Replicas: replicas}
	if hasTables {
		k.Tables = map[string]topology.Table{}
		for _, t := range strings.Split(list, ",") {
			t = strings.TrimSpace(t)
			rule, known := rules[t]
			if !known {
				return bad(fmt.Sprintf("table %q has no known shard key (the sample tables are %s); list other tables in a keyspaces file", t, strings.Join(slices.Sorted(maps.Keys(rules)), ", ")))
			}
			k.Tables[t] = rule
		}
	}
	return k, nil
}

// LoadKeyspaces reads a keyspaces file: a YAML list of keyspaces, each
// with its name, shards, replicas and tables.
//
//   - name: users
//     shards: 1
//     replicas: 2
//     tables: {users: {column: id, vindex: hash}}
//   - name: media
//     shards: 4
//     replicas: 1
//     tables:
//     images: {column: id, vindex: hash}
//     likes: {column: image_id, vindex: hash}
func LoadKeyspaces(path string) ([]KeyspaceConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("keyspaces file: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var out []KeyspaceConfig
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("keyspaces file %s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("keyspaces file %s: no keyspaces", path)
	}
	return out, nil
}

// PlaceTables gives the first keyspace every table of rules that no
// keyspace lists, with its shard key, so that every sample table has a
// keyspace that says how it is split.
func PlaceTables(ks []KeyspaceConfig, rules map[string]topology.Table) []KeyspaceConfig {
	if len(ks) == 0 {
		return ks
	}
	out := slices.Clone(ks)
	listed := map[string]bool{}
	for _, k := range out {
		for t := range k.Tables {
			listed[t] = true
		}
	}
	first := map[string]topology.Table{}
	for t, tb := range out[0].Tables {
		first[t] = tb
	}
	for _, t := range slices.Sorted(maps.Keys(rules)) {
		if !listed[t] {
			first[t] = rules[t]
		}
	}
	out[0].Tables = first
	return out
}
