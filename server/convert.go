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
func toProtoResult(id string, r model.Result) *stancev1.Result {
	out := &stancev1.Result{
		Id:       id,
		Label:    toProtoLabel(r.Label),
		Scores:   make([]*stancev1.Score, 0, model.NumLabels),
		Evidence: make([]*stancev1.Evidence, 0, len(r.Evidence)),
	}
	for _, l := range model.Labels() {
		out.Scores = append(out.Scores, &stancev1.Score{Label: toProtoLabel(l), Probability: r.Scores[l]})
	}
	for _, e := range r.Evidence {
		out.Evidence = append(out.Evidence, &stancev1.Evidence{
			Source: toProtoSource(e.Source),
			Start:  int32(e.Start),
			End:    int32(e.End),
			Term:   e.Term,
			Label:  toProtoLabel(e.Label),
			Weight: e.Weight,
			Rules:  e.Rules,
		})
	}
	return out
}

// toProtoModel converts a model description.
func toProtoModel(info model.Info) *stancev1.GetModelResponse {
	out := &stancev1.GetModelResponse{
		Name:            info.Name,
		Version:         info.Version,
		LexiconChecksum: info.Checksum,
		Labels:          make([]stancev1.Label, 0, len(info.Labels)),
		EntryCount:      int32(info.Entries),
	}
	for _, l := range info.Labels {
		out.Labels = append(out.Labels, toProtoLabel(l))
	}
	return out
}
