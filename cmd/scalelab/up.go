package main

import (
	"fmt"

	"github.com/scalelab/scalelab/internal/progress"
	"github.com/scalelab/scalelab/machine"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/schema"
	"github.com/scalelab/scalelab/topology"
	"github.com/spf13/cobra"
)

func newUpCmd() *cobra.Command {
	var cfg sandbox.Config
	var noTables bool
	var nodeCPU float64
	var nodeMemory, nodeCPUs string
	var format, keyspacesFile string
	var keyspaces []string
	c := &cobra.Command{
		Use:   "up",
		Short: "Start a local sandbox of real servers with GTID replication",
		Long: `up initializes a data dir per node, starts one mariadbd (or mysqld) per node on
127.0.0.1 with consecutive ports from --base-port, sets up GTID replication
from each shard's primary to its replicas, and returns only when a row
written on every primary is visible on all of its replicas.

It writes <dir>/topology.yaml (mode 0600, it holds the generated passwords)
for the other commands, and <dir>/state.json with the pids.

Run up again on a stopped sandbox to restart it with its data. The server is
$SCALELAB_MYSQLD, else mariadbd, else mysqld on PATH.

With --main it also starts the topology's main node: an unsharded server of
its own that holds the sharded tables' id sequences, as Vitess keeps them in
an unsharded keyspace. Without it they live on the first shard's primary.

With --node-cpu and --node-memory every node gets a machine of its own: a
CPU quota in cores and a memory limit, enforced by cgroups (v1 or v2), so
that more shards or replicas add capacity as new machines would. The
topology file records them in its machine section. It needs root and a
writable cgroup hierarchy ($SCALELAB_CGROUP_ROOT moves it from
/sys/fs/cgroup); where they are missing, up fails before starting anything.
With --node-cpu the nodes also run on CPUs of their own (--node-cpus auto:
the host's last CPUs, as many as their quotas add up to), so that they do
not share cores with their clients as separate machines would not;
scalelab bench then runs on the other CPUs. On a small host that sharing
costs a node as much per query as the query itself.

With --semi-sync every node runs semi-synchronous replication with the
AFTER_SYNC wait point: a primary acknowledges a commit only once a replica
has it, so a failover to that replica loses no acknowledged write. With no
replica answering within the server's timeout (10 s), the primary falls back
to async; status shows which it does now.

With --netsim a relay stands in front of every node, and one between every
two nodes of a shard: clients dial the relays, replicas reach their source
through theirs, and scalelab chaos partition, latency and heal act on them.
The servers then listen on the ports after the relays'. Without it there
are no relays and no extra hop.

With --keyspace (repeated) the tables are split by function, the scale
cube's Y axis: each keyspace NAME:SHARDSxREPLICAS gets shards and replicas
of its own, named NAME/RANGE (media/-80), and holds the tables listed after
=; the first keyspace holds every other table. The router sends each
statement to its tables' keyspace, and refuses one that spans two (a join,
or a transaction that writes to both), as Vitess does. --keyspaces-file
reads them from a YAML list instead (name, shards, replicas, tables).`,
		Example: `  scalelab up                          # 1 shard: a primary and 2 replicas
  scalelab up --shards 4 --replicas 1  # 4 shards named -40 40-80 80-c0 c0-
  scalelab up --shards 2 --main        # and a main node for the id sequences
  scalelab up --shards 4 --node-cpu 0.25 --node-memory 512MiB
  scalelab up --replicas 2 --semi-sync
  scalelab up --replicas 2 --netsim     # then: scalelab chaos partition 0/replica-1
  scalelab up --keyspace users:1x2 --keyspace media:2x1=images,likes`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			if err := checkTableOrJSON(format); err != nil {
				return err
			}
			log := progress.NewLog(stderr(c))
			cfg.Progress = func(e sandbox.Event) { log.Printf("%s", e) }
			if cfg.Shards < 1 || cfg.Shards > 64 {
				return usagef("--shards %d: want 1 to 64", cfg.Shards)
			}
			if cfg.Replicas < 0 || cfg.Replicas > 16 {
				return usagef("--replicas %d: want 0 to 16", cfg.Replicas)
			}
			if err := keyspaceFlags(c, &cfg, keyspaces, keyspacesFile, noTables); err != nil {
				return err
			}
			if c.Flags().Changed("shards") || c.Flags().Changed("replicas") || c.Flags().Changed("main") || len(cfg.Keyspaces) > 0 {
				if sb, err := sandbox.Open(cfg.Dir); err == nil && len(sb.Running()) == 0 && !sb.SameShape(cfg) {
					return usagef("%s holds a stopped sandbox of another shape; run `scalelab down --purge --dir %s` first", cfg.Dir, cfg.Dir)
				}
			}
			var err error
			if cfg.Machine, err = topology.NewMachine(nodeCPU, nodeMemory, nodeCPUs); err != nil {
				return &usageError{err}
			}
			if !noTables && len(cfg.Keyspaces) == 0 {
				// The sample application's sharding, so that load, the router
				// and the labs agree on where every row lives.
				cfg.Tables = schema.ShardedTables()
			}
			sb, err := sandbox.Start(c.Context(), cfg)
			if err != nil {
				return err
			}
			fmt.Fprintf(stderr(c), "ready in %.1fs; topology: %s\n", log.Elapsed().Seconds(), sb.TopologyPath())
			if m := sb.Topology.Machine; m != nil && m.CPUs != "" {
				cpus, _ := machine.ParseCPUs(m.CPUs)
				fmt.Fprintf(stderr(c), "the nodes run on %s; scalelab bench runs on the others (--client-cpus)\n", cpus.Text())
			}
			return printStatus(c, sb.Topology, sb, format)
		},
	}
	c.Flags().IntVar(&cfg.Shards, "shards", 1, "number of shards (key ranges named as Vitess names them)")
	c.Flags().IntVar(&cfg.Replicas, "replicas", 2, "replicas per shard")
	c.Flags().StringVar(&cfg.Dir, "dir", sandbox.DefaultDir, "sandbox dir: data dirs, logs, topology.yaml, state.json (or $"+envDir+")")
	markSandboxDir(c)
	c.Flags().IntVar(&cfg.BasePort, "base-port", sandbox.DefaultBasePort, "port of the first node; nodes take consecutive ports")
	c.Flags().BoolVar(&cfg.Main, "main", false, "also start a main node (unsharded) for the id sequences")
	c.Flags().BoolVar(&noTables, "no-tables", false, "write no tables section (by default users, images and likes are sharded as the sample schema says)")
	c.Flags().Float64Var(&nodeCPU, "node-cpu", 0, "CPU quota of every node, in cores (0.25 is a quarter core); 0: no limit")
	c.Flags().StringVar(&nodeMemory, "node-memory", "", "memory limit of every node, such as 512MiB; empty: no limit")
	c.Flags().StringVar(&nodeCPUs, "node-cpus", topology.AutoCPUs, "the host's CPUs the nodes run on, such as 1 or 2-3; auto: the last ones, as many as the quotas add up to, if that leaves clients one; empty: any")
	c.Flags().BoolVar(&cfg.SemiSync, "semi-sync", false, "semi-synchronous replication (AFTER_SYNC) on every node")
	c.Flags().StringVar(&format, "format", "table", "output format of the status printed at the end: table or json")
	c.Flags().BoolVar(&cfg.Netsim, "netsim", false, "relays in front of every node, for scalelab chaos partition and latency")
	c.Flags().StringArrayVar(&keyspaces, "keyspace", nil, "a keyspace NAME:SHARDSxREPLICAS[=TABLE,…] (repeat it; the first holds the tables no other lists)")
	c.Flags().StringVar(&keyspacesFile, "keyspaces-file", "", "YAML list of keyspaces (name, shards, replicas, tables), instead of --keyspace")
	c.Flags().DurationVar(&cfg.ReadyTimeout, "timeout", sandbox.DefaultReadyTimeout, "how long to wait for nodes and replication")
	return c
}

