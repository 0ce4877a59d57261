package quote

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// para is one paragraph: a line of the text without its surrounding white
// space. News text puts one paragraph on a line, with or without blank
// lines between them.
type para struct {
	start, end  int
	headline    bool   // a title, subhead or list item: its quotes are not statements
	signature   bool   // "— Name (@handle) date" under an embedded tweet
	tweetAuthor string // for the text of an embedded tweet, the name in its signature
	sents       []int  // indexes of its sentences in doc.sents
}

// splitParas cuts text into non-blank lines. A line that starts with a
// lower-case letter right after a line that does not end a sentence is
// the same paragraph, hard-wrapped, and is joined to it.
func splitParas(text string) []para {
	var ps []para
	blank := true // a blank line came before the current line
	for i := 0; i <= len(text); {
		e := len(text)
		if j := strings.IndexByte(text[i:], '\n'); j >= 0 {
			e = i + j
		}
		s, t := trimSpace(text, i, e)
		switch {
		case s >= t:
			blank = true
		case !blank && len(ps) > 0 && unicode.IsLower(runeAt(text, s, t)) && !lineEndsSentence(text[ps[len(ps)-1].start:ps[len(ps)-1].end]):
			ps[len(ps)-1].end = t
			blank = false
		default:
			ps = append(ps, para{start: s, end: t})
			blank = false
		}
		i = e + 1
	}
	return ps
}

// lineEndsSentence reports whether a line ends with sentence punctuation,
// possibly followed by closing marks or brackets.
func lineEndsSentence(line string) bool {
	body := strings.TrimRightFunc(line, func(r rune) bool {
		return isSpace(r) || markOf(r) != mkNone || r == ')' || r == ']'
	})
	r, _ := utf8.DecodeLastRuneInString(body)
	return strings.ContainsRune(".!?…:;", r)
}

// trimSpace narrows text[s:e] to exclude leading and trailing white space,
// including no-break spaces and invalid bytes' neighbours left intact.
func trimSpace(text string, s, e int) (int, int) {
	for s < e {
		r, w := utf8.DecodeRuneInString(text[s:e])
		if !isSpace(r) {
			break
		}
		s += w
	}
	for e > s {
		r, w := utf8.DecodeLastRuneInString(text[s:e])
		if !isSpace(r) {
			break
		}
		e -= w
	}
	return s, e
}

func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'
}

// markKind classifies the characters that can be quotation marks.
type markKind uint8

const (
	mkNone           markKind = iota
	mkOpenDouble              // “ „ ‟ «
	mkCloseDouble             // ” »
	mkStraightDouble          // "
	mkOpenSingle              // ‘ ‚ ‛ ‹
	mkCloseSingle             // ’ ›
	mkStraightSingle          // '
)

func markOf(r rune) markKind {
	switch r {
	case '“', '„', '‟', '«':
		return mkOpenDouble
	case '”', '»':
		return mkCloseDouble
	case '"':
		return mkStraightDouble
	case '‘', '‚', '‛', '‹':
		return mkOpenSingle
	case '’', '›':
		return mkCloseSingle
	case '\'':
		return mkStraightSingle
	}
	return mkNone
}

func (k markKind) double() bool {
	return k == mkOpenDouble || k == mkCloseDouble || k == mkStraightDouble
}

// rawQuote is a pair of quotation marks found in a paragraph.
type rawQuote struct {
	open   int  // offset of the opening mark
	start  int  // offset just after the opening mark
	end    int  // offset of the closing mark, or the paragraph's end when unclosed
	close  int  // offset just after the closing mark; equal to end when unclosed
	closed bool // the quote has a closing mark in its paragraph
	single bool // single quotation marks
}

// isWordRune reports whether r can be part of a word for the purpose of
// telling apostrophes from quotation marks.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// opensBefore reports whether r, just before a mark, lets the mark open a
// quote: white space, an opening bracket or dash, or another mark.
func opensBefore(r rune) bool {
	return isSpace(r) || strings.ContainsRune("([{<—–-/", r) || markOf(r) != mkNone
}

// closesAfter reports whether r, just after a mark, lets the mark close a
// quote: white space, punctuation or another mark.
func closesAfter(r rune) bool {
	return isSpace(r) || strings.ContainsRune(".,;:!?)]}>—–-/…", r) || markOf(r) != mkNone
}

// stackEntry is an opening mark waiting for its closing mark.
type stackEntry struct {
	pos, width int
	single     bool
}

