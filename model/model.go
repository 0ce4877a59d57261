package model

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// ErrEmptyText is returned for a quote whose text is empty or blank.
var ErrEmptyText = errors.New("text is empty")

// Input is one quote to classify.
type Input struct {
	// Text is the quoted words.
	Text string
	// Speaker is who said them, when known. The model does not use it yet;
	// it is part of the input so that callers need not change when it does.
	Speaker string
	// Context is the reporter's sentence around the quote, usually holding
	// the quote itself. Words of Context outside the quote are scored as
	// context evidence; the reporting verb ("warned", "denied") is often
	// the strongest cue there is.
	Context string
}

// Result is the classification of one quote.
type Result struct {
	// Label is the most probable act.
	Label Label
	// Scores holds the probability of each label, indexed by Label; they
	// sum to 1.
	Scores [NumLabels]float64
	// Evidence lists what moved the scores: the lexicon matches and
	// quote-level rules in text order, quote first, then the few words
	// whose distributional weights moved them most, in text order.
	Evidence []Evidence
}

// Source says which field of an Input a piece of evidence was found in.
type Source int8

// The sources of evidence.
const (
	SourceText Source = iota
	SourceContext
)

// Evidence is one lexicon match, one quote-level rule, or one word whose
// distributional weights (Rules is []string{"distributional"}) moved the
// scores.
type Evidence struct {
	// Source is the field that Start and End point into.
	Source Source
	// Start and End are the byte span of the matched words.
	Start, End int
	// Term is the matched entry's term, or the name of a quote-level rule
	// ("question_mark", "digits").
	Term string
	// Label is the label the evidence pushes towards most.
	Label Label
	// Weight is what the evidence adds to Label's logit after the rules,
	// less what it adds to the average label: how far it moves Label ahead.
	Weight float64
	// Rules names the rules that applied to the match, such as "negated"
	// or "first_person".
	Rules []string
}

// Info describes a loaded model.
type Info struct {
	Name, Version string
	// Checksum is the SHA-256 of the lexicon file, hex encoded.
	Checksum string
	// Labels lists the labels in score order.
	Labels []Label
	// Entries is the number of lexicon entries, learned words included.
	Entries int
	// DistributionalWords is the number of words with distributional
	// weights.
	DistributionalWords int
}

// Model is a lexicon model ready to classify quotes. It is safe for
// concurrent use.
type Model struct {
	tok splitter
	lex *Lexicon
	// terms finds the lexicon's entries and the terms of its rule lists.
	terms *matcher
	// entries holds each lexicon entry's weights: the hand-set ones plus
	// the lexicon's fitted [adjustments].
	entries [][NumLabels]float64
	// distrib numbers the words of the lexicon's [distributional] section
	// (those longer than a formTable holds in distribLong), distribW
	// holds their weights by number, and distribLean what one unit of
	// each word's weights does to the logits under the scoring layer, for
	// Evidence; setWeights keeps it in step.
	distrib     formTable
	distribLong map[string]int32
	distribW    [][NumLabels]float64
	distribLean []lean
	// weights is the scoring layer: weights[feature][label].
	weights [numFeatures][NumLabels]float64
	// mixes holds, for every source and set of rules a match can have
	// (indexed by mixIndex), what one unit of each label's weight adds to
	// each logit: the sum of weights' rows for the source and the rules.
	// Evidence reads a match's contribution from it instead of summing
	// the rows again for every match. setWeights keeps it in step.
	mixes []mix
	// scratch holds *scratch working memory for Classify.
	scratch *sync.Pool
}

// Option configures New.
type Option func(*options)

type options struct {
	lexicon     []byte
	lexiconName string
	tokenizer   Tokenizer
}

// WithLexicon makes New load the lexicon file data instead of the bundled
// one; name (usually the file's path) appears in errors.
func WithLexicon(data []byte, name string) Option {
	return func(o *options) { o.lexicon, o.lexiconName = data, name }
}

