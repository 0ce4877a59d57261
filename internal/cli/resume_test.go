package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	stancev1 "github.com/stancehq/stance/proto/stance/v1"
)

func TestOpenResumed(t *testing.T) {
	tests := []struct {
		name     string
		content  string // "" with noFile: no file at all
		noFile   bool
		wantDone []string
		wantLast string
		wantTorn int
		wantErr  string
	}{
		{name: "no file", noFile: true},
		{name: "empty", content: ""},
		{name: "whole lines", content: `{"id":"a","text":"x"}` + "\n" + `{"id":"b"}` + "\n", wantDone: []string{"a", "b"}, wantLast: "b"},
		{name: "torn last line", content: `{"id":"a"}` + "\n" + `{"id":"b","te`, wantDone: []string{"a"}, wantLast: "a", wantTorn: 13},
		{name: "only a torn line", content: `{"id":"a"`, wantTorn: 9},
		{name: "blank lines", content: "\n" + `{"id":"a"}` + "\n\n", wantDone: []string{"a"}, wantLast: "a"},
		{name: "id twice", content: `{"id":"a"}` + "\n" + `{"id":"b"}` + "\n" + `{"id":"a"}` + "\n", wantErr: "out.jsonl:3: cannot resume: the record of line 1 again"},
		{name: "no id", content: `{"id":"a"}` + "\n" + `{"text":"b"}` + "\n", wantErr: `out.jsonl:2: cannot resume: no "id"`},
		{name: "not JSON", content: "label,text\n", wantErr: "out.jsonl:1: cannot resume: not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.jsonl")
			if !tt.noFile {
				if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			r, err := OpenResumed(path, ClassifyKey)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("OpenResumed = %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer r.File.Close()
			if len(r.Done) != len(tt.wantDone) || r.Records != len(tt.wantDone) || r.Last != tt.wantLast || r.Torn != tt.wantTorn {
				t.Errorf("resumed %d records %v, last %q, torn %d; want %q, last %q, torn %d", r.Records, r.Done, r.Last, r.Torn, tt.wantDone, tt.wantLast, tt.wantTorn)
			}
			for _, id := range tt.wantDone {
				if !r.Done[id] {
					t.Errorf("%q not done", id)
				}
			}
			// What is written next comes right after the whole lines.
			if _, err := r.File.WriteString("NEXT\n"); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(path)
			whole := tt.content[:len(tt.content)-tt.wantTorn]
			if string(got) != whole+"NEXT\n" {
				t.Errorf("file after a write = %q, want %q", got, whole+"NEXT\n")
			}
		})
	}
}

// TestClassifyResume stops a run at many points, as a kill would, with
// the output cut anywhere, even inside a line, and resumes it: the output
// must end up the same as that of a run never stopped, every line once.
func TestClassifyResume(t *testing.T) {
	var in strings.Builder
	for i := range 60 {
		fmt.Fprintf(&in, `{"id":"q%02d","text":"line %d: we warn and deny"}`+"\n", i, i)
	}
	var full bytes.Buffer
	if err := Classify(t.Context(), &keywordClassifier{}, strings.NewReader(in.String()), &full, &bytes.Buffer{}, ClassifyOptions{Chunk: 7}); err != nil {
		t.Fatal(err)
	}
	for cut := 0; cut <= full.Len(); cut += 97 {
		t.Run(fmt.Sprint("cut at ", cut), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.jsonl")
			if err := os.WriteFile(path, full.Bytes()[:cut], 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := OpenResumed(path, ClassifyKey)
			if err != nil {
				t.Fatal(err)
			}
			k := &keywordClassifier{}
			var errs bytes.Buffer
			err = Classify(t.Context(), k, strings.NewReader(in.String()), r.File, &errs, ClassifyOptions{Chunk: 7, Done: r.Done})
			if cerr := r.File.Close(); err == nil {
				err = cerr
			}
			if err != nil || errs.Len() > 0 {
				t.Fatalf("resumed Classify = %v, stderr %q", err, errs.String())
			}
			got, _ := os.ReadFile(path)
			if !bytes.Equal(got, full.Bytes()) {
				t.Errorf("resumed output differs from the full run's:\n%s\nwant:\n%s", got, full.Bytes())
			}
			sent := 0
			for _, b := range k.batches {
				sent += len(b)
			}
			if want := 60 - r.Records; sent != want {
				t.Errorf("resumed run sent %d quotes, want the %d not written", sent, want)
			}
		})
	}
}

