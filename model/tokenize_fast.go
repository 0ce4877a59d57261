package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// fastTokenizer is the tokenizer definition compiled into one pass over
// the text: it does exactly what sugarme/tokenizer does with the same
// tokenizer.json, and then what sugarmeTokenizer.words does with the
// result, without building sugarme's alignment tables (hundreds of
// allocations a word). TestFastMatchesSugarme and FuzzFastMatchesSugarme
// hold the two to the same words and byte spans.
//
// It supports the pipeline the embedded definition uses and refuses any
// other: Replace normalizers of one character by a string, then NFD, then
// BERT's normalizer; BERT's pre-tokenizer; a WordPiece model.
type fastTokenizer struct {
	// replace maps a character to its replacement (the Replace
	// normalizers, applied before NFD).
	replace map[rune]string
	nfd     bool
	// BERT normalizer options.
	clean, chinese, lower, strip bool
	// vocab holds the pieces that may start a word, cont those that may
	// continue one (without their "##"). The values are the keys, so that
	// a word the vocabulary knows whole gets its form without allocating.
	vocab, cont map[string]string
	// maxPiece is the length in bytes of the longest piece.
	maxPiece int
	// maxChars is the longest word, in characters, that WordPiece splits;
	// longer ones are unknown.
	maxChars int
}

// tokenizerDef is the part of a tokenizer.json that fastTokenizer reads.
type tokenizerDef struct {
	AddedTokens  []json.RawMessage `json:"added_tokens"`
	Normalizer   *normalizerDef    `json:"normalizer"`
	PreTokenizer *struct {
		Type string `json:"type"`
	} `json:"pre_tokenizer"`
	Model struct {
		Type     string         `json:"type"`
		Unk      string         `json:"unk_token"`
		Prefix   *string        `json:"continuing_subword_prefix"`
		MaxChars *int           `json:"max_input_chars_per_word"`
		Vocab    map[string]int `json:"vocab"`
	} `json:"model"`
}

type normalizerDef struct {
	Type        string          `json:"type"`
	Normalizers []normalizerDef `json:"normalizers"`
	Pattern     struct {
		String *string `json:"String"`
	} `json:"pattern"`
	Content            string `json:"content"`
	CleanText          bool   `json:"clean_text"`
	HandleChineseChars bool   `json:"handle_chinese_chars"`
	StripAccents       bool   `json:"strip_accents"`
	Lowercase          bool   `json:"lowercase"`
}

// errUnsupported marks a tokenizer definition that the fast tokenizer
// cannot compile; sugarme's tokenizer may still load it.
var errUnsupported = errors.New("not supported by the fast tokenizer")

// newFastTokenizer compiles a tokenizer.json definition.
func newFastTokenizer(def io.Reader) (*fastTokenizer, error) {
	var d tokenizerDef
	if err := json.NewDecoder(def).Decode(&d); err != nil {
		return nil, fmt.Errorf("malformed tokenizer definition: %w", err)
	}
	t := &fastTokenizer{replace: map[rune]string{}, maxChars: 100}
	if len(d.AddedTokens) > 0 {
		return nil, fmt.Errorf("%w: added tokens", errUnsupported)
	}
	if err := t.compileNormalizer(d.Normalizer); err != nil {
		return nil, err
	}
	if d.PreTokenizer == nil || d.PreTokenizer.Type != "BertPreTokenizer" {
		return nil, fmt.Errorf("%w: pre-tokenizer other than BertPreTokenizer", errUnsupported)
	}
	m := d.Model
	if m.Type != "WordPiece" {
		return nil, fmt.Errorf("%w: model %q (want WordPiece)", errUnsupported, m.Type)
	}
	// sugarme ignores continuing_subword_prefix and always uses "##"; any
	// other prefix would make the two tokenizers disagree.
	if m.Prefix != nil && *m.Prefix != "##" {
		return nil, fmt.Errorf("%w: continuing_subword_prefix %q (want ##)", errUnsupported, *m.Prefix)
	}
	if m.MaxChars != nil {
		t.maxChars = *m.MaxChars
	}
	if m.Unk == "" {
		m.Unk = "[UNK]"
	}
	if _, ok := m.Vocab[m.Unk]; !ok {
		return nil, fmt.Errorf("malformed tokenizer definition: unknown-word token %q is not in the vocabulary", m.Unk)
	}
	t.vocab = make(map[string]string, len(m.Vocab))
	t.cont = make(map[string]string, len(m.Vocab)/4)
	for piece := range m.Vocab {
		if rest, ok := strings.CutPrefix(piece, "##"); ok && rest != "" {
			t.cont[rest] = rest
		}
		t.vocab[piece] = piece
		t.maxPiece = max(t.maxPiece, len(piece))
	}
	return t, nil
}

