package bench

import (
	"fmt"
	"io"
)

// WriteSlapSummary writes, for each concurrency level, mysqlslap's summary
// block, byte for byte in its format: times are seconds truncated to the
// millisecond, the average is the integer mean of the iterations'
// milliseconds, and queries per client is an integer.
func WriteSlapSummary(w io.Writer, r *Result) error {
	for _, l := range r.Levels {
		c := slapConclusions(&l)
		_, err := fmt.Fprintf(w, "Benchmark\n"+
			"\tAverage number of seconds to run all queries: %s seconds\n"+
			"\tMinimum number of seconds to run all queries: %s seconds\n"+
			"\tMaximum number of seconds to run all queries: %s seconds\n"+
			"\tNumber of clients running queries: %d\n"+
			"\tAverage number of queries per client: %d\n\n",
			slapSeconds(c.avg), slapSeconds(c.min), slapSeconds(c.max), l.Concurrency, c.perClient)
		if err != nil {
			return err
		}
	}
	return nil
}

// WriteSlapCSV writes one line per concurrency level in the form of
// mysqlslap --csv: engine (empty), load type ("mixed", mysqlslap's default),
// average, minimum and maximum seconds, clients, and queries per client. It
// writes no header, as mysqlslap does not.
func WriteSlapCSV(w io.Writer, r *Result) error {
	return WriteSlapCSVLoad(w, r, "", LoadMixed)
}

// WriteSlapCSVLoad is WriteSlapCSV with the engine and load type columns
// given, as mysqlslap fills them from --engine and
// --auto-generate-sql-load-type.
func WriteSlapCSVLoad(w io.Writer, r *Result, engine string, load LoadType) error {
	for _, l := range r.Levels {
		c := slapConclusions(&l)
		if _, err := fmt.Fprintf(w, "%s,%s,%s,%s,%s,%d,%d\n", engine, load,
			slapSeconds(c.avg), slapSeconds(c.min), slapSeconds(c.max), l.Concurrency, c.perClient); err != nil {
			return err
		}
	}
	return nil
}

// slapConclusion is mysqlslap's struct conclusions: times in whole
// milliseconds.
type slapConclusion struct {
	avg, min, max int64
	perClient     int64
}

func slapConclusions(l *Level) slapConclusion {
	var c slapConclusion
	var queries int64
	for i, s := range l.Iterations {
		t := s.Wall.Milliseconds()
		if i == 0 || t < c.min {
			c.min = t
		}
		c.max = max(c.max, t)
		c.avg += t
		queries += s.Count + s.Errors
	}
	if n := int64(len(l.Iterations)); n > 0 {
		c.avg /= n
		c.perClient = queries / n / int64(max(l.Concurrency, 1))
	}
	return c
}

func slapSeconds(ms int64) string {
	return fmt.Sprintf("%d.%03d", ms/1000, ms%1000)
}
