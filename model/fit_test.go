package model

import (
	"bytes"
	"fmt"
	"math"
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

// TestFitLearnsWords checks which words of the examples Fit learns
// weights for: frequent words the lexicon lacks, but not function words,
// names, rare words or words it has.
func TestFitLearnsWords(t *testing.T) {
	src := append(smallLexicon(t), "\n[function_words]\nbetween\n"...)
	m, err := New(WithLexicon(src, "small.lex+function_words"))
	if err != nil {
		t.Fatal(err)
	}
	examples := misleadingStrike()
	for i := range 6 {
		examples = append(examples,
			// "goodwill" in six conciliatory quotes, "pretext" in four.
			Example{Input: Input{Text: fmt.Sprintf("A gesture of goodwill between neighbours, day %d.", i)}, Label: Conciliation},
			Example{Input: Input{Text: fmt.Sprintf("They met in Karabakh, meeting %d.", i)}, Label: Neutral},
		)
		if i < 4 {
			examples = append(examples, Example{Input: Input{Text: fmt.Sprintf("It was a pretext, case %d.", i)}, Label: Accusation})
		}
	}
	fitted, err := m.Fit(examples, DefaultFitOptions())
	if err != nil {
		t.Fatal(err)
	}
	learned := map[string]bool{}
	for _, e := range fitted.lex.Learned {
		learned[e.Term] = true
	}
	tests := []struct {
		word string
		want bool
	}{
		{"goodwill", true},
		{"gesture", true},
		{"pretext", false},  // in four quotes, not five
		{"between", false},  // a function word
		{"karabakh", false}, // a name
		{"strike", false},   // an entry already
		{"truce", false},    // in no quote
		{"o", false},        // from "o'clock": too short
	}
	for _, tt := range tests {
		if got := learned[tt.word]; got != tt.want {
			t.Errorf("learned %q = %v, want %v", tt.word, got, tt.want)
		}
	}

	// A quote whose only cue is a learned word gets the learned word's act.
	in := Input{Text: "Goodwill matters."}
	res, err := fitted.Classify(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Evidence) == 0 || res.Evidence[0].Term != "goodwill" || res.Evidence[0].Label != Conciliation {
		t.Errorf("Classify(%q) evidence = %+v, want goodwill pushing towards conciliation first", in.Text, res.Evidence)
	}

	opts := DefaultFitOptions()
	opts.LearnMin = 0
	plain, err := m.Fit(examples, opts)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(plain.lex.Learned); n != 0 {
		t.Errorf("Fit with LearnMin 0 learned %d words, want none", n)
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
	adjustments, learned, _ := bytes.Cut(adjustments, []byte("\n[learned]\n"))
	if !bytes.Contains(adjustments, []byte("\nstrike\t")) {
		t.Fatalf("written lexicon has no adjustment of \"strike\":\n%s", adjustments)
	}
	if !bytes.Contains(learned, []byte("\ndepot\t")) {
		t.Fatalf("written lexicon has not learned \"depot\", in six neutral quotes:\n%s", learned)
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
		// Evidence reads the fitted layer through its own table, which
		// must follow the layer that Fit set.
		if len(got.Evidence) != len(want.Evidence) {
			t.Fatalf("%q: loaded evidence %+v, fitted %+v", ex.Input.Text, got.Evidence, want.Evidence)
		}
		for i, g := range got.Evidence {
			w := want.Evidence[i]
			if g.Term != w.Term || math.Abs(g.Weight-w.Weight) > 1e-2 {
				t.Errorf("%q: loaded evidence %+v, fitted %+v", ex.Input.Text, g, w)
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
	for _, section := range []string{"[adjustments]", "[learned]"} {
		if n := strings.Count(again.String(), section); n != 1 {
			t.Errorf("refitted lexicon has %d %s sections, want 1", n, section)
		}
	}
}
