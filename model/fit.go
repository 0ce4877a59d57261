package model

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Example is one labelled quote for fitting.
type Example struct {
	Input Input
	Label Label
	// EntriesOnly marks a quote that fits the entries' adjustments but not
	// the scoring layer: a quote the lexicon's authors studied, on which
	// the entries' matches are cleaner than on new text, so that a layer
	// fitted there would trust them too much.
	EntriesOnly bool
}

// FitOptions tunes Fit. The zero value is not useful; DefaultFitOptions
// returns the settings the bundled lexicon was fitted with.
type FitOptions struct {
	// L2 pulls every weight towards its default (hand-set) value, so that
	// rules and labels the examples say little about keep their prior
	// meaning instead of drifting to fit a few quotes.
	L2 float64
	// Steps is the number of full-batch gradient steps.
	Steps int
	// Rate is the step size of the Adam optimizer.
	Rate float64
	// EntryL2 pulls every entry's adjustment towards zero; 0 fits no
	// adjustments. It is strong, so that only entries that fire in many
	// examples move much: one quote cannot rewrite an entry.
	EntryL2 float64
	// EntrySteps is the number of gradient steps of the adjustments.
	EntrySteps int
	// LearnMin is how many of the examples' distinct quotes a word must
	// occur in for Fit to learn weights for it (see Fit); 0 learns no
	// words, and so does an EntryL2 of 0, since a learned word's weights
	// are its adjustment.
	LearnMin int
	// Vectors, when set, are word vectors from which Fit derives the
	// distributional weights of every word they hold (see Fit); nil keeps
	// the model's own. VectorL2 and VectorSteps tune that regression.
	Vectors     *Vectors
	VectorL2    float64
	VectorSteps int
}

// DefaultFitOptions returns the fitting settings used for the bundled
// lexicon.
func DefaultFitOptions() FitOptions {
	return FitOptions{L2: 0.005, Steps: 3000, Rate: 0.02, EntryL2: 0.0005, EntrySteps: 300, LearnMin: 5, VectorL2: 0.002, VectorSteps: 500}
}

// Fit fits the model to the examples in two stages, and returns a model
// that uses the result. First the scoring layer (the weights of every
// rule feature for every label) is fitted by multinomial logistic
// regression on the examples that are not EntriesOnly, starting from and
// regularized towards the default weights. Then, with that layer fixed,
// every entry that fires in any example gets an adjustment to its
// hand-set weights, fitted on all the examples and pulled towards zero,
// so that entries whose hand-set weights mislead in practice are
// corrected by how they fire. (Refitting the layer after the adjustments
// scored lower by cross-validation.)
//
// The second stage also learns words. Every word of the examples' quotes
// that no term of the lexicon is on its own, that occurs in at least
// opts.LearnMin quotes, and that is neither a function word of the
// lexicon nor a name becomes an entry with no hand-set weights, so that
// its weights are its adjustment: what the examples say it means, pulled
// as hard towards nothing as any adjustment. A lexicon is never complete,
// and the plain words people use around an act carry it in quotes that
// hold no entry at all (in the bundled lexicon, "good" and "need" lean to
// conciliation, "kept" and "using" to accusation).
//
// Before both, when opts.Vectors is set, Fit fits the distributional
// weights: a multinomial regression, on every example's quote alone, from
// the mean vector of its words (with distribPrior words of no vector) to
// its label, whose map of each word's vector becomes that word's weights.
// The layer then weighs their mean like any feature. Without vectors the
// model's own distributional weights are kept: they were fitted on
// examples Fit cannot see again.
//
// Both stages start from the hand-set entries, whatever adjustments and
// learned words the model's lexicon already holds. Fit is deterministic:
// full-batch gradients in a fixed order.
func (m *Model) Fit(examples []Example, opts FitOptions) (*Model, error) {
	base, err := m.Unfitted()
	if err != nil {
		return nil, fmt.Errorf("fit: %w", err)
	}
	lex := *base.lex
	lex.Distributional = m.lex.Distributional
	if opts.Vectors != nil {
		if lex.Distributional, err = base.fitDistributional(examples, opts.Vectors, opts); err != nil {
			return nil, fmt.Errorf("fit: distributional weights: %w", err)
		}
	}
	if opts.LearnMin > 0 && opts.EntryL2 > 0 {
		if lex.Learned, err = base.learnable(examples, opts.LearnMin); err != nil {
			return nil, fmt.Errorf("fit: %w", err)
		}
	}
	if len(lex.Learned) > 0 || len(lex.Distributional) > 0 {
		// base, unfitted, has neither; only then is it built again.
		if base, err = newModel(m.tok, &lex, lex.Name); err != nil {
			return nil, fmt.Errorf("fit: %w", err)
		}
	}
	xs := make([][numFeatures]float64, len(examples))
	fires := make([][]firing, len(examples))
	var layer []int
	var sc scratch
	for i, ex := range examples {
		matches, err := base.features(ex.Input, &sc)
		if err != nil {
			return nil, fmt.Errorf("fit: example %d: %w", i, err)
		}
		xs[i] = sc.x
		if opts.EntryL2 <= 0 {
			// No adjustments to fit: the firings would go unused.
			matches = nil
		}
		for _, mt := range matches {
			f := firing{entry: mt.entry, rules: mt.rules}
			f.rules.add(mt.sourceRule())
			fires[i] = append(fires[i], f)
		}
		if !ex.EntriesOnly {
			layer = append(layer, i)
		}
	}
	if len(layer) == 0 {
		return nil, fmt.Errorf("fit: no examples for the scoring layer")
	}
	fitted := *base
	w := fitLayer(xs, examples, layer, opts)
	fitted.setWeights(&w)
	if opts.EntryL2 > 0 {
		fitted.entries = fitAdjustments(base.entries, &fitted.weights, xs, fires, examples, opts)
	}
	return &fitted, nil
}

