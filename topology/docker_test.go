package topology

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

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
	// The containers' limits are the machine section's.
	compose, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	m := topo.Machine
	for _, want := range []string{fmt.Sprintf("cpus: %g\n", m.CPU), fmt.Sprintf("mem_limit: %dm\n", m.Memory>>20), fmt.Sprintf("cpuset: %q\n", m.CPUs)} {
		if !strings.Contains(string(compose), want) {
			t.Errorf("docker-compose.yml lacks %q, from docker/topology.yaml's machine section", strings.TrimSpace(want))
		}
	}
}
