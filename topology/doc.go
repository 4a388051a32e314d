// Package topology reads, validates and writes the topology file: the YAML
// document that names a sandbox's shards, their primaries and replicas, the
// server flavor, the credentials, and which tables are sharded by which
// column. Every other part of scalelab starts from a *Topology.
//
//	t, err := topology.Load(".scalelab/topology.yaml")
//	if err != nil { ... } // errors name the field and the line
//	for _, n := range t.Nodes() {
//		fmt.Println(n.Name, n.Addr)
//	}
package topology
