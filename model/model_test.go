package model

import (
	"cmp"
	"errors"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// newSmallModel loads testdata/small.lex, whose weights are the hand-set
// defaults, so that rule tests do not move when the bundled lexicon is
// refitted.
func newSmallModel(t testing.TB) *Model {
	t.Helper()
	m, err := New(WithLexicon(smallLexicon(t), "testdata/small.lex"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// smallLexicon returns the bytes of testdata/small.lex.
func smallLexicon(t testing.TB) []byte {
	t.Helper()
	src, err := os.ReadFile("testdata/small.lex")
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestClassifyEvidence(t *testing.T) {
	m := newSmallModel(t)
	tests := []struct {
		text      string
		wantTerm  string
		wantText  string // the original bytes the evidence points at
		wantRules []string
	}{
		{"We will respond.", "will respond", "will respond", []string{"first_person", "future"}},
		{"They did not attack us.", "attack", "attack", []string{"negated", "third_person", "past"}},
		{"If they strike, we will retaliate.", "retaliate", "retaliate", []string{"conditional", "first_person", "future"}},
		{"Pakistan may retaliate.", "retaliate", "retaliate", []string{"hedged", "third_person"}},
		{"We very much reject it.", "reject", "reject", []string{"intensified", "first_person"}},
		{"Will you retaliate?", "retaliate", "retaliate", []string{"second_person", "future", "question"}},
		{"We ACCUSED them.", "accus*", "ACCUSED", []string{"first_person", "past"}},
		{"It is not our war, but we welcome talks.", "welcome", "welcome", []string{"first_person"}},
		{"Our soil won’t be used against anyone.", "used against", "used against", []string{"negated", "first_person"}},
		{"They called it naïve.", "naïve", "naïve", []string{"third_person"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			e, ok := findEvidence(t, m, tt.text, "term "+tt.wantTerm, func(e Evidence) bool { return e.Term == tt.wantTerm })
			if !ok {
				return
			}
			if got := tt.text[e.Start:e.End]; got != tt.wantText {
				t.Errorf("evidence span = %q, want %q", got, tt.wantText)
			}
			if !reflect.DeepEqual(e.Rules, tt.wantRules) {
				t.Errorf("rules = %q, want %q", e.Rules, tt.wantRules)
			}
		})
	}
}

// findEvidence classifies text and returns the first piece of evidence
// that match accepts; it reports an error naming what when there is none.
func findEvidence(t *testing.T, m *Model, text, what string, match func(Evidence) bool) (Evidence, bool) {
	t.Helper()
	res, err := m.Classify(Input{Text: text})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Evidence {
		if match(e) {
			return e, true
		}
	}
	t.Errorf("no evidence for %s in %+v", what, res.Evidence)
	return Evidence{}, false
}

func TestClassifyLabels(t *testing.T) {
	m := newSmallModel(t)
	tests := []struct {
		in   Input
		want Label
	}{
		{Input{Text: "We will retaliate and they will pay a heavy price."}, Threat},
		{Input{Text: "These claims are baseless."}, Denial},
		{Input{Text: "We welcome the ceasefire and the talks."}, Conciliation},
		{Input{Text: "Two people were killed on Tuesday."}, Neutral},
		{Input{Text: "India is responsible for this."}, Accusation},
		{Input{Text: "The weather was fine."}, Neutral},
		// The frame around a quote counts: "accused" lies outside the
		// quoted words.
		{Input{Text: "the usual tactics", Context: `He accused India, which he held responsible for the attack, of "the usual tactics".`}, Accusation},
	}
	for _, tt := range tests {
		t.Run(tt.in.Text, func(t *testing.T) {
			res, err := m.Classify(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if res.Label != tt.want {
				t.Errorf("label = %s, want %s (scores %.2f, evidence %+v)", res.Label, tt.want, res.Scores, res.Evidence)
			}
		})
	}
}

func TestContextEvidenceSkipsTheQuote(t *testing.T) {
	m := newSmallModel(t)
	in := Input{Text: "we will respond", Context: `They said "we will respond" after the attack.`}
	res, err := m.Classify(in)
	if err != nil {
		t.Fatal(err)
	}
	quoteStart := strings.Index(in.Context, in.Text)
	var got []string
	for _, e := range res.Evidence {
		if e.Source != SourceContext {
			continue
		}
		if e.Start < quoteStart+len(in.Text) && e.End > quoteStart {
			t.Errorf("context evidence %+v lies inside the quote", e)
		}
		got = append(got, in.Context[e.Start:e.End])
	}
	if want := []string{"attack"}; !slices.Equal(got, want) {
		t.Errorf("context evidence = %q, want %q", got, want)
	}
}

func TestClassifyErrors(t *testing.T) {
	m := newSmallModel(t)
	tests := []struct {
		name string
		in   Input
		want error
	}{
		{"empty", Input{}, ErrEmptyText},
		{"blank", Input{Text: " \t\n"}, ErrEmptyText},
		{"invalid text", Input{Text: "bad \xc3\x28"}, ErrInvalidUTF8},
		{"invalid context", Input{Text: "fine", Context: "\xff"}, ErrInvalidUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := m.Classify(tt.in); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestClassifyIsDeterministic(t *testing.T) {
	m, err := New()
	if err != nil {
		t.Fatal(err)
	}
	in := Input{Text: "If they attack us again, we will respond with full force.", Context: `The minister warned: "If they attack us again, we will respond with full force."`}
	first, err := m.Classify(in)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		got, err := m.Classify(in)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, first) {
			t.Fatalf("second result differs:\n%+v\n%+v", got, first)
		}
	}
}

func checkResult(t *testing.T, in Input, res Result) {
	t.Helper()
	sum := 0.0
	for _, p := range res.Scores {
		if p < 0 || p > 1 || math.IsNaN(p) {
			t.Fatalf("score %v out of [0,1] for %q", p, in.Text)
		}
		sum += p
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Fatalf("scores sum to %v for %q", sum, in.Text)
	}
	for l := range NumLabels {
		if res.Scores[l] > res.Scores[res.Label] {
			t.Fatalf("label %s is not the most probable in %v", res.Label, res.Scores)
		}
	}
	byPlace := func(a, b Evidence) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Start, b.Start))
	}
	if !slices.IsSortedFunc(res.Evidence, byPlace) {
		t.Fatalf("evidence not in text order, quote first: %+v", res.Evidence)
	}
	for _, e := range res.Evidence {
		src := in.Text
		if e.Source == SourceContext {
			src = in.Context
		}
		if e.Start < 0 || e.End > len(src) || e.Start > e.End || !utf8.ValidString(src[e.Start:e.End]) {
			t.Fatalf("evidence %+v outside %q", e, src)
		}
	}
}

func FuzzClassify(f *testing.F) {
	for _, s := range []string{"We will respond.", "They did not attack us?", "Ωmega-çx 😁 é\u0301", "if if if not not", "U.S. Mr. 3.5"} {
		f.Add(s, "")
		f.Add(s, `He warned: "`+s+`"`)
	}
	m := newSmallModel(f)
	f.Fuzz(func(t *testing.T, text, context string) {
		in := Input{Text: text, Context: context}
		res, err := m.Classify(in)
		if err != nil {
			if errors.Is(err, ErrEmptyText) || errors.Is(err, ErrInvalidUTF8) {
				return
			}
			t.Fatal(err)
		}
		checkResult(t, in, res)
	})
}
