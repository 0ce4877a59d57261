package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stancehq/stance/model"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update to accept it):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// fixedRows are hand-made rows with what is awkward to print: long text,
// line breaks and tabs, commas and quotation marks, non-ASCII letters, no
// speaker.
var fixedRows = []Row{
	{Doc: "a.txt", Start: 10, End: 31, Text: "We will respond, hard.", Speaker: "Khawaja Asif", Label: model.Threat,
		Scores: Scores{0.1, 0.05, 0.7, 0.05, 0.1}},
	{Doc: "a.txt", Start: 80, End: 203, Text: "The so-called \"evidence\" is fabricated\nand the allegations\tare baseless; we reject every one of them without reservation.",
		Speaker: "", Label: model.Denial, Scores: Scores{0.125, 0.5, 0.125, 0.125, 0.125}},
	{Doc: "sub/b.txt", Start: 5, End: 20, Text: "Dialogue — élan", Speaker: "Zabihullah Mujahid, spokesman for the Taliban government", Label: model.Conciliation,
		Scores: Scores{0, 0, 0, 1, 0}},
	{Doc: "sub/b.txt", Start: 30, End: 40, Text: "a <b> & c", Speaker: "Khawaja Asif", Label: model.Neutral,
		Scores: Scores{0.2, 0.2, 0.2, 0.2, 0.2}},
}

func TestWriteTable(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTable(&b, fixedRows); err != nil {
		t.Fatal(err)
	}
	golden(t, "table.golden", b.Bytes())
	// Every row stays on one line: header, rows, blank line, counts.
	lines := strings.Split(b.String(), "\n")
	if got := lines[1+len(fixedRows)]; got != "" {
		t.Errorf("line after the rows = %q, want blank (a quote spilled over lines?)", got)
	}
}

func TestWriteJSONL(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSONL(&b, fixedRows); err != nil {
		t.Fatal(err)
	}
	golden(t, "rows.jsonl.golden", b.Bytes())
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != len(fixedRows) {
		t.Fatalf("%d lines, want %d", len(lines), len(fixedRows))
	}
	for i, line := range lines {
		var got struct {
			Doc        string
			Start, End int
			Text       string
			Speaker    string
			Label      string
			Scores     map[string]float64
		}
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		r := fixedRows[i]
		if got.Doc != r.Doc || got.Start != r.Start || got.End != r.End || got.Text != r.Text || got.Speaker != r.Speaker || got.Label != r.Label.String() {
			t.Errorf("line %d = %+v, want %+v", i+1, got, r)
		}
		for _, l := range model.Labels() {
			if p, ok := got.Scores[l.String()]; !ok || p != r.Scores[l] {
				t.Errorf("line %d: score of %s = %v (present %v), want %v", i+1, l, p, ok, r.Scores[l])
			}
		}
	}
}

func TestWriteCSV(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, fixedRows); err != nil {
		t.Fatal(err)
	}
	golden(t, "rows.csv.golden", b.Bytes())
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"doc", "start", "end", "text", "speaker", "label", "score_accusation", "score_denial", "score_threat", "score_conciliation", "score_neutral"}
	if strings.Join(recs[0], ",") != strings.Join(want, ",") {
		t.Errorf("header = %q, want %q", recs[0], want)
	}
	if len(recs) != len(fixedRows)+1 {
		t.Fatalf("%d records, want %d", len(recs), len(fixedRows)+1)
	}
	for i, rec := range recs[1:] {
		r := fixedRows[i]
		if rec[0] != r.Doc || rec[1] != strconv.Itoa(r.Start) || rec[3] != r.Text || rec[4] != r.Speaker || rec[5] != r.Label.String() {
			t.Errorf("record %d = %q, want %+v", i+1, rec, r)
		}
		for j, l := range model.Labels() {
			if p, err := strconv.ParseFloat(rec[6+j], 64); err != nil || p != r.Scores[l] {
				t.Errorf("record %d: score_%s = %q, want %v", i+1, l, rec[6+j], r.Scores[l])
			}
		}
	}
}

func TestOneLine(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"eleven char", 10, "eleven ch…"},
		{"a\nb\tc  d", 0, "a b c d"},
		{"  padded  ", 0, "padded"},
		{"ééééééé", 4, "ééé…"},
		{"", 5, ""},
	}
	for _, tt := range tests {
		if got := oneLine(tt.in, tt.width); got != tt.want {
			t.Errorf("oneLine(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}

func TestFindArticles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.txt", "a.txt", "notes.md", "sub/c.txt", "sub/deeper/a.txt", "a.txt.bak"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	empty := t.TempDir()
	tests := []struct {
		name  string
		paths []string
		want  []string // docs
		err   bool
	}{
		{"directory", []string{dir}, []string{"a.txt", "b.txt", "sub/c.txt", "sub/deeper/a.txt"}, false},
		{"file by base name", []string{filepath.Join(dir, "sub", "c.txt")}, []string{"c.txt"}, false},
		{"file and directory in the order given", []string{filepath.Join(dir, "b.txt"), filepath.Join(dir, "sub")}, []string{"b.txt", "c.txt", "deeper/a.txt"}, false},
		{"missing", []string{filepath.Join(dir, "nope")}, nil, true},
		{"no articles", []string{empty}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arts, err := FindArticles(tt.paths)
			if (err != nil) != tt.err {
				t.Fatalf("error %v, want error: %v", err, tt.err)
			}
			var got []string
			for _, a := range arts {
				got = append(got, a.Doc)
				if _, err := os.Stat(a.Path); err != nil {
					t.Errorf("article %q: %v", a.Doc, err)
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("docs = %q, want %q", got, tt.want)
			}
		})
	}
}