// firing is one match of an entry in an example, with the rules (source
// included) whose features its weights add to.
type firing struct {
	entry int
	rules ruleSet
}

// fitLayer fits the scoring layer on the examples numbered in use.
func fitLayer(xs [][numFeatures]float64, examples []Example, use []int, opts FitOptions) [numFeatures][NumLabels]float64 {
	prior := defaultWeights()
	w := prior
	var mom, vel [numFeatures][NumLabels]float64
	n := float64(len(use))
	for step := 1; step <= opts.Steps; step++ {
		var grad [numFeatures][NumLabels]float64
		for _, i := range use {
			x := &xs[i]
			p := softmax(logits(x, &w))
			p[examples[i].Label]--
			for f, v := range x {
				if v != 0 {
					for l := range NumLabels {
						grad[f][l] += v * p[l] / n
					}
				}
			}
		}
		for f := range numFeatures {
			for l := range NumLabels {
				g := grad[f][l] + 2*opts.L2*(w[f][l]-prior[f][l])
				adam(&w[f][l], &mom[f][l], &vel[f][l], g, step, opts.Rate)
			}
		}
	}
	return w
}

// fitAdjustments returns the entries' weights after fitting an adjustment
// of each entry that fires in the examples, with the layer w fixed. An
// adjustment d of entry e adds d[l] to every feature (r, l) of the rules r
// of each of its firings, so the gradient of logit k with respect to d[l]
// is the sum of w[(r, l)][k] over those rules. The adjustments are
// rounded as WriteLexicon writes them, so that the fitted model and the
// lexicon it writes agree.
func fitAdjustments(entries [][NumLabels]float64, w *[numFeatures][NumLabels]float64, xs [][numFeatures]float64, fires [][]firing, examples []Example, opts FitOptions) [][NumLabels]float64 {
	d := make([][NumLabels]float64, len(entries))
	mom := make([][NumLabels]float64, len(entries))
	vel := make([][NumLabels]float64, len(entries))
	fired := make([]bool, len(entries))
	for _, fs := range fires {
		for _, f := range fs {
			fired[f.entry] = true
		}
	}
	// dz[i][j][l][k] is the gradient of logit k with respect to d[l] for
	// firing j of example i, and z0[i] the example's logits before any
	// adjustment: neither changes while w is fixed, so both are computed
	// once, not at every step.
	dz := make([][][NumLabels][NumLabels]float64, len(fires))
	z0 := make([][NumLabels]float64, len(examples))
	var buf [numRules]rule
	for i, fs := range fires {
		z0[i] = logits(&xs[i], w)
		dz[i] = make([][NumLabels][NumLabels]float64, len(fs))
		for j, f := range fs {
			for _, r := range f.rules.list(&buf) {
				for l := range NumLabels {
					for k := range NumLabels {
						dz[i][j][l][k] += w[ruleFeature(r, Label(l))][k]
					}
				}
			}
		}
	}
	n := float64(len(examples))
	grad := make([][NumLabels]float64, len(entries))
	for step := 1; step <= opts.EntrySteps; step++ {
		clear(grad)
		for i := range examples {
			z := z0[i]
			for j, f := range fires[i] {
				for l := range NumLabels {
					for k := range NumLabels {
						z[k] += d[f.entry][l] * dz[i][j][l][k]
					}
				}
			}
			p := softmax(z)
			p[examples[i].Label]--
			for j, f := range fires[i] {
				for l := range NumLabels {
					for k := range NumLabels {
						grad[f.entry][l] += p[k] * dz[i][j][l][k] / n
					}
				}
			}
		}
		for e := range d {
			if !fired[e] {
				continue
			}
			for l := range NumLabels {
				g := grad[e][l] + 2*opts.EntryL2*d[e][l]
				adam(&d[e][l], &mom[e][l], &vel[e][l], g, step, opts.Rate)
			}
		}
	}
	out := make([][NumLabels]float64, len(entries))
	for e := range entries {
		for l := range NumLabels {
			out[e][l] = entries[e][l] + roundAdjustment(d[e][l])
		}
	}
	return out
}

