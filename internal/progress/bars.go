package progress

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// Bars shows the progress of loading tables: a bar per table on a
// terminal, and elsewhere a line per table when it is done. Its methods
// are safe for concurrent use.
type Bars struct {
	w       io.Writer
	p       *mpb.Progress // nil when w is not a terminal
	mu      sync.Mutex
	bars    map[string]*mpb.Bar
	started map[string]time.Time
	now     func() time.Time
}

// NewBars returns Bars that draw on w.
func NewBars(w io.Writer) *Bars {
	b := newBars(w)
	if IsTerminal(w) {
		b.p = mpb.New(mpb.WithOutput(w), mpb.WithWidth(40))
	}
	return b
}

func newBars(w io.Writer) *Bars {
	return &Bars{w: w, bars: map[string]*mpb.Bar{}, started: map[string]time.Time{}, now: time.Now}
}

// Update shows that done of total rows of table are loaded. The first call
// for a table starts its clock. It has the signature of
// schema.LoadConfig.Progress.
func (b *Bars) Update(table string, done, total uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.started[table]; !ok {
		b.started[table] = b.now()
		if b.p != nil {
			b.bars[table] = b.p.AddBar(int64(total),
				mpb.PrependDecorators(
					decor.Name(table, decor.WCSyncSpaceR),
					decor.CountersNoUnit("%d / %d rows", decor.WCSyncSpace),
				),
				mpb.AppendDecorators(
					decor.AverageSpeed(0, "%.0f rows/s", decor.WCSyncSpace),
					decor.OnComplete(decor.AverageETA(decor.ET_STYLE_GO, decor.WCSyncSpace), "done"),
				),
			)
		}
	}
	if bar := b.bars[table]; bar != nil {
		bar.SetCurrent(int64(done))
		return
	}
	if b.p == nil && done == total {
		d := b.now().Sub(b.started[table])
		fmt.Fprintf(b.w, "%s: %d rows in %s (%.0f rows/s)\n", table, total, d.Round(time.Millisecond), float64(total)/max(d.Seconds(), 1e-9))
	}
}

// Line writes a line of progress: above the bars on a terminal, so that
// they are not torn, else as it is. It suits progress callbacks of lines.
func (b *Bars) Line(s string) {
	if b.p != nil {
		fmt.Fprintln(b.p, s)
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	fmt.Fprintln(b.w, s)
}

// Finish stops the bars, marking the unfinished ones aborted, and waits
// until the last frame is drawn.
func (b *Bars) Finish() {
	if b.p == nil {
		return
	}
	b.mu.Lock()
	for _, bar := range b.bars {
		if !bar.Completed() {
			bar.Abort(false)
		}
	}
	b.mu.Unlock()
	b.p.Wait()
}
