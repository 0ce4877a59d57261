package model

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func newTestTokenizer(t testing.TB, kind Tokenizer) splitter {
	t.Helper()
	tok, err := newSplitter(kind)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// bothTokenizers runs f with each implementation of the tokenizer.
func bothTokenizers(t *testing.T, f func(t *testing.T, tok splitter)) {
	t.Helper()
	for _, kind := range []Tokenizer{TokenizerFast, TokenizerSugarme} {
		tok := newTestTokenizer(t, kind)
		t.Run(kind.String(), func(t *testing.T) { f(t, tok) })
	}
}

func TestWords(t *testing.T) {
	bothTokenizers(t, testWords)
}

func testWords(t *testing.T, tok splitter) {
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
			ws, err := tok.words(nil, tt.text)
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
	bothTokenizers(t, func(t *testing.T, tok splitter) {
		_, err := tok.words(nil, "bad \xff byte")
		if !errors.Is(err, ErrInvalidUTF8) {
			t.Fatalf("got %v, want ErrInvalidUTF8", err)
		}
	})
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
		if tok, err := newSugarmeTokenizer(strings.NewReader(def)); err == nil {
			t.Errorf("newSugarmeTokenizer(%q) = %v, want an error", def, tok)
		}
		if tok, err := newFastTokenizer(strings.NewReader(def)); err == nil {
			t.Errorf("newFastTokenizer(%q) = %v, want an error", def, tok)
		}
	}
}

func FuzzWords(f *testing.F) {
	for _, s := range []string{"We will respond.", "Pakistan’s “failed state”", "Ωmega-çx 😁", "a\u200bb", "", "\xff"} {
		f.Add(s)
	}
	toks := []splitter{newTestTokenizer(f, TokenizerFast), newTestTokenizer(f, TokenizerSugarme)}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range toks {
			checkWords(t, tok, s)
		}
	})
}

