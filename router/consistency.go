package router

import (
	"context"
	"fmt"
	"sync"

	"github.com/scalelab/scalelab/flavor"
)

// Consistency is how fresh a read must be.
type Consistency string

// Consistency modes.
const (
	// Eventual reads from any healthy replica under MaxLag.
	Eventual Consistency = "eventual"
	// ReadYourWrites makes a read wait on its replica for the GTID of the
	// last write made through the same router (or session), and fall back
	// to the primary when the wait times out, as MaxScale's causal_reads
	// does. It works on MariaDB (MASTER_GTID_WAIT) and MySQL
	// (WAIT_FOR_EXECUTED_GTID_SET).
	ReadYourWrites Consistency = "read-your-writes"
	// Strong reads from the primary.
	Strong Consistency = "strong"
)

// ParseConsistency validates a consistency name.
func ParseConsistency(s string) (Consistency, error) {
	switch c := Consistency(s); c {
	case Eventual, ReadYourWrites, Strong:
		return c, nil
	}
	return "", fmt.Errorf("router: consistency %q: want %s, %s or %s", s, Eventual, ReadYourWrites, Strong)
}

type consistencyKey struct{}

// WithConsistency overrides the router's consistency mode for calls made
// with the returned context.
func WithConsistency(ctx context.Context, c Consistency) context.Context {
	return context.WithValue(ctx, consistencyKey{}, c)
}

func consistencyFrom(ctx context.Context, def Consistency) Consistency {
	if c, ok := ctx.Value(consistencyKey{}).(Consistency); ok && c != "" {
		return c
	}
	return def
}

// gtids remembers, per shard, the newest GTID position a reader must wait
// for. Safe for concurrent use; it only ever moves forward.
type gtids struct {
	mu  sync.Mutex
	pos map[string]string
}

func (g *gtids) get(shard string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.pos[shard]
}

func (g *gtids) advance(shard, gtid string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.pos == nil {
		g.pos = map[string]string{}
	}
	if flavor.NewerGTID(gtid, g.pos[shard]) {
		g.pos[shard] = gtid
	}
}
