package progress

import (
	"fmt"
	"io"
	"time"
)

// Log writes progress lines stamped with the time since it was made:
// "[  1.5s] starting 4 servers". It writes to a terminal and elsewhere
// alike: each line is a finished step worth keeping in a log.
type Log struct {
	w     io.Writer
	start time.Time
	now   func() time.Time
}

// NewLog returns a Log that writes to w, its clock starting now.
func NewLog(w io.Writer) *Log { return &Log{w: w, start: time.Now(), now: time.Now} }

// Printf writes one stamped line; a newline is added.
func (l *Log) Printf(format string, args ...any) {
	fmt.Fprintf(l.w, "[%5.1fs] %s\n", l.Elapsed().Seconds(), fmt.Sprintf(format, args...))
}

// Line writes line, stamped; it suits progress callbacks of lines.
func (l *Log) Line(line string) { l.Printf("%s", line) }

// Elapsed is the time since the Log was made.
func (l *Log) Elapsed() time.Duration { return l.now().Sub(l.start) }
