package eval

import (
	"fmt"
	"io"
	"math"

	"github.com/stancehq/stance/model"
)

// Prediction is one classified quote set against its gold label.
type Prediction struct {
	// Gold is the hand-given label; Pred is the model's.
	Gold, Pred model.Label
	// Prob is the probability the model gave Pred: its confidence, in
	// [0, 1].
	Prob float64
	// Also lists other labels the annotator accepts for the quote. They
	// count only towards LabelReport.LenientAccuracy.
	Also []model.Label
}

// Confusion counts quotes by gold label (row) and predicted label
// (column), both indexed by model.Label.
type Confusion [model.NumLabels][model.NumLabels]int

// Add counts one quote. It fails for a label out of range, leaving c
// unchanged.
func (c *Confusion) Add(gold, pred model.Label) error {
	if !valid(gold) || !valid(pred) {
		return fmt.Errorf("eval: label out of range: gold %v, predicted %v", gold, pred)
	}
	c[gold][pred]++
	return nil
}

func valid(l model.Label) bool { return l >= 0 && int(l) < model.NumLabels }

// Total is the number of quotes counted.
func (c *Confusion) Total() int {
	n := 0
	for g := range c {
		for p := range c[g] {
			n += c[g][p]
		}
	}
	return n
}

// Gold is the number of quotes whose gold label is l: l's support.
func (c *Confusion) Gold(l model.Label) int {
	n := 0
	for _, v := range c[l] {
		n += v
	}
	return n
}

// Predicted is the number of quotes predicted to be l.
func (c *Confusion) Predicted(l model.Label) int {
	n := 0
	for g := range c {
		n += c[g][l]
	}
	return n
}

// Correct is the number of quotes predicted right.
func (c *Confusion) Correct() int {
	n := 0
	for l := range c {
		n += c[l][l]
	}
	return n
}

// Accuracy is the share of quotes predicted right, 0 when there are none.
func (c *Confusion) Accuracy() float64 { return ratio(c.Correct(), c.Total()) }

// Precision is the share of quotes predicted l that are l, 0 when none is
// predicted l.
func (c *Confusion) Precision(l model.Label) float64 { return ratio(c[l][l], c.Predicted(l)) }

// Recall is the share of quotes that are l predicted l, 0 when none is l.
func (c *Confusion) Recall(l model.Label) float64 { return ratio(c[l][l], c.Gold(l)) }