func TestClassifyResumeNeedsIDs(t *testing.T) {
	in := strings.Join([]string{
		`{"id":"a","text":"one"}`,
		`{"text":"no id"}`,
		`{"id":"b","text":"two"}`,
		`{"id":"a","text":"a again"}`,
		`{"id":"","text":"empty id"}`,
		`{"id":"done","text":"written before"}`,
	}, "\n")
	var out, errs bytes.Buffer
	err := Classify(t.Context(), &keywordClassifier{}, strings.NewReader(in), &out, &errs, ClassifyOptions{Name: "in", Done: map[string]bool{"done": true}})
	if err == nil || !strings.HasSuffix(err.Error(), "invalid lines skipped: 3") {
		t.Errorf("error %v, want 3 lines skipped", err)
	}
	for _, want := range []string{`in:2: no "id"`, `in:4: id "a" repeats line 1`, `in:5: no "id"`} {
		if !strings.Contains(errs.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs.String())
		}
	}
	var ids []string
	for _, m := range decodeLines(t, out.String()) {
		ids = append(ids, m["id"].(string))
	}
	if strings.Join(ids, ",") != "a,b" {
		t.Errorf("wrote ids %q, want a and b", ids)
	}
}

// docClassifier finds a quote at each "<" and the ">" after it and labels
// it by keyword, and records the articles it is given. It is safe for
// concurrent use.
type docClassifier struct {
	mu    sync.Mutex
	calls []string
}

func (d *docClassifier) ClassifyDocument(_ context.Context, text string) ([]*stancev1.DocumentQuote, error) {
	d.mu.Lock()
	d.calls = append(d.calls, text)
	d.mu.Unlock()
	var out []*stancev1.DocumentQuote
	for off := 0; ; {
		i := strings.IndexByte(text[off:], '<')
		if i < 0 {
			return out, nil
		}
		start := off + i + 1
		j := strings.IndexByte(text[start:], '>')
		if j < 0 {
			return out, nil
		}
		end := start + j
		k := &keywordClassifier{}
		rs, _ := k.ClassifyAll(context.Background(), []*stancev1.Quote{{Text: text[start:end]}})
		out = append(out, &stancev1.DocumentQuote{Start: int32(start), End: int32(end), Text: text[start:end], Result: rs[0]})
		off = end + 1
	}
}

func TestStreamJSONLResume(t *testing.T) {
	dir := t.TempDir()
	texts := map[string]string{
		"a.txt": "He said <we warn them> and <we deny it>.",
		"b.txt": "No quotes here.",
		"c.txt": "<one> <two warn> <three>",
		"d.txt": "Then <we deny> it all.",
	}
	for name, text := range texts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	articles, err := FindArticles([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var full bytes.Buffer
	sum, err := StreamJSONL(t.Context(), &docClassifier{}, articles, &full, nil, CorpusOptions{})
	if err != nil || sum.Total() != 6 {
		t.Fatalf("StreamJSONL = %d rows, %v; want 6 rows", sum.Total(), err)
	}
	for cut := 0; cut <= full.Len(); cut += 23 {
		t.Run(fmt.Sprint("cut at ", cut), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.jsonl")
			if err := os.WriteFile(path, full.Bytes()[:cut], 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := OpenResumed(path, CorpusKey)
			if err != nil {
				t.Fatal(err)
			}
			d := &docClassifier{}
			sum, err := StreamJSONL(t.Context(), d, articles, r.File, r, CorpusOptions{Concurrency: 3})
			if cerr := r.File.Close(); err == nil {
				err = cerr
			}
			if err != nil || sum.Total() != 6-r.Records {
				t.Fatalf("resumed StreamJSONL = %d rows, %v; want the %d rows not written", sum.Total(), err, 6-r.Records)
			}
			got, _ := os.ReadFile(path)
			if !bytes.Equal(got, full.Bytes()) {
				t.Errorf("resumed output differs from the full run's:\n%s\nwant:\n%s", got, full.Bytes())
			}
			// Articles with rows written are not classified again, but
			// for the last one.
			for _, text := range d.calls {
				for _, a := range articles {
					if texts[a.Doc] == text && r.Done[rowKey(a.Doc, strings.IndexByte(text, '<')+1, strings.IndexByte(text, '>'))] && keyDoc(r.Last) != a.Doc {
						t.Errorf("%s classified again, though written in full before %s", a.Doc, keyDoc(r.Last))
					}
				}
			}
		})
	}
}
