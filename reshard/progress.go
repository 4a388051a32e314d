package reshard

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/scalelab/scalelab/internal/units"
)

// Progress is where a reshard or table move in progress stands, for
// scalelab status.
type Progress struct {
	Workflow string `json:"workflow"`
	// Phase is the last phase it finished.
	Phase  string `json:"phase"`
	Online bool   `json:"online"`
	// RowsCopied and RowsTotal sum the copy so far (moved rows, and every
	// row of the moving tables on the sources).
	RowsCopied int64 `json:"rows_copied"`
	RowsTotal  int64 `json:"rows_total"`
	// Sources are, for an online workflow, how far each source's binlog
	// has been applied against where the source is now.
	Sources []SourceProgress `json:"sources,omitempty"`
	// Held are the servers whose moving tables hold writes, and
	// Switching says a switch is under way (or was killed midway: run
	// the workflow again to release or finish it).
	Held      []string `json:"held,omitempty"`
	Switching bool     `json:"switching"`
}

// SourceProgress is one source shard's binlog, applied against written.
type SourceProgress struct {
	Shard   string    `json:"shard"`
	Applied BinlogPos `json:"applied"`
	Written BinlogPos `json:"written"`
	// Behind is how many binlog bytes are written and not applied yet;
	// null when the two positions are in different files.
	Behind *int64 `json:"behind_bytes"`
	// Lag is how old the oldest change not applied yet may be: the time
	// since the last catch-up reached the source's position of then; zero
	// when nothing was written since.
	Lag units.Ms `json:"lag_ms"`
}

// WorkflowProgress reads the workflow in progress on c, nil when none is.
func WorkflowProgress(ctx context.Context, c Cluster) (*Progress, error) {
	st, err := loadState(c)
	if err != nil || st == nil {
		return nil, err
	}
	p := &Progress{Workflow: st.describe(), Phase: st.Phase, Online: st.Online, Held: st.Held, Switching: st.Switching}
	for _, tr := range st.Result {
		p.RowsCopied += tr.Moved
		p.RowsTotal += tr.Total
	}
	if !st.Online {
		return p, nil
	}
	w := &worker{cluster: c, st: st}
	for j, sh := range w.sources() {
		applied, ok := st.Positions[j]
		if !ok {
			continue // not copied yet
		}
		sp := SourceProgress{Shard: sh.Name, Applied: applied}
		db, err := w.open(sh.Primary.HostPort)
		if err != nil {
			return p, err
		}
		var skip any
		err = db.QueryRowContext(ctx, "SHOW MASTER STATUS").Scan(&sp.Written.File, &sp.Written.Pos, &skip, &skip)
		db.Close()
		if err != nil {
			return p, fmt.Errorf("shard %s's binlog position: %w", sh.Name, err)
		}
		if sp.Written.File == applied.File {
			b := int64(sp.Written.Pos) - int64(applied.Pos)
			sp.Behind = &b
		}
		if at, ok := st.CaughtUpAt[j]; ok && sp.Written != applied {
			sp.Lag = units.Ms(time.Since(at))
		}
		p.Sources = append(p.Sources, sp)
	}
	return p, nil
}

// Write prints the progress in a few lines.
func (p *Progress) Write(w io.Writer) error {
	mode := ""
	if p.Online {
		mode = " (online)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "in progress: %s%s, after phase %q; %d of %d rows copied\n", p.Workflow, mode, p.Phase, p.RowsCopied, p.RowsTotal)
	for _, s := range p.Sources {
		behind := "in another binlog file"
		if s.Behind != nil {
			behind = fmt.Sprintf("%d bytes behind", *s.Behind)
		}
		if s.Lag > 0 {
			behind += fmt.Sprintf(", lag at most %v", s.Lag.D().Round(100*time.Millisecond))
		}
		fmt.Fprintf(&b, "  binlog of shard %s: applied to %s:%d, written to %s:%d, %s\n", s.Shard, s.Applied.File, s.Applied.Pos, s.Written.File, s.Written.Pos, behind)
	}
	if len(p.Held) > 0 {
		fmt.Fprintf(&b, "  writes to the moving tables are held on %s", strings.Join(p.Held, ", "))
		if p.Switching {
			b.WriteString(" (a switch is under way; if no run is, run the workflow again to release or finish it)")
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
