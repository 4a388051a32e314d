package router

import (
	"bytes"
	"github.com/scalelab/scalelab/internal/units"
	"testing"
	"time"
)

func TestTraceWrite(t *testing.T) {
	for _, tc := range []struct {
		name string
		tr   Trace
		want string
	}{
		{"single shard write", Trace{
			Plan: "single-shard", Kind: "write", Tables: []string{"users"}, Shard: "-80", Node: "-80/primary",
			Route: "primary", Reason: "write statements run on the primary", PushedDown: "the whole statement, unchanged",
			Duration: units.Ms(184 * time.Microsecond),
		}, `plan:    single-shard
route:   primary (write)
tables:  users
shard:   -80
node:    -80/primary
pushed:  the whole statement, unchanged
why:     write statements run on the primary
took:    184µs
`},
		{"scatter read after a wait and a retry", Trace{
			Plan: "scatter", Kind: "read", Tables: []string{"images"}, Shards: []string{"-80", "80-"},
			Nodes: []string{"-80/replica-1", "80-/replica-1"}, Route: "replica", Reason: "a read goes to a replica",
			PushedDown: "LIMIT 3", Merged: "heap merge", Waited: units.Ms(2 * time.Millisecond), GTID: "0-1-5",
			Retried: "80-/replica-2", Duration: units.Ms(time.Millisecond),
		}, `plan:    scatter
route:   replica (read)
tables:  images
shards:  -80, 80-
nodes:   -80/replica-1, 80-/replica-1
pushed:  LIMIT 3
merged:  heap merge
why:     a read goes to a replica
waited:  2ms for GTID 0-1-5
retried: after 80-/replica-2 failed
took:    1ms
`},
		{"session statement", Trace{Kind: "session", Route: "session", Reason: "handled by the session"},
			`route:   session (session)
shard:   
node:    
why:     handled by the session
took:    0s
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.tr.Write(&b); err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}
