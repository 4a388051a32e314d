package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/scalelab/scalelab/bench"
	"io"
	"os"
	"path/filepath"

	"github.com/scalelab/scalelab/lab"
)

// Input is one result file to render: exactly one of Lab and Bench is set.
type Input struct {
	// Name says where the input came from (a file's base name); headings
	// and chart legends show it.
	Name  string
	Lab   *lab.Report
	Bench *BenchResult
}

// BenchResult is the JSON that `scalelab bench --format json` and `--out`
// write (bench.WriteJSON): latencies in milliseconds, wall time in seconds.
type BenchResult = bench.JSONResult

// BenchLevel is one concurrency level of a BenchResult.
type BenchLevel = bench.JSONLevel

// BenchStats are the statistics of one iteration, or of a level's total.
type BenchStats = bench.JSONStats

// ReadFile reads and decodes the result file at path (see Decode); the
// Input is named after the file's base name.
func ReadFile(path string) (Input, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Input{}, fmt.Errorf("read results: %w", err)
	}
	in, err := Decode(filepath.Base(path), data)
	if err != nil {
		return Input{}, fmt.Errorf("%s: %w", path, err)
	}
	return in, nil
}

// ReadFiles reads the result files at paths, in order (see ReadFile), and
// stops at the first error.
func ReadFiles(paths ...string) ([]Input, error) {
	inputs := make([]Input, 0, len(paths))
	for _, p := range paths {
		in, err := ReadFile(p)
		if err != nil {
			return nil, err
		}
		inputs = append(inputs, in)
	}
	return inputs, nil
}

// Decode decodes one JSON document, telling the kind by its content: an
// object with "experiments" is a lab report, one with "levels" is bench
// results. It returns an error wrapping ErrUnknownInput for anything else
// (including more than one document), and ErrNewerVersion for a lab report
// whose version is above lab.ReportVersion.
func Decode(name string, data []byte) (Input, error) {
	var keys map[string]json.RawMessage
	if err := decodeOne(data, &keys); err != nil {
		return Input{}, fmt.Errorf("%w: %v: expected the JSON of `scalelab lab --out` or `scalelab bench --format json`", ErrUnknownInput, err)
	}
	in := Input{Name: name}
	switch {
	case keys["experiments"] != nil:
		var r lab.Report
		if err := decodeOne(data, &r); err != nil {
			return Input{}, fmt.Errorf("decode lab report: %w", err)
		}
		if r.Version > lab.ReportVersion {
			return Input{}, fmt.Errorf("%w: version %d, this scalelab reads up to %d: upgrade scalelab", ErrNewerVersion, r.Version, lab.ReportVersion)
		}
		in.Lab = &r
	case keys["levels"] != nil:
		var r BenchResult
		if err := decodeOne(data, &r); err != nil {
			return Input{}, fmt.Errorf("decode bench results: %w", err)
		}
		in.Bench = &r
	default:
		return Input{}, fmt.Errorf("%w: a JSON object without \"experiments\" (lab report) or \"levels\" (bench results)", ErrUnknownInput)
	}
	return in, nil
}

// decodeOne decodes data into v and fails if anything but white space
// follows the first JSON value.
func decodeOne(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("empty file")
		}
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("more than one JSON value")
	}
	return nil
}
