package topology

import "testing"

// The topology shipped beside docker-compose.yml must stay loadable.
func TestDockerTopologyLoads(t *testing.T) {
	topo, err := Load("../docker/topology.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(topo.Nodes()); got != 4 {
		t.Errorf("got %d nodes, want 4 (two shards, a primary and a replica each)", got)
	}
	if topo.Flavor != "mysql" {
		t.Errorf("got flavor %q, want mysql", topo.Flavor)
	}
}
