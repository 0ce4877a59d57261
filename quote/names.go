package quote

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// npInfo is what the rules make of a speaker noun phrase.
type npInfo struct {
	raw       string   // the phrase as written, cut before its modifiers
	pos       int      // its offset in the text
	det       string   // leading article: "a", "an", "the" or ""
	pronoun   string   // "he", "she", "they" when the phrase is a pronoun
	name      string   // the proper name, titles removed ("Khawaja Asif")
	titled    bool     // a title stood before the name
	titleOnly bool     // titles and no name ("Pakistan's Information Minister")
	desc      []string // folded descriptor words: titles, roles, adjectives
	acronym   string   // an acronym given in brackets after the name
	head      string   // folded head noun
	owner     []string // folded possessors ("pakistan" of "Pakistan's minister")
	known     bool     // the head is a proper name, a pronoun or a known speaker noun
}

// analyseNP reads the tokens of a speaker noun phrase. extra are the tokens
// of an appositive description ("The chief minister, Sarfraz Bugti, …").
// It reports false when the tokens are not a noun phrase at all; n.known
// tells whether the phrase is one that can speak.
func analyseNP(text string, toks, extra []token) (npInfo, bool) {
	var n npInfo
	// "A statement from the ministry" and "a statement issued by the
	// ministry" speak for the ministry.
	for k := 1; k+1 < len(toks); k++ {
		if w := toks[k].lw; (w == "from" || w == "by") && (docNouns[toks[k-1].lw] || (k >= 2 && issuedWords[toks[k-1].lw] && docNouns[toks[k-2].lw])) {
			return analyseNP(text, toks[k+1:], extra)
		}
	}
	toks = cutModifiers(toks)
	// Bracketed groups: an acronym is kept aside, "(r)" and the like
	// dropped.
	var ws []token
	for k := 0; k < len(toks); k++ {
		if toks[k].isPunct("(") {
			j := k + 1
			for j < len(toks) && !toks[j].isPunct(")") {
				j++
			}
			if j == k+2 && toks[k+1].allCaps() {
				n.acronym = toks[k+1].text
			}
			k = j
			continue
		}
		if toks[k].word {
			ws = append(ws, toks[k])
		}
	}
	if len(ws) == 0 {
		return n, false
	}
	n.pos = ws[0].s
	n.raw = strings.TrimRight(text[ws[0].s:ws[len(ws)-1].e], ",;: ")
	if len(ws) == 1 && (singularPronouns[ws[0].lw] || pluralPronouns[ws[0].lw] || ws[0].lw == "it") {
		n.pronoun = ws[0].lw
		n.head = ws[0].lw
		n.known = true
		return n, true
	}
	if len(ws) == 1 && notSpeakers[ws[0].lw] {
		return n, false
	}
	if d := ws[0].lw; d == "a" || d == "an" || d == "the" {
		n.det = d
		ws = ws[1:]
		if len(ws) == 0 {
			return n, false
		}
	}
	last := ws[len(ws)-1]
	n.head = canonWord(last.text)
	// The proper name is the run of capitalized words at the end of the
	// phrase; a possessive ends it ("Pakistan’s Defence Minister …").
	// A run that ends in an organisation word is an organisation's name,
	// possessives and titles included ("the Prime Minister’s Office").
	orgRun := last.upper() && orgNameWords[canonWord(last.text)]
	j := len(ws) - 1
	for ; j >= 0; j-- {
		t := ws[j]
		if t.possessive() && !(orgRun && t.upper() && j < len(ws)-1) {
			break
		}
		if t.upper() || (j > 0 && j < len(ws)-1 && nameConnectors[t.lw] && ws[j-1].upper() && ws[j+1].upper()) {
			continue
		}
		break
	}
	run := ws[j+1:]
	if allRoles(run) {
		run = nil
	}
	describe := func(ts []token) {
		for _, t := range ts {
			switch {
			case !t.word || determiners[t.lw]:
			case t.possessive():
				n.owner = append(n.owner, canonWord(t.text))
			default:
				n.desc = append(n.desc, canonWord(t.text))
			}
		}
	}
	if len(run) == 0 {
		// A common noun phrase: its head is the last word before an
		// "of", "for" or "to" phrase ("the chief minister of Balochistan
		// province"), and only the words up to it describe the speaker;
		// in "one of the officials" the head is the last word.
		core := ws
		for k := 1; k < len(ws); k++ {
			if w := ws[k].lw; w == "of" || w == "for" || w == "to" || w == "from" {
				core = ws[:k]
				if k == 1 && quantifiers[ws[0].lw] {
					core = ws[k+1:]
				}
				break
			}
		}
		if len(core) == 0 {
			return n, false
		}
		n.head = canonWord(core[len(core)-1].text)
		describe(core)
		describe(extra)
		n.known = isSpeakerHead(n.head)
		return n, !notHeads[n.head] && !isLy(core[len(core)-1]) && core[len(core)-1].word
	}
	describe(ws[:len(ws)-len(run)])
	describe(extra)
	n.known = true
	if orgRun {
		n.name = text[run[0].s:run[len(run)-1].e]
		return n, true
	}
	// Titles stand before the name; the name starts after the last one,
	// and after the portfolio of "Secretary of State …".
	lastTitle := -1
	for k, t := range run {
		if titleHeads[canonWord(t.text)] {
			lastTitle = k
		}
	}
	k := lastTitle + 1
	// A capitalized role word opening the sentence is a description too
	// ("Economist Nabeel Sami said").
	for k < len(run)-1 && roleNouns[run[k].lw] {
		k++
	}
	if lastTitle >= 0 && k < len(run) && run[k].lw == "of" {
		for k < len(run) && portfolioWords[run[k].lw] {
			k++
		}
	}
	describe(run[:min(k, len(run))])
	n.titled = lastTitle >= 0
	if k >= len(run) {
		n.titleOnly = true
		return n, true
	}
	n.name = text[run[k].s:run[len(run)-1].e]
	return n, true
}

