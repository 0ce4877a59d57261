package main

import (
	"fmt"
	"io"

	"github.com/stancehq/stance/eval"
	"github.com/stancehq/stance/model"
)

// score classifies rows, with their context or without, and scores the
// labels against the rows' gold labels.
func score(m *model.Model, rows []eval.Gold, withContext bool) (*eval.LabelReport, error) {
	preds := make([]eval.Prediction, 0, len(rows))
	for _, r := range rows {
		in := model.Input{Text: r.Text}
		if withContext {
			in.Context = r.Context
		}
		res, err := m.Classify(in)
		if err != nil {
			return nil, fmt.Errorf("quote %s: %w", r.ID, err)
		}
		g, err := model.ParseLabel(r.Label)
		if err != nil {
			return nil, fmt.Errorf("quote %s: %w", r.ID, err)
		}
		p := eval.Prediction{Gold: g, Pred: res.Label, Prob: res.Scores[res.Label]}
		for _, a := range r.Also {
			if l, err := model.ParseLabel(a); err == nil {
				p.Also = append(p.Also, l)
			}
		}
		preds = append(preds, p)
	}
	return eval.ScoreLabels(preds)
}

// writeMisses lists the rows the model labels wrongly, with the evidence
// it used, for a person improving the lexicon.
func writeMisses(w io.Writer, m *model.Model, rows []eval.Gold) error {
	for _, r := range rows {
		res, err := m.Classify(model.Input{Text: r.Text})
		if err != nil {
			return err
		}
		if res.Label.String() == r.Label {
			continue
		}
		fmt.Fprintf(w, "%s gold=%s got=%s %.2f\n    %s\n", r.ID, r.Label, res.Label, res.Scores, r.Text)
		for _, e := range res.Evidence {
			fmt.Fprintf(w, "      %q %s %.2f %v\n", e.Term, e.Label, e.Weight, e.Rules)
		}
	}
	return nil
}
