package model

import (
	"reflect"
	"testing"
)

// checkASCIIWords checks that asciiWords, when it takes text, gives the
// words of generalWords, and that words always does; it returns whether
// asciiWords took the text.
func checkASCIIWords(t *testing.T, tok *fastTokenizer, text string) bool {
	t.Helper()
	want, werr := tok.generalWords(nil, text)
	got, ok := tok.asciiWords(make([]word, 0, 4), text)
	if ok && (werr != nil || !sameWords(got, want)) {
		t.Fatalf("asciiWords(%q)\n got %+v\nwant %+v (%v)", text, got, want, werr)
	}
	// words hands the text on when asciiWords does not take it, and
	// keeps the words already in dst.
	prefix := []word{{start: 7, end: 9, form: "x"}}
	all, err := tok.words(prefix, text)
	if (err == nil) != (werr == nil) || err == nil && !sameWords(all[1:], want) || len(all) > 0 && all[0] != prefix[0] {
		t.Fatalf("words(%q)\n got %+v, %v\nwant %+v, %v", text, all, err, want, werr)
	}
	return ok
}

// sameWords reports whether a and b hold the same words; nil and empty are
// alike.
func sameWords(a, b []word) bool {
	return len(a) == 0 && len(b) == 0 || reflect.DeepEqual(a, b)
}

func newFastTestTokenizer(t testing.TB) *fastTokenizer {
	t.Helper()
	tok, ok := newTestTokenizer(t, TokenizerFast).(*fastTokenizer)
	if !ok {
		t.Fatal("TokenizerFast is not a *fastTokenizer")
	}
	return tok
}

func TestASCIIWords(t *testing.T) {
	tok := newFastTestTokenizer(t)
	tests := []struct {
		text string
		fast bool // whether asciiWords takes it
	}{
		{"", true},
		{"   \t\r\n", true},
		{"We will respond.", true},
		{"U.S. forces, in Kabul (Afghanistan) -- 1,200 troops?!", true},
		{"iPhone NATO McDonald's x", true},
		{"ALL CAPS AND lower", true},
		{"don't", true},
		{"a\x00b\x1fc\x7fd", true}, // control characters end words
		{"Pakistan’s “failed state” — a–b…", true},
		{"’’“”", true},
		{"a\vb", false}, // \v and \f are removed inside a word
		{"a\fb", false},
		{"Café", false},
		{"x 😁 y", false},
		{"a\u200bb", false},
		{"ends in é", false},
		{"\xff", false},
		{"ok then \xe2\x80", false},
	}
	for _, tt := range tests {
		if got := checkASCIIWords(t, tok, tt.text); got != tt.fast {
			t.Errorf("asciiWords(%q) took it: %v, want %v", tt.text, got, tt.fast)
		}
	}
	// A quote with more capitalized words and bytes than asciiWords keeps
	// on its stack.
	long := ""
	for range 40 {
		long += "Prime Minister SAID: "
	}
	if !checkASCIIWords(t, tok, long) {
		t.Errorf("asciiWords did not take %q", long)
	}
}

// TestASCIIWordsCurlyQuotes checks that the embedded definition's curly
// quotes are among the characters asciiWords handles.
func TestASCIIWordsCurlyQuotes(t *testing.T) {
	tok := newFastTestTokenizer(t)
	for _, r := range "‘’“”" {
		found := false
		for _, a := range tok.alone {
			found = found || a.r == r
		}
		if !found {
			t.Errorf("%q is not in alone (%+v)", r, tok.alone)
		}
	}
}

// FuzzASCIIWords holds asciiWords to generalWords: where it takes a text,
// the words must be the same.
func FuzzASCIIWords(f *testing.F) {
	for _, s := range []string{"We will respond.", "Pakistan’s “failed state”", "a\vb", "iPhone x", "a\x00B", "Ωmega", "\xe2\x80\x9c"} {
		f.Add(s)
	}
	tok := newFastTestTokenizer(f)
	f.Fuzz(func(t *testing.T, s string) {
		checkASCIIWords(t, tok, s)
	})
}