// compileNormalizer reads the normalizer: Replace steps, NFD, then BERT's
// normalizer, each optional but in that order.
func (t *fastTokenizer) compileNormalizer(n *normalizerDef) error {
	if n == nil {
		return nil
	}
	steps := []normalizerDef{*n}
	if n.Type == "Sequence" {
		steps = n.Normalizers
	}
	const (
		replacing = iota
		decomposed
		bert
	)
	stage := replacing
	for _, s := range steps {
		switch {
		case s.Type == "Replace" && stage == replacing:
			p := s.Pattern.String
			if p == nil || utf8.RuneCountInString(*p) != 1 {
				return fmt.Errorf("%w: Replace of anything but one character", errUnsupported)
			}
			r, _ := utf8.DecodeRuneInString(*p)
			if _, dup := t.replace[r]; dup {
				return fmt.Errorf("%w: two Replace steps for %q", errUnsupported, r)
			}
			t.replace[r] = s.Content
		case s.Type == "NFD" && stage < decomposed:
			t.nfd, stage = true, decomposed
		case s.Type == "BertNormalizer" && stage < bert:
			t.clean, t.chinese, t.strip, t.lower = s.CleanText, s.HandleChineseChars, s.StripAccents, s.Lowercase
			stage = bert
		default:
			return fmt.Errorf("%w: normalizer %q here (want Replace steps, NFD, BertNormalizer, in that order)", errUnsupported, s.Type)
		}
	}
	if t.nfd && !t.strip {
		return fmt.Errorf("%w: NFD without strip_accents", errUnsupported)
	}
	return nil
}

// What a character of the normalized text does to the words.
const (
	charWord   = iota // part of a word
	charSpace         // ends a word
	charAlone         // a word by itself: punctuation, CJK ideographs
	charDelete        // removed; does not end a word
)

// asciiClass classifies the ASCII characters as the normalizer and the
// pre-tokenizer see them. Control characters other than white space are
// blanked by the sugarme path (see blankControls), so they end words;
// \v and \f are white space to Go but control characters to BERT, which
// removes them.
var asciiClass = func() (c [utf8.RuneSelf]uint8) {
	for b := range c {
		switch r := rune(b); {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			c[b] = charSpace
		case r == '\v' || r == '\f':
			c[b] = charDelete
		case r < ' ' || r == 0x7f:
			c[b] = charSpace
		case isBertPunct(r):
			c[b] = charAlone
		}
	}
	return c
}()

