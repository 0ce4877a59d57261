package quote

import (
	"strings"
)

// siteKind tells how an attribution names its speaker.
type siteKind uint8

const (
	siteFinite    siteKind = iota // "X said", subject before the verb
	siteInverted                  // "“…,” said X"
	siteRef                       // a participle or coordinated verb: another site's or the sentence's subject
	siteAccording                 // "according to X"
	siteQuotedAs                  // "quoted X as saying"
	siteWith                      // "with X saying"
)

// site is a reporting verb (or "according to") in a sentence, with the
// noun phrase that names its speaker.
type site struct {
	v       int // token index of the verb
	kind    siteKind
	verb    string
	np      []token // the speaker phrase, for every kind but siteRef
	npStart int     // token index of np[0]
	extra   []token // an appositive description of the speaker
	ref     int     // for siteRef: index of the site that gives the subject, or -1 for the sentence subject
	strong  bool    // the syntax alone marks np as the speaker ("“…,” the surgeon said")
	res     resolved
}

// refNotSpeaker marks a site whose noun phrase turned out not to be a
// speaker ("the talks continued"): the verb is kept so that a participle
// after it can look past it, but no quote is attributed to it.
const refNotSpeaker = -2

// doc is the analysis of one text.
type doc struct {
	text   string
	paras  []para
	sents  []sentence
	quotes []qinfo
	ments  []mention // in text order, built sentence by sentence
	named  []mention // named mentions of a first pass, for forward references

	// surnames and acronyms index the named mentions so far by the
	// short forms that may refer back to them.
	surnames, firstNames, acronyms map[string][]mention
	genders                        map[string]string // speaker name to the pronoun resolved to it
}

// qinfo is a quote being attributed.
type qinfo struct {
	rawQuote
	para, sent, tok int
	contPrev        bool // continues the previous paragraph's unclosed quote
	speaker, cue    string
	mention         string
	kind            Kind
}

