package router

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/shard"
)

// TestHeldRetriesOnlyWholeWrites: a write that a switch's hold refused
// runs again; a CALL or unparsed statement (which may have changed other
// tables first), a multi-shard write that other shards took, another
// error, and a router whose buffer is off do not.
func TestHeldRetriesOnlyWholeWrites(t *testing.T) {
	hold := &mysql.MySQLError{Number: shard.HoldErrno, Message: shard.HoldPrefix + "writes to items are held: a reshard is switching; retry"}
	signal := &mysql.MySQLError{Number: shard.HoldErrno, Message: "an application's own SIGNAL"}
	for _, tc := range []struct {
		name   string
		kind   Kind
		err    error
		buffer time.Duration
		want   bool
	}{
		{"held write", Write, fmt.Errorf("router: shard -80: %w", hold), time.Second, true},
		{"held CALL", Other, hold, time.Second, false},
		{"held unparsed", Unparsed, hold, time.Second, false},
		{"partial multi-shard write", Write, &partialWrite{error: fmt.Errorf("router: shard 80-: %w", hold)}, time.Second, false},
		{"the application's SIGNAL", Write, signal, time.Second, false},
		{"another error", Write, errors.New("boom"), time.Second, false},
		{"buffer off", Write, hold, -1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Router{cfg: Config{SwitchBuffer: tc.buffer}, followNow: make(chan struct{}, 1)}
			var until time.Time
			if got := r.held(context.Background(), &Statement{Kind: tc.kind}, tc.err, &until, nil); got != tc.want {
				t.Errorf("held: %v, want %v", got, tc.want)
			}
		})
	}
	// A held write stops being retried when its buffer is spent.
	r := &Router{cfg: Config{SwitchBuffer: 30 * time.Millisecond}, followNow: make(chan struct{}, 1)}
	var until time.Time
	tries := 0
	for r.held(context.Background(), &Statement{Kind: Write}, hold, &until, nil) {
		tries++
		if tries > 100 {
			t.Fatal("a held write is retried past its buffer")
		}
	}
	if tries == 0 {
		t.Error("a held write was not retried at all")
	}
	if n := r.stats.held.Load(); n != 1 {
		t.Errorf("stats count %d held statements, want 1", n)
	}
}

// TestNotExecuted: a write on a primary that never ran (refused as
// read-only, its connection refused, its login cut short or broken by a
// server going away, all of which a node's pool reports as a
// replica.LoginError, as it does a login the server answers with its
// shutdown) may wait for a failover and run on the new primary; one that
// may have run (a connection lost after the statement was sent, another
// server error) may not, nor one whose login the server answered with
// another error of its own. The connection errors are the real
// driver's and kernel's (TestWriteWhoseLoginWasCutWaitsForFailover runs
// the whole path).
func TestNotExecuted(t *testing.T) {
	_, refused := net.Dial("unix", filepath.Join(t.TempDir(), "stopped-primary.sock"))
	if refused == nil {
		t.Fatal("a dial to a socket that does not exist succeeded")
	}
	cut := dbtest.CutLoginErr(t)
	login := func(err error) error { return fmt.Errorf("router: shard 0: %w", &replica.LoginError{Err: err}) }
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"read-only", &mysql.MySQLError{Number: 1290, Message: "--read-only"}, true},
		{"MariaDB read-only mode", &mysql.MySQLError{Number: 1836, Message: "Running in read-only mode"}, true},
		{"connection refused", fmt.Errorf("router: shard 0: %w", refused), true},
		{"login cut short", login(cut), true},
		{"login broken", login(mysql.ErrInvalidConn), true},
		{"login refused by the server", login(&mysql.MySQLError{Number: 1045, Message: "Access denied"}), false},
		{"too many connections at login", login(&mysql.MySQLError{Number: 1040, Message: "Too many connections"}), false},
		{"shutting down at login", login(&mysql.MySQLError{Number: 1053, Message: "Server shutdown in progress"}), true},
		{"shutting down during a statement", &mysql.MySQLError{Number: 1053, Message: "Server shutdown in progress"}, false},
		{"connection lost after sending", driver.ErrBadConn, false},
		{"invalid connection", mysql.ErrInvalidConn, false},
		{"EOF", io.EOF, false},
		{"duplicate key", &mysql.MySQLError{Number: 1062, Message: "Duplicate entry"}, false},
		{"bad connection outside a login", cut, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := notExecuted(tc.err); got != tc.want {
				t.Errorf("notExecuted(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
