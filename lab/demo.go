package lab

import (
	"context"
	"fmt"

	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/schema"
)

// demoData is the sample data DemoSandbox loads: small enough to load in
// seconds, big enough for the queries of the course.
func demoData() schema.Config {
	return schema.Config{Seed: 1, Users: 1000, Images: 10000, Likes: 50000}
}

// DemoSandbox returns the sandbox running in dir, or starts one there (2
// shards, each a primary and a replica, sharded as the sample schema
// says) and loads a small sample data set into it, unless the sandbox,
// restarted, still holds its data. The sandbox is left running, for the
// user to explore. progress, if not nil, gets a line per step.
func DemoSandbox(ctx context.Context, dir string, basePort int, progress func(line string)) (*sandbox.Sandbox, error) {
	say := func(format string, args ...any) {
		if progress != nil {
			progress(fmt.Sprintf(format, args...))
		}
	}
	if sb, err := sandbox.Open(dir); err == nil && len(sb.Running()) == len(sb.State.Nodes) && sb.Topology != nil {
		say("using the running sandbox in %s", sb.Dir)
		return sb, nil
	}
	say("starting a sandbox in %s (2 shards, 1 replica each)", dir)
	sb, err := sandbox.Start(ctx, sandbox.Config{Dir: dir, Shards: 2, Replicas: 1, BasePort: basePort, Tables: schema.ShardedTables()})
	if err != nil {
		return nil, err
	}
	r, err := router.Open(ctx, sb.Topology, router.Config{})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var n int
	if err := r.With(router.Strong).GetContext(ctx, &n, "SELECT COUNT(*) FROM images"); err == nil && n > 0 {
		return sb, nil // a restarted sandbox keeps its data
	}
	data := demoData()
	say("loading sample data (%s users, %s images, %s likes)", count(int64(data.Users)), count(int64(data.Images)), count(int64(data.Likes)))
	_, err = schema.Load(ctx, schema.LoadConfig{Topology: sb.Topology, Generator: data, Drop: true})
	return sb, err
}