// New loads a model: the embedded tokenizer (TokenizerFast, or the one given
// WithTokenizer) and the bundled lexicon, or the one given WithLexicon. A
// malformed lexicon yields a *LexiconError.
func New(opts ...Option) (*Model, error) {
	o := options{lexicon: defaultLexicon, lexiconName: "lexicon.txt"}
	for _, opt := range opts {
		opt(&o)
	}
	lex, err := ParseLexicon(bytes.NewReader(o.lexicon), o.lexiconName)
	if err != nil {
		return nil, err
	}
	tok, err := newSplitter(o.tokenizer)
	if err != nil {
		return nil, err
	}
	return newModel(tok, lex, o.lexiconName)
}

func newModel(tok splitter, lex *Lexicon, name string) (*Model, error) {
	m := &Model{tok: tok, lex: lex, terms: newMatcher(), scratch: &sync.Pool{New: func() any { return new(scratch) }}}
	// The learned words are entries too, numbered after the others.
	all := slices.Concat(lex.Entries, lex.Learned)
	for i, e := range all {
		ps, err := compileTerm(tok, e.Term)
		if err != nil {
			return nil, &LexiconError{File: name, Line: e.Line, Reason: err.Error()}
		}
		if !m.terms.insert(listEntries, ps, i) {
			return nil, &LexiconError{File: name, Line: e.Line, Reason: fmt.Sprintf("%q matches the same words as an earlier entry", e.Term)}
		}
	}
	for l, s := range ruleSections() {
		for i, term := range lex.Terms[s] {
			ps, err := compileTerm(tok, term)
			if err != nil {
				return nil, &LexiconError{File: name, Reason: fmt.Sprintf("[%s] %q: %v", s, term, err)}
			}
			m.terms.insert(termList(l), ps, i)
		}
	}
	m.terms.finish()
	m.entries = make([][NumLabels]float64, len(all))
	for i, e := range all {
		m.entries[i] = e.Weights
		for l, d := range lex.Adjustments[e.Term] {
			m.entries[i][l] += d
		}
	}
	forms := make(map[string]int32, len(lex.Distributional))
	m.distribW = make([][NumLabels]float64, len(lex.Distributional))
	for i, e := range lex.Distributional {
		forms[e.Term] = int32(i)
		m.distribW[i] = e.Weights
		if len(e.Term) > maxTableForm {
			if m.distribLong == nil {
				m.distribLong = map[string]int32{}
			}
			m.distribLong[e.Term] = int32(i)
		}
	}
	m.distrib = newFormTable(forms)
	w := defaultWeights()
	byName := map[string]int{}
	for i := range numFeatures {
		byName[featureName(i)] = i
	}
	for feature, ws := range lex.Weights {
		i, ok := byName[feature]
		if !ok {
			return nil, &LexiconError{File: name, Reason: fmt.Sprintf("[weights] names unknown feature %q", feature)}
		}
		w[i] = ws
	}
	m.setWeights(&w)
	return m, nil
}

// mix is what one unit of each label's weight adds to each logit under
// one source and set of rules: mix[label][logit].
type mix [NumLabels][NumLabels]float64

// mixIndex numbers a match's source and rules for Model.mixes. The
// rules of a match are those after the two source rules, so the index
// needs one bit for the source and one for each of them.
func mixIndex(src rule, rules ruleSet) int {
	return int(rules)>>ruleNegated | int(src)<<(numRules-ruleNegated)
}

// setWeights makes w the scoring layer and computes its mixes and the
// distributional words' leanings.
func (m *Model) setWeights(w *[numFeatures][NumLabels]float64) {
	m.weights = *w
	m.distribLean = make([]lean, len(m.distribW))
	for i, d := range m.distribW {
		var c [NumLabels]float64
		for l, v := range d {
			for k, wk := range &w[distribFeature(Label(l))] {
				c[k] += v * wk
			}
		}
		m.distribLean[i].label, m.distribLean[i].weight = top(c)
	}
	m.mixes = make([]mix, 2<<(numRules-ruleNegated))
	var buf [numRules]rule
	for _, src := range [...]rule{ruleBase, ruleContext} {
		for set := ruleSet(0); set < 1<<numRules; set += 1 << ruleNegated {
			mx := &m.mixes[mixIndex(src, set)]
			for l := range NumLabels {
				// Source row first, then the rules' in order: the order
				// fixes the rounding, and so the evidence weights.
				mx[l] = w[ruleFeature(src, Label(l))]
				for _, r := range set.list(&buf) {
					for k, v := range &w[ruleFeature(r, Label(l))] {
						mx[l][k] += v
					}
				}
			}
		}
	}
}

