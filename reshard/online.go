package reshard

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	gomysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/shard"
	"github.com/scalelab/scalelab/topology"
)

// BinlogPos is a position in a server's binary log.
type BinlogPos struct {
	File string `json:"file"`
	Pos  uint32 `json:"pos"`
}

// before reports whether p comes before q in the same server's binlog.
func (p BinlogPos) before(q BinlogPos) bool {
	if p.File != q.File {
		return p.File < q.File // binlog.000009 < binlog.000010: zero-padded
	}
	return p.Pos < q.Pos
}

// catchUpIdle bounds the wait for the next binlog event of a catch-up.
const catchUpIdle = 30 * time.Second

// onlineCopy copies every moving table of every source from one
// consistent snapshot per source, whose binlog position it records, so
// that catchUp can apply what was written after it. A copy that a kill
// interrupted starts over: the rows an earlier attempt copied are deleted
// from the targets first, since rows deleted at the source since then
// would stay behind.
func (w *worker) onlineCopy(ctx context.Context) error {
	if err := w.checkOnlineKeys(ctx); err != nil {
		return err
	}
	if err := w.clearCopies(ctx); err != nil {
		return err
	}
	dsts, err := w.openTargets()
	if err != nil {
		return err
	}
	defer closeAll(dsts)
	w.st.Positions = map[int]BinlogPos{}
	for j, old := range w.sources() {
		src, err := w.open(old.Primary.HostPort)
		if err != nil {
			return err
		}
		err = w.copySnapshot(ctx, src, j, dsts)
		src.Close()
		if err != nil {
			return fmt.Errorf("copy from shard %s: %w", old.Name, err)
		}
	}
	return nil
}

// checkOnlineKeys refuses tables whose primary key does not hold the
// shard key when rows are copied onto servers that stay in use (any new
// range served by an old shard's servers): there, a copied row and a live
// row of that server could share a primary key, and the REPLACE of the
// catch-up would drop the live one.
func (w *worker) checkOnlineKeys(ctx context.Context) error {
	if !w.copiesOntoReused() {
		return nil
	}
	src, err := w.open(w.sources()[0].Primary.HostPort)
	if err != nil {
		return err
	}
	defer src.Close()
	for _, table := range w.shardedTables() {
		to, err := w.layout(table, w.st.To)
		if err != nil {
			return err
		}
		pk, err := primaryKey(ctx, src, table)
		if err != nil {
			return err
		}
		if len(pk) > 0 && !slices.Contains(pk, to.key) {
			return fmt.Errorf("table %s: its primary key (%s) does not hold its shard key %s, and this reshard copies rows onto servers that keep serving: run it offline, with writes paused", table, strings.Join(pk, ", "), to.key)
		}
	}
	return nil
}

// copiesOntoReused reports whether rows may be copied onto servers that
// keep serving: a new range that an old shard's servers serve and that
// is not inside that shard's old range, or any reused range under the
// modulo vindex, whose keyspace ids depend on the shard count.
func (w *worker) copiesOntoReused() bool {
	for _, tb := range w.st.OldTop.ShardedTables() {
		if tb.Vindex == "modulo" && slices.ContainsFunc(w.st.Reuse, func(j int) bool { return j >= 0 }) {
			return true
		}
	}
	for i, j := range w.st.Reuse {
		if j < 0 {
			continue
		}
		_, newName := topology.SplitShard(w.st.To[i])
		_, oldName := topology.SplitShard(w.st.From[j])
		nr, err1 := shard.ParseKeyRange(newName)
		or, err2 := shard.ParseKeyRange(oldName)
		if err1 != nil || err2 != nil || !inside(nr, or) {
			return true
		}
	}
	return false
}

// inside reports whether key range a lies within b.
func inside(a, b shard.KeyRange) bool {
	if bytes.Compare(a.Start, b.Start) < 0 {
		return false
	}
	if len(b.End) == 0 {
		return true
	}
	return len(a.End) > 0 && bytes.Compare(a.End, b.End) <= 0
}