// F1 is the harmonic mean of l's precision and recall, 0 when both are 0.
func (c *Confusion) F1(l model.Label) float64 {
	p, r := c.Precision(l), c.Recall(l)
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// MacroF1 is the mean F1 of the labels that occur in the gold labels or
// the predictions. A label that occurs in neither is left out: it says
// nothing about the model and would only drag the mean to 0.
func (c *Confusion) MacroF1() float64 {
	sum, n := 0.0, 0
	for _, l := range model.Labels() {
		if c.Gold(l) == 0 && c.Predicted(l) == 0 {
			continue
		}
		sum += c.F1(l)
		n++
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// CalibrationBins is the number of equal-width confidence bins ECE uses.
const CalibrationBins = 10

// Bin is one confidence bin of a calibration table: the predictions whose
// confidence is in [Lo, Hi), or [Lo, 1] for the last bin.
type Bin struct {
	Lo, Hi float64
	// N is the number of predictions in the bin.
	N int
	// Accuracy is the share of them that are right; Confidence is their
	// mean confidence. Both are 0 for an empty bin.
	Accuracy, Confidence float64
}

// Calibrate sorts predictions into bins equal-width confidence bins over
// [0, 1]. It fails for a confidence outside [0, 1] or NaN, or for fewer
// than one bin.
func Calibrate(preds []Prediction, bins int) ([]Bin, error) {
	if bins < 1 {
		return nil, fmt.Errorf("eval: %d calibration bins, need at least 1", bins)
	}
	out := make([]Bin, bins)
	correct := make([]int, bins)
	sum := make([]float64, bins)
	for i, p := range preds {
		if !(p.Prob >= 0 && p.Prob <= 1) {
			return nil, fmt.Errorf("eval: prediction %d: probability %v outside [0, 1]", i, p.Prob)
		}
		b := min(int(p.Prob*float64(bins)), bins-1)
		out[b].N++
		sum[b] += p.Prob
		if p.Gold == p.Pred {
			correct[b]++
		}
	}
	for b := range out {
		out[b].Lo, out[b].Hi = float64(b)/float64(bins), float64(b+1)/float64(bins)
		if out[b].N > 0 {
			out[b].Accuracy = ratio(correct[b], out[b].N)
			out[b].Confidence = sum[b] / float64(out[b].N)
		}
	}
	return out, nil
}

// ECE is the expected calibration error of a calibration table: the mean,
// weighted by the number of predictions, of each bin's gap between
// accuracy and confidence. 0 is perfect calibration; 0 also for no
// predictions.
func ECE(bins []Bin) float64 {
	total := 0
	for _, b := range bins {
		total += b.N
	}
	if total == 0 {
		return 0
	}
	e := 0.0
	for _, b := range bins {
		e += float64(b.N) / float64(total) * math.Abs(b.Accuracy-b.Confidence)
	}
	return e
}

// LabelReport is how well predicted labels match gold labels.
type LabelReport struct {
	Confusion Confusion
	// LenientAccuracy is the share of quotes whose predicted label is the
	// gold label or one of its Also labels.
	LenientAccuracy float64
	// Bins is the calibration table, CalibrationBins bins; ECE is its
	// expected calibration error.
	Bins []Bin
	ECE  float64
}

// ScoreLabels scores predictions. It fails for a label out of range or a
// probability outside [0, 1].
func ScoreLabels(preds []Prediction) (*LabelReport, error) {
	r := &LabelReport{}
	lenient := 0
	for i, p := range preds {
		if err := r.Confusion.Add(p.Gold, p.Pred); err != nil {
			return nil, fmt.Errorf("prediction %d: %w", i, err)
		}
		ok := p.Gold == p.Pred
		for _, a := range p.Also {
			ok = ok || a == p.Pred
		}
		if ok {
			lenient++
		}
	}
	r.LenientAccuracy = ratio(lenient, len(preds))
	bins, err := Calibrate(preds, CalibrationBins)
	if err != nil {
		return nil, err
	}
	r.Bins, r.ECE = bins, ECE(bins)
	return r, nil
}

// Write prints the report for people: the headline numbers, then per-label
// precision, recall and F1, the confusion matrix (rows gold, columns
// predicted) and the non-empty calibration bins.
func (r *LabelReport) Write(w io.Writer) error {
	c := &r.Confusion
	ew := &errWriter{w: w}
	ew.printf("%-30s %7d\n", "quotes", c.Total())
	ew.printf("%-30s %7.3f\n", "accuracy", c.Accuracy())
	ew.printf("%-30s %7.3f\n", "accuracy counting also-labels", r.LenientAccuracy)
	ew.printf("%-30s %7.3f\n", "macro-F1", c.MacroF1())
	ew.printf("%-30s %7.3f\n", fmt.Sprintf("ECE (%d bins)", len(r.Bins)), r.ECE)

	ew.printf("\n%-16s %9s %7s %7s %6s %9s\n", "label", "precision", "recall", "F1", "gold", "predicted")
	for _, l := range model.Labels() {
		ew.printf("%-16s %9.3f %7.3f %7.3f %6d %9d\n", l, c.Precision(l), c.Recall(l), c.F1(l), c.Gold(l), c.Predicted(l))
	}

	ew.printf("\n%-16s", "gold \\ predicted")
	for _, l := range model.Labels() {
		ew.printf(" %12s", l)
	}
	ew.printf("\n")
	for _, g := range model.Labels() {
		ew.printf("%-16s", g)
		for _, p := range model.Labels() {
			ew.printf(" %12d", c[g][p])
		}
		ew.printf("\n")
	}

	ew.printf("\n%-16s %6s %9s %15s\n", "confidence", "quotes", "accuracy", "mean confidence")
	for _, b := range r.Bins {
		if b.N > 0 {
			ew.printf("%-16s %6d %9.3f %15.3f\n", fmt.Sprintf("%.1f-%.1f", b.Lo, b.Hi), b.N, b.Accuracy, b.Confidence)
		}
	}
	return ew.err
}

// errWriter keeps the first write error so that a long report need not
// check each line.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