// allRoles reports whether every word of a capitalized run is a common
// noun for people, as in a sentence-initial "Officials" or "Analysts".
func allRoles(run []token) bool {
	if len(run) == 0 {
		return false
	}
	for _, t := range run {
		if !roleNouns[t.lw] {
			return false
		}
	}
	return true
}

// isSpeakerHead reports whether a common noun can head a speaker phrase:
// people and bodies speak, "the talks" do not.
func isSpeakerHead(h string) bool {
	return roleNouns[h] || orgNouns[h] || outletNouns[h] || speakerExtras[h]
}

// notSpeakers are words that cannot be a speaker phrase on their own.
var notSpeakers = wordSet("i we you me us this that these those there here which who what one all both some many most others another such none each")

// speakerExtras are further heads of speaker phrases.
var speakerExtras = wordSet("delegation side team forces report statement body board panel dossier document communique source sources bank club union association alliance coalition federation campaign wing arm unit cell secretariat mission")

// quantifiers head "one of the officials": the speaker noun is the last word.
var quantifiers = wordSet("one two three four five several some many most both all each either neither none any")

// notHeads cannot head a speaker phrase even right next to a quote: time
// words and the like left over from "said late on Monday".
var notHeads = wordSet("late early later earlier again also then now today yesterday tonight once too there here it's")

// cutModifiers drops what follows the head of a noun phrase: relative
// clauses, participles and locative phrases.
func cutModifiers(toks []token) []token {
	depth := 0
	for k, t := range toks {
		switch {
		case t.isPunct("("):
			depth++
		case t.isPunct(")"):
			depth--
		case depth > 0:
		case k > 0 && (t.isQuote() || (!t.word && t.text != "." && t.text != "-")):
			return toks[:k]
		case k > 0 && t.word && cutWords[t.lw]:
			return toks[:k]
		case k > 0 && k+1 < len(toks) && (t.lw == "of" || t.lw == "for") && toks[k-1].upper() && determiners[toks[k+1].lw]:
			// "Nabeel Sami of the Centre for …": the name ends before
			// its affiliation.
			return toks[:k]
		}
	}
	return toks
}

