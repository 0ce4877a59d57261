package bench

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/stancehq/stance/bench/internal/devquotes"
	"github.com/stancehq/stance/bench/internal/rounds"
	"github.com/stancehq/stance/model"
)

// quotes loads the development quotes: text and context, about 100 and
// 160 bytes.
func quotes(tb testing.TB) []model.Input {
	tb.Helper()
	ins, err := devquotes.Load("../testdata/dev")
	if err != nil {
		tb.Fatal(err)
	}
	return ins
}

func newModel(tb testing.TB, opts ...model.Option) *model.Model {
	tb.Helper()
	m, err := model.New(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// BenchmarkClassify classifies one development quote per op, with its
// context, as the service does.
func BenchmarkClassify(b *testing.B) {
	benchmarkClassify(b, newModel(b))
}

// BenchmarkClassifySugarme is BenchmarkClassify with sugarme/tokenizer.
func BenchmarkClassifySugarme(b *testing.B) {
	benchmarkClassify(b, newModel(b, model.WithTokenizer(model.TokenizerSugarme)))
}

func benchmarkClassify(b *testing.B, m *model.Model) {
	ins := quotes(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := m.Classify(ins[i%len(ins)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBare is the floor BenchmarkClassify is measured against: the
// same quotes and contexts lowercased, split on spaces, and each word
// looked up once in a map of the lexicon's words.
func BenchmarkBare(b *testing.B) {
	lexicon := lexiconWords(b)
	ins := quotes(b)
	b.ReportAllocs()
	b.ResetTimer()
	found := 0
	for i := range b.N {
		in := ins[i%len(ins)]
		found += bare(lexicon, in.Text) + bare(lexicon, in.Context)
	}
	if found == 0 {
		b.Fatal("no word found")
	}
}

// BenchmarkClassifyVsBare runs BenchmarkClassify's and BenchmarkBare's
// work in alternating rounds of 1000 quotes (some 20 ms), so that both see the same load
// on a shared machine, and reports each one's time per quote and their
// ratio (the goal is 3 or less).
func BenchmarkClassifyVsBare(b *testing.B) {
	m := newModel(b)
	lexicon := lexiconWords(b)
	ins := quotes(b)
	found := 0
	b.ResetTimer()
	classify, floor := rounds.Alternate(b.N, 1000,
		func(i int) {
			if _, err := m.Classify(ins[i%len(ins)]); err != nil {
				b.Fatal(err)
			}
		},
		func(i int) {
			in := ins[i%len(ins)]
			found += bare(lexicon, in.Text) + bare(lexicon, in.Context)
		})
	if found == 0 {
		b.Fatal("no word found")
	}
	b.ReportMetric(float64(classify.Nanoseconds())/float64(b.N), "classify-ns/quote")
	b.ReportMetric(float64(floor.Nanoseconds())/float64(b.N), "bare-ns/quote")
	b.ReportMetric(float64(classify)/float64(floor), "ratio")
}

// bare counts the words of text that are in lexicon.
func bare(lexicon map[string]float64, text string) int {
	n := 0
	for _, w := range strings.Split(strings.ToLower(text), " ") {
		if _, ok := lexicon[w]; ok {
			n++
		}
	}
	return n
}

// lexiconWords maps every word of the bundled lexicon's entries to a
// weight.
func lexiconWords(tb testing.TB) map[string]float64 {
	tb.Helper()
	lex, err := model.ParseLexicon(bytes.NewReader(model.DefaultLexicon()), "lexicon.txt")
	if err != nil {
		tb.Fatal(err)
	}
	words := map[string]float64{}
	for _, e := range slices.Concat(lex.Entries, lex.Learned) {
		for _, w := range strings.Fields(e.Term) {
			words[strings.TrimSuffix(w, "*")] += e.Weights[0]
		}
	}
	return words
}