// term returns the term of entry i, a learned word when i is past the
// lexicon's entries.
func (m *Model) term(i int) string {
	if i < len(m.lex.Entries) {
		return m.lex.Entries[i].Term
	}
	return m.lex.Learned[i-len(m.lex.Entries)].Term
}

// defaultWeights is the scoring layer before fitting: every entry counts
// for its own labels, context counts half, rules change nothing, and a quote
// with no evidence leans to neutral.
func defaultWeights() [numFeatures][NumLabels]float64 {
	var w [numFeatures][NumLabels]float64
	for _, l := range Labels() {
		w[ruleFeature(ruleBase, l)][l] = 1
		w[ruleFeature(ruleContext, l)][l] = 0.5
	}
	for _, l := range Labels() {
		w[distribFeature(l)][l] = 1
	}
	w[globalFeature(globalBias)][Neutral] = 0.5
	w[globalFeature(globalNoMatch)][Neutral] = 1
	return w
}

// Info describes the model.
func (m *Model) Info() Info {
	return Info{
		Name:                m.lex.Name,
		Version:             m.lex.Version,
		Checksum:            m.lex.Checksum,
		Labels:              Labels(),
		Entries:             len(m.entries),
		DistributionalWords: len(m.distribW),
	}
}

// match is one lexicon match with the rules that apply to it.
type match struct {
	source     Source
	start, end int // bytes
	entry      int
	rules      ruleSet
}

// sourceRule returns the rule of the match's source, whose features its
// weights add to besides those of its rules.
func (mt match) sourceRule() rule {
	if mt.source == SourceContext {
		return ruleContext
	}
	return ruleBase
}

// scratch is the working memory of one classification, kept in a pool so
// that Classify allocates little more than its Result.
type scratch struct {
	words         []word
	text, context analysis
	matches       []match
	distrib       []distribHit
	// x is the feature vector and spans the spans of the quote-level
	// features. They live here rather than on the stack: a gRPC handler
	// starts on a small stack, and growing it costs more than classifying.
	x     [numFeatures]float64
	spans [numGlobals][2]int
}

// Classify labels one quote. It returns ErrEmptyText or ErrInvalidUTF8 for
// text it cannot classify; the same input always gets the same result.
func (m *Model) Classify(in Input) (Result, error) {
	sc := m.scratch.Get().(*scratch)
	defer m.scratch.Put(sc)
	matches, err := m.features(in, sc)
	if err != nil {
		return Result{}, err
	}
	res := Result{Scores: softmax(logits(&sc.x, &m.weights))}
	for l := range NumLabels {
		if res.Scores[l] > res.Scores[res.Label] {
			res.Label = Label(l)
		}
	}
	res.Evidence = m.evidence(&sc.x, matches, &sc.spans, sc.text.words, sc.distrib)
	return res, nil
}