// findSites finds the attributions of a sentence, in order.
func findSites(toks []token) []site {
	var out []site
	lastQuote := -1
	for k, t := range toks {
		if t.isQuote() {
			lastQuote = k
			// "“…” — Khawaja Asif": a name after a dash that ends the
			// sentence signs the quote.
			if k+2 < len(toks) && (toks[k+1].isPunct("—") || toks[k+1].isPunct("–")) {
				e := k + 2
				for e < len(toks) && toks[e].word {
					e++
				}
				if (e == len(toks) || !toks[e].isPunct(",")) && nameLike(toks[k+2:e]) {
					out = append(out, site{v: k + 1, kind: siteInverted, verb: "—", np: toks[k+2 : e], npStart: k + 2, ref: -1, strong: true})
				}
			}
			continue
		}
		if !t.word {
			continue
		}
		if t.lw == "according" && k+1 < len(toks) && toks[k+1].lw == "to" {
			if np := forwardNP(toks, k+2); len(np) > 0 {
				out = append(out, site{v: k, kind: siteAccording, verb: "according", np: np, npStart: k + 2})
			}
			continue
		}
		form, ok := reportingVerbs[t.lw]
		if !ok || !t.lower() {
			continue
		}
		prev := token{q: -1}
		if k > 0 {
			prev = toks[k-1]
		}
		if prev.word && (determiners[prev.lw] || prev.possessive() || numberish(prev.lw)) {
			continue // a noun: "the claims", "a warning"
		}
		if k+2 < len(toks) && toks[k+1].lw == "to" && (toks[k+2].lw == "be" || toks[k+2].lw == "have") {
			continue // "said to be"
		}
		if j := skipAdverbs(toks, k-1); j >= 0 && passiveAux[toks[j].lw] && form == formFinite && !strings.HasSuffix(t.lw, "s") {
			continue // "was told", "were dismissed"
		}
		s := site{v: k, verb: t.lw, ref: -1}
		switch form {
		case formIng:
			if j := quotedBefore(toks, k-1); prev.lw == "as" && j >= 0 {
				// "quoted X as saying", or the passive "X was
				// quoted (by Reuters) as saying".
				if j > 0 && passiveAux[toks[j-1].lw] {
					if np, extra, at := subjectBefore(toks, j-1, lastQuote); np != nil {
						s.kind, s.np, s.extra, s.npStart = siteQuotedAs, np, extra, at
						break
					}
				} else if j+1 < k-1 {
					s.kind, s.np, s.npStart = siteQuotedAs, toks[j+1:k-1], j+1
					break
				}
			}
			if np, at := withSubject(toks, k); np != nil {
				s.kind, s.np, s.npStart = siteWith, np, at
				break
			}
			if !(prev.isQuote() || (!prev.word && k > 0) || participleLeads[prev.lw] || isLy(prev)) {
				continue
			}
			s.kind, s.ref = siteRef, len(out)-1
		default:
			if form == formBase && (prev.lw == "to" || k == 0) {
				continue
			}
			if prev.isQuote() || (prev.isPunct(",") && k >= 2 && toks[k-2].isQuote()) {
				np := forwardNP(toks, k+1)
				if len(np) == 0 {
					continue
				}
				s.kind, s.np, s.npStart = siteInverted, np, k+1
				// "said the union's secretary, Nadia Hussain": the
				// name in apposition is the speaker.
				if e := k + 1 + len(np); e+1 < len(toks) && toks[e].isPunct(",") && descriptorLike(np) {
					if name := forwardNP(toks, e+1); nameLike(name) {
						s.np, s.extra, s.npStart = name, np, e+1
					}
				}
				break
			}
			if j := skipAdverbs(toks, k-1); j >= 0 && coordinators[toks[j].lw] {
				s.kind, s.ref = siteRef, len(out)-1
				break
			}
			np, extra, at := subjectBefore(toks, k, lastQuote)
			if np == nil {
				continue
			}
			s.kind, s.np, s.extra, s.npStart = siteFinite, np, extra, at
		}
		switch s.kind {
		case siteInverted, siteAccording, siteQuotedAs, siteWith:
			s.strong = true
		case siteFinite:
			at := s.npStart
			s.strong = at >= 1 && (toks[at-1].isQuote() || (at >= 2 && toks[at-1].isPunct(",") && toks[at-2].isQuote()))
		}
		out = append(out, s)
	}
	return out
}

// isAside reports whether a site is an attribution set off from the
// clause it reports: "according to X", or "X said" after a comma ("The
// talks ended, a source said"; "The meeting, a source said, ended"). In a
// sentence without quotes its speaker is only the reporter's source.
func isAside(toks []token, s site) bool {
	switch s.kind {
	case siteAccording:
		return true
	case siteFinite:
		return s.npStart > 0 && toks[s.npStart-1].isPunct(",") && (s.v+1 == len(toks) || !toks[s.v+1].word)
	}
	return false
}

// numberish reports whether w is a number or ordinal ("36th reports").
func numberish(w string) bool {
	return w != "" && isASCIIDigit(w[0])
}

func isLy(t token) bool {
	return t.word && t.lower() && len(t.lw) > 4 && strings.HasSuffix(t.lw, "ly")
}

// skipAdverbs steps back over auxiliaries and adverbs from index i.
func skipAdverbs(toks []token, i int) int {
	for i >= 0 && toks[i].word && toks[i].lower() && (auxWords[toks[i].lw] || isLy(toks[i])) {
		i--
	}
	return i
}

// forwardNP reads a speaker phrase after a verb or "according to": words up
// to punctuation, a quote or a modifier ("said the minister on Sunday").
func forwardNP(toks []token, from int) []token {
	j := from
	for j < len(toks) && j-from < 12 {
		t := toks[j]
		if t.isPunct("(") {
			e := j + 1
			for e < len(toks) && e-j < 6 && !toks[e].isPunct(")") {
				e++
			}
			if e < len(toks) && toks[e].isPunct(")") {
				j = e + 1
				continue
			}
			break
		}
		if t.word && (t.lw == "from" || t.lw == "by") && j > from && (docNouns[toks[j-1].lw] || (j-1 > from && issuedWords[toks[j-1].lw] && docNouns[toks[j-2].lw])) {
			// "according to a statement from the ministry", "said a
			// statement issued by the ministry": the ministry speaks.
			return forwardNP(toks, j+1)
		}
		if !t.word || cutWords[t.lw] {
			break
		}
		if _, isVerb := reportingVerbs[t.lw]; isVerb && t.lower() {
			break
		}
		j++
	}
	return toks[from:j]
}