// copySnapshot copies source j's moving rows from one snapshot.
func (w *worker) copySnapshot(ctx context.Context, src *sql.DB, j int, dsts []*sql.DB) error {
	conn, err := src.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "START TRANSACTION WITH CONSISTENT SNAPSHOT"); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
	// MariaDB reports the binlog position of the snapshot it just took.
	var pos BinlogPos
	for name, into := range map[string]any{"binlog_snapshot_file": &pos.File, "binlog_snapshot_position": &pos.Pos} {
		var v string
		if err := conn.QueryRowContext(ctx, "SHOW STATUS LIKE '"+name+"'").Scan(&v, into); err != nil {
			return fmt.Errorf("the snapshot's binlog position (%s; online resharding needs MariaDB): %w", name, err)
		}
	}
	for _, table := range w.shardedTables() {
		to, belongs, err := w.moving(table)
		if err != nil {
			return err
		}
		tr := w.st.Result[table]
		tr.Table = table
		if err := w.copyFrom(ctx, conn, table, j, to, belongs, dsts, &tr); err != nil {
			return err
		}
		w.st.Result[table] = tr
		w.say(fmt.Sprintf("%s: copied the rows of shard %s as of binlog %s:%d", table, w.sources()[j].Name, pos.File, pos.Pos))
	}
	if j == 0 {
		if err := w.copyPassengers(ctx, conn, dsts[0]); err != nil {
			return err
		}
	}
	w.st.Positions[j] = pos
	return nil
}

// clearCopies deletes from the targets the rows that an earlier copy put
// there: every row of an added shard, and on a reused shard the rows
// that belong to another old shard.
func (w *worker) clearCopies(ctx context.Context) error {
	for i := range w.st.To {
		if err := w.clearShard(ctx, i); err != nil {
			return err
		}
	}
	w.st.Result = map[string]TableResult{}
	return nil
}

// clearShard deletes the copies from new shard i: all its rows if its
// servers were added (the passengers too, on the first), else those that
// belong to another old shard.
func (w *worker) clearShard(ctx context.Context, i int) error {
	db, err := w.open(w.primary(i))
	if err != nil {
		return err
	}
	defer db.Close()
	for _, table := range w.shardedTables() {
		if err := w.clearTable(ctx, db, table, i); err != nil {
			return err
		}
	}
	if i != 0 {
		return nil
	}
	for _, p := range w.passengers() {
		if _, err := db.ExecContext(ctx, "DELETE FROM "+p.ident()); err != nil && !isNoTable(err) {
			return err
		}
	}
	return nil
}

func (w *worker) clearTable(ctx context.Context, db *sql.DB, table string, i int) error {
	j := w.st.Reuse[i]
	if j < 0 {
		_, err := db.ExecContext(ctx, "DELETE FROM "+ident(table))
		if isNoTable(err) {
			err = nil
		}
		return err
	}
	belongs, err := w.origin(table)
	if err != nil {
		return err
	}
	to, err := w.layout(table, w.st.To)
	if err != nil {
		return err
	}
	_, err = w.deleteKeys(ctx, db, table, to.key, func(k string) (bool, error) { return belongs(k, j) })
	return err
}

// catchUp applies every source's binlog from its recorded position to its
// position now: each change to a moving table goes to the target shard
// its key names, and changes whose rows stay on the same servers are
// skipped. Applying a change twice leaves the same rows (REPLACE, and
// DELETE by primary key), so a catch-up a kill interrupted starts again
// from the recorded positions, which advance as each source is caught up.
func (w *worker) catchUp(ctx context.Context) error {
	_, err := w.catchUpAll(ctx)
	return err
}

