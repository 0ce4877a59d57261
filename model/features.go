package model

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// rule is one way the words around a lexicon match change what the match
// means. Every match contributes its weights to the feature of its source
// (ruleBase for the quote's words, ruleContext for the reporter's frame)
// and, on top, to the feature of each rule that applies to it; the fitted
// scoring layer says how much each rule re-routes each label (a negated
// threat cue counts towards denial, a third-person past force verb towards
// accusation).
type rule int

const (
	ruleBase rule = iota
	ruleContext
	ruleNegated
	ruleConditional
	ruleHedged
	ruleIntensified
	ruleFirstPerson
	ruleSecondPerson
	ruleThirdPerson
	ruleFuture
	rulePast
	ruleQuestion
	numRules
)

var ruleNames = [numRules]string{
	"base", "context", "negated", "conditional", "hedged", "intensified",
	"first_person", "second_person", "third_person", "future", "past", "question",
}

func (r rule) String() string { return ruleNames[r] }

// ruleSet is a set of rules.
type ruleSet uint16

func (s *ruleSet) add(r rule) { *s |= 1 << r }

// list returns the rules of the set in order, in buf's memory.
func (s ruleSet) list(buf *[numRules]rule) []rule {
	// Most matches carry two or three rules: visit the set bits only.
	rs := buf[:0]
	for b := uint16(s); b != 0; b &= b - 1 {
		rs = append(rs, rule(bits.TrailingZeros16(b)))
	}
	return rs
}

// len returns the number of rules in the set.
func (s ruleSet) len() int { return bits.OnesCount16(uint16(s)) }

// The quote-level features that follow the per-rule ones.
// They carry what the shape of a statement says on its own, whatever
// lexicon entries it holds: speakers deny with "we did not ...", threaten
// with "if ... will", and fragments are seldom plain facts.
const (
	globalBias          = iota // always 1: the prior of each label
	globalQuestion             // the quote ends with a question mark
	globalDigits               // the quote holds a number
	globalNoMatch              // no lexicon entry matched the quote's words
	globalNegation             // a negator
	globalNegatedSelf          // a negator in a clause whose subject is the speaker ("we did not")
	globalNegatedPast          // a negator in a clause with a past marker ("was never", "did not"): what happened is disputed
	globalNegatedFuture        // a negator in a clause with a future marker ("will not", "would never"): what will happen is ruled out or warned of
	globalSelfFuture           // a future marker whose subject is the speaker ("we will")
	globalCondFuture           // a conditional and a future marker in one sentence
	globalYou                  // the speaker addresses someone ("you")
	globalFragment             // four words or fewer: a fragment quoted inside a sentence
	globalSpeakerSelf          // the speaker speaks of itself ("we", "our")
	globalOther                // a third party named by a pronoun or a role ("they", "the regime"): blame has a target
	numGlobals
)

var globalNames = [numGlobals]string{
	"bias", "question_mark", "digits", "no_match", "negation", "negated_self",
	"negated_past", "negated_future", "self_future", "conditional_future", "second_person_address", "fragment", "speaker_self", "other",
}