// quotedBefore returns the index of the "quoted" of "quoted … as" ending
// at the "as" at index as, or -1.
func quotedBefore(toks []token, as int) int {
	for j := as - 1; j >= 0 && j >= as-10; j-- {
		t := toks[j]
		if !t.word && t.text != "." {
			return -1
		}
		if t.lw == "quoted" {
			return j
		}
	}
	return -1
}

// withSubject reads "with X saying" ending at the participle at index v.
func withSubject(toks []token, v int) ([]token, int) {
	for j := v - 1; j >= 0 && j >= v-8; j-- {
		t := toks[j]
		if !t.word {
			return nil, 0
		}
		if t.lw == "with" {
			if j+1 < v {
				return toks[j+1 : v], j + 1
			}
			return nil, 0
		}
	}
	return nil, 0
}

// segStart returns the start of the phrase that ends at index j: it goes
// back to punctuation, a quote or lim, stepping over bracketed groups.
func segStart(toks []token, j, lim int) int {
	// No speaker phrase is longer than a few dozen tokens; the bound
	// keeps long runs of words without punctuation linear.
	lim = max(lim, j-maxPhrase)
	a := j
	for a > lim {
		t := toks[a]
		if t.isQuote() {
			break
		}
		if t.isPunct(")") {
			p := a - 1
			for p > lim && !toks[p].isPunct("(") && a-p < 8 {
				p--
			}
			if p > lim && toks[p].isPunct("(") {
				a = p - 1
				continue
			}
			break
		}
		if !t.word && t.text != "." {
			break
		}
		a--
	}
	return a + 1
}

// maxPhrase bounds the tokens a speaker phrase and its modifiers span.
const maxPhrase = 40

// subjectBefore finds the subject of the verb at index v, looking no
// further back than lim: the phrase right before the verb (after its
// auxiliaries and adverbs), stepping over a relative clause, participle
// phrase or appositive set off by commas ("Hamdullah, a 39-year-old
// shopkeeper …, told"). It returns the phrase, an appositive description
// and the phrase's token index.
func subjectBefore(toks []token, v, lim int) ([]token, []token, int) {
	i := v - 1
	for i > lim && toks[i].word && toks[i].lower() && (auxWords[toks[i].lw] || isLy(toks[i])) {
		i--
	}
	if i <= lim {
		return nil, nil, 0
	}
	if !toks[i].isPunct(",") {
		if !toks[i].word && !toks[i].isPunct(")") {
			return nil, nil, 0
		}
		a := segStart(toks, i, lim)
		seg, at := cutClause(toks[a:i+1], a)
		return seg, nil, at
	}
	var extra []token
	end := i // index of the comma after the current segment
	for step := 0; step < 4; step++ {
		a := segStart(toks, end-1, lim)
		seg := toks[a:end]
		if len(seg) == 0 {
			return nil, nil, 0
		}
		before := a - 1 // the comma or boundary before seg
		commaBefore := before > lim && toks[before].isPunct(",")
		var prevSeg []token
		if commaBefore {
			prevSeg = toks[segStart(toks, before-1, lim):before]
		}
		switch {
		case skipSegment(seg):
			extra = append(extra, seg...)
		case (seg[0].lw == "a" || seg[0].lw == "an" || seg[0].lw == "the") && nameLike(prevSeg):
			extra = append(extra, seg...)
		case nameLike(seg) && descriptorLike(prevSeg):
			return seg, append(extra, prevSeg...), a
		default:
			seg, at := cutClause(seg, a)
			return seg, extra, at
		}
		if !commaBefore {
			return nil, nil, 0
		}
		end = before
	}
	return nil, nil, 0
}

