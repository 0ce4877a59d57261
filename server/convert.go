package server

import (
	"github.com/stancehq/stance/model"
	stancev1 "github.com/stancehq/stance/proto/stance/v1"
)

// toProtoLabel converts a model label; the proto enum is the model's label
// plus one, 0 being proto3's unspecified value.
func toProtoLabel(l model.Label) stancev1.Label {
	if l < 0 || int(l) >= model.NumLabels {
		return stancev1.Label_LABEL_UNSPECIFIED
	}
	return stancev1.Label(int32(l) + 1)
}

// toProtoSource converts the field a piece of evidence was found in.
func toProtoSource(s model.Source) stancev1.Source {
	switch s {
	case model.SourceText:
		return stancev1.Source_SOURCE_TEXT
	case model.SourceContext:
		return stancev1.Source_SOURCE_CONTEXT
	}
	return stancev1.Source_SOURCE_UNSPECIFIED
}

// toProtoResult converts the model's result for the quote with the given id.
// The messages of the scores, and those of the evidence, each share one
// allocation: a result is built for every quote, and one allocation a
// message was most of the conversion's cost.
func toProtoResult(id string, r model.Result) *stancev1.Result {
	scores := new([model.NumLabels]stancev1.Score)
	out := &stancev1.Result{
		Id:     id,
		Label:  toProtoLabel(r.Label),
		Scores: make([]*stancev1.Score, model.NumLabels),
	}
	for l := range model.NumLabels {
		sc := &scores[l]
		sc.Label, sc.Probability = toProtoLabel(model.Label(l)), r.Scores[l]
		out.Scores[l] = sc
	}
	// Evidence is non-nil even when empty; a slice of length 0 costs no
	// allocation.
	evs := make([]stancev1.Evidence, len(r.Evidence))
	out.Evidence = make([]*stancev1.Evidence, len(r.Evidence))
	for i, e := range r.Evidence {
		ev := &evs[i]
		ev.Source = toProtoSource(e.Source)
		ev.Start, ev.End = int32(e.Start), int32(e.End)
		ev.Term = e.Term
		ev.Label = toProtoLabel(e.Label)
		ev.Weight = e.Weight
		ev.Rules = e.Rules
		out.Evidence[i] = ev
	}
	return out
}

// toProtoModel converts a model description.
func toProtoModel(info model.Info) *stancev1.GetModelResponse {
	out := &stancev1.GetModelResponse{
		Name:                    info.Name,
		Version:                 info.Version,
		LexiconChecksum:         info.Checksum,
		Labels:                  make([]stancev1.Label, 0, len(info.Labels)),
		EntryCount:              int32(info.Entries),
		DistributionalWordCount: int32(info.DistributionalWords),
	}
	for _, l := range info.Labels {
		out.Labels = append(out.Labels, toProtoLabel(l))
	}
	return out
}