// adam takes one step of the Adam optimizer on weight w with gradient g,
// keeping its moments in mom and vel.
func adam(w, mom, vel *float64, g float64, step int, rate float64) {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	*mom = b1**mom + (1-b1)*g
	*vel = b2**vel + (1-b2)*g*g
	mh := *mom / (1 - math.Pow(b1, float64(step)))
	vh := *vel / (1 - math.Pow(b2, float64(step)))
	*w -= rate * mh / (math.Sqrt(vh) + eps)
}

// logits returns the scoring layer w's logits for the feature vector x.
func logits(x *[numFeatures]float64, w *[numFeatures][NumLabels]float64) [NumLabels]float64 {
	var z [NumLabels]float64
	for f, v := range x {
		if v != 0 {
			for l := range NumLabels {
				z[l] += v * w[f][l]
			}
		}
	}
	return z
}

// learnable returns the words Fit learns weights for, with no weights yet,
// in order: words of three letters or more that occur in at least min of
// the examples' distinct quotes, that no term of m is on its own, and that
// are neither function words nor names (capitalized inside a sentence
// more than three times in ten: the parties of the conflicts the examples
// speak of, which a quote about another conflict will not name).
func (m *Model) learnable(examples []Example, min int) ([]Entry, error) {
	function := map[string]bool{}
	for _, w := range m.lex.Terms[sectionFunction] {
		function[w] = true
	}
	// last is the number of the last quote that counted the word, so
	// that a word is counted once a quote.
	type count struct{ quotes, uses, capitalized, last int }
	counts := map[string]*count{}
	seen := map[string]bool{}
	var words []word
	for i, ex := range examples {
		if seen[ex.Input.Text] {
			continue // the same quote with its context
		}
		seen[ex.Input.Text] = true
		quote := len(seen)
		var err error
		if words, err = m.tok.words(words[:0], ex.Input.Text); err != nil {
			return nil, fmt.Errorf("example %d: %w", i, err)
		}
		for j, w := range words {
			if function[w.form] || !learnableForm(w.form) {
				continue
			}
			c := counts[w.form]
			if c == nil {
				c = new(count)
				counts[w.form] = c
			}
			if c.last != quote {
				c.quotes, c.last = c.quotes+1, quote
			}
			c.uses++
			if w.upper && j > 0 && !opensSentence(words[j-1].form) {
				c.capitalized++
			}
		}
	}
	var learned []Entry
	for form, c := range counts {
		if c.quotes >= min && c.capitalized*10 <= c.uses*3 && !m.terms.single(form) {
			learned = append(learned, Entry{Term: form})
		}
	}
	slices.SortFunc(learned, func(a, b Entry) int { return strings.Compare(a.Term, b.Term) })
	return learned, nil
}

// learnableForm reports whether a word's form is three letters or more
// and letters only: numbers, punctuation and the one- and two-letter
// pieces of abbreviations say nothing a lexicon should keep.
func learnableForm(f string) bool {
	n := 0
	for _, r := range f {
		if !unicode.IsLetter(r) {
			return false
		}
		n++
	}
	return n >= 3
}

// opensSentence reports whether a word after the form f starts a sentence
// or a quotation, where a capital says nothing of names.
func opensSentence(f string) bool {
	switch f {
	case ".", "!", "?", ":", "\"", "'", "(":
		return true
	}
	return false
}

// Unfitted returns the model as its lexicon's authors wrote it: the
// entries' hand-set weights and the default scoring layer, without the
// fitted [weights], [adjustments] and [learned] words, to show what
// fitting adds. It fails only as New would on the same lexicon.
func (m *Model) Unfitted() (*Model, error) {
	lex := *m.lex
	lex.Weights, lex.Adjustments, lex.Learned, lex.Distributional = nil, nil, nil, nil
	return newModel(m.tok, &lex, lex.Name)
}

