package topology

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSocket: a node is reached through the socket its shard lists only
// while that socket exists on this host, only for a loopback address the
// shard still lists, and over TCP otherwise.
func TestSocket(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "live.sock")
	l, err := net.Listen("unix", live)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	plain := filepath.Join(dir, "plain-file")
	if err := os.WriteFile(plain, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	gone := filepath.Join(dir, "gone.sock")
	topo := &Topology{Shards: []Shard{
		{Name: "-80", Primary: Addr{HostPort: "127.0.0.1:24000"}, Replicas: []Addr{{HostPort: "127.0.0.1:24001"}},
			Sockets: map[string]string{"127.0.0.1:24000": live, "127.0.0.1:24001": gone, "127.0.0.1:24009": live}},
		{Name: "80-", Primary: Addr{HostPort: "10.0.0.7:24002"}, Replicas: []Addr{{HostPort: "127.0.0.1:24003"}},
			Sockets: map[string]string{"10.0.0.7:24002": live, "127.0.0.1:24003": plain}},
	}}
	relayed := *topo
	relayed.Netsim = &Netsim{}
	if got := relayed.Socket("127.0.0.1:24000"); got != "" {
		t.Errorf("under netsim the node is reached through %s, want its relay", got)
	}
	if !topo.UsesSockets() || (&Topology{Shards: []Shard{{Name: "0"}}}).UsesSockets() || (*Topology)(nil).UsesSockets() {
		t.Error("UsesSockets does not tell a topology with sockets from one without")
	}
	for _, tc := range []struct {
		name, addr string
		wantNet    string
		wantAddr   string
	}{
		{"listed and listening", "127.0.0.1:24000", "unix", live},
		{"listed but not there", "127.0.0.1:24001", "tcp", "127.0.0.1:24001"},
		{"no longer a node of the shard", "127.0.0.1:24009", "tcp", "127.0.0.1:24009"},
		{"not a loopback address", "10.0.0.7:24002", "tcp", "10.0.0.7:24002"},
		{"a file that is not a socket", "127.0.0.1:24003", "tcp", "127.0.0.1:24003"},
		{"not listed", "127.0.0.1:24100", "tcp", "127.0.0.1:24100"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := topo.MySQLConfig(tc.addr, Credentials{Name: "app"})
			if cfg.Net != tc.wantNet || cfg.Addr != tc.wantAddr {
				t.Errorf("got %s %s, want %s %s", cfg.Net, cfg.Addr, tc.wantNet, tc.wantAddr)
			}
		})
	}
}

// TestSocketsRoundTrip: a shard's sockets survive a write and a load,
// and a socket that is not an absolute path, or an entry that is not
// host:port, does not validate.
func TestSocketsRoundTrip(t *testing.T) {
	doc := strings.Replace(good, "    replicas: [127.0.0.1:24001]\n",
		"    replicas: [127.0.0.1:24001]\n    sockets:\n      127.0.0.1:24000: /run/n0/mysqld.sock\n      127.0.0.1:24001: /run/n1/mysqld.sock\n", 1)
	topo, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if got := topo.Shards[0].Sockets["127.0.0.1:24001"]; got != "/run/n1/mysqld.sock" {
		t.Fatalf("got socket %q, want /run/n1/mysqld.sock", got)
	}
	if text := roundTrip(t, topo); !strings.Contains(text, "127.0.0.1:24000: /run/n0/mysqld.sock") {
		t.Errorf("the written file lists no socket of 127.0.0.1:24000:\n%s", text)
	}
	for _, tc := range []struct{ from, to, want string }{
		{"/run/n1/mysqld.sock", "run/n1/mysqld.sock", `shards[0].sockets: the socket of 127.0.0.1:24001, "run/n1/mysqld.sock", is not an absolute path`},
		{"127.0.0.1:24001: /run", "24001: /run", `shards[0].sockets: "24001" is not host:port`},
		{"/run/n1/mysqld.sock", "/run/n0/mysqld.sock", "shards[0].sockets: 127.0.0.1:24000 and 127.0.0.1:24001 name the same socket /run/n0/mysqld.sock"},
		{"/run/n1/mysqld.sock", "/run/" + strings.Repeat("n", 120) + "/mysqld.sock", "bytes long, over the 107 a unix socket path may have"},
		{"main: 127.0.0.1:24003", "main: 127.0.0.1:24003\nnetsim: {api: 127.0.0.1:24100, relays: []}", "a topology with netsim relays must not list sockets"},
	} {
		_, err := Parse([]byte(strings.Replace(doc, tc.from, strings.ReplaceAll(tc.to, `\n`, "\n"), 1)))
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s → %s: got %v, want an ErrInvalid that says %q", tc.from, tc.to, err, tc.want)
		}
	}
}
