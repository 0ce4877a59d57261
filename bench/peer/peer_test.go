package peer

import (
	"testing"

	"github.com/jonreiter/govader"

	"github.com/stancehq/stance/bench/internal/devquotes"
	"github.com/stancehq/stance/bench/internal/rounds"
	"github.com/stancehq/stance/model"
)

func setup(b *testing.B) (*model.Model, *govader.SentimentIntensityAnalyzer, []model.Input) {
	b.Helper()
	m, err := model.New()
	if err != nil {
		b.Fatal(err)
	}
	ins, err := devquotes.Load("../../testdata/dev")
	if err != nil {
		b.Fatal(err)
	}
	return m, govader.NewSentimentIntensityAnalyzer(), ins
}

// vader scores a quote's text and its context, the two texts stance reads.
func vader(v *govader.SentimentIntensityAnalyzer, in model.Input) float64 {
	s := v.PolarityScores(in.Text).Compound
	if in.Context != "" {
		s += v.PolarityScores(in.Context).Compound
	}
	return s
}

// BenchmarkGovader scores one development quote (text and context) per op
// with govader.
func BenchmarkGovader(b *testing.B) {
	_, v, ins := setup(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		vader(v, ins[i%len(ins)])
	}
}

// BenchmarkStance classifies one development quote per op with stance's
// model.
func BenchmarkStance(b *testing.B) {
	m, _, ins := setup(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := m.Classify(ins[i%len(ins)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStanceVsGovader runs both in alternating rounds of 200 quotes,
// so that both see the same load on a shared machine, and reports each
// one's time per quote and stance's relative to govader's.
func BenchmarkStanceVsGovader(b *testing.B) {
	m, v, ins := setup(b)
	b.ResetTimer()
	stance, peer := rounds.Alternate(b.N, 200,
		func(i int) {
			if _, err := m.Classify(ins[i%len(ins)]); err != nil {
				b.Fatal(err)
			}
		},
		func(i int) { vader(v, ins[i%len(ins)]) })
	b.ReportMetric(float64(stance.Nanoseconds())/float64(b.N), "stance-ns/quote")
	b.ReportMetric(float64(peer.Nanoseconds())/float64(b.N), "govader-ns/quote")
	b.ReportMetric(float64(stance)/float64(peer), "ratio")
}
