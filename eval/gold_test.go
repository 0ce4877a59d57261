package eval

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadGoldFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("b.jsonl", `{"id":"b1","text":"second file","label":"neutral"}`+"\n")
	write("a.jsonl", `{"id":"a1","text":"first file","label":"threat"}`+"\n\n"+`{"id":"a2","text":"again","label":"denial"}`+"\n")

	rows, err := ReadGoldFiles(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.ID)
	}
	if want := "a1 a2 b1"; strings.Join(got, " ") != want {
		t.Errorf("ids = %q, want %q (file-name order, blank line skipped)", got, want)
	}

	tests := []struct {
		name, pattern, want string
	}{
		{"no match", filepath.Join(dir, "*.csv"), "no files match"},
		{"bad line names the file", filepath.Join(dir, "c.jsonl"), "c.jsonl: gold line 1"},
	}
	write("c.jsonl", "not json\n")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadGoldFiles(tt.pattern)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