// catchUpAll catches up from every source, saving each source's position
// as it is reached, and returns the row changes it applied.
func (w *worker) catchUpAll(ctx context.Context) (int, error) {
	if f, err := flavor.Lookup(w.st.OldTop.Flavor); err != nil || f.Name() != flavor.MariaDB {
		return 0, fmt.Errorf("online resharding reads the binlog as MariaDB writes it; topology %s runs %s", w.st.OldTop.Name, w.st.OldTop.Flavor)
	}
	dsts, err := w.openTargets()
	if err != nil {
		return 0, err
	}
	defer closeAll(dsts)
	total := 0
	for j, old := range w.sources() {
		n, end, err := w.catchUpSource(ctx, j, old, dsts)
		if err != nil {
			return total, fmt.Errorf("catch up from shard %s: %w", old.Name, err)
		}
		total += n
		w.st.Positions[j] = end
		if w.st.CaughtUpAt == nil {
			w.st.CaughtUpAt = map[int]time.Time{}
		}
		w.st.CaughtUpAt[j] = time.Now()
		if err := w.st.save(w.cluster); err != nil {
			return total, err
		}
		w.say(fmt.Sprintf("caught up from shard %s to binlog %s:%d: %d row change(s) applied", old.Name, end.File, end.Pos, n))
	}
	return total, nil
}

// catchUpSource applies source j's binlog, from its recorded position to
// the position the source has reached when it starts, to the targets.
func (w *worker) catchUpSource(ctx context.Context, j int, old topology.Shard, dsts []*sql.DB) (int, BinlogPos, error) {
	tables, err := w.appliers(ctx, old.Primary.HostPort, j == 0, w.st.To, dsts, func(i int) bool { return w.st.Reuse[i] == j })
	if err != nil {
		return 0, w.st.Positions[j], err
	}
	return w.streamChanges(ctx, old.Primary, w.st.Positions[j], tables)
}

