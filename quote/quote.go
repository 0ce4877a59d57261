package quote

import (
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind tells a quoted sentence from a quoted fragment.
type Kind uint8

const (
	// Full is a quote of a whole sentence or more: it opens its sentence,
	// or follows a colon, a comma or a reporting verb, and starts with a
	// capital or a digit.
	Full Kind = iota
	// Partial is a fragment quoted inside the reporter's own sentence, as
	// in: he called it a “failed state.”
	Partial
)

// String returns "full" or "partial", the names the gold data uses.
func (k Kind) String() string {
	if k == Partial {
		return "partial"
	}
	return "full"
}

// Quote is one quoted statement found in a text.
type Quote struct {
	// Start and End are the byte offsets of the quoted words: Start is
	// just after the opening mark, End is the offset of the closing mark,
	// or the end of the paragraph (without trailing white space) for a
	// quote that is not closed in its paragraph.
	Start, End int
	// Text is exactly text[Start:End].
	Text string
	// Speaker is the person or body the article credits, as the article
	// names it: a proper name without its titles ("Khawaja Asif"), or the
	// noun phrase the article uses ("a Pakistani security official",
	// "Officials"). It is "" when the article does not say.
	Speaker string
	// Cue names the attribution rule that found Speaker; see the package
	// documentation for the list. It is "" when Speaker is "".
	Cue string
	// Mention is the reference to the speaker as written at the cue
	// ("he", "the state outlet", "Haq"), before it was resolved to Speaker.
	Mention string
	// Kind tells a whole quoted sentence from a fragment.
	Kind Kind
	// ContextStart and ContextEnd are the byte span of the reporter's
	// sentence around the quote, including the quote and its marks: the
	// frame ("he warned that …") that tells a classifier what the speaker
	// is doing with the words.
	ContextStart, ContextEnd int
}

// Extract returns the quoted statements of text in text order. Spans are
// inside text and never overlap. Quotes in headlines, subheads and
// headline lists are left out (see the package documentation).
//
// Offsets are byte offsets into text, which should be valid UTF-8: callers
// validate their input (utf8.ValidString). Extract never panics on invalid
// input; an invalid byte is then treated as a symbol that is neither a
// letter nor a quotation mark.
func Extract(text string) []Quote {
	d := &doc{text: text, paras: splitParas(text)}
	d.scan()
	d.attribute()
	// A second pass lets a bare title refer forward to the name that the
	// article gives a little later ("Pakistan's Information Minister
	// stated …. Pakistan's Information Minister, Attaullah Tarar, …").
	for _, m := range d.ments {
		if m.named {
			d.named = append(d.named, m)
		}
	}
	d.attribute()
	return d.result()
}

// scan finds the quotes, classifies the paragraphs and cuts the body
// paragraphs into tokens and sentences.
func (d *doc) scan() {
	for i := range d.paras {
		line := d.text[d.paras[i].start:d.paras[i].end]
		if author, ok := tweetSignature(line); ok {
			d.paras[i].signature = true
			if i > 0 && !d.paras[i-1].signature {
				d.paras[i-1].tweetAuthor = author
			}
		}
	}
	for pi := range d.paras {
		p := &d.paras[pi]
		qs := scanPara(d.text, p.start, p.end)
		p.headline = p.signature || (p.tweetAuthor == "" && isHeadline(d.text[p.start:p.end], p.start, qs))
		if p.headline {
			continue
		}
		base := len(d.quotes)
		for k, q := range qs {
			qi := qinfo{rawQuote: q, para: pi, sent: -1}
			// A paragraph that opens with a quotation mark continues
			// the previous paragraph's unclosed quote (news convention
			// for quotes that run over several paragraphs).
			if k == 0 && q.open == p.start && base > 0 {
				prev := d.quotes[base-1]
				qi.contPrev = prev.para == pi-1 && !prev.closed
			}
			d.quotes = append(d.quotes, qi)
		}
		toks := tokenize(d.text, p.start, p.end, qs, base)
		for _, st := range splitSentences(d.text, toks) {
			si := len(d.sents)
			for k, t := range st {
				if t.isQuote() {
					d.quotes[t.q].sent, d.quotes[t.q].tok = si, k
				}
			}
			d.sents = append(d.sents, sentence{s: st[0].s, e: st[len(st)-1].e, toks: st, para: pi})
			p.sents = append(p.sents, si)
		}
	}
}

// isHeadline reports whether a paragraph is a title, subhead or list item
// rather than prose: it does not end in sentence punctuation and is short.
// A paragraph that opens an unclosed quote is prose (a quote running on).
func isHeadline(line string, start int, qs []rawQuote) bool {
	if len(qs) > 0 && qs[0].open == start && !qs[0].closed {
		return false
	}
	if len(qs) > 0 && qs[0].open == start && qs[0].closed {
		// A pull quote signed with a dash: “…” — Khawaja Asif.
		rest := strings.TrimLeftFunc(line[qs[0].close-start:], isSpace)
		if strings.HasPrefix(rest, "—") || strings.HasPrefix(rest, "–") {
			return false
		}
	}
	for _, q := range qs {
		// “…,” he said: headlines never put a comma before the
		// closing mark.
		if q.closed && strings.HasSuffix(strings.TrimRightFunc(line[q.start-start:q.end-start], isSpace), ",") {
			return false
		}
	}
	if strings.Contains(line, "pic.twitter.com/") || strings.Contains(line, "t.co/") {
		return false // the text of an embedded tweet
	}
	body := strings.TrimRightFunc(line, func(r rune) bool {
		return isSpace(r) || markOf(r) != mkNone
	})
	r, _ := utf8.DecodeLastRuneInString(body)
	if strings.ContainsRune(".!?…:;)", r) {
		return false
	}
	return len(strings.Fields(line)) <= 20
}

// tweetSignature recognizes the line under an embedded tweet, "— Name
// (@handle) date", and returns the name.
func tweetSignature(line string) (string, bool) {
	rest, ok := strings.CutPrefix(line, "—")
	if !ok {
		rest, ok = strings.CutPrefix(line, "–")
	}
	if !ok {
		return "", false
	}
	name, _, ok := strings.Cut(rest, "(@")
	if !ok {
		return "", false
	}
	return strings.TrimSpace(name), true
}

// attribute finds the speaker of every quote. It walks the sentences in
// order, so that pronouns and short names resolve to what came before.
func (d *doc) attribute() {
	d.ments = d.ments[:0]
	d.surnames, d.firstNames, d.acronyms, d.genders = nil, nil, nil, nil
	for i := range d.quotes {
		q := &d.quotes[i]
		q.speaker, q.cue, q.mention = "", "", ""
	}
	for si := range d.sents {
		st := &d.sents[si]
		first := len(d.ments)
		hasQuote := slices.ContainsFunc(st.toks, token.isQuote)
		st.sites = findSites(st.toks)
		st.subj = nil
		for k := range st.sites {
			s := &st.sites[k]
			if s.kind == siteRef {
				r := s.ref
				for r >= 0 && st.sites[r].ref == refNotSpeaker {
					r--
				}
				if r >= 0 && st.sites[r].res.speaker != "" {
					s.res = st.sites[r].res
				} else {
					s.res = d.subjectOf(si).res
				}
				continue
			}
			n, ok := analyseNP(d.text, s.np, s.extra)
			if !ok || (!n.known && !s.strong) {
				s.kind = siteRef // not a speaker: keep the verb, borrow the subject
				s.ref = refNotSpeaker
				continue
			}
			s.res = d.resolve(n, si)
			s.res.m.aside = !hasQuote && !s.res.m.named && isAside(st.toks, *s)
			d.addMention(s.res.m)
		}
		d.otherMentions(si)
		ms := d.ments[first:]
		sort.SliceStable(ms, func(a, b int) bool { return ms[a].pos < ms[b].pos })
		for k, t := range st.toks {
			if t.isQuote() && t.q < len(d.quotes) {
				d.attributeQuote(si, k)
			}
		}
	}
	d.fallbacks()
}

func (d *doc) addMention(m mention) {
	if m.name != "" {
		m.ws = m.words()
		d.ments = append(d.ments, m)
		d.index(m)
	}
}

// subjectOf returns the sentence's subject as a site, computing it once.
func (d *doc) subjectOf(si int) *site {
	st := &d.sents[si]
	if st.subj != nil {
		return st.subj
	}
	s := &site{kind: siteFinite, ref: -1}
	st.subj = s
	np, extra, at := sentenceSubject(st.toks)
	if np == nil {
		return s
	}
	s.np, s.extra, s.npStart = np, extra, at
	if n, ok := analyseNP(d.text, np, extra); ok && n.known {
		s.res = d.resolve(n, si)
	}
	return s
}

// otherMentions records the possible speakers of a sentence that are not
// subjects of reporting verbs: the sentence's subject, and names after a
// title or role ("remarks by Taliban deputy leader Abdul Ghani Baradar").
func (d *doc) otherMentions(si int) {
	st := &d.sents[si]
	seen := func(pos int) bool {
		for k := len(d.ments) - 1; k >= 0 && k >= len(d.ments)-50 && d.ments[k].sent == si; k-- {
			if d.ments[k].pos == pos {
				return true
			}
		}
		return false
	}
	if s := d.subjectOf(si); s.res.speaker != "" && !seen(s.res.m.pos) {
		d.addMention(s.res.m)
	}
	toks := st.toks
	for k := 0; k+1 < len(toks); k++ {
		t := toks[k]
		if !t.word || !(titleHeads[canonWord(t.text)] || roleNouns[t.lw]) || !toks[k+1].upper() {
			continue
		}
		e := k + 1
		for e < len(toks) && (toks[e].upper() || (nameConnectors[toks[e].lw] && e+1 < len(toks) && toks[e+1].upper())) && !toks[e].possessive() {
			e++
		}
		a := k
		for a > 0 && a > k-3 && toks[a-1].word && !determiners[toks[a-1].lw] && !prepositions[toks[a-1].lw] {
			a--
		}
		n, ok := analyseNP(d.text, toks[a:e], nil)
		if ok && n.name != "" && !seen(n.pos) {
			r := d.resolve(n, si)
			r.m.subject = false
			d.addMention(r.m)
		}
		k = e - 1
	}
	// Any other name of two or more capitalized words that looks like a
	// person's is kept for expanding a later surname ("opener Ayesha Noor
	// … Noor said"), though not as a pronoun's antecedent.
	for k := 0; k < len(toks); k++ {
		if !toks[k].upper() || toks[k].possessive() {
			continue
		}
		e := k
		for e < len(toks) && toks[e].upper() && !toks[e].possessive() {
			e++
		}
		if e < len(toks) && toks[e].possessive() {
			e++
		}
		if e-k >= 2 {
			if n, ok := analyseNP(d.text, toks[k:e], nil); ok && personName(n.name) && !seen(n.pos) && !introWords[toks[k].lw] {
				d.addMention(mention{pos: n.pos, sent: si, named: true, weak: true, person: true, name: n.name})
			}
		}
		k = e
	}
}

// attributeQuote picks the attribution of the quote at token k of sentence
// si: an attribution right after the quote ("…,” he said), else the
// closest one before it in the sentence ("X said that “…”", "according to
// X, “…”"), else one later in the sentence (", a security official said").
func (d *doc) attributeQuote(si, k int) {
	st := &d.sents[si]
	toks := st.toks
	q := &d.quotes[toks[k].q]
	q.kind = kindOf(d.text, toks, k, q.rawQuote)
	sites := st.sites
	usable := func(s site) bool { return s.ref != refNotSpeaker }
	pick, cue := -1, ""
	// after is the first site after the quote; the searches below look
	// at a bounded number of sites so that a sentence with thousands of
	// quotes stays linear.
	after := sort.Search(len(sites), func(j int) bool { return sites[j].v > k })
	for j := after; j < len(sites) && j < after+siteLook; j++ {
		s := sites[j]
		if !usable(s) {
			continue
		}
		if quoteBetween(toks, k, s.v) {
			break
		}
		switch s.kind {
		case siteInverted, siteAccording:
			if s.v <= k+2 {
				pick, cue = j, "said_after"
			}
		case siteFinite:
			if s.npStart <= k+2 {
				pick, cue = j, "said_after"
			}
		}
		break
	}
	if pick < 0 && onlyPunctBefore(toks, k) {
		for j := after; j < len(sites) && j < after+siteLook; j++ {
			if s := sites[j]; usable(s) && s.res.speaker != "" {
				pick, cue = j, "said_after"
				break
			}
		}
	}
	if pick < 0 {
		for j := after - 1; j >= 0 && j >= after-siteLook; j-- {
			if s := sites[j]; usable(s) {
				pick, cue = j, "said_before"
				break
			}
		}
	}
	if pick < 0 {
		for j := after; j < len(sites) && j < after+siteLook; j++ {
			if s := sites[j]; usable(s) && s.kind != siteRef && s.npStart > k && s.res.speaker != "" {
				pick, cue = j, "said_after"
				break
			}
		}
	}
	if pick < 0 {
		// “Asif had a message for Kabul: “…”: a quote introduced by a
		// colon in a sentence without a reporting verb is the
		// subject's.
		if k > 0 && toks[k-1].isPunct(":") && len(sites) == 0 {
			if s := d.subjectOf(si); s.res.speaker != "" {
				q.speaker, q.cue, q.mention = s.res.speaker, "said_before", s.res.mention
				if s.res.pronoun {
					q.cue = "pronoun"
				}
			}
		}
		return
	}
	s := sites[pick]
	if s.res.speaker == "" && s.res.pronoun && s.v < k {
		// "Police said … in what they described as “…”": a pronoun
		// that names no one still speaks inside the clause of an
		// earlier attribution, whose speaker the article credits.
		for j := pick - 1; j >= 0 && j >= pick-siteLook; j-- {
			if o := sites[j]; usable(o) && o.res.speaker != "" {
				s, cue = o, "said_before"
				break
			}
		}
	}
	if s.res.speaker == "" {
		return
	}
	switch {
	case s.res.pronoun:
		cue = "pronoun"
	case s.kind == siteAccording:
		cue = "according_to"
	case s.kind == siteQuotedAs:
		cue = "quoted_as"
	case s.kind == siteWith || (s.kind == siteRef && strings.HasSuffix(s.verb, "ing")):
		cue = "participle"
	case s.verb == "told" || s.verb == "tells" || s.verb == "telling" || s.verb == "tell":
		cue = "told"
	}
	q.speaker, q.cue, q.mention = s.res.speaker, cue, s.res.mention
}

// siteLook bounds how many attributions around a quote are considered.
const siteLook = 12

func quoteBetween(toks []token, a, b int) bool {
	for k := a + 1; k < b && k < len(toks); k++ {
		if toks[k].isQuote() {
			return true
		}
	}
	return false
}

func onlyPunctBefore(toks []token, k int) bool {
	for j := 0; j < k; j++ {
		if toks[j].word || toks[j].isQuote() {
			return false
		}
	}
	return true
}

// kindOf decides whether a quote is Full or Partial.
func kindOf(text string, toks []token, k int, q rawQuote) Kind {
	var first rune
	for _, r := range text[q.start:q.end] {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			first = r
			break
		}
	}
	if !unicode.IsUpper(first) && !unicode.IsDigit(first) {
		return Partial
	}
	if onlyPunctBefore(toks, k) {
		return Full
	}
	p := toks[k-1]
	switch {
	case p.isQuote(), p.isPunct(":"), p.isPunct(","), p.isPunct("—"), p.isPunct("–"):
		return Full
	case p.word:
		if _, ok := reportingVerbs[p.lw]; ok {
			return Full
		}
	}
	return Partial
}

