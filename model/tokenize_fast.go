package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
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
	// vocab maps the pieces that may start a word to their ids; cont holds
	// those that may continue one (without their "##"). pieces maps ids
	// back, so that a word the vocabulary knows whole gets its form without
	// allocating.
	vocab  map[string]int32
	cont   map[string]bool
	pieces []string
	// maxPiece is the length in bytes of the longest piece.
	maxPiece int
	// maxChars is the longest word, in characters, that WordPiece splits;
	// longer ones are unknown.
	maxChars int
	// states holds *splitState scratch space for words.
	states sync.Pool
	// alone lists the characters outside ASCII that asciiWords handles:
	// those that always make a word of their own, whatever is around them
	// (curly quotes, dashes), with that word's form.
	alone []aloneChar
}

// aloneChar is a character outside ASCII that is always a word of its own,
// and the form and capital flag of that word.
type aloneChar struct {
	r     rune
	form  string
	upper bool
}

// formFix says that the form of word k is low[from:to] in asciiWords.
type formFix struct{ k, from, to int32 }

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
	t.states.New = func() any { return new(splitState) }
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
	t.vocab = make(map[string]int32, len(m.Vocab))
	t.cont = make(map[string]bool, len(m.Vocab)/4)
	t.pieces = make([]string, len(m.Vocab))
	for p, id := range m.Vocab {
		if id < 0 || id >= len(m.Vocab) || t.pieces[id] != "" {
			return nil, fmt.Errorf("malformed tokenizer definition: id %d of %q is out of range or taken", id, p)
		}
		t.pieces[id] = p
		t.maxPiece = max(t.maxPiece, len(p))
		// A word never starts with "##": '#' is punctuation, a word of
		// its own.
		if rest, ok := strings.CutPrefix(p, "##"); ok && rest != "" {
			t.cont[rest] = true
		} else {
			t.vocab[p] = int32(id)
		}
	}
	t.findAlone()
	return t, nil
}

// aloneCandidates are the characters outside ASCII most frequent in news
// text; findAlone keeps those that the definition makes words of their own.
const aloneCandidates = "\u2018\u2019\u201c\u201d\u2014\u2013\u2026"

// findAlone fills t.alone with the candidates (and the replaced
// characters) that normalize to one punctuation character: such a
// character ends the word before it, is a word of its own and starts none
// after it, so its word and form do not depend on the text around it. The
// form is what the general path gives the character alone.
func (t *fastTokenizer) findAlone() {
	cands := []rune(aloneCandidates)
	for r := range t.replace {
		if !strings.ContainsRune(aloneCandidates, r) {
			cands = append(cands, r)
		}
	}
	for _, r := range cands {
		if r < utf8.RuneSelf || dropped(r) || unicode.IsSpace(r) {
			continue
		}
		norm := string(r)
		if rep, ok := t.replace[r]; ok {
			norm = rep
		}
		if c, n := utf8.DecodeRuneInString(norm); n != len(norm) || t.normClass(c) != charAlone {
			continue
		}
		ws, err := t.generalWords(nil, string(r))
		if err != nil || len(ws) != 1 || ws[0].start != 0 || ws[0].end != len(string(r)) {
			continue
		}
		t.alone = append(t.alone, aloneChar{r, ws[0].form, ws[0].upper})
	}
}

