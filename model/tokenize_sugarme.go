package model

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sugarme/tokenizer"
	"github.com/sugarme/tokenizer/pretrained"
)

// sugarmeTokenizer splits text into words with github.com/sugarme/tokenizer,
// guarding against its faults.
type sugarmeTokenizer struct {
	tk *tokenizer.Tokenizer
}

// newSugarmeTokenizer builds the tokenizer from a tokenizer.json definition.
// sugarme/tokenizer panics on malformed definitions (it type-asserts JSON
// fields without checking), so the panic is turned into an error here.
func newSugarmeTokenizer(def io.Reader) (t *sugarmeTokenizer, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed tokenizer definition: %v", r)
		}
	}()
	tk, err := pretrained.FromReader(def)
	if err != nil {
		return nil, fmt.Errorf("loading tokenizer definition: %w", err)
	}
	if tk.GetModel() == nil {
		return nil, errors.New("malformed tokenizer definition: no model")
	}
	return &sugarmeTokenizer{tk: tk}, nil
}

// words appends the words of text to dst. It returns ErrInvalidUTF8 for
// invalid text.
func (t *sugarmeTokenizer) words(dst []word, text string) ([]word, error) {
	ws, err := t.split(text)
	return append(dst, ws...), err
}

// split splits text into words.
func (t *sugarmeTokenizer) split(text string) ([]word, error) {
	if !utf8.ValidString(text) {
		return nil, ErrInvalidUTF8
	}
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	// The normalizer drops control and format characters, and the offsets
	// of the words after them come out wrong; blanking them with spaces of
	// the same byte length keeps every offset aligned with the original.
	enc, err := t.encode(blankControls(text))
	if errors.Is(err, errTokenizerPanic) {
		// sugarme/tokenizer's offset alignment panics on some runs of
		// combining marks (an "é" followed by U+0301). Retry with the
		// combining marks blanked: the words around them survive, and the
		// same input always takes the same path.
		enc, err = t.encode(blankMarks(blankControls(text)))
	}
	if err != nil {
		return nil, fmt.Errorf("tokenizing: %w", err)
	}
	toks, offs, ids := enc.GetTokens(), enc.GetOffsets(), enc.GetWords()
	var ws []word
	var unknown []bool
	var form strings.Builder
	for i, tok := range toks {
		if i == 0 || ids[i] != ids[i-1] {
			if len(ws) > 0 {
				ws[len(ws)-1].form = form.String()
				form.Reset()
			}
			ws = append(ws, word{start: offs[i][0]})
			unknown = append(unknown, false)
		}
		if tok == "[UNK]" {
			unknown[len(ws)-1] = true
		}
		form.WriteString(strings.TrimPrefix(tok, "##"))
	}
	if len(ws) > 0 {
		ws[len(ws)-1].form = form.String()
	}
	// After some characters sugarme's offsets drift (see sugarmeDrift in
	// tokenize_diff_test.go), sometimes out of order or into the middle
	// of a character; such words cannot be placed in the text.
	for i, w := range ws {
		if w.start < 0 || w.start > len(text) || i > 0 && w.start < ws[i-1].start ||
			w.start < len(text) && !utf8.RuneStart(text[w.start]) {
			return nil, fmt.Errorf("tokenizing: %w", errTokenizerOffsets)
		}
	}
	// WordPiece reports end offsets in runes rather than bytes inside words
	// with multi-byte characters, so a word's end is derived from where the
	// next word starts (or the text ends), less the separators between.
	for i := range ws {
		end := len(text)
		if i+1 < len(ws) {
			end = ws[i+1].start
		}
		w := &ws[i]
		w.end = trimSeparators(text, w.start, end)
		r, _ := utf8.DecodeRuneInString(text[w.start:])
		w.upper = unicode.IsUpper(r)
		if unknown[i] {
			w.form = normalizeWord(text[w.start:w.end])
		}
	}
	// Drop words that are nothing but separators the tokenizer kept (some
	// Unicode spaces).
	kept := ws[:0]
	for _, w := range ws {
		if w.end > w.start {
			kept = append(kept, w)
		}
	}
	return kept, nil
}

// errTokenizerOffsets reports word offsets from sugarme/tokenizer that do
// not fit the text.
var errTokenizerOffsets = errors.New("tokenizer gave offsets outside the text or out of order")

// errTokenizerPanic reports a panic inside sugarme/tokenizer.
var errTokenizerPanic = errors.New("tokenizer panicked")

// encode runs the tokenizer, turning its panics into errTokenizerPanic.
func (t *sugarmeTokenizer) encode(text string) (enc *tokenizer.Encoding, err error) {
	defer func() {
		if r := recover(); r != nil {
			enc, err = nil, fmt.Errorf("%w: %v", errTokenizerPanic, r)
		}
	}()
	return t.tk.EncodeSingle(text, false)
}

// blankMarks replaces each combining mark with spaces of its byte length.
func blankMarks(text string) string {
	b := []byte(text)
	for i, r := range text {
		if unicode.Is(unicode.Mn, r) {
			for k := range utf8.RuneLen(r) {
				b[i+k] = ' '
			}
		}
	}
	return string(b)
}

// blankControls replaces each control or format character (other than
// white space) and each U+FFFD with as many spaces as it has bytes.
func blankControls(text string) string {
	i := strings.IndexFunc(text, dropped)
	if i < 0 {
		return text
	}
	b := []byte(text)
	for j, r := range text[i:] {
		if dropped(r) {
			for k := range utf8.RuneLen(r) {
				b[i+j+k] = ' '
			}
		}
	}
	return string(b)
}
