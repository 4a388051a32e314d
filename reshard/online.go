package reshard

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	gomysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/flavor"
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

// catchUpTimeout bounds one source's catch-up.
const catchUpTimeout = 5 * time.Minute

// onlineCopy copies every moving table of every source from one
// consistent snapshot per source, whose binlog position it records, so
// that catchUp can apply what was written after it. A copy that a kill
// interrupted starts over: the rows an earlier attempt copied are deleted
// from the targets first, since rows deleted at the source since then
// would stay behind.
func (w *worker) onlineCopy(ctx context.Context) error {
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
	w.st.Positions[j] = pos
	return nil
}

// clearCopies deletes from the targets the rows that an earlier copy put
// there: every row of an added shard, and on a reused shard the rows
// that belong to another old shard.
func (w *worker) clearCopies(ctx context.Context) error {
	for i := range w.st.To {
		db, err := w.open(w.primary(i))
		if err != nil {
			return err
		}
		for _, table := range w.shardedTables() {
			if err = w.clearTable(ctx, db, table, i); err != nil {
				break
			}
		}
		db.Close()
		if err != nil {
			return err
		}
	}
	w.st.Result = map[string]TableResult{}
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
	key, err := w.layout(table, w.st.To)
	if err != nil {
		return err
	}
	var gone []string
	err = scan(ctx, db, table, key.key, false, func(k string, _ uint32, _ []string, _ []any) error {
		if ok, err := belongs(k, j); err != nil || !ok {
			gone = append(gone, k)
			return err
		}
		return nil
	})
	for start := 0; err == nil && start < len(gone); start += w.cfg.BatchRows {
		end := min(start+w.cfg.BatchRows, len(gone))
		args := make([]any, end-start)
		for n, k := range gone[start:end] {
			args[n] = k
		}
		_, err = db.ExecContext(ctx, "DELETE FROM "+ident(table)+" WHERE "+ident(key.key)+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")+")", args...)
	}
	return err
}

func isNoTable(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == 1146
}

// catchUp applies every source's binlog from its recorded position to its
// position now: each change to a moving table goes to the target shard
// its key names, and changes whose rows stay on the same servers are
// skipped. Applying a change twice leaves the same rows (REPLACE, and
// DELETE by primary key), so a catch-up a kill interrupted starts again
// from the recorded positions, which advance as each source is caught up.
func (w *worker) catchUp(ctx context.Context) error {
	if f, err := flavor.Lookup(w.st.OldTop.Flavor); err != nil || f.Name() != flavor.MariaDB {
		return fmt.Errorf("online resharding reads the binlog as MariaDB writes it; topology %s runs %s", w.st.OldTop.Name, w.st.OldTop.Flavor)
	}
	dsts, err := w.openTargets()
	if err != nil {
		return err
	}
	defer closeAll(dsts)
	for j, old := range w.sources() {
		n, end, err := w.catchUpSource(ctx, j, old, dsts)
		if err != nil {
			return fmt.Errorf("catch up from shard %s: %w", old.Name, err)
		}
		w.st.Positions[j] = end
		w.say(fmt.Sprintf("caught up from shard %s to binlog %s:%d: %d row change(s) applied", old.Name, end.File, end.Pos, n))
	}
	return nil
}

