// Package progress shows the progress of long commands on a terminal's
// stderr, and stays quiet elsewhere, so that pipes and logs get only what
// they asked for: a live line of queries done and their rate (Counter, for
// bench), a bar per table (Bars, for bulk loads), and lines stamped with
// the time since the start (Log, for up, lab and demo).
//
// Example:
//
//	log := progress.NewLog(os.Stderr)
//	log.Printf("starting %d servers", n) // [  0.0s] starting 4 servers
package progress