// mention is a reference to a possible speaker, in document order. The
// pronoun and definite-description rules look back through mentions.
type mention struct {
	pos     int
	sent    int
	subject bool   // the subject of a verb, or the source of "according to"
	person  bool   // a person, so "he" or "she" may stand for it
	plural  bool   // "officials": "they" may stand for it
	named   bool   // name is a proper name
	weak    bool   // only a capitalized name seen in passing: good for surnames, not for pronouns
	aside   bool   // an unnamed source of an aside attribution in a sentence without quotes ("…, a source said")
	name    string // the speaker as the rules return it
	desc    []string
	acronym string
	ws      []string // words(), once the mention is recorded
}

// words returns the folded words of the mention's name and descriptors.
func (m mention) words() []string {
	if m.ws != nil {
		return m.ws
	}
	ws := append([]string(nil), m.desc...)
	for _, w := range strings.Fields(m.name) {
		ws = append(ws, canonWord(w))
	}
	return ws
}

func contains(ws []string, w string) bool {
	for _, x := range ws {
		if x == w {
			return true
		}
	}
	return false
}

// resolved is a speaker phrase after resolution.
type resolved struct {
	speaker string // "" when unknown
	mention string // the phrase as written
	pronoun bool   // found through a pronoun
	m       mention
}

// resolve turns a speaker phrase into the speaker the article names:
// pronouns to their antecedent, surnames and acronyms to the full name,
// "the minister" to the minister named before, titles to names.
func (d *doc) resolve(n npInfo, sent int) resolved {
	r := resolved{mention: n.raw}
	m := mention{pos: n.pos, sent: sent, subject: true, desc: n.desc, acronym: n.acronym}
	switch {
	case n.pronoun != "":
		r.pronoun = true
		a, ok := d.antecedent(n.pronoun, n.pos, sent)
		if !ok {
			return r
		}
		a.pos, a.sent, a.subject = n.pos, sent, true
		r.speaker, r.m = a.name, a
		if n.pronoun == "he" || n.pronoun == "she" {
			if d.genders == nil {
				d.genders = make(map[string]string)
			}
			d.genders[a.name] = n.pronoun
		}
		return r
	case n.name != "":
		m.name, m.named = n.name, true
		m.person = n.titled || anyRole(n.desc) || personName(n.name)
		if n.acronym == "" && isAcronym(n.name) {
			if a, ok := d.byAcronym(n.name, n.pos); ok {
				m = a.at(n.pos, sent)
				break
			}
		}
		if !strings.ContainsAny(n.name, " ") {
			if a, ok := d.bySurname(n.name, n.pos); ok {
				a = a.at(n.pos, sent)
				a.desc, a.ws = append(append([]string(nil), a.desc...), n.desc...), nil
				m = a
			}
		}
	case n.titleOnly:
		if a, ok := d.byDescription(n, sent, true); ok {
			m = a.at(n.pos, sent)
			break
		}
		m.name, m.person = n.raw, true
	default:
		m.name = n.raw
		m.person = roleNouns[n.head]
		m.plural = isPlural(n.head)
		if n.det == "the" || (n.det == "" && len(n.owner) > 0) {
			if a, ok := d.byDescription(n, sent, false); ok {
				m = a.at(n.pos, sent)
			}
		}
	}
	r.speaker, r.m = m.name, m
	return r
}

// at returns the mention moved to a new place in the text.
func (m mention) at(pos, sent int) mention {
	m.pos, m.sent, m.subject = pos, sent, true
	return m
}

func anyRole(ws []string) bool {
	for _, w := range ws {
		if roleNouns[w] || strings.HasSuffix(w, "year-old") {
			return true
		}
	}
	return false
}

// personName reports whether a proper name of two or more words looks like
// a person's rather than a place's or a body's.
func personName(name string) bool {
	ws := strings.Fields(name)
	if len(ws) < 2 {
		return false
	}
	for _, w := range ws {
		if orgNameWords[canonWord(w)] {
			return false
		}
	}
	return true
}

