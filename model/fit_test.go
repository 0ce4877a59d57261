package model

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// misleadingStrike returns examples in which "strike", hand-set as a threat
// cue, always comes in neutral reports, plus plain examples of every label
// for the layer.
func misleadingStrike() []Example {
	var ex []Example
	for i := range 6 {
		ex = append(ex,
			Example{Input: Input{Text: fmt.Sprintf("The strike hit a depot at %d o'clock.", i)}, Label: Neutral},
			Example{Input: Input{Text: fmt.Sprintf("They are responsible for raid %d.", i)}, Label: Accusation},
			Example{Input: Input{Text: fmt.Sprintf("These claims are baseless, number %d.", i)}, Label: Denial},
			Example{Input: Input{Text: fmt.Sprintf("We will retaliate, time %d.", i)}, Label: Threat},
			Example{Input: Input{Text: fmt.Sprintf("We welcome the ceasefire, round %d.", i)}, Label: Conciliation},
		)
	}
	return ex
}

func TestFitAdjustsEntriesThatMislead(t *testing.T) {
	m := newSmallModel(t)
	examples := misleadingStrike()
	strike := "A strike was reported in the north."
	tests := []struct {
		name    string
		entryL2 float64
		want    Label
	}{
		{"no adjustments", 0, Threat},
		{"adjustments", DefaultFitOptions().EntryL2, Neutral},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := DefaultFitOptions()
			opts.EntryL2 = tt.entryL2
			// The neutral reports fit only the entries, so the layer
			// cannot learn them by other means.
			ex := make([]Example, len(examples))
			copy(ex, examples)
			for i := range ex {
				ex[i].EntriesOnly = ex[i].Label == Neutral
			}
			fitted, err := m.Fit(ex, opts)
			if err != nil {
				t.Fatal(err)
			}
			res, err := fitted.Classify(Input{Text: strike})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Label; got != tt.want {
				t.Errorf("Classify(%q) = %s %v, want %s", strike, got, res.Scores, tt.want)
			}
		})
	}
}

func TestFitNeedsLayerExamples(t *testing.T) {
	m := newSmallModel(t)
	ex := misleadingStrike()
	for i := range ex {
		ex[i].EntriesOnly = true
	}
	if _, err := m.Fit(ex, DefaultFitOptions()); err == nil {
		t.Error("Fit with only EntriesOnly examples: got no error")
	}
}

// TestWriteLexiconRoundTrip checks that a fitted model and the lexicon it
// writes classify alike, and that refitting from the written lexicon starts
// from the hand-set entries, not from its own adjustments.
func TestWriteLexiconRoundTrip(t *testing.T) {
	m, src := newSmallModel(t), smallLexicon(t)
	examples := misleadingStrike()
	fitted, err := m.Fit(examples, DefaultFitOptions())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := fitted.WriteLexicon(&buf, src); err != nil {
		t.Fatal(err)
	}
	_, adjustments, _ := bytes.Cut(buf.Bytes(), []byte("\n[adjustments]\n"))
	if !bytes.Contains(adjustments, []byte("\nstrike\t")) {
		t.Fatalf("written lexicon has no adjustment of \"strike\":\n%s", adjustments)
	}
	loaded, err := New(WithLexicon(buf.Bytes(), "fitted.lex"))
	if err != nil {
		t.Fatalf("written lexicon does not load: %v", err)
	}
	for _, ex := range append(examples, Example{Input: Input{Text: "A strike was reported."}}) {
		want, err := fitted.Classify(ex.Input)
		if err != nil {
			t.Fatal(err)
		}
		got, err := loaded.Classify(ex.Input)
		if err != nil {
			t.Fatal(err)
		}
		if got.Label != want.Label || got.Scores != want.Scores {
			// The layer is written rounded; the adjustments are fitted
			// rounded. Scores may differ in the last digits only.
			for l := range NumLabels {
				if d := got.Scores[l] - want.Scores[l]; d > 1e-3 || d < -1e-3 {
					t.Errorf("%q: loaded %v %s, fitted %v %s", ex.Input.Text, got.Scores, got.Label, want.Scores, want.Label)
					break
				}
			}
		}
	}

	refitted, err := loaded.Fit(examples, DefaultFitOptions())
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := refitted.WriteLexicon(&again, buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	if again.String() != buf.String() {
		t.Error("refitting the written lexicon on the same examples wrote a different lexicon")
	}
	if n := strings.Count(again.String(), "[adjustments]"); n != 1 {
		t.Errorf("refitted lexicon has %d [adjustments] sections, want 1", n)
	}
}