// checkWords checks that the words of s are in order, inside s, and do not
// split characters.
func checkWords(t *testing.T, tok splitter, s string) {
	t.Helper()
	ws, err := tok.words(nil, s)
	if !utf8.ValidString(s) {
		if !errors.Is(err, ErrInvalidUTF8) {
			t.Fatalf("invalid UTF-8 %q: got %v", s, err)
		}
		return
	}
	if err != nil {
		// Where sugarme's offsets drift (see sugarmeDrift) the sugarme path
		// may fail rather than place words wrongly.
		if _, ok := tok.(*sugarmeTokenizer); ok && sugarmeDrift(s) >= 0 &&
			(errors.Is(err, errTokenizerOffsets) || errors.Is(err, errTokenizerPanic)) {
			return
		}
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
}

func TestFastTokenizerRefusesOtherPipelines(t *testing.T) {
	vocab := `"vocab": {"[UNK]": 0, "a": 1}`
	for _, def := range []string{
		`{"added_tokens": [{"id": 0}], "pre_tokenizer": {"type": "BertPreTokenizer"}, "model": {"type": "WordPiece", ` + vocab + `}}`,
		`{"pre_tokenizer": {"type": "Whitespace"}, "model": {"type": "WordPiece", ` + vocab + `}}`,
		`{"pre_tokenizer": {"type": "BertPreTokenizer"}, "model": {"type": "BPE", ` + vocab + `}}`,
		`{"pre_tokenizer": {"type": "BertPreTokenizer"}, "model": {"type": "WordPiece", "continuing_subword_prefix": "@@", ` + vocab + `}}`,
		`{"normalizer": {"type": "NFC"}, "pre_tokenizer": {"type": "BertPreTokenizer"}, "model": {"type": "WordPiece", ` + vocab + `}}`,
		`{"normalizer": {"type": "Sequence", "normalizers": [{"type": "NFD"}, {"type": "Replace", "pattern": {"String": "x"}, "content": "y"}]}, "pre_tokenizer": {"type": "BertPreTokenizer"}, "model": {"type": "WordPiece", ` + vocab + `}}`,
		`{"normalizer": {"type": "Replace", "pattern": {"String": "xy"}, "content": "y"}, "pre_tokenizer": {"type": "BertPreTokenizer"}, "model": {"type": "WordPiece", ` + vocab + `}}`,
		`{"normalizer": {"type": "Sequence", "normalizers": [{"type": "NFD"}, {"type": "BertNormalizer", "strip_accents": false}]}, "pre_tokenizer": {"type": "BertPreTokenizer"}, "model": {"type": "WordPiece", ` + vocab + `}}`,
	} {
		if _, err := newFastTokenizer(strings.NewReader(def)); !errors.Is(err, errUnsupported) {
			t.Errorf("newFastTokenizer(%s) = %v, want errUnsupported", def, err)
		}
	}
}

func TestParseTokenizer(t *testing.T) {
	for _, tok := range []Tokenizer{TokenizerFast, TokenizerSugarme} {
		got, err := ParseTokenizer(tok.String())
		if err != nil || got != tok {
			t.Errorf("ParseTokenizer(%q) = %v, %v; want %v", tok.String(), got, err, tok)
		}
	}
	if got, err := ParseTokenizer("slow"); err == nil {
		t.Errorf("ParseTokenizer(slow) = %v, want an error", got)
	}
	if m, err := New(WithTokenizer(Tokenizer(7))); err == nil {
		t.Errorf("New(WithTokenizer(7)) = %v, want an error", m)
	}
}

// BenchmarkWords splits the development quotes and their contexts.
func BenchmarkWords(b *testing.B) {
	var texts []string
	for _, in := range devInputs(b) {
		texts = append(texts, in.Text, in.Context)
	}
	fast := newTestTokenizer(b, TokenizerFast).(*fastTokenizer)
	// The floor: lowercase, split on spaces, look each word up.
	b.Run("bare", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for i := range b.N {
			for _, w := range strings.Split(strings.ToLower(texts[i%len(texts)]), " ") {
				if _, ok := fast.vocab[w]; ok {
					n++
				}
			}
		}
		if n == 0 {
			b.Fatal("no word found")
		}
	})
	for _, kind := range []Tokenizer{TokenizerFast, TokenizerSugarme} {
		tok := newTestTokenizer(b, kind)
		b.Run(kind.String(), func(b *testing.B) {
			b.ReportAllocs()
			var ws []word
			for i := range b.N {
				var err error
				if ws, err = tok.words(ws[:0], texts[i%len(texts)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzContextWords checks that tokenizing a context around its quote in
// three parts, when cleanCuts allows it, gives the words of tokenizing it
// whole.
func FuzzContextWords(f *testing.F) {
	for _, s := range [][3]string{
		{"He warned: \"", " We will respond. ", "\" after the attack."},
		{"", "We will respond", ", he said."},
		{"“", "We will respond", "” he said"},
		{"a (", "x\u0301y", ") b"},
		{"said ", "Yes", " \u0301no"},
		{"it was", "we will", "sure"},
		{"he said \u201c", "we will", "\u201d and \u201cno\u201d"},
		{"a\u00a0", "we", "\u00a0b"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	tok := newTestTokenizer(f, TokenizerFast)
	f.Fuzz(func(t *testing.T, before, text, after string) {
		trimmed := strings.TrimSpace(text)
		context := before + trimmed + after
		if trimmed == "" || !utf8.ValidString(context) || !utf8.ValidString(text) {
			return
		}
		qs := len(before)
		textWords, err := tok.words(nil, text)
		if err != nil {
			t.Fatal(err)
		}
		got, quoted, err := contextWords(tok, nil, text, textWords, context, qs, qs+len(trimmed))
		if err != nil {
			t.Fatal(err)
		}
		want, err := tok.words(nil, context)
		if err != nil {
			t.Fatal(err)
		}
		if d := diffWords(context, got, want); d != "" {
			t.Fatalf("cut at [%d:%d] (quoted %d): %s", qs, qs+len(trimmed), quoted, d)
		}
	})
}

// TestSugarmeOffsetsOutOfOrder checks that the sugarme path fails, rather
// than panics, on text after which sugarme's offsets run backwards.
func TestSugarmeOffsetsOutOfOrder(t *testing.T) {
	tok := newTestTokenizer(t, TokenizerSugarme)
	for _, s := range []string{
		"\"\u0085拇\u0085𤡭한\t\fİ\fͧ𤢇,\u0085a𬜃́𩩽",
		"ẞ한aZ ,\u00a0\x7fa\n𩢉,😁“😁a \x7fȺ\vǅ‘한ﬁ́.ZﬁǅZ聲ǅa’İa\u200b.“ 聲ﬁ聲ẞﬁZ“ ",
	} {
		if _, err := tok.words(nil, s); !errors.Is(err, errTokenizerOffsets) && !errors.Is(err, errTokenizerPanic) {
			t.Errorf("words(%q): got %v, want an offset or panic error", s, err)
		}
		if _, err := newTestTokenizer(t, TokenizerFast).words(nil, s); err != nil {
			t.Errorf("fast words(%q): %v", s, err)
		}
	}
}
