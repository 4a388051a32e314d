package main

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/sandbox"
)

// TestMysqlslapCommandLines runs the same mysqlslap command lines through
// mariadb-slap and scalelab bench against one server, and compares what
// both say they ran: the Benchmark block's clients and queries per client,
// level by level. The connection goes through mysqlslap's own flags
// (-h -P -u -p), and each run leaves no schema behind.
// The sandbox takes port 29400.
func TestMysqlslapCommandLines(t *testing.T) {
	slap, err := exec.LookPath("mariadb-slap")
	if err != nil {
		if os.Getenv(dbtest.EnvRequire) != "" {
			t.Fatal("mariadb-slap is not installed (apt-get install mariadb-client)")
		}
		t.Skip("mariadb-slap is not installed")
	}
	sb := startSandbox(t, sandbox.Config{Replicas: 0, BasePort: 29400, Name: "slapcmp"})
	topo := sb.Topology
	admin := topo.AdminCredentials()
	addr := topo.Shards[0].Primary
	conn := []string{"-h", addr.Host(), "-P", strconv.Itoa(addr.Port()), "-u", admin.Name, "-p" + admin.Password}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"query", []string{"-c", "2", "-i", "2", "--number-of-queries", "20", "-q", "SELECT 1", "--create-schema", "slapcmp_a"}},
		{"levels and delimiter", []string{"--concurrency=1,3", "--iterations=1", "--number-of-queries=30", "--delimiter=|", "--query=SELECT 1|SELECT 2", "--create-schema=slapcmp_b"}},
		{"auto-generate", []string{"-a", "--auto-generate-sql-load-type=key", "-c", "2", "-i", "1", "--number-of-queries", "40",
			"-x", "2", "-y", "2", "--engine", "InnoDB", "--auto-generate-sql-secondary-indexes", "1", "--auto-generate-sql-add-autoincrement", "--create-schema", "slapcmp_c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(slices.Clone(conn), tc.args...)
			want, err := exec.Command(slap, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("mariadb-slap %v: %v\n%s", tc.args, err, want)
			}
			got, stderr, err := runCLI(t, append([]string{"bench"}, args...)...)
			if err != nil {
				t.Fatalf("scalelab bench %v: %v\n%s", tc.args, err, stderr)
			}
			w, g := slapBlocks(string(want)), slapBlocks(got)
			if len(w) == 0 || !slices.Equal(w, g) {
				t.Errorf("mariadb-slap says it ran %v, scalelab bench %v\nmariadb-slap:\n%s\nscalelab:\n%s", w, g, want, got)
			}
			db := dbtest.OpenAdmin(t, topo, addr.HostPort)
			var n int
			schema := tc.args[len(tc.args)-1]
			schema = schema[strings.LastIndexByte(schema, '=')+1:]
			if err := db.QueryRow("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", schema).Scan(&n); err != nil || n != 0 {
				t.Errorf("schema %s is left behind (%d, %v)", schema, n, err)
			}
		})
	}
}

var slapLine = regexp.MustCompile(`(?m)^\s*(Number of clients running queries|Average number of queries per client): (\d+)`)

// slapBlocks returns the clients and queries per client of every
// Benchmark block in out, in order.
func slapBlocks(out string) []string {
	var got []string
	for _, m := range slapLine.FindAllStringSubmatch(out, -1) {
		got = append(got, m[1]+"="+m[2])
	}
	return got
}