// keyspaceFlags sets cfg.Keyspaces from --keyspace or --keyspaces-file:
// the sample tables take their shard keys from the sample schema, and
// the first keyspace gets those no keyspace lists (unless --no-tables).
func keyspaceFlags(c *cobra.Command, cfg *sandbox.Config, specs []string, file string, noTables bool) error {
	switch {
	case len(specs) == 0 && file == "":
		return nil
	case len(specs) > 0 && file != "":
		return usagef("--keyspace and --keyspaces-file: give one of them")
	case c.Flags().Changed("shards") || c.Flags().Changed("replicas"):
		return usagef("--shards and --replicas do not go with keyspaces, which give their own (NAME:SHARDSxREPLICAS)")
	}
	rules := schema.ShardedTables()
	if file != "" {
		ks, err := sandbox.LoadKeyspaces(file)
		if err != nil {
			return &usageError{err}
		}
		cfg.Keyspaces = ks
	}
	for _, spec := range specs {
		k, err := sandbox.ParseKeyspace(spec, rules)
		if err != nil {
			return &usageError{err}
		}
		cfg.Keyspaces = append(cfg.Keyspaces, k)
	}
	if !noTables {
		cfg.Keyspaces = sandbox.PlaceTables(cfg.Keyspaces, rules)
	}
	return nil
}
