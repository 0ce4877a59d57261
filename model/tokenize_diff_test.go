package model

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// devInputs reads the development quotes: text, speaker and context.
func devInputs(t testing.TB) []Input {
	t.Helper()
	files, err := filepath.Glob("../testdata/dev/*.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no development quotes (%v)", err)
	}
	var ins []Input
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var q struct{ Text, Speaker, Context string }
			if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			ins = append(ins, Input{Text: q.Text, Speaker: q.Speaker, Context: q.Context})
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return ins
}

// tokenizerTexts returns the texts the two tokenizers are compared on: the
// development quotes and their contexts, the corpus articles paragraph by
// paragraph, and the words of every lexicon term.
func tokenizerTexts(t testing.TB) []string {
	t.Helper()
	var texts []string
	for _, in := range devInputs(t) {
		texts = append(texts, in.Text, in.Context)
	}
	articles, err := filepath.Glob("../testdata/corpus/*.txt")
	if err != nil || len(articles) == 0 {
		t.Fatalf("no corpus articles (%v)", err)
	}
	for _, name := range articles {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, strings.Split(string(b), "\n\n")...)
	}
	lex, err := ParseLexicon(strings.NewReader(string(defaultLexicon)), "lexicon.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range lex.Entries {
		texts = append(texts, e.Term)
	}
	for _, terms := range lex.Terms {
		texts = append(texts, terms...)
	}
	return texts
}

// diffWords describes how got differs from want, or returns "".
func diffWords(text string, got, want []word) string {
	if len(got) == 0 && len(want) == 0 || reflect.DeepEqual(got, want) {
		return ""
	}
	show := func(ws []word) string {
		var b strings.Builder
		for _, w := range ws {
			fmt.Fprintf(&b, "  [%d:%d] %q form %q upper %v\n", w.start, w.end, text[w.start:w.end], w.form, w.upper)
		}
		return b.String()
	}
	return fmt.Sprintf("words(%q):\nfast:\n%ssugarme:\n%s", text, show(got), show(want))
}

func TestFastMatchesSugarme(t *testing.T) {
	fast := newTestTokenizer(t, TokenizerFast)
	ref := newTestTokenizer(t, TokenizerSugarme)
	for _, text := range tokenizerTexts(t) {
		if sugarmeDrift(text) >= 0 {
			t.Errorf("%q holds a character sugarme mishandles; the comparison would be partial", text)
		}
		checkSameWords(t, fast, ref, text)
	}
	for _, text := range trickyTexts {
		checkSameWords(t, fast, ref, text)
	}
}

// trickyTexts exercise the corners of the normalizer and pre-tokenizer.
var trickyTexts = []string{
	"",
	" ",
	"We will respond.",
	"Pakistan’s “failed state” ‘quoted’",
	"Café Türkiye naïve NAÏVE Ωmega-çx",
	"cafe\u0301 e\u0301\u0301 \u0301a a \u0301b",
	"x 😁 y 中国 a中b",
	"a\u200b \tb\x00c\x7fd\ufffde",
	"a\vb\fc d\u0085e",
	"\vب!",
	"어日本聲킉",
	"a\u00a0b \u00a0 c\u2009d\u3000e\u2028f",
	"İstanbul ẞ Ⱥ K Å",
	"한국어 日本語 ひらがな",
	"a ㅠ 가 ᅡ ￒ",
	"unaffable unaffablex qqqqqqqq",
	strings.Repeat("a", 100) + " " + strings.Repeat("a", 101) + " " + strings.Repeat("é", 101),
	"U.S. Mr. 3.5 1,000 $5 #tag @user e-mail",
	"«guillemets» ¿qué? ¡sí! — – … ·",
}