// fallbacks attribute the quotes that their own sentence does not: the
// text of an embedded tweet to its author, the parts of a quote running
// over paragraphs to each other, and a quote standing alone to the
// speaker of the quote just before it, to a bare attribution in the next
// sentence ("Smith said."), or to the speaker of the sentence before.
func (d *doc) fallbacks() {
	for i := range d.quotes {
		q := &d.quotes[i]
		if a := d.paras[q.para].tweetAuthor; q.speaker == "" && a != "" {
			q.speaker, q.cue, q.mention = a, "tweet", a
		}
	}
	for i := 1; i < len(d.quotes); i++ {
		if q, p := &d.quotes[i], d.quotes[i-1]; q.contPrev && q.speaker == "" && p.speaker != "" {
			q.speaker, q.cue, q.mention = p.speaker, "continuation", p.mention
		}
	}
	for i := len(d.quotes) - 1; i > 0; i-- {
		if q, p := d.quotes[i], &d.quotes[i-1]; q.contPrev && p.speaker == "" && q.speaker != "" {
			p.speaker, p.cue, p.mention = q.speaker, "continuation", q.mention
		}
	}
	for i := range d.quotes {
		q := &d.quotes[i]
		if q.speaker != "" || q.kind != Full || q.sent < 0 {
			continue
		}
		if i > 0 && d.adjacent(d.quotes[i-1], *q) && d.quotes[i-1].speaker != "" {
			p := d.quotes[i-1]
			q.speaker, q.cue, q.mention = p.speaker, "continuation", p.mention
			continue
		}
		if s, ok := d.nextSentenceSite(*q); ok {
			q.speaker, q.cue, q.mention = s.res.speaker, "next_sentence", s.res.mention
			continue
		}
		if s, ok := d.previousSentenceSite(*q); ok {
			q.speaker, q.cue, q.mention = s.res.speaker, "previous_sentence", s.res.mention
		}
	}
}

