package main

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stancehq/stance/eval"
)

func TestWords(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"", nil},
		{"We reject it.", []string{"we", "reject", "it", "we reject", "reject it"}},
		{"Why now?!", []string{"why", "now", "?", "!", "why now", "now ?", "? !"}},
		{"Don't — Kyiv’s 2 drones", []string{"don", "t", "kyiv", "s", "2", "drones", "don t", "t kyiv", "kyiv s", "s 2", "2 drones"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := words(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("words(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func FuzzWords(f *testing.F) {
	f.Add("We reject it.")
	f.Add("Why now?!")
	f.Add("\xff\xfe a")
	f.Fuzz(func(t *testing.T, text string) {
		for _, w := range words(text) {
			if w == "" || strings.Contains(w, "  ") {
				t.Fatalf("words(%q) holds %q", text, w)
			}
			if utf8.ValidString(text) && w != strings.ToLower(w) {
				t.Fatalf("words(%q) holds %q, not lower case", text, w)
			}
		}
	})
}

func TestBagOfWordsLearnsItsFittingQuotes(t *testing.T) {
	var rows []eval.Gold
	for i, r := range fourOfEach() {
		rows = append(rows, eval.Gold{ID: string(rune('a' + i)), Text: r[0], Label: r[1]})
	}
	b, err := fitBagOfWords(rows)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := score(b, rows, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Confusion.Accuracy(); got != 1 {
		t.Errorf("accuracy on its fitting quotes = %.3f, want 1", got)
	}
	if _, ok := b.vocab["baseless"]; !ok {
		t.Errorf("vocabulary lacks %q, seen in 4 quotes", "baseless")
	}
}

func TestControlReportsEverySet(t *testing.T) {
	dir := t.TempDir()
	writeRows(t, filepath.Join(dir, "dev.jsonl"), fourOfEach())
	writeRows(t, filepath.Join(dir, "test.jsonl"), fourOfEach()[:5])
	writeRows(t, filepath.Join(dir, "gold.jsonl"), fourOfEach()[5:10])
	var stdout, stderr bytes.Buffer
	args := []string{
		"-data", filepath.Join(dir, "dev.jsonl"),
		"-test", filepath.Join(dir, "test.jsonl"),
		"-gold", filepath.Join(dir, "gold.jsonl"),
		"-lexicon", "../../model/testdata/small.lex",
		"-layer", "",
		"-holdout", "0.5",
		"-control",
	}
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	_, table, ok := strings.Cut(stdout.String(), "== control:")
	if !ok {
		t.Fatalf("no control section in\n%s", stdout.String())
	}
	for _, want := range []string{"test.jsonl", "gold.jsonl"} {
		if !strings.Contains(table, want) {
			t.Errorf("control section does not name %s:\n%s", want, table)
		}
	}
}