// cutClause keeps the part of a phrase after its last clause word ("…,
// which the minister"), so that only the subject is left, and drops an
// adverbial that opens it without a comma ("Earlier this week the
// ministry", "In Tirana on Monday the minister", "After the talks the
// minister").
func cutClause(seg []token, at int) ([]token, int) {
	start := 0
	for c := len(seg) - 1; c >= 0; c-- {
		t := seg[c]
		if !t.word {
			continue
		}
		_, verb := reportingVerbs[t.lw]
		if clauseWords[t.lw] || (coordinators[t.lw] && !internalAnd(seg, c)) || (verb && t.lower()) {
			start = c + 1
			break
		}
	}
	from := start
	if start > 0 && prepositions[seg[start-1].lw] {
		from = start - 1 // "after", "before", "since", "as" open a phrase too
	}
	if b := adverbialEnd(seg, from); b > start {
		start = b
	}
	return seg[start:], at + start
}

// adverbialEnd reads the adverbials of time and place that open a subject
// phrase at index from without a comma: time adverbs ("Earlier", "Last
// week") and prepositional phrases ("In Tirana", "At a news conference in
// the capital", "Speaking to reporters"). It returns the index where the
// subject starts, or -1 when the phrase does not open with an adverbial or
// has no word left after it: then the phrase is kept whole, as a bare
// "Moscow" is a speaker by metonymy and "In Tirana Rama" cannot be cut
// without knowing which word is the place.
func adverbialEnd(seg []token, from int) int {
	i := from
	for i < len(seg) && seg[i].word {
		t := seg[i]
		switch {
		case timeLeads[t.lw] && i+1 < len(seg) && timeNouns[seg[i+1].lw]:
			// "this week", "last month", "earlier this year".
			i += 2
		case timeAdverbs[t.lw]:
			i++
		case timeNouns[t.lw] && t.upper():
			i++ // "Monday the ministry said"
		case prepositions[t.lw] || adverbialParticiples[t.lw]:
			i = objectEnd(seg, i+1)
			continue
		default:
			return endOrNone(seg, from, i)
		}
		for i < len(seg) && (timeNouns[seg[i].lw] || numberish(seg[i].lw)) {
			i++ // "Monday morning", "March 2024"
		}
	}
	return endOrNone(seg, from, i)
}

// endOrNone returns i, where adverbialEnd's reading stopped, if it read
// some adverbial and a word is left after it for the subject; -1 if not.
func endOrNone(seg []token, from, i int) int {
	if i == from || i >= len(seg) || !seg[i].word {
		return -1
	}
	return i
}

// objectEnd returns the end of the object of a preposition that starts at
// index i: its words run up to another preposition, a determiner that opens
// the subject ("In Tirana the minister"), a word after a time noun ("On
// Monday Foreign Minister …"), a common noun after a place name ("In
// Athens officials") or a title ("In Tirana Prime Minister …").
func objectEnd(seg []token, i int) int {
	for n := 0; i < len(seg) && seg[i].word; i, n = i+1, n+1 {
		if n == 0 {
			continue
		}
		w, prev := seg[i], seg[i-1]
		switch {
		case timeNouns[prev.lw] && (timeNouns[w.lw] || numberish(w.lw)):
			// "on Monday night", "in March 2024": the time phrase
			// goes on.
		case prepositions[w.lw]:
			return i
		case determiners[w.lw] && !prepositions[prev.lw]:
			return i
		case timeNouns[prev.lw]:
			return i
		case prev.upper() && !prev.possessive() && w.lower() && !nameConnectors[w.lw]:
			return i
		case w.upper() && (titleHeads[canonWord(w.text)] || (i+1 < len(seg) && seg[i+1].upper() && titleHeads[canonWord(seg[i+1].text)])):
			return i
		}
	}
	return i
}

// internalAnd reports whether the "and" at c joins two nouns of one
// subject ("officials and analysts") rather than two clauses.
func internalAnd(seg []token, c int) bool {
	if c == 0 || c+1 >= len(seg) || seg[c].lw != "and" {
		return false
	}
	l, r := seg[c-1], seg[c+1]
	return (l.upper() || roleNouns[l.lw]) && (r.upper() || roleNouns[r.lw])
}