// sugarmeDrift returns the byte offset in text of the first character
// around which sugarme/tokenizer's offsets are known to go wrong, or -1.
// Its alignment tables lose track of the original text at
//
//   - a combining mark (category Mn) written as a character of its own,
//     rather than produced by decomposing a precomposed letter, which the
//     normalizer strips,
//   - a character whose lowercase (after NFD) is longer or shorter in UTF-8
//     ("ẞ" to "ß", "Ⱥ" to "ⱥ"), because it lowercases the normalized text
//     without updating them,
//   - a CJK ideograph that opens the text (the space the normalizer inserts
//     before it, at offset 0, is misaligned),
//   - U+0085 (NEL) that opens the text, or follows only \v and \f: the only
//     control character that the sugarme path leaves to the normalizer (it
//     is white space to Go) and that is longer than a byte, and a run of
//     removed characters at the start of the text is misaligned by bytes
//     rather than characters,
//   - any character longer than a byte in a text that opens with \v or \f,
//     for the same misalignment: "\vب!" loses the word "ب",
//   - a Hangul syllable after a CJK ideograph: NFD lengthens the syllable
//     into jamo, which the normalizer keeps, and with the spaces it puts
//     around ideographs the offsets of a word that ends the text overrun
//     it ("日本聲킉" makes the form "킉ᅴᆨ"), and
//   - \v or \f anywhere after a CJK ideograph: the ideograph's word may
//     take the form of the word after it ("a日0\f" makes the form "0" at
//     日, while "a日0 " and "a日0" are right); found by the fuzz target.
//   - a Hangul medial vowel or final consonant jamo (U+1161-U+1175,
//     U+11A8-U+11C2, or a compatibility or halfwidth letter whose NFKD
//     form starts with one, such as ㅠ and ￒ) anywhere but the start:
//     sugarme joins it to the character before, as if composing a
//     syllable, so "a ㅠ" makes the word " ㅠ" from byte 1, and after a
//     removed control or format character ("\u200bￒ") it reports
//     offsets out of order; found by the fuzz target.
//
// From the word before the one holding such a character on, sugarme
// reports word starts that drift from the text, splits or loses words and
// makes forms of the wrong bytes, or panics, which the sugarme path reports
// as an error or retries with the marks blanked. The fast tokenizer keeps
// every offset exact there; the words before are the same in both.
func sugarmeDrift(text string) int {
	var buf []byte
	opening := true // only \v and \f so far
	removedFirst := strings.HasPrefix(text, "\v") || strings.HasPrefix(text, "\f")
	ideograph := false // a CJK ideograph so far
	firstIdeograph := -1
	for i, r := range text {
		if ideograph && (r == '\v' || r == '\f') {
			return firstIdeograph
		}
		if firstIdeograph < 0 && isChinese(r) {
			firstIdeograph = i
		}
		if unicode.Is(unicode.Mn, r) || r == '\u0085' && opening || removedFirst && r >= utf8.RuneSelf {
			return i
		}
		if ideograph && r >= 0xAC00 && r <= 0xD7A3 { // Hangul syllables
			return i
		}
		if i > 0 && hangulJoins(r) {
			return i
		}
		ideograph = ideograph || isChinese(r)
		opening = opening && (r == '\v' || r == '\f')
		buf = norm.NFD.AppendString(buf[:0], string(r))
		for _, c := range string(buf) {
			if utf8.RuneLen(unicode.ToLower(c)) != utf8.RuneLen(c) || i == 0 && isChinese(c) {
				return i
			}
		}
	}
	return -1
}

// hangulJoins reports whether r is, or decomposes to begin with, a Hangul
// jamo that composes with the syllable before it: a medial vowel or a
// final consonant.
func hangulJoins(r rune) bool {
	d, _ := utf8.DecodeRune(norm.NFKD.Bytes(utf8.AppendRune(nil, r)))
	return d >= 0x1161 && d <= 0x1175 || d >= 0x11A8 && d <= 0x11C2
}

// checkSameWords fails when the fast tokenizer's words differ from the
// sugarme path's, except after a character where sugarme is known to drift
// (see sugarmeDrift), where only the words before it must agree.
func checkSameWords(t *testing.T, fast, ref splitter, text string) {
	t.Helper()
	got, gerr := fast.words(nil, text)
	want, werr := ref.words(nil, text)
	if !utf8.ValidString(text) {
		if !errors.Is(gerr, ErrInvalidUTF8) || !errors.Is(werr, ErrInvalidUTF8) {
			t.Fatalf("words(%q): fast error %v, sugarme error %v, want ErrInvalidUTF8", text, gerr, werr)
		}
		return
	}
	drift := sugarmeDrift(text)
	if drift < 0 {
		if (gerr == nil) != (werr == nil) {
			t.Fatalf("words(%q): fast error %v, sugarme error %v", text, gerr, werr)
		}
		if d := diffWords(text, got, want); d != "" {
			t.Fatal(d)
		}
		return
	}
	if gerr != nil {
		t.Fatalf("words(%q): %v", text, gerr)
	}
	// The words that agree are those before the word that precedes the
	// one holding the drift.
	n := 0
	for n+2 < len(got) && got[n+2].start <= drift {
		n++
	}
	if werr != nil || len(want) < n {
		return // sugarme panicked or lost words at the drift
	}
	if d := diffWords(text, got[:n], want[:n]); d != "" {
		t.Fatalf("before the drift at %d: %s", drift, d)
	}
}

func FuzzFastMatchesSugarme(f *testing.F) {
	for _, s := range trickyTexts {
		f.Add(s)
	}
	fast := newTestTokenizer(f, TokenizerFast)
	ref := newTestTokenizer(f, TokenizerSugarme)
	f.Fuzz(func(t *testing.T, s string) {
		checkSameWords(t, fast, ref, s)
	})
}

// TestClassifySameWithBothTokenizers classifies every development quote with
// each tokenizer: the results must be identical, evidence spans included.
func TestClassifySameWithBothTokenizers(t *testing.T) {
	fast, err := New(WithTokenizer(TokenizerFast))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := New(WithTokenizer(TokenizerSugarme))
	if err != nil {
		t.Fatal(err)
	}
	for i, in := range devInputs(t) {
		got, gerr := fast.Classify(in)
		want, werr := ref.Classify(in)
		if gerr != nil || werr != nil {
			t.Fatalf("quote %d %q: fast error %v, sugarme error %v", i, in.Text, gerr, werr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("quote %d %q:\nfast    %+v\nsugarme %+v", i, in.Text, got, want)
		}
	}
}
