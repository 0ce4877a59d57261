package main

import (
	"fmt"
	"io"

	"github.com/stancehq/stance/eval"
	"github.com/stancehq/stance/model"
)

// report is a provisional label report until eval's lands.
type report struct {
	conf [model.NumLabels][model.NumLabels]int
}

func score(m *model.Model, rows []eval.Gold, withContext bool) (*report, error) {
	rep := &report{}
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
			return nil, err
		}
		rep.conf[g][res.Label]++
	}
	return rep, nil
}

func (r *report) Write(w io.Writer) error {
	macro := 0.0
	for l := range model.NumLabels {
		tp, fp, fn := r.conf[l][l], 0, 0
		for k := range model.NumLabels {
			if k != l {
				fp += r.conf[k][l]
				fn += r.conf[l][k]
			}
		}
		p, rc, f := 0.0, 0.0, 0.0
		if tp+fp > 0 {
			p = float64(tp) / float64(tp+fp)
		}
		if tp+fn > 0 {
			rc = float64(tp) / float64(tp+fn)
		}
		if p+rc > 0 {
			f = 2 * p * rc / (p + rc)
		}
		macro += f / model.NumLabels
		fmt.Fprintf(w, "%-13s P %.2f R %.2f F1 %.2f   %v\n", model.Label(l), p, rc, f, r.conf[l])
	}
	_, err := fmt.Fprintf(w, "macro-F1 %.3f\n", macro)
	return err
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
