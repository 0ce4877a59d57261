package server

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/stancehq/stance/model"
	stancev1 "github.com/stancehq/stance/proto/stance/v1"
)

// TestToProtoResult checks the conversion of a result, field by field,
// against messages built one by one.
func TestToProtoResult(t *testing.T) {
	r := model.Result{
		Label:  model.Threat,
		Scores: [model.NumLabels]float64{0.1, 0.2, 0.4, 0.2, 0.1},
		Evidence: []model.Evidence{
			{Source: model.SourceText, Start: 3, End: 9, Term: "strike", Label: model.Threat, Weight: 1.5, Rules: []string{"future"}},
			{Source: model.SourceContext, Start: 0, End: 6, Term: "warned", Label: model.Threat, Weight: 0.5},
		},
	}
	want := &stancev1.Result{Id: "q1", Label: stancev1.Label_LABEL_THREAT}
	for _, l := range model.Labels() {
		want.Scores = append(want.Scores, &stancev1.Score{Label: toProtoLabel(l), Probability: r.Scores[l]})
	}
	want.Evidence = []*stancev1.Evidence{
		{Source: stancev1.Source_SOURCE_TEXT, Start: 3, End: 9, Term: "strike", Label: stancev1.Label_LABEL_THREAT, Weight: 1.5, Rules: []string{"future"}},
		{Source: stancev1.Source_SOURCE_CONTEXT, Start: 0, End: 6, Term: "warned", Label: stancev1.Label_LABEL_THREAT, Weight: 0.5},
	}
	if got := toProtoResult("q1", r); !proto.Equal(got, want) {
		t.Errorf("toProtoResult:\n got %v\nwant %v", got, want)
	}
	r.Evidence = nil
	want.Evidence = nil
	got := toProtoResult("q1", r)
	if !proto.Equal(got, want) || got.Evidence == nil {
		t.Errorf("toProtoResult without evidence:\n got %v\nwant %v (Evidence non-nil)", got, want)
	}
}

func BenchmarkToProtoResult(b *testing.B) {
	r := model.Result{Label: model.Threat, Scores: [model.NumLabels]float64{0.1, 0.2, 0.4, 0.2, 0.1}}
	for range 4 {
		r.Evidence = append(r.Evidence, model.Evidence{Start: 3, End: 9, Term: "strike", Label: model.Threat, Weight: 1.5, Rules: []string{"future"}})
	}
	b.ReportAllocs()
	for b.Loop() {
		toProtoResult("q1", r)
	}
}