// features turns an input into its feature vector, sc.x, and the matches
// behind it, using sc's memory; the matches are valid until sc is used
// again.
func (m *Model) features(in Input, sc *scratch) (matches []match, err error) {
	x := &sc.x
	*x = [numFeatures]float64{}
	if strings.TrimSpace(in.Text) == "" {
		if !utf8.ValidString(in.Text) || !utf8.ValidString(in.Context) {
			return nil, ErrInvalidUTF8
		}
		return nil, ErrEmptyText
	}
	// Otherwise the tokenizer reports invalid UTF-8 as it reads.
	// The text's and the context's words share one slice, so that both
	// fit in the memory of earlier calls.
	words, err := m.tok.words(sc.words[:0], in.Text)
	if err != nil {
		return nil, err
	}
	n := len(words)
	// The quote's own words inside the context are already counted.
	qs, qe := 0, 0
	if i := strings.Index(in.Context, strings.TrimSpace(in.Text)); i >= 0 {
		qs, qe = i, i+len(strings.TrimSpace(in.Text))
	}
	quoted := -1
	if in.Context != "" {
		if words, quoted, err = contextWords(m.tok, words, in.Text, words[:n:n], in.Context, qs, qe); err != nil {
			return nil, err
		}
	}
	sc.words = words
	a := &sc.text
	m.analyze(a, words[:n:n], nil, -1)
	matches = m.matches(sc.matches[:0], a, SourceText, 0, 0)
	if in.Context != "" {
		if quoted >= 0 {
			quoted -= n
		}
		m.analyze(&sc.context, words[n:], a, quoted)
		matches = m.matches(matches, &sc.context, SourceContext, qs, qe)
	}
	sc.matches = matches
	var buf [numRules]rule
	for _, mt := range matches {
		w := m.entries[mt.entry]
		src := mt.sourceRule()
		rules := mt.rules.list(&buf)
		for l := range NumLabels {
			if w[l] == 0 {
				continue
			}
			x[ruleFeature(src, Label(l))] += w[l]
			for _, r := range rules {
				x[ruleFeature(r, Label(l))] += w[l]
			}
		}
	}
	var g [numGlobals]float64
	g, sc.spans = a.globals(in.Text)
	copy(x[globalFeature(0):], g[:])
	sc.distrib = m.distributional(x, a.words, sc.distrib[:0])
	textMatched := false
	for _, mt := range matches {
		textMatched = textMatched || mt.source == SourceText
	}
	if !textMatched {
		x[globalFeature(globalNoMatch)] = 1
	}
	return matches, nil
}

// distributional sets the distributional features of x: the mean weights
// of the words that have them. A mean rather than a sum, because nearly
// every word has some: a long quote is no more certain for being long.
// It appends the words it found to hits.
func (m *Model) distributional(x *[numFeatures]float64, words []word, hits []distribHit) []distribHit {
	if len(m.distribW) == 0 {
		return hits
	}
	for i, w := range words {
		if id, ok := m.distrib.lookup(w.form, m.distribLong); ok {
			hits = append(hits, distribHit{word: int32(i), id: id})
		}
	}
	if len(hits) == 0 {
		return hits
	}
	var sum [NumLabels]float64
	for _, h := range hits {
		for l, v := range &m.distribW[h.id] {
			sum[l] += v
		}
	}
	scale := distribScale(len(hits))
	for l, v := range sum {
		x[distribFeature(Label(l))] = v * scale
	}
	return hits
}

// distribScale is the share of the mean that each of n distributional
// words of a quote has.
func distribScale(n int) float64 { return 1 / float64(n+distribPrior) }

// distribHit is word number word of a quote, which is distributional word
// number id.
type distribHit struct{ word, id int32 }

// lean is the label a contribution pushes towards and by how much more
// than the average label, as top returns them.
type lean struct {
	label  Label
	weight float64
}

// distribPrior is how many words of no weight the mean of the
// distributional weights counts besides a quote's own, so that the one or
// two words of a fragment do not speak with the voice of a sentence.
const distribPrior = 10

// matches appends the lexicon entries in a's words to dst, scanning left to
// right and taking the longest entry at each word, and skipping those that
// overlap the byte span [skipStart, skipEnd).
func (m *Model) matches(dst []match, a *analysis, src Source, skipStart, skipEnd int) []match {
	words := a.words
	for i := 0; i < len(words); {
		e := a.entry[i]
		if e.value < 0 {
			i++
			continue
		}
		start, end := words[i].start, words[e.end-1].end
		if !(start < skipEnd && end > skipStart) {
			dst = append(dst, match{source: src, start: start, end: end, entry: int(e.value), rules: a.rules(i, int(e.end))})
		}
		i = int(e.end)
	}
	return dst
}