// appliers are, by schema.table as streamChanges wants them, the appliers
// of the changes read on the server at srcAddr to the moving tables'
// layout over the shards names, whose primaries are dsts; stays(i) says
// that shard i is that server. The first shard's source also gives the
// passengers' changes, to dsts[0].
func (w *worker) appliers(ctx context.Context, srcAddr string, first bool, names []string, dsts []*sql.DB, stays func(i int) bool) (map[string]*rowApplier, error) {
	src, err := w.open(srcAddr)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	out := map[string]*rowApplier{}
	add := func(q qualified, to layout, dsts []*sql.DB, stays func(int) bool) error {
		a, err := newApplier(ctx, q, src, to, dsts, stays)
		if a != nil { // nil: listed, never created
			out[q.String()] = a
		}
		return err
	}
	for _, table := range w.shardedTables() {
		to, err := w.layout(table, names)
		if err != nil {
			return nil, err
		}
		if err := add(qualified{w.st.OldTop.DatabaseName(), table}, to, dsts, stays); err != nil {
			return nil, err
		}
	}
	if first {
		for _, p := range w.passengers() {
			if err := add(p, layout{}, dsts[:1], func(int) bool { return false }); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// streamChanges reads the binlog of the server at src from position from
// to the position it has reached when it starts, and gives each row
// change of a table in tables (by schema.table) to that table's applier. It returns the
// row changes applied and the position reached.
func (w *worker) streamChanges(ctx context.Context, src topology.Addr, from BinlogPos, tables map[string]*rowApplier) (int, BinlogPos, error) {
	db, err := w.open(src.HostPort)
	if err != nil {
		return 0, from, err
	}
	end, err := binlogEnd(ctx, db)
	db.Close()
	if err != nil {
		return 0, from, err
	}
	if end.before(from) {
		return 0, from, fmt.Errorf("the source's binlog is at %s:%d, before the %s:%d already applied: it was reset or replaced; start the reshard over", end.File, end.Pos, from.File, from.Pos)
	}
	if !from.before(end) {
		return 0, end, nil
	}
	t := w.st.OldTop
	syncer := replication.NewBinlogSyncer(replication.BinlogSyncerConfig{
		ServerID: uint32(4_000_000_000 + time.Now().UnixNano()%100_000_000), Flavor: gomysql.MariaDBFlavor,
		Host: src.Host(), Port: uint16(src.Port()), User: t.Replication.Name, Password: t.Replication.Password,
		UseDecimal: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	defer syncer.Close()
	stream, err := syncer.StartSync(gomysql.Position{Name: from.File, Pos: from.Pos})
	if err != nil {
		return 0, from, err
	}
	cur, applied := from, 0
	for cur.before(end) {
		ectx, cancel := context.WithTimeout(ctx, catchUpIdle)
		ev, err := stream.GetEvent(ectx)
		cancel()
		if err != nil {
			return applied, cur, err
		}
		switch e := ev.Event.(type) {
		case *replication.RotateEvent:
			cur = BinlogPos{File: string(e.NextLogName), Pos: uint32(e.Position)}
			continue
		case *replication.RowsEvent:
			if a, ok := tables[string(e.Table.Schema)+"."+string(e.Table.Table)]; ok {
				n, err := a.apply(ctx, e)
				if err != nil {
					return applied, cur, err
				}
				applied += n
			}
		}
		if ev.Header.LogPos > 0 {
			cur.Pos = ev.Header.LogPos
		}
	}
	return applied, cur, nil
}

// binlogEnd is the position a server's binlog has reached.
func binlogEnd(ctx context.Context, db *sql.DB) (BinlogPos, error) {
	var end BinlogPos
	var skip any
	if err := db.QueryRowContext(ctx, "SHOW MASTER STATUS").Scan(&end.File, &end.Pos, &skip, &skip); err != nil {
		return end, fmt.Errorf("the binlog position: %w", err)
	}
	return end, nil
}

// rowApplier applies one table's row changes from a source's binlog to
// the targets.
type rowApplier struct {
	table string
	to    layout // the targets' layout
	// stays reports whether target i is the source's own server, which
	// holds the row already.
	stays  func(i int) bool
	dsts   []*sql.DB
	cols   []string // in the table's order, as the binlog gives a row
	keyCol int      // the shard key's position
	pkCols []int    // the primary key's positions
	// unsigned is, per column, the width in bits of an UNSIGNED integer
	// column, else 0: the binlog carries no signedness here (MariaDB's
	// binlog_row_metadata=NO_LOG), and go-mysql reads such a column
	// signed, so that values from 2^(width-1) on come negative.
	unsigned []int
	replace  string // REPLACE INTO table (cols) VALUES (?, …)
	delete   string // DELETE FROM table WHERE pk = ? AND …
}

func newApplier(ctx context.Context, q qualified, src dbQuerier, to layout, dsts []*sql.DB, stays func(i int) bool) (*rowApplier, error) {
	table := q.table
	cols, unsigned, err := columnWidths(ctx, src, q)
	if err != nil || len(cols) == 0 {
		return nil, err
	}
	pk, err := primaryKeyOf(ctx, src, q)
	if err != nil {
		return nil, err
	}
	if len(pk) == 0 {
		return nil, fmt.Errorf("table %s has no primary key: online resharding deletes and replaces rows by it", table)
	}
	a := &rowApplier{table: table, to: to, stays: stays, dsts: dsts, cols: cols, unsigned: unsigned, keyCol: -1}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = ident(c)
		if c == to.key {
			a.keyCol = i
		}
	}
	var where []string
	for _, p := range pk {
		for i, c := range cols {
			if c == p {
				a.pkCols = append(a.pkCols, i)
				where = append(where, ident(c)+" = ?")
			}
		}
	}
	if a.keyCol < 0 && to.sharded {
		return nil, fmt.Errorf("table %s has no column %s to shard by", table, to.key)
	}
	a.replace = "REPLACE INTO " + q.ident() + " (" + strings.Join(quoted, ", ") + ") VALUES (" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	a.delete = "DELETE FROM " + q.ident() + " WHERE " + strings.Join(where, " AND ")
	return a, nil
}

// primaryKeyOf lists the primary key columns of table q, in order.
func primaryKeyOf(ctx context.Context, db dbQuerier, q qualified) ([]string, error) {
	return listColumns(ctx, db, "SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION", q.schema, q.table)
}

// unsign gives the UNSIGNED integer columns of a row image their values.
func (a *rowApplier) unsign(row []any) {
	for c, width := range a.unsigned {
		if width == 0 || c >= len(row) {
			continue
		}
		var v int64
		switch x := row[c].(type) {
		case int8:
			v = int64(x)
		case int16:
			v = int64(x)
		case int32:
			v = int64(x)
		case int64:
			v = x
		default:
			continue
		}
		if v < 0 {
			if width == 64 {
				row[c] = uint64(v)
			} else {
				row[c] = uint64(v + 1<<width)
			}
		}
	}
}

// columnWidths reads table's columns, in order, and for each the width
// of an UNSIGNED integer column (0 for any other); none when the table
// does not exist.
func columnWidths(ctx context.Context, db dbQuerier, q qualified) ([]string, []int, error) {
	rows, err := db.QueryContext(ctx, "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION", q.schema, q.table)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	widths := map[string]int{"tinyint": 8, "smallint": 16, "mediumint": 24, "int": 32, "bigint": 64}
	var names []string
	var unsigned []int
	for rows.Next() {
		var name, dataType, colType string
		if err := rows.Scan(&name, &dataType, &colType); err != nil {
			return nil, nil, err
		}
		w := 0
		if strings.Contains(strings.ToLower(colType), "unsigned") {
			w = widths[strings.ToLower(dataType)]
		}
		names, unsigned = append(names, name), append(unsigned, w)
	}
	return names, unsigned, rows.Err()
}

// samePK reports whether two images of a row have the same primary key.
func (a *rowApplier) samePK(x, y []any) bool {
	for _, c := range a.pkCols {
		if text(x[c]) != text(y[c]) {
			return false
		}
	}
	return true
}

// target is the target shard of a row image, and whether the change goes
// there: a row that stays on the source's own servers is already there.
func (a *rowApplier) target(row []any) (int, bool, error) {
	if !a.to.sharded {
		return 0, !a.stays(0), nil
	}
	i, err := a.to.shardOf(text(row[a.keyCol]))
	if err != nil {
		return 0, false, err
	}
	return i, !a.stays(i), nil
}

// apply applies one rows event, and returns how many row changes it made.
func (a *rowApplier) apply(ctx context.Context, e *replication.RowsEvent) (int, error) {
	n := 0
	put := func(row []any) error {
		if len(row) != len(a.cols) {
			return fmt.Errorf("a row of %s has %d columns in the binlog, %d in the table: the schema changed while resharding", a.table, len(row), len(a.cols))
		}
		i, ok, err := a.target(row)
		if err != nil || !ok {
			return err
		}
		n++
		_, err = a.dsts[i].ExecContext(ctx, a.replace, row...)
		return err
	}
	del := func(row []any) error {
		i, ok, err := a.target(row)
		if err != nil || !ok {
			return err
		}
		args := make([]any, len(a.pkCols))
		for k, c := range a.pkCols {
			args[k] = row[c]
		}
		n++
		_, err = a.dsts[i].ExecContext(ctx, a.delete, args...)
		return err
	}
	for _, row := range e.Rows {
		a.unsign(row)
	}
	switch e.Type() {
	case replication.EnumRowsEventTypeInsert:
		for _, row := range e.Rows {
			if err := put(row); err != nil {
				return n, err
			}
		}
	case replication.EnumRowsEventTypeDelete:
		for _, row := range e.Rows {
			if err := del(row); err != nil {
				return n, err
			}
		}
	case replication.EnumRowsEventTypeUpdate:
		for k := 0; k+1 < len(e.Rows); k += 2 {
			before, after := e.Rows[k], e.Rows[k+1]
			ib, _, err := a.target(before)
			if err != nil {
				return n, err
			}
			ia, _, err := a.target(after)
			if err != nil {
				return n, err
			}
			// The row left its range, or its primary key changed: the
			// REPLACE of the after-image would leave the old row behind.
			if ib != ia || !a.samePK(before, after) {
				if err := del(before); err != nil {
					return n, err
				}
			}
			if err := put(after); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}
