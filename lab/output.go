package lab

import (
	"context"
	"io"
)

// Output says how RunAndWrite shows the results of a run, as scalelab lab
// and scalelab demo do.
type Output struct {
	// W gets each experiment as soon as it finishes, written in Format;
	// with FormatJSON, it gets the whole Report instead, once every lab
	// has finished. Nil: nothing is written.
	W      io.Writer
	Format Format
	// File, if set, gets the Report as JSON (WriteJSONFile) once at least
	// one lab has finished, also when a later one failed.
	File string
	// Done, if set, is called with each finished experiment before it is
	// written.
	Done func(*Experiment)
}

// RunAndWrite runs the named labs as RunAll does and writes their results
// as out says. The labs run on after a write to W fails. It returns the
// Report of the labs that finished, and the labs' error, else the file's,
// else W's.
func RunAndWrite(ctx context.Context, names []string, cfg Config, out Output) (*Report, error) {
	var werr error
	rep, err := RunAll(ctx, names, cfg, func(e *Experiment) {
		if out.Done != nil {
			out.Done(e)
		}
		if out.W != nil && out.Format != FormatJSON && werr == nil {
			werr = Write(out.W, out.Format, e)
		}
	})
	if out.File != "" && len(rep.Experiments) > 0 {
		if ferr := WriteJSONFile(out.File, rep); ferr != nil && err == nil {
			err = ferr
		}
	}
	if out.W != nil && out.Format == FormatJSON && err == nil {
		werr = WriteJSON(out.W, rep)
	}
	if err != nil {
		return rep, err
	}
	return rep, werr
}