// skipSegment reports whether a comma-delimited phrase before a verb is a
// modifier of the subject rather than the subject: a relative clause, a
// participle phrase, an age, an adverb.
func skipSegment(seg []token) bool {
	t := seg[0]
	switch {
	case !t.word:
		return true
	case numberish(t.lw), partyState(t.text):
		return true
	case t.lower() && (strings.HasSuffix(t.lw, "ing") || strings.HasSuffix(t.lw, "ed")):
		return true
	}
	switch t.lw {
	case "who", "whom", "whose", "which", "where", "when", "according", "however", "meanwhile", "though", "too", "also", "therefore", "in", "on", "at", "for", "from", "with", "without", "through", "via":
		return true
	}
	return false
}

// partyState reports whether w is a US party-and-state tag such as
// "D-Mass" or "R-Texas", set off by commas after a lawmaker's name.
func partyState(w string) bool {
	return len(w) > 3 && (w[0] == 'D' || w[0] == 'R' || w[0] == 'I') && w[1] == '-' && 'A' <= w[2] && w[2] <= 'Z'
}

// docNouns head phrases that carry someone else's words: "a statement
// from the ministry" speaks for the ministry.
var docNouns = wordSet("statement report post message letter communique communiqué release video notice transcript")

// issuedWords may stand between a docNoun and its "by": "a statement
// issued by the ministry".
var issuedWords = wordSet("issued released posted published shared signed")

// nameLike reports whether a phrase is a proper name, possibly with
// titles: every word capitalized or a name connector.
func nameLike(seg []token) bool {
	if len(seg) == 0 || len(seg) > 8 {
		return false
	}
	for k, t := range seg {
		if !t.word {
			return false
		}
		if !(t.upper() || (k > 0 && nameConnectors[t.lw])) {
			return false
		}
	}
	if introWords[seg[0].lw] || allRoles(seg) {
		return false
	}
	return true
}

// descriptorLike reports whether a phrase describes a person the way an
// appositive name's partner does: "the chief minister", "Pakistan’s
// Information Minister".
func descriptorLike(seg []token) bool {
	if len(seg) == 0 || len(seg) > 10 {
		return false
	}
	first, last := seg[0], seg[len(seg)-1]
	if !first.word || !last.word {
		return false
	}
	if first.lw != "the" && first.lw != "a" && first.lw != "an" && introWords[first.lw] {
		return false
	}
	h := canonWord(last.text)
	return roleNouns[h] || titleHeads[h] || orgNouns[h]
}

// sentenceSubject finds the subject of sentence si: the phrase before its
// first verb-like word, after a dateline ("ISLAMABAD:") and an
// introductory phrase ("Speaking to Arab News,").
func sentenceSubject(toks []token) ([]token, []token, int) {
	start := 0
	for k := 0; k < len(toks) && k < 6; k++ {
		t := toks[k]
		if t.isPunct(":") || t.isPunct("–") || t.isPunct("—") {
			start = k + 1
			break
		}
		if t.isQuote() || (t.word && !t.upper()) {
			break
		}
	}
	if start < len(toks) && toks[start].word && introWords[toks[start].lw] {
		k := start + 1
		for k < len(toks) && k-start < 25 && !toks[k].isPunct(",") {
			if toks[k].isQuote() {
				return nil, nil, 0
			}
			k++
		}
		if k >= len(toks) || !toks[k].isPunct(",") {
			return nil, nil, 0
		}
		start = k + 1
	}
	for k := start; k < len(toks) && k < start+14; k++ {
		t := toks[k]
		if t.isQuote() {
			return nil, nil, 0
		}
		if !t.lower() {
			continue
		}
		_, rv := reportingVerbs[t.lw]
		if auxWords[t.lw] || rv || isLy(t) || (strings.HasSuffix(t.lw, "ed") && !roleNouns[t.lw]) {
			if k == start {
				return nil, nil, 0
			}
			return subjectBefore(toks, k, start-1)
		}
	}
	return nil, nil, 0
}
