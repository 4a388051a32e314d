package replica

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/topology"
)

func nodes(n int) []*Node {
	out := make([]*Node, n)
	for i := range out {
		out[i] = &Node{Name: fmt.Sprintf("n%d", i)}
	}
	return out
}

func TestRoundRobinSpreadsEvenly(t *testing.T) {
	b, err := NewBalancer(RoundRobin)
	if err != nil {
		t.Fatal(err)
	}
	ns := nodes(3)
	counts := map[string]int{}
	for i := 0; i < 300; i++ {
		counts[b.Pick(ns).Name]++
	}
	for _, n := range ns {
		if counts[n.Name] != 100 {
			t.Errorf("%s picked %d times, want 100", n.Name, counts[n.Name])
		}
	}
}

func TestLeastInFlightPicksTheIdlest(t *testing.T) {
	b, _ := NewBalancer(LeastInFlight)
	ns := nodes(3)
	r0 := ns[0].Acquire()
	r1 := ns[1].Acquire()
	defer r0()
	defer r1()
	for i := 0; i < 20; i++ {
		if got := b.Pick(ns); got != ns[2] {
			t.Fatalf("got %s, want n2 (the only idle node)", got.Name)
		}
	}
}

func TestUnknownBalancer(t *testing.T) {
	if _, err := NewBalancer("fastest"); err == nil {
		t.Error("got no error for an unknown balancer")
	}
}

func TestHealthShunsAndReadmits(t *testing.T) {
	ctx := context.Background()
	s := &Set{cfg: Config{ShunAfter: 3}}
	n := &Node{Name: "r1"}
	refused := &mysql.MySQLError{Number: 1040}
	s.Fail(ctx, n, &mysql.MySQLError{Number: 1146}) // a statement error: not the node's fault
	for i := 0; i < 2; i++ {
		s.Fail(ctx, n, refused)
	}
	if !n.health.ok() {
		t.Fatal("shunned after 2 connection errors, want 3")
	}
	s.Succeed(n) // an answer resets the count
	for i := 0; i < 2; i++ {
		s.Fail(ctx, n, refused)
	}
	if !n.health.ok() {
		t.Fatal("the success did not reset the error count")
	}
	s.Fail(ctx, n, refused)
	if n.health.ok() {
		t.Fatal("not shunned after 3 connection errors in a row")
	}
	n.health.readmit()

	// A connection error after the caller gave up is the caller's: its
	// deadline cut the dial, or the driver closed the connection to
	// cancel the query. Only an unresponsive node counts then.
	gone, cancel := context.WithCancel(ctx)
	cancel()
	past, cancelPast := context.WithDeadline(ctx, time.Now().Add(-time.Millisecond))
	defer cancelPast()
	cut := &net.OpError{Op: "dial", Net: "unix", Err: errors.New("i/o timeout")}
	for i := 0; i < 5; i++ {
		s.Fail(gone, n, refused)
		s.Fail(past, n, cut)
	}
	if !n.health.ok() {
		t.Fatal("shunned by errors of callers whose context had ended")
	}
	for i := 0; i < 3; i++ {
		s.Fail(past, n, ErrUnresponsive)
	}
	if n.health.ok() {
		t.Fatal("not shunned after 3 ErrUnresponsive, though their callers' contexts had ended")
	}
	n.health.readmit()
	h := n.health.history()
	if len(h) != 4 || h[0].To != Shunned || h[1].To != Healthy || h[2].To != Shunned || h[3].To != Healthy {
		t.Errorf("got transitions %+v, want healthy→shunned→healthy, twice", h)
	}
}

func TestIsConnError(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{mysql.ErrInvalidConn, true},
		{io.EOF, true},
		{driver.ErrBadConn, true},
		{fmt.Errorf("query: %w", driver.ErrBadConn), true},
		{fmt.Errorf("dial: %w", syscall.ECONNREFUSED), true},
		{&mysql.MySQLError{Number: 1040}, true},
		{&mysql.MySQLError{Number: 1062}, false},
		{context.Canceled, false},
		{context.DeadlineExceeded, false},
		{errors.New("something else"), false},
		{fmt.Errorf("query on 0/replica-1: %w", errors.New("bad connection")), true},
		{errors.Join(errors.New("first"), errors.New("bad connection")), true},
		{errors.New("a bad connection, said the server"), false},
	}
	// A dial that ran out of time, as go-sql-driver's does when the DSN's
	// timeout passes: Go's error for it is also context.DeadlineExceeded.
	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	_, dialTimeout := (&net.Dialer{}).DialContext(expired, "unix", "/nonexistent/mysqld.sock")
	// A dial its caller cancelled.
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	_, dialCancelled := (&net.Dialer{}).DialContext(cancelled, "unix", "/nonexistent/mysqld.sock")
	if !errors.Is(dialTimeout, context.DeadlineExceeded) || !errors.Is(dialCancelled, context.Canceled) {
		t.Fatalf("dials gave %v and %v, want a timeout and a cancellation", dialTimeout, dialCancelled)
	}
	tests = append(tests, []struct {
		err  error
		want bool
	}{
		{dialTimeout, true},
		{&LoginError{Err: dialTimeout}, true},
		{dialCancelled, false},
	}...)
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.err), func(t *testing.T) {
			if got := IsConnError(tc.err); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestWhyNotEligible: a read that finds no replica says, for each, what
// kept it out, with the lag limit.
func TestWhyNotEligible(t *testing.T) {
	topo := &topology.Topology{Name: "t", Flavor: "mariadb", User: topology.Credentials{Name: "u"}, Replication: topology.Credentials{Name: "r"},
		Shards: []topology.Shard{{Name: "0", Primary: topology.Addr{HostPort: "127.0.0.1:1"},
			Replicas: []topology.Addr{{HostPort: "127.0.0.1:2"}, {HostPort: "127.0.0.1:3"}, {HostPort: "127.0.0.1:4"}}}}}
	s, err := New(topo, topo.Shards[0], Config{MaxLag: time.Second, Fallback: FallbackFail})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := s.Replicas()
	r[0].lagMicro.Store(int64(2300 * time.Millisecond / time.Microsecond))
	r[1].health.shun("test")
	r[2].lagMicro.Store(lagFailed)
	_, _, err = s.PickReplica()
	want := "lag limit 1s: 0/replica-1 is 2.3s behind, 0/replica-2 is shunned, 0/replica-3 did not answer the lag probe"
	if !errors.Is(err, ErrNoReplica) || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want ErrNoReplica saying %q", err, want)
	}
}

// TestLoginCutShortIsConnError: a server that closes the connection after
// its greeting, before the login (killed or shutting down at that moment),
// makes go-sql-driver fail the connection with an error of its own that it
// does not turn into driver.ErrBadConn. IsConnError must count it, or a
// read that meets it is neither retried elsewhere nor held against the
// node (dbtest.CutLoginErr plays that server).
func TestLoginCutShortIsConnError(t *testing.T) {
	err := dbtest.CutLoginErr(t)
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) {
		t.Logf("the driver now reports a cut login as %v: the text match in LoginCutShort may no longer be needed", err)
	}
	if !LoginCutShort(err) {
		t.Errorf("LoginCutShort(%q) = false", err)
	}
	if !IsConnError(err) {
		t.Errorf("IsConnError(%q) = false for a login cut short after the greeting", err)
	}
}
