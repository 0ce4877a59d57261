package model

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Vectors are word vectors in the text format of GloVe: one word a line,
// then its numbers, separated by spaces. Fit uses them to give every word
// of the vocabulary distributional weights (see FitOptions.Vectors); the
// model never reads them, only the weights Fit writes into the lexicon.
type Vectors struct {
	// Words are the words in file order, which for the usual files is
	// the order of frequency.
	Words []string
	// Vecs holds the vector of each word of Words, Dim numbers each.
	Vecs [][]float32
	// Dim is the number of dimensions.
	Dim int
}

// ReadVectors reads word vectors in GloVe's text format. Every line must
// hold a word and as many numbers as the first line; a word that appears
// twice keeps its first vector.
func ReadVectors(r io.Reader) (*Vectors, error) {
	v := &Vectors{}
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		if v.Dim == 0 {
			v.Dim = len(fields) - 1
			if v.Dim == 0 {
				return nil, fmt.Errorf("vectors: line %d: a word with no numbers", n)
			}
		}
		if len(fields)-1 != v.Dim {
			return nil, fmt.Errorf("vectors: line %d: %d numbers, want %d", n, len(fields)-1, v.Dim)
		}
		vec := make([]float32, v.Dim)
		for i, f := range fields[1:] {
			x, err := strconv.ParseFloat(f, 32)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("vectors: line %d: %q is not a finite number", n, f)
			}
			vec[i] = float32(x)
		}
		if seen[fields[0]] {
			continue
		}
		seen[fields[0]] = true
		v.Words = append(v.Words, fields[0])
		v.Vecs = append(v.Vecs, vec)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("vectors: %w", err)
	}
	if len(v.Words) == 0 {
		return nil, fmt.Errorf("vectors: no words")
	}
	return v, nil
}

// fitDistributional fits a multinomial logistic regression from the mean
// vector of each example's words (counting distribPrior more words of no
// vector, as the model's mean does) to its label, and returns, for every
// word of vecs that the tokenizer keeps whole, the regression's map of the
// word's vector: its distributional weights. The model's mean of those
// weights over a quote's words is then the regression's logits for the
// quote, less its intercept, rounded. Each distinct text counts once,
// context aside: the weights speak for the quote's own words.
func (m *Model) fitDistributional(examples []Example, vecs *Vectors, opts FitOptions) ([]Entry, error) {
	// Only the words the model can look up take part, in the fit as in
	// the mean the model takes.
	index := make(map[string]int, len(vecs.Words))
	var vocab []int
	for i, w := range vecs.Words {
		if m.wholeWord(w) {
			index[w] = i
			vocab = append(vocab, i)
		}
	}
	type sample struct {
		mean  []float64
		label Label
	}
	var samples []sample
	seen := map[string]bool{}
	var words []word
	for i, ex := range examples {
		if seen[ex.Input.Text] {
			continue
		}
		seen[ex.Input.Text] = true
		var err error
		if words, err = m.tok.words(words[:0], ex.Input.Text); err != nil {
			return nil, fmt.Errorf("example %d: %w", i, err)
		}
		mean := make([]float64, vecs.Dim)
		n := 0
		for _, w := range words {
			if j, ok := index[w.form]; ok {
				for d, x := range vecs.Vecs[j] {
					mean[d] += float64(x)
				}
				n++
			}
		}
		if n == 0 {
			continue
		}
		for d := range mean {
			mean[d] /= float64(n + distribPrior)
		}
		samples = append(samples, sample{mean, ex.Label})
	}
	if len(samples) == 0 {
		return nil, fmt.Errorf("no example has a word with a vector")
	}
	// w[d][l] maps dimension d to label l; the intercept b is fitted but
	// not kept, since the scoring layer has its own bias.
	w := make([][NumLabels]float64, vecs.Dim)
	mom := make([][NumLabels]float64, vecs.Dim)
	vel := make([][NumLabels]float64, vecs.Dim)
	grad := make([][NumLabels]float64, vecs.Dim)
	var b, bmom, bvel [NumLabels]float64
	n := float64(len(samples))
	for step := 1; step <= opts.VectorSteps; step++ {
		clear(grad)
		var bgrad [NumLabels]float64
		for _, s := range samples {
			z := b
			for d, x := range s.mean {
				for l := range NumLabels {
					z[l] += x * w[d][l]
				}
			}
			p := softmax(z)
			p[s.label]--
			for l := range NumLabels {
				bgrad[l] += p[l] / n
			}
			for d, x := range s.mean {
				for l := range NumLabels {
					grad[d][l] += x * p[l] / n
				}
			}
		}
		for d := range w {
			for l := range NumLabels {
				adam(&w[d][l], &mom[d][l], &vel[d][l], grad[d][l]+2*opts.VectorL2*w[d][l], step, opts.Rate)
			}
		}
		for l := range NumLabels {
			adam(&b[l], &bmom[l], &bvel[l], bgrad[l], step, opts.Rate)
		}
	}
	out := make([]Entry, 0, len(vocab))
	for _, i := range vocab {
		e := Entry{Term: vecs.Words[i]}
		for d, x := range vecs.Vecs[i] {
			for l := range NumLabels {
				e.Weights[l] += float64(x) * w[d][l]
			}
		}
		// Rounded as the lexicon keeps them; a word that rounds to
		// nothing has no line there, so none here either.
		zero := true
		for l := range e.Weights {
			e.Weights[l] = roundAdjustment(e.Weights[l])
			zero = zero && e.Weights[l] == 0
		}
		if !zero {
			out = append(out, e)
		}
	}
	return out, nil
}

// wholeWord reports whether the tokenizer keeps term as one word of the
// same form, so that the distributional weights of term can be found for
// it: lowercase letters, with no accent or punctuation to split off.
func (m *Model) wholeWord(term string) bool {
	if term == "" || !hasLetter(term) || strings.ContainsAny(term, " *") {
		return false
	}
	ws, err := m.tok.words(nil, term)
	return err == nil && len(ws) == 1 && ws[0].form == term
}