// words splits text into words. It returns ErrInvalidUTF8 for invalid text.
func (t *fastTokenizer) words(text string) ([]word, error) {
	if !utf8.ValidString(text) {
		return nil, ErrInvalidUTF8
	}
	s := splitState{t: t, text: text, start: -1}
	var nfd [4 * utf8.UTFMax]byte
	for i := 0; i < len(text); {
		b := text[i]
		if b < utf8.RuneSelf {
			s.add(asciiClass[b], i, rune(b))
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		if dropped(r) {
			s.add(charSpace, i, r)
		} else if rep, ok := t.replace[r]; ok {
			for _, c := range rep {
				s.normalize(i, c, nfd[:0])
			}
		} else {
			s.normalize(i, r, nfd[:0])
		}
		i += n
	}
	s.flush()
	return s.finish(), nil
}

// splitState is fastTokenizer.words' state.
type splitState struct {
	t    *fastTokenizer
	text string
	ws   []word
	// start is the byte offset in text where the current word starts, or
	// -1 between words; buf holds its normalized form.
	start   int
	buf     []byte
	unknown []int // indices of words WordPiece cannot split
}

// normalize runs the normalizer on character r of the text at byte i, after
// replacement, and adds what remains. buf is scratch space.
func (s *splitState) normalize(i int, r rune, buf []byte) {
	if r < utf8.RuneSelf || !s.t.nfd {
		s.add(s.t.class(r), i, r)
		return
	}
	// Decomposing one character at a time is NFD but for the canonical
	// order of runs of combining marks, which does not matter: they are
	// stripped (compileNormalizer refuses NFD without strip_accents).
	var enc [utf8.UTFMax]byte
	buf = norm.NFD.Append(buf, enc[:utf8.EncodeRune(enc[:], r)]...)
	for j := 0; j < len(buf); {
		c, n := utf8.DecodeRune(buf[j:])
		s.add(s.t.class(c), i, c)
		j += n
	}
}

// class classifies a character of the NFD text after BERT's normalizer.
func (t *fastTokenizer) class(c rune) uint8 {
	if c < utf8.RuneSelf {
		return asciiClass[c]
	}
	switch {
	case t.clean && (c == utf8.RuneError || isBertControl(c)):
		return charDelete
	case t.chinese && isChinese(c):
		return charAlone
	case t.strip && unicode.Is(unicode.Mn, c):
		return charDelete
	case isBertPunct(c):
		return charAlone
	}
	return charWord
}

// add adds normalized character c, of class cl, from text[i:].
func (s *splitState) add(cl uint8, i int, c rune) {
	switch cl {
	case charDelete:
		return
	case charSpace:
		s.flush()
		return
	case charAlone:
		s.flush()
	}
	if s.start < 0 {
		s.start = i
	}
	if s.t.lower {
		c = unicode.ToLower(c)
	}
	s.buf = utf8.AppendRune(s.buf, c)
	if cl == charAlone {
		s.flush()
	}
}

// flush ends the current word, if any: WordPiece decides whether the
// vocabulary can spell it.
func (s *splitState) flush() {
	if s.start < 0 {
		return
	}
	form, ok := s.t.wordPiece(s.buf)
	if !ok {
		s.unknown = append(s.unknown, len(s.ws))
	}
	s.ws = append(s.ws, word{start: s.start, form: form})
	s.start, s.buf = -1, s.buf[:0]
}

// wordPiece reports whether WordPiece splits w into pieces of the
// vocabulary rather than the unknown-word token, and returns w as a
// string.
func (t *fastTokenizer) wordPiece(w []byte) (string, bool) {
	if form, ok := t.vocab[string(w)]; ok {
		return form, true
	}
	form := string(w)
	if utf8.RuneCount(w) > t.maxChars {
		return form, false
	}
	// Greedy longest match first, as WordPiece does: the longest piece at
	// each position, never reconsidered.
	pieces := t.vocab
	for start := 0; start < len(w); {
		end := min(len(w), start+t.maxPiece)
		for end < len(w) && !utf8.RuneStart(w[end]) {
			end--
		}
		found := false
		for ; end > start; end = backRune(w, start, end) {
			if _, ok := pieces[string(w[start:end])]; ok {
				found = true
				break
			}
		}
		if !found {
			return form, false
		}
		start, pieces = end, t.cont
	}
	return form, true
}

// backRune returns the offset of the last character of w[start:end].
func backRune(w []byte, start, end int) int {
	_, n := utf8.DecodeLastRune(w[start:end])
	return end - n
}

// finish gives each word its end, capitalization and, for the words the
// vocabulary cannot spell, the normalized original, the way
// sugarmeTokenizer.words does.
func (s *splitState) finish() []word {
	ws, text := s.ws, s.text
	for _, i := range s.unknown {
		end := len(text)
		if i+1 < len(ws) {
			end = ws[i+1].start
		}
		ws[i].form = normalizeWord(text[ws[i].start:trimSeparators(text, ws[i].start, end)])
	}
	kept := ws[:0]
	for i, w := range ws {
		end := len(text)
		if i+1 < len(ws) {
			end = ws[i+1].start
		}
		w.end = trimSeparators(text, w.start, end)
		if w.end == w.start {
			continue
		}
		r, _ := utf8.DecodeRuneInString(text[w.start:])
		w.upper = unicode.IsUpper(r)
		kept = append(kept, w)
	}
	return kept
}

// isBertControl reports whether BERT's normalizer removes c as a control
// character.
func isBertControl(c rune) bool {
	return c != '\t' && c != '\n' && c != '\r' && unicode.In(c, unicode.Cc, unicode.Cf)
}

// isBertPunct reports whether BERT's pre-tokenizer isolates c as
// punctuation: ASCII symbols and Unicode punctuation.
func isBertPunct(c rune) bool {
	if c < utf8.RuneSelf {
		return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
	}
	return unicode.IsPunct(c)
}

// isChinese reports whether c is a CJK ideograph, which BERT's normalizer
// isolates as a word of its own. These are the ranges sugarme uses, less
// Extension A (U+3400 to U+4DBF): sugarme lists it after a higher range in
// a table that unicode.Is searches in order, so it never matches, and the
// fast tokenizer keeps to what sugarme does.
func isChinese(c rune) bool {
	return c >= 0x4e00 && c <= 0x9fff || c >= 0xf900 && c <= 0xfaff ||
		c >= 0x20000 && c <= 0x2a6df || c >= 0x2a700 && c <= 0x2b73f || c >= 0x2b740 && c <= 0x2b81f ||
		c >= 0x2b820 && c <= 0x2ceaf || c >= 0x2f800 && c <= 0x2fa1f
}