func isAcronym(w string) bool {
	n := utf8.RuneCountInString(w)
	if n < 2 || n > 7 {
		return false
	}
	for _, r := range w {
		if !unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

func isPlural(h string) bool {
	switch h {
	case "people", "police", "men", "women", "businessmen", "spokespeople", "authorities":
		return true
	case "news", "analysis", "press", "witness", "business":
		return false
	}
	return strings.HasSuffix(h, "s") && !strings.HasSuffix(h, "ss")
}

// pronounWindow is how many sentences back a pronoun may find its
// antecedent: beyond that, news writers repeat the name.
const pronounWindow = 8

// antecedent finds what a pronoun stands for: a subject earlier in the same
// sentence, else, sentence by sentence backwards, the subject of the
// sentence or failing that its last mention of the right kind.
func (d *doc) antecedent(p string, pos, sent int) (mention, bool) {
	fits := func(m mention) bool {
		if m.name == "" || m.weak {
			return false
		}
		switch p {
		case "he", "she":
			return m.person && !m.plural && d.genderOf(m) != otherGender(p)
		case "they":
			return m.plural
		default: // it
			return !m.person && !m.plural
		}
	}
	// The unnamed source of an aside ("…, a diplomatic source said")
	// vouches for the reporter's words but is not a character of the
	// story: a pronoun takes it only when no one else in the window fits.
	if m, ok := d.antecedentIn(pos, sent, fits, false); ok {
		return m, true
	}
	return d.antecedentIn(pos, sent, fits, true)
}

// antecedentIn is antecedent's search, over the mentions that fit and,
// if asides is false, are not asides.
func (d *doc) antecedentIn(pos, sent int, fits func(mention) bool, asides bool) (mention, bool) {
	var best mention
	bestSent, found, bestSubj := -1, false, false
	for k := len(d.ments) - 1; k >= 0; k-- {
		m := d.ments[k]
		if m.sent < sent-pronounWindow {
			break
		}
		if found && m.sent < bestSent {
			break
		}
		if m.pos >= pos || !fits(m) || (m.aside && !asides) {
			continue
		}
		if m.sent == sent && !m.subject {
			continue
		}
		switch {
		case !found:
			best, bestSent, found, bestSubj = m, m.sent, true, m.subject
		case m.sent == bestSent && m.subject && !bestSubj:
			best, bestSubj = m, true
		}
	}
	return best, found
}

// femaleWords and maleWords in a speaker's description tell "she" from
// "he".
var (
	femaleWords = wordSet("mrs ms miss madam dame lady queen princess woman spokeswoman chairwoman congresswoman businesswoman mother daughter sister wife widow girl grandmother actress")
	maleWords   = wordSet("mr sir lord king prince man spokesman chairman congressman businessman father son brother husband boy grandfather actor")
)

// genderOf returns the pronoun that fits a mention, "he" or "she", from
// its description or from the pronouns already resolved to it, or "".
func (d *doc) genderOf(m mention) string {
	if g := d.genders[m.name]; g != "" {
		return g
	}
	for _, w := range m.desc {
		switch {
		case femaleWords[w]:
			return "she"
		case maleWords[w]:
			return "he"
		}
	}
	return ""
}

func otherGender(p string) string {
	if p == "he" {
		return "she"
	}
	return "he"
}

// bySurname expands a one-word name to the last full name before pos that
// ends in it: "Asif" to "Khawaja Asif", "Haq" to "Inam-ul-Haq".
//
// A first name used alone ("PM Shehbaz") expands the same way when no
// surname matches.
func (d *doc) bySurname(w string, pos int) (mention, bool) {
	if m, ok := lastBefore(d.surnames[strings.ToLower(w)], pos); ok {
		return m, true
	}
	return lastBefore(d.firstNames[strings.ToLower(w)], pos)
}

// byAcronym expands an acronym to the name it was given for ("RTA") or
// whose initials it is.
func (d *doc) byAcronym(a string, pos int) (mention, bool) {
	return lastBefore(d.acronyms[a], pos)
}

func lastBefore(ms []mention, pos int) (mention, bool) {
	for k := len(ms) - 1; k >= 0; k-- {
		if ms[k].pos < pos {
			return ms[k], true
		}
	}
	return mention{}, false
}

// index files a new mention under the surname and acronym a later short
// reference may use.
func (d *doc) index(m mention) {
	if !m.named {
		return
	}
	if d.surnames == nil {
		d.surnames, d.firstNames, d.acronyms = make(map[string][]mention), make(map[string][]mention), make(map[string][]mention)
	}
	ws := strings.Fields(m.name)
	last := ws[len(ws)-1]
	if m.person && len(ws) > 1 {
		k := strings.ToLower(last)
		d.surnames[k] = append(d.surnames[k], m)
		k = strings.ToLower(ws[0])
		d.firstNames[k] = append(d.firstNames[k], m)
	}
	if i := strings.LastIndexAny(last, "-‑"); m.person && i >= 0 && i+1 < len(last) {
		k := strings.ToLower(last[i+1:])
		if k != "" && !strings.HasPrefix(k, "‑") {
			d.surnames[k] = append(d.surnames[k], m)
		}
	}
	if m.acronym != "" {
		d.acronyms[m.acronym] = append(d.acronyms[m.acronym], m)
	}
	if a := initials(m.name); a != "" && a != m.acronym {
		d.acronyms[a] = append(d.acronyms[a], m)
	}
}

func initials(name string) string {
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		r, _ := utf8.DecodeRuneInString(w)
		if unicode.IsUpper(r) {
			b.WriteRune(r)
		}
	}
	if b.Len() < 2 {
		return ""
	}
	return b.String()
}

// descriptionWindow is how many mentions back a description is looked
// up, and forwardWindow how many sentences ahead a title may find its
// name: enough for any article, and a bound on the work for long input.
const (
	descriptionWindow = 500
	forwardWindow     = 10
)

// genericAdjectives may appear in a definite description without being
// among the earlier mention's words ("the senior official").
var genericAdjectives = wordSet("senior top same former other latest new local")

// byDescription finds the named or described speaker that a definite
// description or a bare title refers to. Backwards, it takes the last
// mention whose words hold the head noun (or a noun of the same kind, such
// as "outlet" for "broadcaster") and every other content word: "the
// minister" after "Defence Minister Khawaja Asif". A bare title, or a
// description of two or more content words, may also refer forward to the
// next name given with a compatible description ("Pakistan's Information
// Minister stated …. Pakistan's Information Minister, Attaullah Tarar,
// …"). Possessors ("Pakistan's") need not match.
func (d *doc) byDescription(n npInfo, sent int, title bool) (mention, bool) {
	var content []string
	for _, w := range n.desc {
		if !determiners[w] && !genericAdjectives[w] {
			content = append(content, w)
		}
	}
	head := n.head
	if !contains(content, head) {
		content = append(content, head)
	}
	headOK := func(ws []string) bool {
		if contains(ws, head) {
			return true
		}
		for _, class := range []map[string]bool{outletNouns, spokesNouns} {
			if class[head] {
				for _, w := range ws {
					if class[w] {
						return true
					}
				}
			}
		}
		return false
	}
	// within reports whether every word of a, but the head and its
	// kind, is among ws.
	within := func(a, ws []string) bool {
		for _, w := range a {
			if w != head && !outletNouns[w] && !spokesNouns[w] && !genericAdjectives[w] && !contains(ws, w) {
				return false
			}
		}
		return true
	}
	back := func(m mention) bool {
		return m.name != "" && !m.weak && m.plural == isPlural(head) && headOK(m.words()) && within(content, m.words())
	}
	lo := max(0, len(d.ments)-descriptionWindow)
	for k := len(d.ments) - 1; k >= lo; k-- {
		if m := d.ments[k]; m.pos < n.pos && m.named && back(m) {
			return m, true
		}
	}
	for k := len(d.ments) - 1; k >= lo; k-- {
		if m := d.ments[k]; m.pos < n.pos && back(m) {
			return m, true
		}
	}
	if title || len(content) >= 2 || len(n.owner) > 0 {
		i := sort.Search(len(d.named), func(i int) bool { return d.named[i].pos > n.pos })
		for _, m := range d.named[i:] {
			if m.sent > sent+forwardWindow {
				break
			}
			if m.weak || m.plural != isPlural(head) || !headOK(m.words()) {
				continue
			}
			if within(content, m.words()) || within(m.desc, content) {
				return m, true
			}
		}
	}
	return mention{}, false
}
