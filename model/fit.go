package model

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Example is one labelled quote for fitting the scoring layer.
type Example struct {
	Input Input
	Label Label
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
}

// DefaultFitOptions returns the fitting settings used for the bundled
// lexicon.
func DefaultFitOptions() FitOptions {
	return FitOptions{L2: 0.005, Steps: 3000, Rate: 0.02}
}

// Fit fits the scoring layer (the weights of every rule feature for every
// label) to the examples by multinomial logistic regression, starting from
// and regularized towards the default weights, and returns a model that uses
// the fitted weights. Lexicon entries keep their hand-set weights: with a
// few hundred examples, per-entry weights would memorise them. Fit is
// deterministic: full-batch gradients in a fixed order.
func (m *Model) Fit(examples []Example, opts FitOptions) (*Model, error) {
	if len(examples) == 0 {
		return nil, fmt.Errorf("fit: no examples")
	}
	xs := make([][numFeatures]float64, len(examples))
	var sc scratch
	for i, ex := range examples {
		if _, err := m.features(ex.Input, &sc); err != nil {
			return nil, fmt.Errorf("fit: example %d: %w", i, err)
		}
		xs[i] = sc.x
	}
	prior := defaultWeights()
	w := prior
	var mom, vel [numFeatures][NumLabels]float64
	const b1, b2, eps = 0.9, 0.999, 1e-8
	n := float64(len(examples))
	for step := 1; step <= opts.Steps; step++ {
		var grad [numFeatures][NumLabels]float64
		for i, x := range xs {
			var z [NumLabels]float64
			for f, v := range x {
				if v != 0 {
					for l := range NumLabels {
						z[l] += v * w[f][l]
					}
				}
			}
			p := softmax(z)
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
				mom[f][l] = b1*mom[f][l] + (1-b1)*g
				vel[f][l] = b2*vel[f][l] + (1-b2)*g*g
				mh := mom[f][l] / (1 - math.Pow(b1, float64(step)))
				vh := vel[f][l] / (1 - math.Pow(b2, float64(step)))
				w[f][l] -= opts.Rate * mh / (math.Sqrt(vh) + eps)
			}
		}
	}
	fitted := *m
	fitted.weights = w
	return &fitted, nil
}

// Unfitted returns the model with the default, hand-set scoring layer in
// place of its lexicon's fitted [weights], to show what fitting adds.
func (m *Model) Unfitted() *Model {
	u := *m
	u.weights = defaultWeights()
	return &u
}

// WriteLexicon writes the model's lexicon file with its [weights] section
// replaced by the model's current scoring weights, so that a fitted model
// can be saved as a lexicon that New loads. base is the original file.
func (m *Model) WriteLexicon(w io.Writer, base []byte) error {
	var out bytes.Buffer
	for _, line := range strings.SplitAfter(string(base), "\n") {
		if strings.TrimSpace(line) == "["+sectionWeights+"]" {
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
	_, err := w.Write(out.Bytes())
	return err
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