// catchUpSource streams source j's binlog from its recorded position to
// the position the source has reached when it starts.
func (w *worker) catchUpSource(ctx context.Context, j int, old topology.Shard, dsts []*sql.DB) (int, BinlogPos, error) {
	from := w.st.Positions[j]
	src, err := w.open(old.Primary.HostPort)
	if err != nil {
		return 0, from, err
	}
	var end BinlogPos
	var skip any
	err = src.QueryRowContext(ctx, "SHOW MASTER STATUS").Scan(&end.File, &end.Pos, &skip, &skip)
	src.Close()
	if err != nil {
		return 0, from, fmt.Errorf("the source's binlog position: %w", err)
	}
	if !from.before(end) {
		return 0, end, nil
	}
	tables := map[string]*rowApplier{}
	for _, table := range w.shardedTables() {
		a, err := w.newApplier(ctx, table, j, dsts)
		if err != nil {
			return 0, from, err
		}
		tables[table] = a
	}
	t := w.st.OldTop
	syncer := replication.NewBinlogSyncer(replication.BinlogSyncerConfig{
		ServerID: uint32(4_000_000_000 + time.Now().UnixNano()%100_000_000), Flavor: gomysql.MariaDBFlavor,
		Host: old.Primary.Host(), Port: uint16(old.Primary.Port()), User: t.Replication.Name, Password: t.Replication.Password,
		UseDecimal: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	defer syncer.Close()
	stream, err := syncer.StartSync(gomysql.Position{Name: from.File, Pos: from.Pos})
	if err != nil {
		return 0, from, err
	}
	ctx, cancel := context.WithTimeout(ctx, catchUpTimeout)
	defer cancel()
	cur, applied := from, 0
	for cur.before(end) {
		ev, err := stream.GetEvent(ctx)
		if err != nil {
			return applied, cur, err
		}
		switch e := ev.Event.(type) {
		case *replication.RotateEvent:
			cur = BinlogPos{File: string(e.NextLogName), Pos: uint32(e.Position)}
			continue
		case *replication.RowsEvent:
			if string(e.Table.Schema) == t.DatabaseName() {
				if a, ok := tables[string(e.Table.Table)]; ok {
					n, err := a.apply(ctx, e)
					if err != nil {
						return applied, cur, err
					}
					applied += n
				}
			}
		}
		if ev.Header.LogPos > 0 {
			cur.Pos = ev.Header.LogPos
		}
	}
	return applied, cur, nil
}

// rowApplier applies one table's row changes from source j's binlog to
// the targets.
type rowApplier struct {
	w       *worker
	table   string
	j       int
	to      layout
	dsts    []*sql.DB
	cols    []string // in the table's order, as the binlog gives a row
	keyCol  int      // the shard key's position
	pkCols  []int    // the primary key's positions
	replace string   // REPLACE INTO table (cols) VALUES (?, …)
	delete  string   // DELETE FROM table WHERE pk = ? AND …
}

func (w *worker) newApplier(ctx context.Context, table string, j int, dsts []*sql.DB) (*rowApplier, error) {
	to, err := w.layout(table, w.st.To)
	if err != nil {
		return nil, err
	}
	src, err := w.open(w.sources()[j].Primary.HostPort)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	cols, err := columns(ctx, src, table)
	if err != nil {
		return nil, err
	}
	pk, err := primaryKey(ctx, src, table)
	if err != nil {
		return nil, err
	}
	if len(pk) == 0 {
		return nil, fmt.Errorf("table %s has no primary key: online resharding deletes and replaces rows by it", table)
	}
	a := &rowApplier{w: w, table: table, j: j, to: to, dsts: dsts, cols: cols, keyCol: -1}
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
	if a.keyCol < 0 {
		return nil, fmt.Errorf("table %s has no column %s to shard by", table, to.key)
	}
	a.replace = "REPLACE INTO " + ident(table) + " (" + strings.Join(quoted, ", ") + ") VALUES (" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	a.delete = "DELETE FROM " + ident(table) + " WHERE " + strings.Join(where, " AND ")
	return a, nil
}

// target is the target shard of a row image, and whether the change goes
// there: a row that stays on the source's own servers is already there.
func (a *rowApplier) target(row []any) (int, bool, error) {
	i, err := a.to.shardOf(fmt.Sprint(row[a.keyCol]))
	if err != nil {
		return 0, false, err
	}
	return i, a.w.st.Reuse[i] != a.j, nil
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
			if ib != ia { // the key moved the row to another range
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
