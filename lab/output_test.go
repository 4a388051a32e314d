package lab

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/scalelab/scalelab/topology"
)

// TestRunAndWriteWithoutLabs checks what is written when no lab finishes:
// no file, and JSON only after a run without error.
func TestRunAndWriteWithoutLabs(t *testing.T) {
	topo, err := topology.Parse([]byte("name: t\nflavor: mariadb\nuser: {name: app, password: p}\nreplication: {name: repl, password: r}\nshards:\n  - name: \"0\"\n    primary: 127.0.0.1:1\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		labs     []string
		format   Format
		wantErr  error
		wantJSON bool
	}{
		{"json of no labs", nil, FormatJSON, nil, true},
		{"table of no labs", nil, FormatTable, nil, false},
		{"unknown lab", []string{"sharding"}, FormatJSON, ErrUnknownLab, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var w bytes.Buffer
			file := filepath.Join(t.TempDir(), "results.json")
			rep, err := RunAndWrite(context.Background(), tc.labs, Config{Topology: topo}, Output{W: &w, Format: tc.format, File: file})
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("got error %v, want %v", err, tc.wantErr)
			}
			if rep == nil {
				t.Fatal("got no Report")
			}
			if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("got file %s (%v), want none without a finished lab", file, err)
			}
			var back Report
			gotJSON := json.Unmarshal(w.Bytes(), &back) == nil
			if gotJSON != tc.wantJSON {
				t.Errorf("got JSON %v (%q), want %v", gotJSON, w.String(), tc.wantJSON)
			}
			if gotJSON && (back.Version != ReportVersion || back.Topology != "t") {
				t.Errorf("got report %+v, want version %d of topology t", back, ReportVersion)
			}
		})
	}
}

func TestWriteJSONFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.json")
	rep := &Report{Version: ReportVersion, Experiments: []Experiment{{Name: "index", Verdict: "v"}}}
	if err := WriteJSONFile(path, rep); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := WriteJSON(&want, rep); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, want.Bytes()) {
		t.Errorf("got file\n%s\nwant\n%s", b, want.Bytes())
	}
	if err := WriteJSONFile(filepath.Join(path, "under-a-file.json"), rep); err == nil {
		t.Error("got no error writing under a file, want one")
	}
}
