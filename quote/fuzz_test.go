package quote

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzExtract checks the promises Extract makes on any input: no panic,
// every span inside the text, Text equal to text[Start:End], spans and
// contexts in order and never overlapping, context around its quote, and
// a Cue exactly when there is a Speaker.
func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		"",
		`"`,
		"“",
		`He said "no." "Yes," she said.`,
		"“Open\n“Again,” he said.",
		"‘rock ’n’ roll’ in the ’90s, officials’ remarks",
		"'It's', 'Jones' car', 'we'd'",
		"“nested ‘single “double” ’ ”",
		"\xff“\xfe”\x80",
		"A, B, C said “x”, according to",
	} {
		f.Add(s)
	}
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.txt"))
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	f.Fuzz(func(t *testing.T, text string) {
		qs := Extract(text)
		checkQuotes(t, text, qs)
	})
}

// checkQuotes fails t if qs break a promise of Extract.
func checkQuotes(t *testing.T, text string, qs []Quote) {
	t.Helper()
	end := 0
	for i, q := range qs {
		if q.Start < end || q.Start > q.End || q.End > len(text) {
			t.Fatalf("quote %d span [%d:%d] out of order or outside text (len %d, previous end %d)", i, q.Start, q.End, len(text), end)
		}
		if q.Text != text[q.Start:q.End] {
			t.Fatalf("quote %d Text %q != text[%d:%d] %q", i, q.Text, q.Start, q.End, text[q.Start:q.End])
		}
		if q.ContextStart < 0 || q.ContextStart >= q.Start || q.ContextEnd < q.End || q.ContextEnd > len(text) {
			t.Fatalf("quote %d context [%d:%d] does not surround its marks [%d:%d]", i, q.ContextStart, q.ContextEnd, q.Start, q.End)
		}
		if (q.Speaker == "") != (q.Cue == "") {
			t.Fatalf("quote %d speaker %q with cue %q", i, q.Speaker, q.Cue)
		}
		if q.Kind != Full && q.Kind != Partial {
			t.Fatalf("quote %d kind %d", i, q.Kind)
		}
		end = q.End
	}
}

// BenchmarkExtract measures Extract on the development corpus.
func BenchmarkExtract(b *testing.B) {
	paths, _ := filepath.Glob(filepath.Join("..", "testdata", "corpus", "*.txt"))
	var docs []string
	n := 0
	for _, p := range paths {
		if s, err := os.ReadFile(p); err == nil {
			docs = append(docs, string(s))
			n += len(s)
		}
	}
	if len(docs) == 0 {
		b.Skip("no corpus")
	}
	b.SetBytes(int64(n))
	for b.Loop() {
		for _, d := range docs {
			Extract(d)
		}
	}
}