// adjacent reports whether quote p comes right before quote q: in the same
// sentence, in the sentence before in the same paragraph, or at the end of
// the paragraph before when q opens its paragraph.
func (d *doc) adjacent(p, q qinfo) bool {
	if p.sent < 0 || q.sent < 0 {
		return false
	}
	if p.sent == q.sent || (p.sent == q.sent-1 && p.para == q.para) {
		return true
	}
	if p.para != q.para-1 || p.sent != q.sent-1 {
		return false
	}
	ps, qs := d.paras[p.para].sents, d.paras[q.para].sents
	return len(ps) > 0 && ps[len(ps)-1] == p.sent && len(qs) > 0 && qs[0] == q.sent
}

// nextSentenceSite finds a bare attribution opening the next sentence of
// the paragraph ("“… over.” Smith said."), for a quote that ends its own.
func (d *doc) nextSentenceSite(q qinfo) (site, bool) {
	st := d.sents[q.sent]
	if !onlyPunctAfter(st.toks, q.tok) || q.sent+1 >= len(d.sents) {
		return site{}, false
	}
	next := d.sents[q.sent+1]
	if next.para != q.para || len(next.toks) > 14 {
		return site{}, false
	}
	for _, s := range next.sites {
		if (s.kind == siteFinite && s.npStart == 0) && s.res.speaker != "" {
			return s, true
		}
	}
	return site{}, false
}

