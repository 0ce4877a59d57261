package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stancehq/stance/model"
)

// summaryRows are rows of speakers that tie on totals, a speaker written
// two ways, and quotes without a speaker, which go last.
var summaryRows = []Row{
	{Speaker: "Khawaja Asif", Label: model.Threat},
	{Speaker: "Khawaja  Asif\n", Label: model.Accusation},
	{Speaker: "", Label: model.Neutral},
	{Speaker: "", Label: model.Neutral},
	{Speaker: "", Label: model.Denial},
	{Speaker: "Zabihullah Mujahid", Label: model.Conciliation},
	{Speaker: "Ministry of Foreign Affairs", Label: model.Denial},
	{Speaker: "Khawaja Asif", Label: model.Threat},
}

func TestSummaryWrite(t *testing.T) {
	var b bytes.Buffer
	if err := SummarizeRows(summaryRows).Write(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary.golden", b.Bytes())
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	tests := []struct {
		line int
		want string
	}{
		{1, "Khawaja Asif  "},      // most quoted first, two spellings as one
		{2, "Ministry of Foreign"}, // then by name
		{4, Unattributed},          // without a speaker last, though it has more
		{5, "total "},              // and the totals
	}
	for _, tt := range tests {
		if !strings.HasPrefix(lines[tt.line], tt.want) {
			t.Errorf("line %d = %q, want it to start with %q", tt.line, lines[tt.line], tt.want)
		}
	}
	if f := strings.Fields(lines[5]); strings.Join(f, " ") != "total 1 2 2 1 2 8" {
		t.Errorf("totals = %q, want 1 2 2 1 2 8", f)
	}
}

func TestSummaryEmpty(t *testing.T) {
	var b bytes.Buffer
	if err := NewSummary().Write(&b); err != nil {
		t.Fatal(err)
	}
	if got := strings.Fields(strings.Split(b.String(), "\n")[1]); strings.Join(got, " ") != "total 0 0 0 0 0 0" {
		t.Errorf("empty summary's totals = %q, want zeros:\n%s", got, b.String())
	}
}

func TestSummaryMerge(t *testing.T) {
	a, b := SummarizeRows(summaryRows[:3]), SummarizeRows(summaryRows[3:])
	a.Merge(b)
	a.Merge(nil)
	var got, want bytes.Buffer
	if err := a.Write(&got); err != nil {
		t.Fatal(err)
	}
	if err := SummarizeRows(summaryRows).Write(&want); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("merged halves:\n%s\nwant the whole:\n%s", got.String(), want.String())
	}
	if a.Total() != len(summaryRows) {
		t.Errorf("Total = %d, want %d", a.Total(), len(summaryRows))
	}
}

// TestSummingKey resumes a corpus file: the kept rows are counted, with
// CorpusKey's keys, and a row with a label the command would not write is
// refused.
func TestSummingKey(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSONL(&b, fixedRows); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "out.jsonl")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := NewSummary()
	r, err := OpenResumed(path, summingKey(sum))
	if err != nil {
		t.Fatal(err)
	}
	r.File.Close()
	if !r.Done[rowKey("sub/b.txt", 5, 20)] || r.Records != len(fixedRows) {
		t.Errorf("resumed %d records %v, want the keys of the %d rows", r.Records, r.Done, len(fixedRows))
	}
	var got, want bytes.Buffer
	if err := sum.Write(&got); err != nil {
		t.Fatal(err)
	}
	if err := SummarizeRows(fixedRows).Write(&want); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("summary of the kept rows:\n%s\nwant:\n%s", got.String(), want.String())
	}

	bad := strings.Replace(b.String(), `"label":"threat"`, `"label":"rant"`, 1)
	if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenResumed(path, summingKey(NewSummary())); err == nil || !strings.Contains(err.Error(), "out.jsonl:1: cannot resume") {
		t.Errorf("OpenResumed of a row labelled rant = %v, want line 1 refused", err)
	}
}
