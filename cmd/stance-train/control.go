package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/stancehq/stance/eval"
	"github.com/stancehq/stance/model"
)

// bagOfWords is the control the model is measured against: multinomial
// logistic regression over a quote's words and word pairs, with no
// lexicon and no rules, fitted on the same quotes as the model. Our test
// quotes were written by the same hands as the fitting quotes; a learner
// that copies their habits scores well on them and badly on real news
// labelled by others, so a model is only better than the control where
// the gold says so too.
type bagOfWords struct {
	vocab map[string]int
	w     [][model.NumLabels]float64 // w[0] is the bias
}

// Settings of the control, those of a standard bag-of-words baseline:
// features seen in fewer quotes than controlMinCount are dropped, and
// the L2 penalty is that of a unit-variance Gaussian prior on each weight.
const (
	controlMinCount = 3
	controlSteps    = 300
	controlRate     = 0.05
)

// words returns a quote's lowercase words and word pairs, with "?" and
// "!" kept as words: a question is evidence.
func words(text string) []string {
	var toks []string
	start := -1
	for i, r := range text + " " {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			toks = append(toks, strings.ToLower(text[start:i]))
			start = -1
		}
		if r == '?' || r == '!' {
			toks = append(toks, string(r))
		}
	}
	out := make([]string, len(toks), 2*len(toks))
	copy(out, toks)
	for i := 1; i < len(toks); i++ {
		out = append(out, toks[i-1]+" "+toks[i])
	}
	return out
}

// fitBagOfWords fits the control on rows, text only.
func fitBagOfWords(rows []eval.Gold) (*bagOfWords, error) {
	count := map[string]int{}
	labels := make([]model.Label, len(rows))
	for i, r := range rows {
		l, err := model.ParseLabel(r.Label)
		if err != nil {
			return nil, fmt.Errorf("quote %s: %w", r.ID, err)
		}
		labels[i] = l
		seen := map[string]bool{}
		for _, w := range words(r.Text) {
			if !seen[w] {
				seen[w] = true
				count[w]++
			}
		}
	}
	// Number the features in sorted order, so the fit is the same on
	// every run whatever the map's order; 0 is the bias.
	var kept []string
	for w, c := range count {
		if c >= controlMinCount {
			kept = append(kept, w)
		}
	}
	slices.Sort(kept)
	b := &bagOfWords{vocab: make(map[string]int, len(kept))}
	for i, w := range kept {
		b.vocab[w] = i + 1
	}
	xs := make([][]int, len(rows))
	for i, r := range rows {
		xs[i] = b.features(r.Text)
	}
	n := float64(len(rows))
	b.w = make([][model.NumLabels]float64, len(kept)+1)
	mom := make([][model.NumLabels]float64, len(b.w))
	vel := make([][model.NumLabels]float64, len(b.w))
	grad := make([][model.NumLabels]float64, len(b.w))
	for step := 1; step <= controlSteps; step++ {
		clear(grad)
		for i, x := range xs {
			p := b.probs(x)
			p[labels[i]]--
			for _, f := range x {
				for l := range p {
					grad[f][l] += p[l] / n
				}
			}
		}
		for f := range b.w {
			for l := range b.w[f] {
				g := grad[f][l]
				if f > 0 {
					g += b.w[f][l] / n
				}
				mom[f][l] = 0.9*mom[f][l] + 0.1*g
				vel[f][l] = 0.999*vel[f][l] + 0.001*g*g
				mh := mom[f][l] / (1 - math.Pow(0.9, float64(step)))
				vh := vel[f][l] / (1 - math.Pow(0.999, float64(step)))
				b.w[f][l] -= controlRate * mh / (math.Sqrt(vh) + 1e-8)
			}
		}
	}
	return b, nil
}

// features returns the numbers of text's known words and pairs, each
// once, after the bias.
func (b *bagOfWords) features(text string) []int {
	x := []int{0}
	seen := map[int]bool{}
	for _, w := range words(text) {
		if f, ok := b.vocab[w]; ok && !seen[f] {
			seen[f] = true
			x = append(x, f)
		}
	}
	return x
}

// probs returns the label probabilities of the features x.
func (b *bagOfWords) probs(x []int) [model.NumLabels]float64 {
	var z [model.NumLabels]float64
	for _, f := range x {
		for l := range z {
			z[l] += b.w[f][l]
		}
	}
	hi := z[0]
	for _, v := range z {
		hi = max(hi, v)
	}
	sum := 0.0
	for l := range z {
		z[l] = math.Exp(z[l] - hi)
		sum += z[l]
	}
	for l := range z {
		z[l] /= sum
	}
	return z
}

// Classify labels the quote's text with the control; it reads no
// context, and gives no evidence.
func (b *bagOfWords) Classify(in model.Input) (model.Result, error) {
	res := model.Result{Scores: b.probs(b.features(in.Text))}
	for l := range res.Scores {
		if res.Scores[l] > res.Scores[res.Label] {
			res.Label = model.Label(l)
		}
	}
	return res, nil
}

// writeControl fits the control on the fitting rows and writes, for each
// set, the macro-F1 of the fitted model and of the control, text only.
func writeControl(w io.Writer, fitted *model.Model, fitRows []eval.Gold, sets []rowSet) error {
	b, err := fitBagOfWords(fitRows)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "== control: bag-of-words logistic regression (%d words and word pairs) fitted on the %d lexicon- and layer-split quotes; macro-F1, text only\n", len(b.vocab), len(fitRows))
	fmt.Fprintf(w, "%-50s %6s %8s %8s\n", "quotes", "n", "model", "control")
	for _, s := range sets {
		mr, err := score(fitted, s.rows, false)
		if err != nil {
			return err
		}
		cr, err := score(b, s.rows, false)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%-50s %6d %8.3f %8.3f\n", s.glob, len(s.rows), mr.Confusion.MacroF1(), cr.Confusion.MacroF1())
	}
	return nil
}