// globals finds the quote-level features of a quote's words, with the byte
// span of the words that set each (the whole quote for those that no word
// sets alone).
func (a *analysis) globals(text string) (x [numGlobals]float64, spans [numGlobals][2]int) {
	set := func(g, i int) {
		if x[g] == 0 {
			x[g] = 1
			spans[g] = [2]int{a.words[i].start, a.words[i].end}
		}
	}
	letters := 0
	a.condSentence = resize(a.condSentence, len(a.words)+1)
	condSentence := a.condSentence
	// tense marks, per clause, its past and future markers, so that a
	// negator can be told apart by the time it speaks of.
	a.tense = resize(a.tense, len(a.words)+1)
	tense := a.tense
	for i, w := range a.words {
		if a.is(listConditionals, i) {
			condSentence[a.sentence[i]] = true
		}
		if a.is(listPast, i) || pastForm(w.form) {
			tense[a.clause[i]] |= 1 << rulePast
		}
		if a.is(listFuture, i) {
			tense[a.clause[i]] |= 1 << ruleFuture
		}
		if hasLetter(w.form) {
			letters++
		}
	}
	for i, w := range a.words {
		if w.form != "" && w.form[0] >= '0' && w.form[0] <= '9' {
			set(globalDigits, i)
		}
		if a.is(listNegators, i) {
			set(globalNegation, i)
			if a.subject(i) == ruleFirstPerson {
				set(globalNegatedSelf, i)
			}
			if tense[a.clause[i]]&(1<<rulePast) != 0 {
				set(globalNegatedPast, i)
			}
			if tense[a.clause[i]]&(1<<ruleFuture) != 0 {
				set(globalNegatedFuture, i)
			}
		}
		if a.is(listFuture, i) {
			if a.subject(i) == ruleFirstPerson {
				set(globalSelfFuture, i)
			}
			if condSentence[a.sentence[i]] {
				set(globalCondFuture, i)
			}
		}
		if a.is(listSecondPerson, i) {
			set(globalYou, i)
		}
		if a.is(listFirstPerson, i) {
			set(globalSpeakerSelf, i)
		}
		if a.is(listThirdPerson, i) {
			set(globalOther, i)
		}
	}
	whole := [2]int{0, len(text)}
	if letters > 0 && letters <= 4 {
		x[globalFragment], spans[globalFragment] = 1, whole
	}
	if t := strings.TrimRightFunc(text, func(r rune) bool {
		return unicode.IsSpace(r) || r == '"' || r == '\'' || r == '\u201d' || r == '\u2019'
	}); strings.HasSuffix(t, "?") {
		x[globalQuestion], spans[globalQuestion] = 1, whole
	}
	x[globalBias] = 1
	return x, spans
}

// numFeatures is the length of a feature vector: one feature per rule and
// label, one per label for the quote's distributional words, then the
// quote-level features.
const numFeatures = int(numRules)*NumLabels + NumLabels + numGlobals

// featureName names feature i as it appears in a lexicon's [weights].
func featureName(i int) string {
	switch {
	case i < int(numRules)*NumLabels:
		return rule(i/NumLabels).String() + ":" + Label(i%NumLabels).String()
	case i < globalFeature(0):
		return sectionDistrib + ":" + Label(i-int(numRules)*NumLabels).String()
	}
	return globalNames[i-globalFeature(0)]
}

func ruleFeature(r rule, l Label) int { return int(r)*NumLabels + int(l) }

func distribFeature(l Label) int { return int(numRules)*NumLabels + int(l) }

func globalFeature(g int) int { return int(numRules)*NumLabels + NumLabels + g }

// analysis is a text split into words, with what the rules need to know
// about each word.
type analysis struct {
	words []word
	// sentence and clause number every word; clause boundaries stop the
	// reach of negators, hedges and subjects.
	sentence, clause []int
	// in[i] has bit l set when word i is part of a term of list l.
	in []uint16
	// question reports, per sentence, whether it ends with a question mark.
	question []bool
	// sentIn[s] is the union of in over the words of sentence s, so that
	// inSentence need not scan the sentence for each match.
	sentIn []uint16
	// entry[i] is the longest lexicon entry that starts at word i.
	entry []termSpan
	// pats[patAt[i]:patAt[i+1]] are the numbers of the matcher's patterns
	// that word i matches.
	pats  []int32
	patAt []int32
	// walks[i] is what the matcher found from word i.
	walks []walkState
	// condSentence and tense are globals' scratch space.
	condSentence []bool
	tense        []ruleSet
}

// is reports whether word i is part of a term of list l.
func (a *analysis) is(l termList, i int) bool { return a.in[i]&(1<<l) != 0 }

