package model

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestReadVectors(t *testing.T) {
	tests := []struct {
		name, in  string
		wantWords []string
		wantDim   int
		wantErr   string
	}{
		{name: "two words", in: "peace 0.5 -1\nwar 1e-3 2\n", wantWords: []string{"peace", "war"}, wantDim: 2},
		{name: "blank lines and a repeat", in: "\npeace 1 2\n\npeace 3 4\n", wantWords: []string{"peace"}, wantDim: 2},
		{name: "empty", in: "", wantErr: "no words"},
		{name: "no numbers", in: "peace\n", wantErr: "no numbers"},
		{name: "short line", in: "peace 1 2\nwar 1\n", wantErr: "line 2: 1 numbers, want 2"},
		{name: "not a number", in: "peace 1 x\n", wantErr: `"x" is not a finite number`},
		{name: "NaN", in: "peace 1 NaN\n", wantErr: "not a finite number"},
		{name: "infinity", in: "peace 1 1e99\n", wantErr: "not a finite number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := ReadVectors(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ReadVectors error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(v.Words, tt.wantWords) || v.Dim != tt.wantDim || len(v.Vecs) != len(v.Words) {
				t.Errorf("ReadVectors = %v words, dim %d, %d vectors; want %v, dim %d", v.Words, v.Dim, len(v.Vecs), tt.wantWords, tt.wantDim)
			}
		})
	}
}

func FuzzReadVectors(f *testing.F) {
	f.Add("peace 0.5 -1\nwar 1e-3 2\n")
	f.Add("peace 1 2\nwar 1\n")
	f.Add("a 1\na 2\n\n")
	f.Fuzz(func(t *testing.T, in string) {
		v, err := ReadVectors(strings.NewReader(in))
		if err != nil {
			return
		}
		if v.Dim < 1 || len(v.Words) == 0 || len(v.Vecs) != len(v.Words) {
			t.Fatalf("ReadVectors(%q) = %d words, dim %d, %d vectors", in, len(v.Words), v.Dim, len(v.Vecs))
		}
		for i, vec := range v.Vecs {
			if len(vec) != v.Dim {
				t.Fatalf("ReadVectors(%q): vector %d has %d numbers, dim %d", in, i, len(vec), v.Dim)
			}
		}
	})
}

// threeWayVectors gives the words of misleadingStrike's threats, its
// conciliatory quotes and the rest each a direction of their own, and two
// words that no example holds ("avenge", "embrace") a direction close to
// the threats' and the conciliatory quotes'.
func threeWayVectors(t *testing.T) *Vectors {
	t.Helper()
	var b strings.Builder
	for _, w := range []string{"will", "retaliate"} {
		b.WriteString(w + " 1 0 0\n")
	}
	for _, w := range []string{"welcome", "ceasefire"} {
		b.WriteString(w + " 0 1 0\n")
	}
	for _, w := range []string{"the", "strike", "hit", "depot", "they", "are", "responsible", "for", "raid", "these", "claims", "baseless", "we", "time", "round", "number"} {
		b.WriteString(w + " 0 0 1\n")
	}
	b.WriteString("avenge 0.9 0.1 0\nembrace 0.1 0.9 0\no'clock 0 0 1\n")
	v, err := ReadVectors(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestFitDistributional checks that word vectors carry what the examples
// teach to words they never hold, that the weights survive the written
// lexicon, and that a refit without vectors keeps them.
func TestFitDistributional(t *testing.T) {
	m, src := newSmallModel(t), smallLexicon(t)
	examples := misleadingStrike()
	opts := DefaultFitOptions()
	opts.Vectors = threeWayVectors(t)
	fitted, err := m.Fit(examples, opts)
	if err != nil {
		t.Fatal(err)
	}
	var terms []string
	for _, e := range fitted.lex.Distributional {
		terms = append(terms, e.Term)
	}
	for _, want := range []string{"avenge", "embrace", "strike"} {
		if !slices.Contains(terms, want) {
			t.Errorf("distributional words %v lack %q", terms, want)
		}
	}
	if slices.Contains(terms, "o'clock") {
		t.Errorf("distributional words %v hold \"o'clock\", which the tokenizer splits", terms)
	}

	scores := map[string][NumLabels]float64{}
	for _, text := range []string{"They avenge.", "They embrace."} {
		res, err := fitted.Classify(Input{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		scores[text] = res.Scores
		if i := slices.IndexFunc(res.Evidence, func(e Evidence) bool { return slices.Contains(e.Rules, sectionDistrib) }); i < 0 {
			t.Errorf("Classify(%q) evidence %+v has no distributional word", text, res.Evidence)
		}
	}
	if a, e := scores["They avenge."], scores["They embrace."]; a[Threat] <= e[Threat] || e[Conciliation] <= a[Conciliation] {
		t.Errorf("scores: avenge %v, embrace %v; want avenge ahead on threat and embrace on conciliation", a, e)
	}

	var buf bytes.Buffer
	if err := fitted.WriteLexicon(&buf, src); err != nil {
		t.Fatal(err)
	}
	loaded, err := New(WithLexicon(buf.Bytes(), "fitted.lex"))
	if err != nil {
		t.Fatalf("written lexicon does not load: %v", err)
	}
	if got, want := len(loaded.lex.Distributional), len(fitted.lex.Distributional); got != want {
		t.Errorf("written lexicon has %d distributional words, want %d", got, want)
	}
	res, err := loaded.Classify(Input{Text: "They avenge."})
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := top(scores["They avenge."]); res.Label != want {
		t.Errorf("loaded model labels %q %s, fitted model %v", "They avenge.", res.Label, want)
	}

	refitted, err := loaded.Fit(examples, DefaultFitOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(refitted.lex.Distributional, loaded.lex.Distributional) {
		t.Error("a refit without vectors changed the distributional weights")
	}
}
