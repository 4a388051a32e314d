package topology

import (
	"strings"
	"testing"

	"github.com/scalelab/scalelab/machine"
)

// TestMachineRoundTrip checks that the machine section is written and read
// back the same, and that a node's override wins over the topology's
// limits field by field.
func TestMachineRoundTrip(t *testing.T) {
	topo := &Topology{
		Name: "m", Flavor: "mariadb",
		User: Credentials{Name: "app"}, Replication: Credentials{Name: "repl"},
		Shards:  []Shard{{Name: "0", Primary: Addr{HostPort: "127.0.0.1:1000"}, Replicas: []Addr{{HostPort: "127.0.0.1:1001"}}}},
		Machine: &Machine{CPU: 0.25, Memory: 512 << 20, CPUs: "1-3", Nodes: map[string]NodeMachine{"0/primary": {CPU: 0.5}}},
	}
	b, err := topo.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"machine:", "cpu: 0.25", "memory: 512MiB", "cpus: 1-3", "0/primary:"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("marshalled topology lacks %q:\n%s", want, b)
		}
	}
	back, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		node string
		want machine.Limits
	}{
		{"0/primary", machine.Limits{CPU: 0.5, Memory: 512 << 20, CPUs: "1-3"}},
		{"0/replica-1", machine.Limits{CPU: 0.25, Memory: 512 << 20, CPUs: "1-3"}},
	} {
		if got := back.Machine.Limits(tc.node); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.node, got, tc.want)
		}
	}
	var none *Machine
	if !none.Limits("0/primary").Zero() {
		t.Error("a topology without a machine section limits its nodes")
	}
	topo.Machine.CPUs = "3-1"
	if err := topo.Validate(); err == nil {
		t.Error("a machine section with CPUs 3-1 validated")
	}
	topo.Machine.CPUs = ""
	topo.Machine.Nodes = map[string]NodeMachine{"9/primary": {CPU: 1}}
	if err := topo.Validate(); err == nil {
		t.Error("a machine section naming an unknown node validated")
	}
}