// scanPara finds the outermost quotes of the paragraph text[ps:pe].
//
// A single mark that opens a quote never closed in the paragraph was most
// likely an apostrophe ("’90s", a dropped letter), so the paragraph is
// scanned again with that mark taken as an apostrophe; the number of such
// rescans is bounded so that hostile input stays linear in practice.
func scanPara(text string, ps, pe int) []rawQuote {
	var apos []int
	for tries := 0; ; tries++ {
		qs, bad := scanOnce(text, ps, pe, apos)
		if bad < 0 || tries >= 8 {
			return qs
		}
		apos = append(apos, bad)
	}
}

func runeBefore(text string, i, ps int) rune {
	if i <= ps {
		return ' '
	}
	r, _ := utf8.DecodeLastRuneInString(text[ps:i])
	return r
}

func runeAt(text string, i, pe int) rune {
	if i >= pe {
		return ' '
	}
	r, _ := utf8.DecodeRuneInString(text[i:pe])
	return r
}

// scanOnce pairs the marks of one paragraph with a stack, emitting the
// outermost quotes. It returns the offset of an unclosed single opening
// mark that should be rescanned as an apostrophe, or -1.
func scanOnce(text string, ps, pe int, apos []int) ([]rawQuote, int) {
	var out []rawQuote
	var stack []stackEntry
	hasOpen := func(single bool) bool {
		for k := len(stack) - 1; k >= 0; k-- {
			if stack[k].single == single {
				return true
			}
			if !single && stack[k].single {
				continue // a double may close over unclosed singles
			}
			return false
		}
		return false
	}
	emit := func(o stackEntry, end, closeEnd int, closed bool) {
		q := rawQuote{open: o.pos, start: o.pos + o.width, end: end, close: closeEnd, closed: closed, single: o.single}
		if hasWord(text[q.start:q.end]) {
			out = append(out, q)
		}
	}
	closeQuote := func(single bool, i, w int) {
		for len(stack) > 0 {
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if top.single == single {
				if len(stack) == 0 {
					emit(top, i, i+w, true)
				}
				return
			}
		}
	}
	skipNext := -1
	for i := ps; i < pe; {
		r, w := utf8.DecodeRuneInString(text[i:pe])
		mk := markOf(r)
		if mk == mkNone || i == skipNext || containsInt(apos, i) {
			i += w
			continue
		}
		// Two single marks in a row stand for a double one in some
		// scraped and wire text: ''We will respond,'' he said.
		if r2, w2 := utf8.DecodeRuneInString(text[i+w : pe]); i+w < pe && r2 == r {
			switch mk {
			case mkOpenSingle:
				mk, w = mkOpenDouble, w+w2
			case mkCloseSingle:
				mk, w = mkCloseDouble, w+w2
			case mkStraightSingle:
				mk, w = mkStraightDouble, w+w2
			}
		}
		prev, next := runeBefore(text, i, ps), runeAt(text, i+w, pe)
		canOpen := !isSpace(next) && opensBefore(prev)
		canClose := !isSpace(prev) && !strings.ContainsRune("([{<", prev) && closesAfter(next)
		if mk.double() {
			dbl := hasOpen(false)
			switch mk {
			case mkStraightDouble:
				switch {
				case dbl && canOpen && !canClose:
					stack = append(stack, stackEntry{i, w, false}) // nested
				case dbl:
					closeQuote(false, i, w)
				case unicode.IsDigit(prev):
					// 12" is an inch mark.
				case canOpen || (!canClose && isWordRune(next)):
					stack = append(stack, stackEntry{i, w, false})
				}
			case mkOpenDouble:
				switch {
				case dbl && canClose && !canOpen:
					closeQuote(false, i, w) // “ typed for ”
				case isSpace(next) && dbl:
					closeQuote(false, i, w)
				case isSpace(next):
				default:
					stack = append(stack, stackEntry{i, w, false})
				}
			case mkCloseDouble:
				switch {
				case dbl:
					closeQuote(false, i, w)
				case canOpen && !canClose:
					stack = append(stack, stackEntry{i, w, false}) // ” typed for “
				}
			}
			i += w
			continue
		}
		// Single marks: apostrophes first.
		if isWordRune(prev) && isWordRune(next) {
			i += w
			continue
		}
		if !isWordRune(prev) && isWordRune(next) {
			word := leadingWord(text[i+w : pe])
			rest := text[i+w : pe]
			if elisions[strings.ToLower(word)] || isDecade(rest) || (mk != mkOpenSingle && isYear(rest)) {
				// ’n’: the second mark is an apostrophe too.
				if strings.EqualFold(word, "n") {
					j := i + w + len(word)
					if m := markOf(runeAt(text, j, pe)); m == mkCloseSingle || m == mkStraightSingle {
						skipNext = j
					}
				}
				i += w
				continue
			}
		}
		sgl := len(stack) > 0 && stack[len(stack)-1].single
		switch mk {
		case mkOpenSingle:
			switch {
			case sgl && canClose && !canOpen:
				closeQuote(true, i, w)
			case canOpen:
				stack = append(stack, stackEntry{i, w, true})
			}
		case mkCloseSingle, mkStraightSingle:
			switch {
			case sgl && canClose:
				if possessive(text, i, w, pe, prev) && laterSingleCloser(text, i+w, pe) {
					break // officials’ statement
				}
				closeQuote(true, i, w)
			case canOpen && !canClose && !sgl:
				stack = append(stack, stackEntry{i, w, true})
			}
		}
		i += w
	}
	if len(stack) > 0 {
		o := stack[0]
		if !o.single {
			emit(o, pe, pe, false)
		} else if o.pos == ps || opensSentence(text, ps, o) {
			// A paragraph or sentence that opens with a single mark
			// and never closes it is a quote running to the end of the
			// paragraph (British style).
			emit(o, pe, pe, false)
		} else {
			return out, o.pos
		}
	}
	return out, -1
}

