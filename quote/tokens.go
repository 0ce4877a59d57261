package quote

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is a word, a punctuation mark or a whole quote (marks included) in
// the reporter's text. Treating a quote as one token keeps the words inside
// it out of the attribution rules: "According to my information …" inside a
// quote names no source.
type token struct {
	s, e int
	text string // as written; empty for a quote token
	lw   string // folded text, for table look-ups
	q    int    // index in doc.quotes for a quote token, else -1
	word bool
}

func (t token) isQuote() bool { return t.q >= 0 }

// isPunct reports whether t is the punctuation mark p.
func (t token) isPunct(p string) bool { return !t.word && t.q < 0 && t.text == p }

// upper reports whether t is a word that starts with an upper-case letter.
func (t token) upper() bool {
	if !t.word {
		return false
	}
	r, _ := utf8.DecodeRuneInString(t.text)
	return unicode.IsUpper(r)
}

// lower reports whether t is a word that starts with a lower-case letter.
func (t token) lower() bool {
	if !t.word {
		return false
	}
	r, _ := utf8.DecodeRuneInString(t.text)
	return unicode.IsLower(r)
}

// possessive reports whether t ends in 's or s' ("Pakistan’s").
func (t token) possessive() bool {
	return t.word && (strings.HasSuffix(t.lw, "'s") || strings.HasSuffix(t.lw, "s'"))
}

// allCaps reports whether t is an acronym such as RTA or TTP.
func (t token) allCaps() bool {
	if !t.word || utf8.RuneCountInString(t.text) < 2 {
		return false
	}
	for _, r := range t.text {
		if !unicode.IsUpper(r) && r != '.' && r != '-' {
			return false
		}
	}
	return true
}

// tokenize splits text[ps:pe] into tokens; qs are the paragraph's quotes,
// in order, and base is the index of the first of them in doc.quotes.
func tokenize(text string, ps, pe int, qs []rawQuote, base int) []token {
	var toks []token
	qi := 0
	for i := ps; i < pe; {
		if qi < len(qs) && i >= qs[qi].open {
			q := qs[qi]
			toks = append(toks, token{s: q.open, e: q.close, q: base + qi})
			i = max(q.close, i+1)
			qi++
			continue
		}
		limit := pe
		if qi < len(qs) {
			limit = qs[qi].open
		}
		r, w := utf8.DecodeRuneInString(text[i:limit])
		switch {
		case isSpace(r):
			i += w
		case isWordRune(r) || r == '@' || r == '#':
			j := wordEnd(text, i, limit)
			toks = append(toks, token{s: i, e: j, text: text[i:j], lw: fold(text[i:j]), q: -1, word: true})
			i = j
		default:
			toks = append(toks, token{s: i, e: i + w, text: text[i : i+w], q: -1})
			i += w
		}
	}
	return toks
}

// wordEnd returns the end of the word starting at i: letters and digits,
// with hyphens and apostrophes inside it, and the period of an
// abbreviation ("Maj.", "S.", "U.S.").
func wordEnd(text string, i, limit int) int {
	j := i
scan:
	for j < limit {
		r, w := utf8.DecodeRuneInString(text[j:limit])
		switch {
		case isWordRune(r) || r == '@' || r == '#' || r == '_':
			j += w
		case r == '-' || r == '‑' || r == '\'' || r == '’':
			if isWordRune(runeAt(text, j+w, limit)) {
				j += w
				continue
			}
			// A final apostrophe that was not a quote mark is the
			// plural possessive: officials’.
			if r == '\'' || r == '’' {
				j += w
			}
			break scan
		default:
			break scan
		}
	}
	// Abbreviation periods.
	if j < limit && text[j] == '.' {
		w := text[i:j]
		if abbreviations[strings.ToLower(w)] || isInitial(w) {
			j++
			// U.S., U.N.: letter-period pairs.
			for j+1 < limit && isASCIILetter(text[j]) && text[j+1] == '.' {
				j += 2
			}
		}
	}
	return j
}

func isASCIILetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// isInitial reports whether w is a single upper-case letter.
func isInitial(w string) bool {
	r, n := utf8.DecodeRuneInString(w)
	return n == len(w) && unicode.IsUpper(r)
}

// sentence is a reporter-level sentence: quotes are single tokens inside
// it, so that a multi-sentence quote and its "he said" stay together.
type sentence struct {
	s, e  int
	toks  []token
	para  int
	sites []site
	subj  *site // the sentence's grammatical subject, once computed
}

// splitSentences cuts a paragraph's tokens at sentence ends: a period,
// question or exclamation mark (or a quote ending in one) followed by a
// word with a capital or digit, a quote or an opening bracket.
func splitSentences(text string, toks []token) [][]token {
	var out [][]token
	start := 0
	for k := 0; k < len(toks); k++ {
		if k+1 >= len(toks) || !endsSentence(text, toks, k) || !startsSentence(toks[k+1]) {
			continue
		}
		out = append(out, toks[start:k+1])
		start = k + 1
	}
	if start < len(toks) {
		out = append(out, toks[start:])
	}
	return out
}

func endsSentence(text string, toks []token, k int) bool {
	t := toks[k]
	switch {
	case t.isQuote():
		body := strings.TrimRightFunc(text[t.s:t.e], func(r rune) bool {
			return markOf(r) != mkNone || isSpace(r)
		})
		r, _ := utf8.DecodeLastRuneInString(body)
		return strings.ContainsRune(".!?…", r)
	case t.word:
		return false
	case t.text == "." || t.text == "!" || t.text == "?" || t.text == "…":
		return true
	case (t.text == ")" || t.text == "]") && k > 0:
		return endsSentence(text, toks, k-1)
	}
	return false
}

func startsSentence(t token) bool {
	if t.isQuote() {
		return true
	}
	if t.word {
		r, _ := utf8.DecodeRuneInString(t.text)
		return unicode.IsUpper(r) || unicode.IsDigit(r) || r == '@' || r == '#'
	}
	return t.text == "(" || t.text == "[" || t.text == "•"
}
