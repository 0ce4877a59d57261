package model

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func newTestTokenizer(t testing.TB) *wordTokenizer {
	t.Helper()
	tok, err := newDefaultTokenizer()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestWords(t *testing.T) {
	tok := newTestTokenizer(t)
	tests := []struct {
		name string
		text string
		want []string // form@original-bytes
	}{
		{"plain", "We will respond.", []string{"we@We", "will@will", "respond@respond", ".@."}},
		{"curly apostrophe", "Pakistan’s demand", []string{"pakistan@Pakistan", "'@’", "s@s", "demand@demand"}},
		{"curly quotes", "a “failed state”", []string{"a@a", `"@“`, "failed@failed", "state@state", `"@”`}},
		{"accents stripped", "Café Türkiye", []string{"cafe@Café", "turkiye@Türkiye"}},
		{"pieces joined", "Zabihullah said", []string{"zabihullah@Zabihullah", "said@said"}},
		{"unknown multibyte", "x 😁 y", []string{"x@x", "😁@😁", "y@y"}},
		{"multibyte pieces", "Ωmega-çx end", []string{"ωmega@Ωmega", "-@-", "cx@çx", "end@end"}},
		{"contraction", "don't", []string{"don@don", "'@'", "t@t"}},
		{"control chars between", "a\u200b \tb", []string{"a@a", "b@b"}},
		{"blank", " \n\t ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws, err := tok.words(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, w := range ws {
				got = append(got, w.form+"@"+tt.text[w.start:w.end])
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("words(%q)\n got %q\nwant %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestWordsInvalidUTF8(t *testing.T) {
	tok := newTestTokenizer(t)
	_, err := tok.words("bad \xff byte")
	if !errors.Is(err, ErrInvalidUTF8) {
		t.Fatalf("got %v, want ErrInvalidUTF8", err)
	}
}

func TestMalformedTokenizerDefinition(t *testing.T) {
	for _, def := range []string{
		``,
		`{`,
		`{}`,
		`{"model": {}}`,
		`{"model": {"type": "WordPiece"}}`,
		`{"model": {"type": "WordPiece", "vocab": {"a": 0}}, "normalizer": {}}`,
		`{"model": {"type": "WordPiece", "vocab": {"a": 0}}, "pre_tokenizer": {"type": 7}}`,
	} {
		tok, err := newWordTokenizer(strings.NewReader(def))
		if err == nil {
			t.Errorf("newWordTokenizer(%q) = %v, want an error", def, tok)
		}
	}
}

func FuzzWords(f *testing.F) {
	for _, s := range []string{"We will respond.", "Pakistan’s “failed state”", "Ωmega-çx 😁", "a\u200bb", "", "\xff"} {
		f.Add(s)
	}
	tok := newTestTokenizer(f)
	f.Fuzz(func(t *testing.T, s string) {
		ws, err := tok.words(s)
		if !utf8.ValidString(s) {
			if !errors.Is(err, ErrInvalidUTF8) {
				t.Fatalf("invalid UTF-8 %q: got %v", s, err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		prev := 0
		for _, w := range ws {
			if w.start < prev || w.end <= w.start || w.end > len(s) {
				t.Fatalf("word %+v out of order or outside %q", w, s)
			}
			if !utf8.ValidString(s[w.start:w.end]) {
				t.Fatalf("word %+v splits a character of %q", w, s)
			}
			prev = w.end
		}
	})
}