// opensSentence reports whether the single mark o stands at the start of
// a sentence, after ". " and before a capital: ‘Commitments must …
func opensSentence(text string, ps int, o stackEntry) bool {
	if !unicode.IsUpper(runeAt(text, o.pos+o.width, len(text))) {
		return false
	}
	before := strings.TrimRightFunc(text[ps:o.pos], isSpace)
	if len(before) == len(text[ps:o.pos]) {
		return false // no space before the mark
	}
	before = strings.TrimRightFunc(before, func(r rune) bool { return markOf(r) != mkNone })
	r, _ := utf8.DecodeLastRuneInString(before)
	return strings.ContainsRune(".!?:", r)
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// hasWord reports whether s holds a letter or digit: marks around nothing
// but spaces or punctuation are not a quote.
func hasWord(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// leadingWord returns the letters at the start of s.
func leadingWord(s string) string {
	for i, r := range s {
		if !unicode.IsLetter(r) {
			return s[:i]
		}
	}
	return s
}

// isDecade reports whether s starts with two digits and an "s": the "90s"
// of "the ’90s".
func isDecade(s string) bool {
	return len(s) >= 3 && isASCIIDigit(s[0]) && isASCIIDigit(s[1]) && s[2] == 's'
}

// isYear reports whether s starts with exactly two digits: the "09" of
// "class of ’09". Only a right or straight mark elides a year; a left mark
// before digits opens a quote ("‘90 percent …’").
func isYear(s string) bool {
	if len(s) < 2 || !isASCIIDigit(s[0]) || !isASCIIDigit(s[1]) {
		return false
	}
	if len(s) == 2 {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[2:])
	return !isWordRune(r) && r != '%' && r != ',' && r != '.'
}

func isASCIIDigit(c byte) bool { return '0' <= c && c <= '9' }

// possessive reports whether the mark at i, after an "s" and before a
// lower-case word, reads as a plural possessive ("the officials’ remarks").
func possessive(text string, i, w, pe int, prev rune) bool {
	if prev != 's' && prev != 'S' {
		return false
	}
	j := i + w
	if j >= pe || text[j] != ' ' {
		return false
	}
	return unicode.IsLower(runeAt(text, j+1, pe))
}

// laterSingleCloser reports whether a single mark later in the paragraph
// could close a quote, so that an ambiguous one may be left as an
// apostrophe.
func laterSingleCloser(text string, from, pe int) bool {
	// Looking a few hundred bytes ahead is enough for a quote and keeps
	// the scan linear on text full of possessives.
	pe = min(pe, from+600)
	for i := from; i < pe; {
		r, w := utf8.DecodeRuneInString(text[i:pe])
		if m := markOf(r); m == mkCloseSingle || m == mkStraightSingle {
			prev, next := runeBefore(text, i, from), runeAt(text, i+w, pe)
			if !isSpace(prev) && !(isWordRune(prev) && isWordRune(next)) && closesAfter(next) {
				return true
			}
		}
		i += w
	}
	return false
}
