package model

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// tokenizerJSON is the tokenizer definition written by internal/gentok:
// BERT's uncased WordPiece vocabulary behind a normalizer that straightens
// curly quotes and strips accents.
//
//go:embed tokenizer.json
var tokenizerJSON []byte

// ErrInvalidUTF8 is returned for text that is not valid UTF-8. The tokenizer
// panics on such text, so it is rejected before it gets there.
var ErrInvalidUTF8 = errors.New("text is not valid UTF-8")

// word is one word of a text as the tokenizer split it: WordPiece pieces
// joined back together, with its byte span in the original text.
type word struct {
	start, end int
	// form is the normalized word: lowercase, accents stripped, curly
	// quotes straightened.
	form string
	// upper reports whether the original word starts with a capital letter,
	// which marks proper nouns (third-person subjects).
	upper bool
}

// splitter splits text into words.
type splitter interface {
	// words appends the words of text to dst (which may be nil). It
	// returns ErrInvalidUTF8 for invalid text.
	words(dst []word, text string) ([]word, error)
}

var (
	_ splitter = (*fastTokenizer)(nil)
	_ splitter = (*sugarmeTokenizer)(nil)
)

// Tokenizer names an implementation of the embedded tokenizer definition.
// Both split every text into the same words; they differ in speed.
type Tokenizer int8

const (
	// TokenizerFast is the definition compiled into one pass over the
	// text, the default.
	TokenizerFast Tokenizer = iota
	// TokenizerSugarme runs the definition with github.com/sugarme/tokenizer,
	// the reference the fast tokenizer is tested against; it is about a
	// hundred times slower.
	TokenizerSugarme
)

var tokenizerNames = [...]string{TokenizerFast: "fast", TokenizerSugarme: "sugarme"}

// String returns the tokenizer's name: "fast" or "sugarme".
func (t Tokenizer) String() string {
	if t < 0 || int(t) >= len(tokenizerNames) {
		return fmt.Sprintf("Tokenizer(%d)", int(t))
	}
	return tokenizerNames[t]
}

// ParseTokenizer returns the tokenizer named s, "fast" or "sugarme".
func ParseTokenizer(s string) (Tokenizer, error) {
	for i, n := range tokenizerNames {
		if n == s {
			return Tokenizer(i), nil
		}
	}
	return 0, fmt.Errorf("unknown tokenizer %q (want fast or sugarme)", s)
}

// WithTokenizer makes New split text with the given implementation of the
// tokenizer definition instead of TokenizerFast.
func WithTokenizer(t Tokenizer) Option {
	return func(o *options) { o.tokenizer = t }
}

// newSplitter builds the embedded tokenizer definition with the given
// implementation.
func newSplitter(t Tokenizer) (splitter, error) {
	switch t {
	case TokenizerFast:
		return newFastTokenizer(bytes.NewReader(tokenizerJSON))
	case TokenizerSugarme:
		return newSugarmeTokenizer(bytes.NewReader(tokenizerJSON))
	}
	return nil, fmt.Errorf("unknown tokenizer %v", t)
}

// dropped reports whether BERT's normalizer removes r.
func dropped(r rune) bool {
	return r == utf8.RuneError || (unicode.In(r, unicode.Cc, unicode.Cf) && !unicode.IsSpace(r))
}

// trimSeparators returns end moved back over the characters that the
// tokenizer drops between words: white space, control and format
// characters and the replacement character.
func trimSeparators(text string, start, end int) int {
	for end > start {
		r, size := utf8.DecodeLastRuneInString(text[start:end])
		if !unicode.IsSpace(r) && !dropped(r) {
			break
		}
		end -= size
	}
	return end
}

// normalizeWord normalizes a word the way the tokenizer's normalizer does,
// for words the vocabulary does not know: curly quotes straightened,
// accents stripped, lowercase.
func normalizeWord(s string) string {
	s = norm.NFD.String(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r), unicode.Is(unicode.Cc, r), unicode.Is(unicode.Cf, r):
			continue
		case r == '\u2018' || r == '\u2019':
			r = '\''
		case r == '\u201c' || r == '\u201d':
			r = '"'
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// contextWords appends the words of context to dst. textWords are the
// words of text, and context[qs:qe] is text with its white space trimmed.
//
// A quote's context usually holds the quote, and where the quote meets the
// rest of the context at clean cuts (see cleanCuts), tokenizing the
// context in three parts gives the words of tokenizing it whole. Then the
// text's words are reused, shifted, and only the rest of the context is
// tokenized; quoted reports where in the result they are (-1 when the
// context was tokenized whole).
func contextWords(tok splitter, dst []word, text string, textWords []word, context string, qs, qe int) (ws []word, quoted int, err error) {
	if qe <= qs || !cleanCuts(text, context, qs, qe) {
		ws, err = tok.words(dst, context)
		return ws, -1, err
	}
	if ws, err = tok.words(dst, context[:qs]); err != nil {
		return ws, -1, err
	}
	quoted = len(ws)
	shift := qs - (len(text) - len(strings.TrimLeft(text, asciiSpace)))
	for _, w := range textWords {
		w.start += shift
		w.end += shift
		ws = append(ws, w)
	}
	after := len(ws)
	if ws, err = tok.words(ws, context[qe:]); err != nil {
		return ws, -1, err
	}
	for i := range ws[after:] {
		ws[after+i].start += qe
		ws[after+i].end += qe
	}
	return ws, quoted, nil
}

// asciiSpace is the white space cleanCuts allows around a quote.
const asciiSpace = " \t\n\r"

// cleanCuts reports whether the tokenizer, reading context, would be
// between words at qs and at qe, whatever lies on the other side, so that
// context[:qs], context[qs:qe] and context[qe:] can be tokenized apart: the
// quote is text less ASCII white space, begins and ends with printable
// ASCII (a letter, digit or punctuation, each of which a word starts or
// ends with), and has ASCII white space or punctuation (curly quotes too)
// on either side, followed after qe by white space only up to printable
// ASCII. (A combining mark there, which is neither white space nor a word,
// would belong to the quote's last word.) FuzzContextWords holds the
// embedded tokenizer definition to it.
func cleanCuts(text, context string, qs, qe int) bool {
	trimmed := strings.Trim(text, asciiSpace)
	if len(trimmed) != qe-qs || !printable(context[qs]) || !printable(context[qe-1]) {
		return false
	}
	if qs > 0 {
		if r, _ := utf8.DecodeLastRuneInString(context[:qs]); !space(context[qs-1]) && !isPunct(r) {
			return false
		}
	}
	if qe == len(context) {
		return true
	}
	if r, _ := utf8.DecodeRuneInString(context[qe:]); isPunct(r) {
		return true
	}
	if !space(context[qe]) {
		return false
	}
	rest := strings.TrimLeft(context[qe:], asciiSpace)
	return rest == "" || printable(rest[0])
}

// printable reports whether b is printable ASCII other than a space.
func printable(b byte) bool { return b > ' ' && b < 0x7f }

// space reports whether b is ASCII white space that ends a word.
func space(b byte) bool { return strings.IndexByte(asciiSpace, b) >= 0 }

// isPunct reports whether r is punctuation, a word of its own: ASCII
// symbols and Unicode punctuation, such as curly quotes.
func isPunct(r rune) bool {
	if r < utf8.RuneSelf {
		return printable(byte(r)) && !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	}
	return unicode.IsPunct(r)
}
