package report

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFiles(t *testing.T) {
	for _, tc := range []struct {
		name    string
		paths   []string
		want    []string // the inputs' names
		wantErr string
	}{
		{"in order", []string{"testdata/bench.json", "testdata/lab.json"}, []string{"bench.json", "lab.json"}, ""},
		{"a missing file", []string{"testdata/lab.json", "testdata/none.json"}, nil, "read results: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var paths []string
			for _, p := range tc.paths {
				paths = append(paths, filepath.FromSlash(p))
			}
			in, err := ReadFiles(paths...)
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want an error starting %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, i := range in {
				names = append(names, i.Name)
			}
			if strings.Join(names, ",") != strings.Join(tc.want, ",") {
				t.Errorf("got inputs %v, want %v", names, tc.want)
			}
		})
	}
}
