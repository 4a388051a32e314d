package replica

import (
	"context"
	"errors"
	"fmt"
	"io"
	"syscall"
	"testing"

	"github.com/go-sql-driver/mysql"
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
	s := &Set{cfg: Config{ShunAfter: 3}}
	n := &Node{Name: "r1"}
	refused := &mysql.MySQLError{Number: 1040}
	s.Fail(n, &mysql.MySQLError{Number: 1146}) // a statement error: not the node's fault
	for i := 0; i < 2; i++ {
		s.Fail(n, refused)
	}
	if !n.health.ok() {
		t.Fatal("shunned after 2 connection errors, want 3")
	}
	s.Succeed(n) // an answer resets the count
	for i := 0; i < 2; i++ {
		s.Fail(n, refused)
	}
	if !n.health.ok() {
		t.Fatal("the success did not reset the error count")
	}
	s.Fail(n, refused)
	if n.health.ok() {
		t.Fatal("not shunned after 3 connection errors in a row")
	}
	n.health.readmit()
	h := n.health.history()
	if len(h) != 2 || h[0].To != Shunned || h[1].To != Healthy {
		t.Errorf("got transitions %+v, want healthy→shunned→healthy", h)
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
		{fmt.Errorf("dial: %w", syscall.ECONNREFUSED), true},
		{&mysql.MySQLError{Number: 1040}, true},
		{&mysql.MySQLError{Number: 1062}, false},
		{context.Canceled, false},
		{context.DeadlineExceeded, false},
		{errors.New("something else"), false},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.err), func(t *testing.T) {
			if got := IsConnError(tc.err); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