// evidence explains the logits: each match's exact contribution, the
// quote-level rules that fired, and the words whose distributional
// weights move them most (hits, of words).
func (m *Model) evidence(x *[numFeatures]float64, matches []match, spans *[numGlobals][2]int, words []word, hits []distribHit) []Evidence {
	// The bias and the absence of matches are the baseline, not evidence.
	var globals [numGlobals]Evidence
	ng := 0
	for g := globalNoMatch + 1; g < numGlobals; g++ {
		if x[globalFeature(g)] == 0 {
			continue
		}
		l, w := top(m.weights[globalFeature(g)])
		globals[ng] = Evidence{Source: SourceText, Start: spans[g][0], End: spans[g][1], Term: globalNames[g], Label: l, Weight: w}
		ng++
	}
	// The matches come in place order, text first; the quote-level rules
	// are merged in among the text's by where they start, after any match
	// that starts at the same word.
	gs := globals[:ng]
	slices.SortStableFunc(gs, func(a, b Evidence) int { return cmp.Compare(a.Start, b.Start) })
	ev := make([]Evidence, 0, len(matches)+ng+maxDistribEvidence)
	// The names of every match's rules share one array, with the rule
	// of the distributional words last.
	nrules := 0
	for _, mt := range matches {
		nrules += mt.rules.len()
	}
	names := make([]string, 0, nrules+1)
	var buf [numRules]rule
	for _, mt := range matches {
		for len(gs) > 0 && (mt.source != SourceText || gs[0].Start < mt.start) {
			ev, gs = append(ev, gs[0]), gs[1:]
		}
		w := m.entries[mt.entry]
		mx := &m.mixes[mixIndex(mt.sourceRule(), mt.rules)]
		var c [NumLabels]float64
		first := len(names)
		for _, r := range mt.rules.list(&buf) {
			names = append(names, r.String())
		}
		for l := range NumLabels {
			if w[l] == 0 {
				continue
			}
			for k, v := range &mx[l] {
				c[k] += w[l] * v
			}
		}
		e := Evidence{Source: mt.source, Start: mt.start, End: mt.end, Term: m.term(mt.entry), Rules: names[first:len(names):len(names)]}
		e.Label, e.Weight = top(c)
		ev = append(ev, e)
	}
	ev = append(ev, gs...)
	return m.distribEvidence(ev, words, hits, append(names, sectionDistrib)[len(names):])
}

// distribEvidence appends to ev the words whose distributional weights
// move the scores most: at most maxDistribEvidence of them, in place
// order, each with rules ([]string{"distributional"}) as its rules. Every
// word of a quote has a share, most of them small; the few largest say
// what the words around the entries lean to.
func (m *Model) distribEvidence(ev []Evidence, words []word, hits []distribHit, rules []string) []Evidence {
	type scored struct {
		at int32
		lean
	}
	var best [maxDistribEvidence]scored
	n := 0
	scale := distribScale(len(hits))
	for _, h := range hits {
		// top is linear in a positive factor: a word's share of the mean
		// leans as its weights do, scaled.
		label, weight := m.distribLean[h.id].label, m.distribLean[h.id].weight*scale
		if weight < minDistribEvidence {
			continue
		}
		// Insertion into the few best, largest first.
		i := n
		if n < len(best) {
			n++
		} else if weight <= best[n-1].weight {
			continue
		} else {
			i = n - 1
		}
		for ; i > 0 && best[i-1].weight < weight; i-- {
			best[i] = best[i-1]
		}
		best[i] = scored{h.word, lean{label, weight}}
	}
	found := best[:n]
	slices.SortFunc(found, func(a, b scored) int { return cmp.Compare(a.at, b.at) })
	for _, s := range found {
		w := words[s.at]
		ev = append(ev, Evidence{Source: SourceText, Start: w.start, End: w.end, Term: w.form, Label: s.label, Weight: s.weight, Rules: rules[:1:1]})
	}
	return ev
}

// maxDistribEvidence and minDistribEvidence bound the words
// distribEvidence reports.
const (
	maxDistribEvidence = 3
	minDistribEvidence = 0.05
)

// top returns the label with the largest value, centred on the mean so
// that a contribution that lifts every label alike shows as zero.
func top(c [NumLabels]float64) (Label, float64) {
	mean := 0.0
	for _, v := range c {
		mean += v / NumLabels
	}
	best := Label(0)
	for l := range NumLabels {
		if c[l] > c[best] {
			best = Label(l)
		}
	}
	return best, c[best] - mean
}

// softmax turns logits into probabilities that sum to 1.
func softmax(z [NumLabels]float64) [NumLabels]float64 {
	hi := z[0]
	for _, v := range z {
		hi = math.Max(hi, v)
	}
	var p [NumLabels]float64
	sum := 0.0
	for i, v := range z {
		p[i] = math.Exp(v - hi)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	return p
}
