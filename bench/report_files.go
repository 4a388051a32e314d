package bench

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// ReportConfig says how WriteReport reports a Result, as scalelab bench's
// --format, --csv and --out do.
type ReportConfig struct {
	// Format is the report written to w. FormatTable and FormatMarkdown are
	// followed by mysqlslap's "Benchmark" summary (in Markdown, as a text
	// block). Empty means FormatTable.
	Format Format
	// SlapCSV writes mysqlslap's CSV lines to w instead of the report.
	SlapCSV bool
	// CSVFile, if set, is a file that mysqlslap's CSV lines are appended
	// to; it is created if missing.
	CSVFile string
	// JSONFile, if set, is a file that the JSON report (WriteJSON) is
	// written to, replacing it.
	JSONFile string
	// LoadType is the load type that the CSV lines name. Empty means
	// LoadMixed, mysqlslap's name for a workload given as queries.
	LoadType LoadType
}

// WriteReport writes r to w as cfg says, then to cfg's files. It returns
// the first error of w or of a file.
func WriteReport(w io.Writer, r *Result, cfg ReportConfig) error {
	if cfg.LoadType == "" {
		cfg.LoadType = LoadMixed
	}
	var err error
	switch f := cfg.Format; {
	case cfg.SlapCSV:
		err = WriteSlapCSVLoad(w, r, "", cfg.LoadType)
	case f == FormatTable || f == "":
		if err = WriteTable(w, r); err == nil {
			_, err = fmt.Fprintln(w)
		}
		if err == nil {
			err = WriteSlapSummary(w, r)
		}
	case f == FormatMarkdown:
		if err = WriteMarkdown(w, r); err == nil {
			_, err = fmt.Fprint(w, "\n```text\n")
		}
		if err == nil {
			err = WriteSlapSummary(w, r)
		}
		if err == nil {
			_, err = fmt.Fprint(w, "```\n")
		}
	default:
		err = Write(w, f, r)
	}
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if cfg.CSVFile != "" {
		f, err := os.OpenFile(cfg.CSVFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("open --csv file: %w", err)
		}
		if err := closing(f, cfg.CSVFile, WriteSlapCSVLoad(f, r, "", cfg.LoadType)); err != nil {
			return err
		}
	}
	if cfg.JSONFile != "" {
		f, err := os.Create(cfg.JSONFile)
		if err != nil {
			return fmt.Errorf("create --out file: %w", err)
		}
		if err := closing(f, cfg.JSONFile, WriteJSON(f, r)); err != nil {
			return err
		}
	}
	return nil
}

// closing closes f after a write to it that returned err, and returns the
// write's error or else the close's.
func closing(f *os.File, path string, err error) error {
	if err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// Warnings are the lines to show the user after r's report: that it is
// partial, and each concurrency level's failed queries.
func (r *Result) Warnings() []string {
	var out []string
	if r.Partial {
		out = append(out, "interrupted: the results are partial")
	}
	for _, l := range r.Levels {
		if l.Total.Errors > 0 {
			out = append(out, fmt.Sprintf("%d of %d queries failed at concurrency %d (see the errors by kind)",
				l.Total.Errors, l.Total.Errors+l.Total.Count, l.Concurrency))
			out = append(out, firstErrors(&l.Total)...)
		}
		if n := lostNote(&l.Total); n != "" {
			out = append(out, fmt.Sprintf("concurrency %d: %s", l.Concurrency, n))
		}
	}
	return out
}

// lostNote says how many connections s lost and got back, or "" if none
// was lost.
func lostNote(s *Stats) string {
	if s.LostConnections == 0 && s.Reconnects == 0 {
		return ""
	}
	n := fmt.Sprintf("%d connection(s) lost mid-run, %d reconnected", s.LostConnections, s.Reconnects)
	if stopped := s.LostConnections - s.Reconnects; stopped > 0 {
		n += fmt.Sprintf(", %d client(s) stopped", stopped)
	}
	return n
}

// ErrTooManyErrors is returned (wrapped) by CheckErrors when more queries
// failed than the run allows.
var ErrTooManyErrors = errors.New("bench: too many failed queries")

// CheckErrors returns an error wrapping ErrTooManyErrors when the share of
// failed queries over the whole run is above maxRate (0 allows none, as
// mysqlslap, which stops at the first failure; 1 allows all). It names the
// errors by kind, most frequent first.
func (r *Result) CheckErrors(maxRate float64) error {
	var failed, total int64
	kinds := map[string]int64{}
	for _, l := range r.Levels {
		failed += l.Total.Errors
		total += l.Total.Errors + l.Total.Count
		for k, n := range l.Total.ErrorsByKind {
			kinds[k] += n
		}
	}
	if failed == 0 || float64(failed) <= maxRate*float64(total) {
		return nil
	}
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		return kinds[names[i]] > kinds[names[j]] || kinds[names[i]] == kinds[names[j]] && names[i] < names[j]
	})
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = fmt.Sprintf("%s × %d", k, kinds[k])
	}
	return fmt.Errorf("%w: %d of %d failed (%.1f%%, more than --max-error-rate %g): %s",
		ErrTooManyErrors, failed, total, 100*float64(failed)/float64(total), maxRate, strings.Join(parts, ", "))
}
