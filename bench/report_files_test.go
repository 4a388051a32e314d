package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWriteReport(t *testing.T) {
	res := goldenResult()
	var table, markdown, slapCSV, jsonOut bytes.Buffer
	for _, w := range []struct {
		buf *bytes.Buffer
		fn  func(*bytes.Buffer) error
	}{
		{&table, func(b *bytes.Buffer) error { return WriteTable(b, res) }},
		{&markdown, func(b *bytes.Buffer) error { return WriteMarkdown(b, res) }},
		{&slapCSV, func(b *bytes.Buffer) error { return WriteSlapCSVLoad(b, res, "", LoadWrite) }},
		{&jsonOut, func(b *bytes.Buffer) error { return WriteJSON(b, res) }},
	} {
		if err := w.fn(w.buf); err != nil {
			t.Fatal(err)
		}
	}
	var summary bytes.Buffer
	if err := WriteSlapSummary(&summary, res); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		cfg  ReportConfig
		want string
	}{
		{"table and summary", ReportConfig{}, table.String() + "\n" + summary.String()},
		{"markdown and summary", ReportConfig{Format: FormatMarkdown}, markdown.String() + "\n```text\n" + summary.String() + "```\n"},
		{"other formats as Write", ReportConfig{Format: FormatJSON}, jsonOut.String()},
		{"mysqlslap csv instead", ReportConfig{Format: FormatJSON, SlapCSV: true, LoadType: LoadWrite}, slapCSV.String()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteReport(&b, res, tc.cfg); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tc.want)
			}
		})
	}
	t.Run("files", func(t *testing.T) {
		dir := t.TempDir()
		csvFile, jsonFile := filepath.Join(dir, "slap.csv"), filepath.Join(dir, "out.json")
		if err := os.WriteFile(csvFile, []byte("earlier\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg := ReportConfig{Format: FormatCSV, CSVFile: csvFile, JSONFile: jsonFile}
		var b bytes.Buffer
		if err := WriteReport(&b, res, cfg); err != nil {
			t.Fatal(err)
		}
		var mixed bytes.Buffer
		if err := WriteSlapCSVLoad(&mixed, res, "", LoadMixed); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(csvFile); string(got) != "earlier\n"+mixed.String() {
			t.Errorf("got CSV file %q, want the earlier line, then the lines of load type mixed", got)
		}
		if got, _ := os.ReadFile(jsonFile); string(got) != jsonOut.String() {
			t.Errorf("got JSON file %q, want the JSON report", got)
		}
		err := WriteReport(&b, res, ReportConfig{JSONFile: filepath.Join(csvFile, "under-a-file.json")})
		if err == nil || !strings.HasPrefix(err.Error(), "create --out file: ") {
			t.Errorf("got %v, want a create --out file error", err)
		}
	})
}

func TestWarnings(t *testing.T) {
	res := goldenResult()
	res.Partial = true
	want := []string{"interrupted: the results are partial", "15 of 3000 queries failed at concurrency 10 (see the errors by kind)",
		"  first 1062 ER_DUP_ENTRY: Error 1062: Duplicate entry '7' for key 'PRIMARY'",
		"  first 1290 ER_OPTION_PREVENTS_STATEMENT: Error 1290: The MariaDB server is running with the --read-only option so it cannot execute this statement",
		"  first other: x"}
	if got := res.Warnings(); !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
