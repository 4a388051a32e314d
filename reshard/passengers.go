package reshard

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"

	"github.com/scalelab/scalelab/shard"
)

// An online reshard gives every new key range servers of its own, as
// Vitess does, so that the old shards stay whole, serve until the switch,
// and can take the application back (--reverse). The first shard's
// servers also hold the unsharded tables, and the id sequences when the
// topology has no main node: when the first key range gets new servers,
// those tables ride along to them. They are the passengers: copied whole
// from the first old shard's snapshot, caught up from its binlog, held
// and verified at the switch, and replayed back on --reverse.

// qualified is a table in a database.
type qualified struct{ schema, table string }

func parseQualified(s string) qualified {
	schema, table, _ := strings.Cut(s, ".")
	return qualified{schema, table}
}

func (q qualified) String() string { return q.schema + "." + q.table }
func (q qualified) ident() string  { return ident(q.schema) + "." + ident(q.table) }

// onlineReuse is the servers an online reshard keeps: an old shard's,
// only for a new shard of the very same key range (a --split leaves the
// other ranges alone), and never under the modulo vindex, whose keyspace
// ids depend on the shard count.
func onlineReuse(st *state) []int {
	reuse := make([]int, len(st.To))
	modulo := false
	for _, tb := range st.OldTop.ShardedTables() {
		modulo = modulo || tb.Vindex == "modulo"
	}
	for i, name := range st.To {
		reuse[i] = -1
		if j := slices.Index(st.From, name); j >= 0 && !modulo {
			reuse[i] = j
		}
	}
	return reuse
}

// ridesAlong reports whether the passengers move: an online reshard that
// gives the first key range new servers.
func (w *worker) ridesAlong() bool {
	return w.st.Online && w.st.Move == nil && w.st.Reuse[0] < 0
}

// findPassengers lists, on the first old shard's primary, the tables that
// move with the first key range: every base table of the topology's
// database that it does not shard, and the sequences table unless a main
// node holds it.
func (w *worker) findPassengers(ctx context.Context, src *sql.DB) error {
	w.st.Passengers = nil
	if !w.ridesAlong() {
		return nil
	}
	seq := ""
	if w.st.OldTop.Main == nil {
		seq = shard.DefaultSequenceDatabase
	}
	rows, err := src.QueryContext(ctx, "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND (TABLE_SCHEMA = DATABASE() OR TABLE_SCHEMA = ? AND TABLE_NAME = 'sequences') ORDER BY 1, 2", seq)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var q qualified
		if err := rows.Scan(&q.schema, &q.table); err != nil {
			return err
		}
		if q.schema == w.st.OldTop.DatabaseName() && slices.Contains(w.shardedTables(), q.table) {
			continue
		}
		w.st.Passengers = append(w.st.Passengers, q.String())
	}
	return rows.Err()
}

func (w *worker) passengers() []qualified {
	var out []qualified
	for _, p := range w.st.Passengers {
		out = append(out, parseQualified(p))
	}
	return out
}

// copyPassengerSchema creates the passengers, and their databases, on the
// first new shard.
func (w *worker) copyPassengerSchema(ctx context.Context, src, dst *sql.DB) error {
	for _, q := range w.passengers() {
		var name, ddl string
		if err := src.QueryRowContext(ctx, "SHOW CREATE TABLE "+q.ident()).Scan(&name, &ddl); err != nil {
			return fmt.Errorf("read schema of %s: %w", q, err)
		}
		conn, err := dst.Conn(ctx)
		if err != nil {
			return err
		}
		_, err = conn.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS "+ident(q.schema))
		if err == nil {
			_, err = conn.ExecContext(ctx, "USE "+ident(q.schema))
		}
		if err == nil {
			_, err = conn.ExecContext(ctx, strings.Replace(ddl, "CREATE TABLE", "CREATE TABLE IF NOT EXISTS", 1))
		}
		_ = conn.Raw(func(any) error { return driver.ErrBadConn }) // it changed database
		conn.Close()
		if err != nil {
			return fmt.Errorf("create %s on shard %s: %w", q, w.st.To[0], err)
		}
	}
	return nil
}

// copyPassengers copies every passenger's rows, read on q (the first old
// shard's snapshot), to dst.
func (w *worker) copyPassengers(ctx context.Context, q dbQuerier, dst *sql.DB) error {
	for _, p := range w.passengers() {
		var cols []string
		var batch [][]any
		flush := func() error {
			err := insertInto(ctx, dst, "REPLACE", p.ident(), cols, batch)
			batch = batch[:0]
			return err
		}
		n := 0
		err := scanFrom(ctx, q, p.ident(), "1", true, func(_ string, _ uint32, c []string, vals []any) error {
			cols, batch, n = c, append(batch, vals), n+1
			if len(batch) < w.cfg.BatchRows {
				return nil
			}
			if err := flush(); err != nil {
				return err
			}
			return w.throttle.wait(ctx)
		})
		if err == nil && len(batch) > 0 {
			err = flush()
		}
		if err != nil {
			return fmt.Errorf("copy %s to shard %s: %w", p, w.st.To[0], err)
		}
		w.say(fmt.Sprintf("%s: %d rows to shard %s (it moves with the first key range)", p, n, w.st.To[0]))
	}
	return nil
}

// heldTables are the tables a switch holds on the server at addr: the
// moving tables, and the passengers on the first shards' primaries.
func (w *worker) heldTables(addr string) []qualified {
	var out []qualified
	for _, t := range w.shardedTables() {
		out = append(out, qualified{w.st.OldTop.DatabaseName(), t})
	}
	if len(w.st.Passengers) > 0 && (addr == w.sourceAddrs()[0] || addr == w.targetAddrs()[0]) {
		out = append(out, w.passengers()...)
	}
	return out
}

// removeOld stops and deletes the old shards whose servers no new shard
// kept, once the workflow is complete.
func (w *worker) removeOld(ctx context.Context) error {
	var names []string
	for j, name := range w.st.From {
		if !slices.Contains(w.st.Reuse, j) && w.cluster.HasShard(name) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	if err := w.cluster.RemoveShards(ctx, names); err != nil {
		return err
	}
	w.say(fmt.Sprintf("removed the old shards %s", strings.Join(names, ", ")))
	return nil
}

// checkPassengers lists the passengers again, while the switch holds
// writes: a table created or dropped on the first old shard since the
// copy began would be left behind or missed, so the switch refuses.
func (w *worker) checkPassengers(ctx context.Context) error {
	if !w.ridesAlong() {
		return nil
	}
	src, err := w.open(w.sourceAddrs()[0])
	if err != nil {
		return err
	}
	defer src.Close()
	was := w.st.Passengers
	err = w.findPassengers(ctx, src)
	now := w.st.Passengers
	w.st.Passengers = was
	if err != nil {
		return err
	}
	if !slices.Equal(now, was) {
		return fmt.Errorf("the unsharded tables of shard %s changed since the copy began (%s, now %s): they move with the first key range, and only those copied can; run scalelab reshard --cancel and start over",
			w.st.From[0], strings.Join(was, ", "), strings.Join(now, ", "))
	}
	return nil
}

// clearReused deletes, on the servers that keep serving, the rows an
// offline copy put there for other key ranges.
func (w *worker) clearReused(ctx context.Context) error {
	for i := range w.st.To {
		if w.st.Reuse[i] >= 0 {
			if err := w.clearShard(ctx, i); err != nil {
				return err
			}
		}
	}
	return nil
}
