package schema

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// batch is up to BatchRows rows bound for one shard, already encoded for
// the load method: INSERT arguments, or LOAD DATA text.
type batch struct {
	rows uint64
	args []any
	tsv  []byte
}

// loadTable loads one table into every shard and returns the rows each
// shard's server reported loaded.
//
// Generating goroutines take chunks of ids, route each row to its shard,
// encode it into that shard's current batch, and hand full batches to the
// shard's channel, from which the shard's workers load them. Generation is
// CPU work spread over every core; loading waits on the servers.
func (l *loader) loadTable(parent context.Context, table string) ([]uint64, error) {
	total, err := l.gen.Count(table)
	if err != nil {
		return nil, err
	}
	l.startProgress(table, total)
	counts := make([]atomic.Uint64, len(l.shards))
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)

	chans := make([]chan *batch, len(l.shards))
	for i := range chans {
		chans[i] = make(chan *batch, 2*l.cfg.Workers)
	}
	var workers sync.WaitGroup
	for i := range l.shards {
		for range l.cfg.Workers {
			workers.Go(func() {
				var err error
				if l.cfg.Method == MethodInsert {
					err = l.insertWorker(ctx, table, i, chans[i], &counts[i])
				} else {
					err = l.infileWorker(ctx, table, i, chans[i], &counts[i])
				}
				if err != nil {
					cancel(fmt.Errorf("load %s into shard %s: %w", table, l.shards[i], err))
				}
			})
		}
	}

	var next atomic.Uint64
	var producers sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), int((total+chunkRows-1)/chunkRows)) {
		producers.Go(func() {
			if err := l.produce(ctx, table, total, &next, chans); err != nil {
				cancel(err)
			}
		})
	}
	producers.Wait()
	for _, ch := range chans {
		close(ch)
	}
	workers.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	rows := make([]uint64, len(counts))
	for i := range counts {
		rows[i] = counts[i].Load()
	}
	l.finishProgress(table)
	return rows, nil
}

// produce generates chunks of table's ids until none is left, and sends
// the encoded rows to their shards' channels.
func (l *loader) produce(ctx context.Context, table string, total uint64, next *atomic.Uint64, chans []chan *batch) error {
	r := l.routes[table]
	cur := make([]*batch, len(chans))
	send := func(i int) error {
		select {
		case chans[i] <- cur[i]:
			cur[i] = nil
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	for {
		first := next.Add(chunkRows) - chunkRows + 1
		if first > total {
			break
		}
		if err := ctx.Err(); err != nil {
			return context.Cause(ctx)
		}
		last := min(first+chunkRows-1, total)
		err := l.gen.Range(table, first, last, func(row Row) error {
			vals := row.Values()
			i, err := r.shard(vals)
			if err != nil {
				return fmt.Errorf("route %s row %v: %w", table, vals[0], err)
			}
			b := cur[i]
			if b == nil {
				b = l.newBatch(len(vals))
				cur[i] = b
			}
			l.encode(b, vals)
			if b.rows == uint64(l.cfg.BatchRows) {
				return send(i)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for i, b := range cur {
		if b != nil {
			if err := send(i); err != nil {
				return err
			}
		}
	}
	return nil
}

func (l *loader) newBatch(cols int) *batch {
	if l.cfg.Method == MethodInsert {
		return &batch{args: make([]any, 0, l.cfg.BatchRows*cols)}
	}
	return &batch{tsv: make([]byte, 0, l.cfg.BatchRows*64)}
}

func (l *loader) encode(b *batch, vals []any) {
	b.rows++
	if l.cfg.Method == MethodInsert {
		b.args = append(b.args, vals...)
		return
	}
	b.tsv = appendTSV(b.tsv, vals)
}

// startProgress reports that table starts loading total rows.
func (l *loader) startProgress(table string, total uint64) {
	if l.cfg.Progress == nil {
		return
	}
	l.progressMu.Lock()
	defer l.progressMu.Unlock()
	l.done, l.total = 0, total
	l.cfg.Progress(table, 0, total)
}

// progress reports that n more rows of table were sent. Calls are
// serialized so that Progress sees done grow. It holds back done == total
// for finishProgress: the rows are not all in until every shard has
// committed them.
func (l *loader) progress(table string, n uint64) {
	if l.cfg.Progress == nil {
		return
	}
	l.progressMu.Lock()
	defer l.progressMu.Unlock()
	l.done += n
	if l.done < l.total {
		l.cfg.Progress(table, l.done, l.total)
	}
}

// finishProgress reports that every row of table is loaded.
func (l *loader) finishProgress(table string) {
	if l.cfg.Progress == nil {
		return
	}
	l.progressMu.Lock()
	defer l.progressMu.Unlock()
	l.done = l.total
	l.cfg.Progress(table, l.total, l.total)
}

// recv returns the next batch, or false when the channel is closed or ctx
// is done.
func recv(ctx context.Context, ch <-chan *batch) (*batch, bool) {
	select {
	case b, ok := <-ch:
		return b, ok
	case <-ctx.Done():
		return nil, false
	}
}