func onlyPunctAfter(toks []token, k int) bool {
	for j := k + 1; j < len(toks); j++ {
		if toks[j].word || toks[j].isQuote() {
			return false
		}
	}
	return true
}

// previousSentenceSite finds the last attribution of the sentence before
// the quote's: in the same paragraph, or ending the paragraph before with a
// colon ("He said:").
func (d *doc) previousSentenceSite(q qinfo) (site, bool) {
	if q.sent == 0 {
		return site{}, false
	}
	prev := d.sents[q.sent-1]
	if prev.para != q.para {
		// A quote that opens its paragraph may take the speaker of the
		// paragraph before ("Amina Shah said convoys were on their
		// way.\n“The roads are cut …”).
		if ps := d.paras[q.para].sents; prev.para != q.para-1 || len(ps) == 0 || ps[0] != q.sent || q.tok != 0 {
			return site{}, false
		}
	}
	for j := len(prev.sites) - 1; j >= 0 && j >= len(prev.sites)-siteLook; j-- {
		if s := prev.sites[j]; s.ref != refNotSpeaker && s.res.speaker != "" {
			return s, true
		}
	}
	return site{}, false
}

// result builds the Quotes.
func (d *doc) result() []Quote {
	out := make([]Quote, 0, len(d.quotes))
	last := 0
	for _, q := range d.quotes {
		if q.start < last || q.end < q.start || q.end > len(d.text) {
			continue // cannot happen; keeps the promise of ordered spans
		}
		cs, ce := q.open, q.close
		if q.sent >= 0 {
			cs, ce = min(cs, d.sents[q.sent].s), max(ce, d.sents[q.sent].e)
		}
		out = append(out, Quote{
			Start: q.start, End: q.end, Text: d.text[q.start:q.end],
			Speaker: q.speaker, Cue: q.cue, Mention: q.mention, Kind: q.kind,
			ContextStart: cs, ContextEnd: ce,
		})
		last = q.end
	}
	return out
}