// patterns returns the numbers of the matcher's patterns that word i
// matches.
func (a *analysis) patterns(i int) []int32 { return a.pats[a.patAt[i]:a.patAt[i+1]] }

// analyze marks sentences, clauses, rule terms and entries in words. It
// reuses a's memory. When quoted >= 0, words[quoted:] begin with the words
// of the analysis of quote, whose patterns are then copied rather than
// looked up again, and so are the terms found from its words, unless a
// term might run on past the quote.
func (m *Model) analyze(a *analysis, words []word, quote *analysis, quoted int) {
	n := len(words)
	a.words = words
	a.sentence = resize(a.sentence, n)
	a.clause = resize(a.clause, n)
	a.in = resize(a.in, n)
	a.question = resize(a.question, n+1)
	a.sentIn = resize(a.sentIn, n+1)
	a.entry = resize(a.entry, n)
	if cap(a.walks) < n {
		// Not cleared: walks[i] is set for every word with patterns
		// before it is read, and read for no other.
		a.walks = make([]walkState, n)
	}
	a.walks = a.walks[:n]
	a.pats, a.patAt = a.pats[:0], append(a.patAt[:0], 0)
	for i := 0; i < len(words); i++ {
		if i == quoted {
			// The quote's patterns in one piece; its offsets shifted.
			base := int32(len(a.pats))
			a.pats = append(a.pats, quote.pats...)
			for _, at := range quote.patAt[1:] {
				a.patAt = append(a.patAt, base+at)
			}
			i += len(quote.words) - 1
			continue
		}
		a.pats = m.terms.patterns(a.pats, words[i].form)
		a.patAt = append(a.patAt, int32(len(a.pats)))
	}
	for i := range words {
		a.entry[i] = termSpan{-1, int32(i)}
		if len(a.patterns(i)) == 0 {
			continue
		}
		st := &a.walks[i]
		if k := i - quoted; quoted >= 0 && k >= 0 && k < len(quote.words) && !quote.walks[k].cut {
			*st = quote.walks[k]
			for ls := st.lists; ls != 0; ls &= ls - 1 {
				st.found[bits.TrailingZeros16(ls)].end += int32(quoted)
			}
		} else {
			m.terms.longest(a, i, st)
		}
		if st.lists&(1<<listEntries) != 0 {
			a.entry[i] = st.found[listEntries]
		}
		for ls := st.lists &^ (1 << listEntries); ls != 0; ls &= ls - 1 {
			l := bits.TrailingZeros16(ls)
			for j := i; j < int(st.found[l].end); j++ {
				a.in[j] |= 1 << l
			}
		}
	}
	sent, cl := 0, 0
	for i, w := range words {
		if a.is(listClauseBreaks, i) && (i == 0 || !a.is(listClauseBreaks, i-1)) {
			cl++
		}
		a.sentence[i], a.clause[i] = sent, cl
		a.sentIn[sent] |= a.in[i]
		switch w.form {
		case ",", ";", ":", "(", ")", "\u2014", "\u2013", "\"":
			cl++
		case "?", "!":
			a.question[sent] = w.form == "?"
			sent++
			cl++
		case ".":
			if !abbreviation(words, i) {
				sent++
				cl++
			}
		}
	}
}

// resize returns s with length n and every element zero, reusing its
// memory when it is large enough.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// abbreviation reports whether the full stop at words[i] ends an
// abbreviation ("U.S.", "Mr.") rather than a sentence.
func abbreviation(words []word, i int) bool {
	if i == 0 {
		return false
	}
	prev := words[i-1]
	if prev.end != words[i].start {
		return false
	}
	if len(prev.form) == 1 && unicode.IsLetter(rune(prev.form[0])) {
		return true
	}
	switch prev.form {
	case "mr", "mrs", "ms", "dr", "gen", "col", "lt", "sgt", "capt", "maj", "st", "jr", "sr", "vs", "no", "gov", "sen", "rep", "prof":
		return true
	}
	return false
}

