package eval

import (
	"math"
	"strings"
	"testing"

	"github.com/stancehq/stance/model"
)

const (
	acc = model.Accusation
	den = model.Denial
	thr = model.Threat
	con = model.Conciliation
	neu = model.Neutral
)

// repeat returns n copies of p.
func repeat(n int, p Prediction) []Prediction {
	out := make([]Prediction, n)
	for i := range out {
		out[i] = p
	}
	return out
}

func concat(pss ...[]Prediction) []Prediction {
	var out []Prediction
	for _, ps := range pss {
		out = append(out, ps...)
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// tenQuotes is a small data set worked out by hand below: no conciliation
// at all, a threat never predicted.
var tenQuotes = concat(
	repeat(3, Prediction{Gold: acc, Pred: acc, Prob: 0.9}),
	repeat(1, Prediction{Gold: acc, Pred: den, Prob: 0.5, Also: []model.Label{den}}),
	repeat(2, Prediction{Gold: den, Pred: den, Prob: 0.7}),
	repeat(1, Prediction{Gold: den, Pred: acc, Prob: 0.4}),
	repeat(1, Prediction{Gold: thr, Pred: neu, Prob: 0.6, Also: []model.Label{acc}}),
	repeat(2, Prediction{Gold: neu, Pred: neu, Prob: 0.8}),
)

func TestConfusion(t *testing.T) {
	var c Confusion
	for _, p := range tenQuotes {
		if err := c.Add(p.Gold, p.Pred); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.Total(); got != 10 {
		t.Errorf("Total() = %d, want 10", got)
	}
	if got := c.Accuracy(); !near(got, 0.7) {
		t.Errorf("Accuracy() = %v, want 0.7", got)
	}
	tests := []struct {
		l                 model.Label
		gold, predicted   int
		precision, recall float64
		f1                float64
	}{
		{acc, 4, 4, 3.0 / 4, 3.0 / 4, 3.0 / 4},
		{den, 3, 3, 2.0 / 3, 2.0 / 3, 2.0 / 3},
		{thr, 1, 0, 0, 0, 0},
		{con, 0, 0, 0, 0, 0},
		{neu, 2, 3, 2.0 / 3, 1, 0.8},
	}
	for _, tt := range tests {
		t.Run(tt.l.String(), func(t *testing.T) {
			if got := c.Gold(tt.l); got != tt.gold {
				t.Errorf("Gold = %d, want %d", got, tt.gold)
			}
			if got := c.Predicted(tt.l); got != tt.predicted {
				t.Errorf("Predicted = %d, want %d", got, tt.predicted)
			}
			if got := c.Precision(tt.l); !near(got, tt.precision) {
				t.Errorf("Precision = %v, want %v", got, tt.precision)
			}
			if got := c.Recall(tt.l); !near(got, tt.recall) {
				t.Errorf("Recall = %v, want %v", got, tt.recall)
			}
			if got := c.F1(tt.l); !near(got, tt.f1) {
				t.Errorf("F1 = %v, want %v", got, tt.f1)
			}
		})
	}
	// Conciliation occurs nowhere, so the mean is over four labels.
	if got, want := c.MacroF1(), (0.75+2.0/3+0+0.8)/4; !near(got, want) {
		t.Errorf("MacroF1() = %v, want %v", got, want)
	}
}

func TestConfusionEdgeCases(t *testing.T) {
	var empty Confusion
	if empty.Accuracy() != 0 || empty.MacroF1() != 0 || empty.F1(acc) != 0 {
		t.Errorf("empty confusion: accuracy %v, macro-F1 %v, F1 %v; want all 0", empty.Accuracy(), empty.MacroF1(), empty.F1(acc))
	}
	var perfect Confusion
	for _, l := range model.Labels() {
		_ = perfect.Add(l, l)
	}
	if perfect.MacroF1() != 1 || perfect.Accuracy() != 1 {
		t.Errorf("perfect confusion: macro-F1 %v, accuracy %v; want 1", perfect.MacroF1(), perfect.Accuracy())
	}
	var c Confusion
	for _, tt := range []struct{ gold, pred model.Label }{{-1, acc}, {acc, 5}, {model.NumLabels, neu}} {
		if err := c.Add(tt.gold, tt.pred); err == nil {
			t.Errorf("Add(%d, %d) succeeded, want an error", tt.gold, tt.pred)
		}
	}
	if c.Total() != 0 {
		t.Errorf("failed Adds counted %d quotes", c.Total())
	}
}

func TestCalibration(t *testing.T) {
	tests := []struct {
		name  string
		preds []Prediction
		want  float64
	}{
		{"none", nil, 0},
		{"perfect", repeat(4, Prediction{Gold: acc, Pred: acc, Prob: 1}), 0},
		{"all wrong and sure", repeat(4, Prediction{Gold: acc, Pred: den, Prob: 1}), 1},
		// Bin 9 holds 0.95 right and 0.95 wrong: |0.5-0.95| = 0.45; bin 5
		// holds 0.55 right: 0.45; bin 2 holds 0.25 wrong: 0.25. Weighted
		// 2/4, 1/4, 1/4.
		{"mixed", []Prediction{
			{Gold: acc, Pred: acc, Prob: 0.95},
			{Gold: acc, Pred: neu, Prob: 0.95},
			{Gold: thr, Pred: thr, Prob: 0.55},
			{Gold: thr, Pred: con, Prob: 0.25},
		}, 0.5*0.45 + 0.25*0.45 + 0.25*0.25},
		// 0 falls in the first bin, 1 in the last.
		{"ends", []Prediction{{Gold: acc, Pred: acc, Prob: 0}, {Gold: acc, Pred: den, Prob: 1}}, 0.5*1 + 0.5*1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bins, err := Calibrate(tt.preds, CalibrationBins)
			if err != nil {
				t.Fatal(err)
			}
			if len(bins) != CalibrationBins {
				t.Fatalf("%d bins, want %d", len(bins), CalibrationBins)
			}
			n := 0
			for _, b := range bins {
				n += b.N
			}
			if n != len(tt.preds) {
				t.Errorf("bins hold %d predictions, want %d", n, len(tt.preds))
			}
			if got := ECE(bins); !near(got, tt.want) {
				t.Errorf("ECE = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCalibrateRejects(t *testing.T) {
	for _, p := range []float64{-0.1, 1.01, math.NaN(), math.Inf(1)} {
		if _, err := Calibrate([]Prediction{{Prob: p}}, 10); err == nil {
			t.Errorf("Calibrate(prob %v) succeeded, want an error", p)
		}
	}
	if _, err := Calibrate(nil, 0); err == nil {
		t.Error("Calibrate with 0 bins succeeded, want an error")
	}
}

func TestScoreLabels(t *testing.T) {
	r, err := ScoreLabels(tenQuotes)
	if err != nil {
		t.Fatal(err)
	}
	// Strict: 7 right. Lenient adds the accusation predicted denial with
	// denial among its also-labels; the threat's also-label is accusation,
	// not the predicted neutral.
	if got := r.LenientAccuracy; !near(got, 0.8) {
		t.Errorf("LenientAccuracy = %v, want 0.8", got)
	}
	if got := r.Confusion.Accuracy(); !near(got, 0.7) {
		t.Errorf("Accuracy = %v, want 0.7", got)
	}
	// Bins: 0.4 wrong (bin 4), 0.5 wrong (5), 0.6 wrong (6), 0.7 x2 right
	// (7), 0.8 x2 right (8), 0.9 x3 right (9).
	want := (0.4 + 0.5 + 0.6 + 2*0.3 + 2*0.2 + 3*0.1) / 10
	if !near(r.ECE, want) {
		t.Errorf("ECE = %v, want %v", r.ECE, want)
	}
	if _, err := ScoreLabels([]Prediction{{Gold: 7, Pred: acc, Prob: 0.5}}); err == nil {
		t.Error("ScoreLabels with gold label 7 succeeded, want an error")
	}
	if _, err := ScoreLabels([]Prediction{{Gold: acc, Pred: acc, Prob: 2}}); err == nil {
		t.Error("ScoreLabels with probability 2 succeeded, want an error")
	}
}

func TestWrite(t *testing.T) {
	r, err := ScoreLabels(tenQuotes)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := r.Write(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"quotes                              10\n",
		"accuracy                         0.700\n",
		"accuracy counting also-labels    0.800\n",
		"macro-F1                         0.554\n",
		"ECE (10 bins)                    0.280\n",
		"neutral              0.667   1.000   0.800      2         3\n",
		"threat                      0            0            0            0            1\n",
		"0.9-1.0               3     1.000           0.900\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}