// normClass classifies a character as the normalizer leaves it: the class
// of its decomposition when that is one character, else charWord (a
// character that decomposes into several is never alone).
func (t *fastTokenizer) normClass(c rune) uint8 {
	if c >= utf8.RuneSelf && t.nfd && !norm.NFD.IsNormalString(string(c)) {
		return charWord
	}
	return t.class(c)
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

// words appends the words of text to dst. It returns ErrInvalidUTF8 for
// invalid text.
func (t *fastTokenizer) words(dst []word, text string) ([]word, error) {
	if dst == nil {
		// Four bytes a word is about the shortest there is in English
		// prose, with its punctuation.
		dst = make([]word, 0, len(text)/4+2)
	}
	if ws, ok := t.asciiWords(dst, text); ok {
		return ws, nil
	}
	return t.generalWords(dst, text)
}

// asciiWords is words for the common case, a text of ASCII letters,
// digits, punctuation, white space and control characters other than \v
// and \f, with none but the t.alone characters outside ASCII. There a
// word is a run of letters and digits or one punctuation character, its
// end is its last byte's, and its form is itself, lowercased: no
// normalizer step but lowercasing changes it, and WordPiece is not asked
// (generalWords asks it only about words with characters outside ASCII).
// It reports false, leaving dst[:len(dst)] as it was, for any other text.
// TestASCIIWords and FuzzASCIIWords hold it to generalWords.
func (t *fastTokenizer) asciiWords(dst []word, text string) ([]word, bool) {
	first := len(dst)
	// The lowercased forms of words with capitals that the vocabulary does
	// not know whole, one after the other, and which words they belong to:
	// made into one string at the end, as in setForms. The arrays keep a
	// quote's on the stack.
	var lowBuf [256]byte
	var fixBuf [16]formFix
	low, fix := lowBuf[:0], fixBuf[:0]
	for i := 0; i < len(text); {
		b := text[i]
		if b >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(text[i:])
			k := 0
			for k < len(t.alone) && t.alone[k].r != r {
				k++
			}
			if k == len(t.alone) {
				return dst[:first], false
			}
			dst = append(dst, word{start: i, end: i + n, form: t.alone[k].form, upper: t.alone[k].upper})
			i += n
			continue
		}
		switch asciiClass[b] {
		case charSpace:
			i++
			continue
		case charAlone:
			dst = append(dst, word{start: i, end: i + 1, form: text[i : i+1]})
			i++
			continue
		case charDelete:
			return dst[:first], false
		}
		start, upper := i, false
		for ; i < len(text) && text[i] < utf8.RuneSelf && asciiClass[text[i]] == charWord; i++ {
			upper = upper || 'A' <= text[i] && text[i] <= 'Z'
		}
		w := word{start: start, end: i, upper: 'A' <= b && b <= 'Z'}
		if upper && t.lower {
			from := len(low)
			for j := start; j < i; j++ {
				c := text[j]
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				low = append(low, c)
			}
			if id, ok := t.vocab[string(low[from:])]; ok {
				// Most capitalized words, sentence openers and common
				// names alike, are pieces of the vocabulary: their form
				// needs no string of its own.
				w.form, low = t.pieces[id], low[:from]
			} else {
				fix = append(fix, formFix{int32(len(dst)), int32(from), int32(len(low))})
			}
		} else {
			w.form = text[start:i]
		}
		dst = append(dst, w)
	}
	if len(fix) > 0 {
		all := string(low)
		for _, f := range fix {
			dst[f.k].form = all[f.from:f.to]
		}
	}
	return dst, true
}

