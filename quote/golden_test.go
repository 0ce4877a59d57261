package quote

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "update golden files")

// TestGolden runs Extract over the articles in testdata and compares the
// result with the .golden file next to each, in the manner of go/printer's
// golden tests; run with -update to rewrite the golden files after a
// change that is meant. The articles were written for these tests in the
// style of wire copy; the people in them are invented.
func TestGolden(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 12 {
		t.Fatalf("found %d test articles, want at least 12", len(paths))
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			text := string(src)
			got := format(text, extract(t, text))
			golden := strings.TrimSuffix(path, ".txt") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s:\n%s", path, golden, lineDiff(string(got), string(want)))
			}
		})
	}
}

// format prints quotes one block each: span, kind, cue, speaker and the
// reference as written, then the text and the context.
func format(text string, qs []Quote) []byte {
	var b bytes.Buffer
	for _, q := range qs {
		fmt.Fprintf(&b, "[%d:%d] %s %s speaker=%q mention=%q\n", q.Start, q.End, q.Kind, cueOrNone(q.Cue), q.Speaker, q.Mention)
		fmt.Fprintf(&b, "\ttext:    %s\n", q.Text)
		fmt.Fprintf(&b, "\tcontext: %s\n", text[q.ContextStart:q.ContextEnd])
	}
	return b.Bytes()
}

func cueOrNone(c string) string {
	if c == "" {
		return "-"
	}
	return c
}

// lineDiff lists the lines of got and want that differ, by line number.
func lineDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	var b strings.Builder
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			fmt.Fprintf(&b, "line %d:\n\tgot:  %s\n\twant: %s\n", i+1, gl, wl)
		}
	}
	return b.String()
}
