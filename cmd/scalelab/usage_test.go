package main

import (
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/sandbox"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestFlagHelpHasNoBackquotes: cobra takes a `word` in a flag's usage for
// the name of its value, and prints the help of that flag garbled
// ("--topology scalelab up   topology file…").
func TestFlagHelpHasNoBackquotes(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if strings.Contains(f.Usage, "`") {
				t.Errorf("%s --%s: usage %q has a backquote", c.CommandPath(), f.Name, f.Usage)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd())
}

func TestVersionFlag(t *testing.T) {
	out, _, err := runCLI(t, "--version")
	if err != nil || !strings.HasPrefix(out, "scalelab ") || out != versionLine()+"\n" {
		t.Errorf("--version: got %q, %v; want %q", out, err, versionLine())
	}
}

// TestUpUsageErrors: values that cannot make a sandbox are usage errors
// (exit 2) before anything starts, not quietly replaced.
func TestUpUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--shards", "0"}, "--shards 0"},
		{[]string{"--shards", "65"}, "--shards 65"},
		{[]string{"--replicas", "-1"}, "--replicas -1"},
		{[]string{"--format", "xml"}, `--format "xml"`},
		{[]string{"--keyspace", "users"}, `keyspace "users": no NAME:`},
		{[]string{"--keyspace", "users:1by2"}, `"1by2" is not SHARDSxREPLICAS`},
		{[]string{"--keyspace", "media:2x1=images,nosuch"}, `table "nosuch" has no known shard key`},
		{[]string{"--keyspace", "users:1x1", "--shards", "2"}, "--shards and --replicas do not go with keyspaces"},
		{[]string{"--keyspace", "users:1x1", "--keyspaces-file", "k.yaml"}, "give one of them"},
	} {
		_, _, err := runCLI(t, append([]string{"up", "--dir", t.TempDir()}, tc.args...)...)
		var ue *usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("up %v: got %v, want a usage error naming %s", tc.args, err, tc.want)
		}
	}
}

// TestProxyUsageErrors: a thread count below zero is refused before the
// proxy reads its topology.
func TestProxyUsageErrors(t *testing.T) {
	_, _, err := runCLI(t, "proxy", "--threads", "-1", "--topology", "/nonexistent/topology.yaml")
	var ue *usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "--threads -1") {
		t.Errorf("proxy --threads -1: got %v, want a usage error naming --threads -1", err)
	}
}

// TestWorkflowUsageErrors: movetables, reshard and vdiff refuse what they
// cannot do before they touch a sandbox.
func TestWorkflowUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"movetables", "likes"}, "--to KEYSPACE"},
		{[]string{"movetables", "--to", "media"}, "name the tables to move"},
		{[]string{"movetables", "likes", "--to", "media", "--stop-after", "halfway"}, `--stop-after "halfway": want one of planned`},
		{[]string{"reshard", "--shards", "4", "--stop-after", "halfway"}, `--stop-after "halfway"`},
		{[]string{"vdiff", "--format", "xml"}, `--format "xml"`},
	} {
		_, _, err := runCLI(t, append(tc.args, "--dir", t.TempDir())...)
		var ue *usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want a usage error naming %s", tc.args, err, tc.want)
		}
	}
}