// generalWords is words for any text: the definition run character by
// character.
func (t *fastTokenizer) generalWords(dst []word, text string) ([]word, error) {
	s := t.states.Get().(*splitState)
	defer func() {
		s.ws, s.text = nil, "" // do not keep the caller's memory alive
		t.states.Put(s)
	}()
	*s = splitState{t: t, text: text, ws: dst, first: len(dst), forms: s.forms[:0], spans: s.spans[:0], nfd: s.nfd[:0]}
	for i := 0; i < len(text); {
		b := text[i]
		if b < utf8.RuneSelf {
			if cl := asciiClass[b]; cl == charWord {
				// The common case, inline: a letter or digit.
				if !s.open {
					s.begin(i)
				}
				if t.lower && 'A' <= b && b <= 'Z' {
					b += 'a' - 'A'
					s.changed = true
				}
				s.forms = append(s.forms, b)
			} else {
				s.add(cl, i, rune(b))
			}
			if b > ' ' && b != 0x7f {
				s.lastEnd = i + 1
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		if r == utf8.RuneError && n == 1 {
			return dst, ErrInvalidUTF8
		}
		if dropped(r) {
			s.add(charSpace, i, r)
		} else if rep, ok := t.replace[r]; ok {
			for _, c := range rep {
				s.normalize(i, c)
			}
		} else {
			s.normalize(i, r)
		}
		s.nonASCII = true
		if !unicode.IsSpace(r) && !dropped(r) {
			s.lastEnd = i + n
		}
		i += n
	}
	s.flush()
	s.end()
	s.setForms()
	return s.ws, nil
}

// splitState is fastTokenizer.words' state.
type splitState struct {
	t    *fastTokenizer
	text string
	ws   []word
	// first is the index in ws of the first word of text.
	first int
	// forms holds the normalized forms of the words, one after the other;
	// spans[k] is where the form of ws[first+k] lies in it. A word's form
	// field is set as soon as it is known to be other than that (for an
	// unknown word) or to be in the text; setForms sets the others.
	forms []byte
	spans [][2]int32
	// open reports whether the last word of ws is still being read.
	open bool
	// lastEnd is the end of the last character read that is not white
	// space or a dropped character: where the last word ends if no other
	// starts before.
	lastEnd int
	// nonASCII reports whether a character outside ASCII has been read
	// since the last word started.
	nonASCII bool
	// changed reports whether the form of the last word may differ from
	// the text at its start: the word has characters that were lowercased
	// or went through add.
	changed bool
	// nfd is scratch space for decomposing a character.
	nfd []byte
}

// normalize runs the normalizer on character r of the text at byte i, after
// replacement, and adds what remains.
func (s *splitState) normalize(i int, r rune) {
	if r < utf8.RuneSelf || !s.t.nfd {
		s.add(s.t.class(r), i, r)
		return
	}
	// Decomposing one character at a time is NFD but for the canonical
	// order of runs of combining marks, which does not matter: they are
	// stripped (compileNormalizer refuses NFD without strip_accents).
	s.nfd = utf8.AppendRune(s.nfd[:0], r)
	n := len(s.nfd)
	s.nfd = norm.NFD.Append(s.nfd, s.nfd[:n]...)
	for j := n; j < len(s.nfd); {
		c, size := utf8.DecodeRune(s.nfd[j:])
		s.add(s.t.class(c), i, c)
		j += size
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
		s.changed = true // the form skips a character of the text
		return
	case charSpace:
		s.flush()
		return
	case charAlone:
		s.flush()
	}
	if !s.open {
		s.begin(i)
	}
	if s.t.lower {
		c = unicode.ToLower(c)
	}
	s.forms = utf8.AppendRune(s.forms, c)
	s.changed = true
	if cl == charAlone {
		s.flush()
	}
}

// begin starts a word at text[i:], which ends the one before.
func (s *splitState) begin(i int) {
	s.end()
	s.ws = append(s.ws, word{start: i})
	s.spans = append(s.spans, [2]int32{int32(len(s.forms)), 0})
	s.open, s.nonASCII, s.changed = true, false, false
}

// flush ends the normalized form of the word being read, if any.
func (s *splitState) flush() {
	if !s.open {
		return
	}
	sp := &s.spans[len(s.spans)-1]
	sp[1] = int32(len(s.forms))
	if !s.changed {
		// The form is the text, byte for byte.
		w := &s.ws[len(s.ws)-1]
		w.form = s.text[w.start : w.start+int(sp[1]-sp[0])]
	}
	s.open = false
}

// end gives the last word its end: where the next word starts (or the text
// ends), less the white space and dropped characters before, as the sugarme
// path has it. A word with nothing left is dropped; the form of one that
// WordPiece cannot split is its normalized original.
func (s *splitState) end() {
	if len(s.ws) == s.first {
		return
	}
	w := &s.ws[len(s.ws)-1]
	if w.end > 0 {
		return // already ended
	}
	w.end = max(s.lastEnd, w.start)
	if w.end == w.start {
		s.ws, s.spans = s.ws[:len(s.ws)-1], s.spans[:len(s.spans)-1]
		return
	}
	// The normalized original of a word in ASCII is its form already, so
	// only words with other characters need WordPiece's verdict.
	sp := &s.spans[len(s.spans)-1]
	if s.nonASCII && s.t.wordPiece(s.forms[sp[0]:sp[1]]) == unknownWord {
		w.form = normalizeWord(s.text[w.start:w.end])
	}
	if c := s.text[w.start]; c < utf8.RuneSelf {
		w.upper = 'A' <= c && c <= 'Z'
	} else {
		r, _ := utf8.DecodeRuneInString(s.text[w.start:])
		w.upper = unicode.IsUpper(r)
	}
}

// setForms gives the words their forms: the text itself where it holds
// them already (most words), or one string holding the others.
func (s *splitState) setForms() {
	var all string
	for k, sp := range s.spans {
		w := &s.ws[s.first+k]
		if w.form != "" {
			continue
		}
		f := s.forms[sp[0]:sp[1]]
		if n := len(f); n <= len(s.text)-w.start && s.text[w.start:w.start+n] == string(f) {
			w.form = s.text[w.start : w.start+n]
			continue
		}
		if all == "" {
			all = string(s.forms)
		}
		w.form = all[sp[0]:sp[1]]
	}
}

// wordPiece returns the id of w when it is one piece of the vocabulary,
// severalPieces when WordPiece splits it into pieces, and unknownWord when
// it cannot.
func (t *fastTokenizer) wordPiece(w []byte) int {
	if id, ok := t.vocab[string(w)]; ok {
		return int(id)
	}
	if utf8.RuneCount(w) > t.maxChars {
		return unknownWord
	}
	// Greedy longest match first, as WordPiece does: the longest piece at
	// each position, never reconsidered.
	for start := 0; start < len(w); {
		end := min(len(w), start+t.maxPiece)
		for end < len(w) && !utf8.RuneStart(w[end]) {
			end--
		}
		for ; end > start; end = backRune(w, start, end) {
			if start == 0 {
				if _, ok := t.vocab[string(w[:end])]; ok {
					break
				}
			} else if t.cont[string(w[start:end])] {
				break
			}
		}
		if end == start {
			return unknownWord
		}
		start = end
	}
	return severalPieces
}

// What wordPiece returns for words that are not one piece.
const (
	severalPieces = -1
	unknownWord   = -2
)

// backRune returns the offset of the last character of w[start:end].
func backRune(w []byte, start, end int) int {
	_, n := utf8.DecodeLastRune(w[start:end])
	return end - n
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
