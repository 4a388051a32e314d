package router

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
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
		{"partial multi-shard write", Write, &partialWrite{fmt.Errorf("router: shard 80-: %w", hold)}, time.Second, false},
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