// TestDemoChecksPortsFirst: demo refuses to start when a port it needs is
// taken, naming the flag that moves it, before it starts any server. The
// ports are from 29300 (a test block of its own).
func TestDemoChecksPortsFirst(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:29300")
	if err != nil {
		t.Skipf("port 29300: %v", err)
	}
	defer taken.Close()
	dir := t.TempDir()
	_, _, err = runCLI(t, "demo", "--dir", dir, "--lab-base-port", "29300", "--base-port", "29340")
	if err == nil || !strings.Contains(err.Error(), "29300") || !strings.Contains(err.Error(), "--lab-base-port") {
		t.Errorf("a lab port taken: got %v", err)
	}
	_, _, err = runCLI(t, "demo", "--dir", dir, "--lab-base-port", "29301", "--base-port", "29300")
	var inUse *sandbox.PortInUseError
	if !errors.As(err, &inUse) || inUse.Port != 29300 || !strings.Contains(err.Error(), "--base-port") {
		t.Errorf("the demo sandbox's port taken: got %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("demo left %d file(s) in its dir after refusing to start: %v", len(ents), ents)
	}
}

// TestStoppedSandboxSaysSo: a command that needs the servers of a stopped
// sandbox says that it is stopped and how to start it, instead of the
// first connection's error; status still shows its nodes down. The
// sandbox takes port 29500.
func TestStoppedSandboxSaysSo(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{Replicas: 0, BasePort: 29500, Name: "stopped"})
	// While it runs, status says how to connect, and the line works.
	_, stderr, err := runCLI(t, "status", "--dir", sb.Dir)
	if err != nil {
		t.Fatal(err)
	}
	var line string
	for _, l := range strings.Split(stderr, "\n") {
		if f := strings.Fields(l); len(f) > 2 && f[0] == "0/primary" && f[1] == "mariadb" {
			line = strings.Join(f[1:], " ")
		}
	}
	if line == "" || strings.Contains(line, sb.Topology.User.Password) {
		t.Fatalf("status does not say how to connect to 0/primary without a password on the line:\n%s", stderr)
	}
	if mariadb, err := exec.LookPath("mariadb"); err == nil {
		f := strings.Fields(line)
		out, err := exec.Command(mariadb, append(f[1:], "-N", "-e", "SELECT CURRENT_USER(), DATABASE()")...).CombinedOutput()
		if err != nil || !strings.Contains(string(out), sb.Topology.User.Name+"@") || !strings.Contains(string(out), sb.Topology.DatabaseName()) {
			t.Errorf("%s: %v\n%s", line, err, out)
		}
	}
	out, _, err := runCLI(t, "down", "--dir", sb.Dir, "--format", "json")
	var down struct {
		Dir     string `json:"dir"`
		Stopped int    `json:"stopped_nodes"`
		Purged  *bool  `json:"purged"`
	}
	if err != nil || json.Unmarshal([]byte(out), &down) != nil || down.Dir != sb.Dir || down.Stopped != 1 || down.Purged == nil || *down.Purged {
		t.Fatalf("down --format json: got %q, %v, want dir %s, 1 node stopped, not purged", out, err, sb.Dir)
	}
	for _, args := range [][]string{{"query", "SELECT 1"}, {"bench", "--query", "SELECT 1"}, {"load"}} {
		_, _, err := runCLI(t, append(args, "--dir", sb.Dir)...)
		if !errors.Is(err, ErrStopped) || !strings.Contains(err.Error(), "scalelab up --dir "+sb.Dir) {
			t.Errorf("%v on a stopped sandbox: got %v", args, err)
		}
	}
	out, _, _ = runCLI(t, "status", "--dir", sb.Dir)
	if !strings.Contains(out, "down") {
		t.Errorf("status of a stopped sandbox:\n%s", out)
	}
	// down --purge deletes the sandbox's dir, the workflow lock's file
	// with it, which it takes while it purges.
	if _, stderr, err := runCLI(t, "down", "--dir", sb.Dir, "--purge"); err != nil || !strings.Contains(stderr, "deleted "+sb.Dir) {
		t.Fatalf("down --purge: %v\n%s", err, stderr)
	}
	if entries, err := os.ReadDir(sb.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after down --purge the dir holds %v (%v), want it gone", entries, err)
	}
}

// TestFormatFlags: the commands that print data take --format table|json,
// and refuse anything else as a usage error before doing anything.
func TestFormatFlags(t *testing.T) {
	for _, args := range [][]string{
		{"chaos", "kill", "0/primary", "--format", "xml"},
		{"status", "--format", "xml"},
		{"load", "--format", "xml"},
		{"failover", "--watch", "--format", "xml"},
		{"down", "--format", "xml"},
	} {
		_, _, err := runCLI(t, append(args, "--dir", t.TempDir())...)
		var ue *usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), `--format "xml"`) {
			t.Errorf("%v: got %v, want a usage error naming --format", args, err)
		}
	}
}