// WriteLexicon writes the model's lexicon file with its [weights],
// [adjustments] and [learned] sections replaced by the model's current
// scoring weights, entry adjustments and learned words, so that a fitted
// model can be saved as a lexicon that New loads. base is the original
// file; the three sections are the last of it.
func (m *Model) WriteLexicon(w io.Writer, base []byte) error {
	var out bytes.Buffer
	for _, line := range strings.SplitAfter(string(base), "\n") {
		if h := strings.TrimSpace(line); h == "["+sectionWeights+"]" || h == "["+sectionAdjust+"]" || h == "["+sectionLearned+"]" || h == "["+sectionDistrib+"]" {
			break
		}
		out.WriteString(line)
	}
	text := strings.TrimRight(out.String(), "\n")
	out.Reset()
	out.WriteString(text)
	out.WriteString("\n\n[" + sectionWeights + "]\n")
	out.WriteString("# Written by stance-train: the scoring layer, one line per feature.\n")
	out.WriteString("# rule:label lines say how much one unit of an entry's weight for\n")
	out.WriteString("# label, under that rule, adds to each label's logit. Do not edit by\n")
	out.WriteString("# hand; change the entries or the examples and run the trainer again.\n")
	for f := range numFeatures {
		out.WriteString(featureName(f))
		out.WriteByte('\t')
		for l := range NumLabels {
			if l > 0 {
				out.WriteByte(' ')
			}
			out.WriteString(Label(l).String())
			out.WriteByte('=')
			out.WriteString(strconv.FormatFloat(round(m.weights[f][l]), 'f', -1, 64))
		}
		out.WriteByte('\n')
	}
	out.WriteString("\n[" + sectionAdjust + "]\n")
	out.WriteString("# Written by stance-train: the fitted correction of each entry that\n")
	out.WriteString("# fired in its examples, added to the entry's hand-set weights (only\n")
	out.WriteString("# the labels it changes). Do not edit by hand.\n")
	for i, e := range m.lex.Entries {
		writeWeights(&out, e.Term, m.entries[i], e.Weights)
	}
	out.WriteString("\n[" + sectionLearned + "]\n")
	out.WriteString("# Written by stance-train: words of its quotes that no term above is\n")
	out.WriteString("# on its own, with the weights fitted for them (only the labels they\n")
	out.WriteString("# move); they count as entries. Do not edit by hand: to change what a\n")
	out.WriteString("# word means, give it an entry, or list it in [function_words].\n")
	for i, e := range m.lex.Learned {
		writeWeights(&out, e.Term, m.entries[len(m.lex.Entries)+i], [NumLabels]float64{})
	}
	if len(m.lex.Distributional) > 0 {
		out.WriteString("\n[" + sectionDistrib + "]\n")
		out.WriteString("# Written by stance-train -vectors: every word of its word vectors\n")
		out.WriteString("# with the weights a regression from the mean vector of a quote's\n")
		out.WriteString("# words to its label gives the word's vector. A quote's feature is\n")
		out.WriteString("# the mean over its words, weighed by the [weights] distributional\n")
		out.WriteString("# lines. Do not edit by hand.\n")
		for _, e := range m.lex.Distributional {
			writeWeights(&out, e.Term, e.Weights, [NumLabels]float64{})
		}
	}
	_, err := w.Write(out.Bytes())
	return err
}

// writeWeights writes a line of term's weights less from, rounded as
// roundAdjustment rounds them: only the labels that differ, and no line
// when none does.
func writeWeights(out *bytes.Buffer, term string, weights, from [NumLabels]float64) {
	sep := term + "\t"
	for l := range NumLabels {
		if d := roundAdjustment(weights[l] - from[l]); d != 0 {
			out.WriteString(sep)
			out.WriteString(Label(l).String())
			out.WriteByte('=')
			out.WriteString(strconv.FormatFloat(d, 'f', -1, 64))
			sep = " "
		}
	}
	if sep == " " {
		out.WriteByte('\n')
	}
}

// roundAdjustment keeps two decimals of an entry's adjustment: finer
// corrections change no label, and would only lengthen the file.
func roundAdjustment(v float64) float64 {
	r := math.Round(v*100) / 100
	if r == 0 {
		return 0 // no "-0"
	}
	return r
}

// round keeps four decimals, enough for the scores and short enough to
// review.
func round(v float64) float64 {
	r := math.Round(v*1e4) / 1e4
	if r == 0 {
		return 0 // no "-0"
	}
	return r
}