// before reports whether a word of list l lies within n words before word
// i, in the same clause.
func (a *analysis) before(l termList, i, n int) bool {
	for j := i - 1; j >= 0 && j >= i-n; j-- {
		if a.clause[j] != a.clause[i] {
			return false
		}
		if a.is(l, j) {
			return true
		}
	}
	return false
}

// inSentence reports whether a word of list l lies in word i's sentence.
func (a *analysis) inSentence(l termList, i int) bool {
	return a.sentIn[a.sentence[i]]&(1<<l) != 0
}

// subject returns the person of the nearest subject before word i in its
// sentence: a pronoun or noun from the person sections, or a capitalized
// word that is not the first of its sentence (a proper noun).
func (a *analysis) subject(i int) rule {
	for j := i - 1; j >= 0 && a.sentence[j] == a.sentence[i]; j-- {
		switch {
		case a.is(listFirstPerson, j):
			return ruleFirstPerson
		case a.is(listSecondPerson, j):
			return ruleSecondPerson
		case a.is(listThirdPerson, j):
			return ruleThirdPerson
		case a.properNoun(j):
			return ruleThirdPerson
		}
	}
	return -1
}

// properNoun reports whether word j looks like a name: capitalized, a
// letter word, and not a function word that is capitalized only because it
// opens the sentence.
func (a *analysis) properNoun(j int) bool {
	w := a.words[j]
	if !w.upper || len(w.form) < 2 {
		return false
	}
	if a.in[j] != 0 {
		return false // a word of some rule's list
	}
	if j == 0 || a.sentence[j-1] != a.sentence[j] || a.words[j-1].form == "\"" {
		switch w.form {
		case "the", "this", "that", "these", "those", "there", "it", "in", "on", "at", "for", "as", "and", "but", "if", "when", "after", "before", "while", "today", "yesterday", "now", "all", "any", "no", "such", "what", "who", "why", "how", "one":
			return false
		}
	}
	return hasLetter(w.form)
}

// rules returns the rules that apply to a match of words [start, end).
func (a *analysis) rules(start, end int) ruleSet {
	var rs ruleSet
	// A negator reaches every cue after it in its clause ("we have not at
	// any point threatened"); a clause break ("but", a comma) ends it.
	if a.before(listNegators, start, len(a.words)) {
		rs.add(ruleNegated)
	}
	if a.inSentence(listConditionals, start) {
		rs.add(ruleConditional)
	}
	if a.before(listHedges, start, 4) {
		rs.add(ruleHedged)
	}
	if a.before(listIntensifiers, start, 2) {
		rs.add(ruleIntensified)
	}
	if p := a.subject(start); p >= 0 {
		rs.add(p)
	}
	if a.is(listFuture, start) || a.before(listFuture, start, 3) {
		rs.add(ruleFuture)
	}
	if a.is(listPast, start) || a.before(listPast, start, 2) || pastForm(a.words[start].form) {
		rs.add(rulePast)
	}
	if a.question[a.sentence[start]] {
		rs.add(ruleQuestion)
	}
	return rs
}

// pastForm reports whether a word looks like a regular past tense or
// participle ("attacked", "violated").
func pastForm(f string) bool {
	if len(f) < 5 || !strings.HasSuffix(f, "ed") {
		return false
	}
	switch f {
	case "need", "indeed", "speed", "seed", "breed", "creed", "proceed", "exceed", "succeed", "embed", "united", "hundred", "sacred", "wicked", "naked", "red":
		return false
	}
	return true
}

// hasLetter reports whether s holds a letter. Most words are ASCII, where a
// letter is a-z or A-Z; the first other byte hands the rest to unicode.
func hasLetter(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return strings.IndexFunc(s[i:], unicode.IsLetter) >= 0
		}
		if 'a' <= c|0x20 && c|0x20 <= 'z' {
			return true
		}
	}
	return false
}
