package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/stancehq/stance/eval"
	"github.com/stancehq/stance/model"
)

// classifier labels a quote: the model, or the bag-of-words control it is
// measured against.
type classifier interface {
	Classify(in model.Input) (model.Result, error)
}

var (
	_ classifier = (*model.Model)(nil)
	_ classifier = (*bagOfWords)(nil)
)

// score classifies rows, with their context or without, and scores the
// labels against the rows' gold labels.
func score(m classifier, rows []eval.Gold, withContext bool) (*eval.LabelReport, error) {
	preds, err := predict(nil, m, rows, withContext)
	if err != nil {
		return nil, err
	}
	return eval.ScoreLabels(preds)
}

// predict appends to preds the model's predictions for rows, with their
// context or without.
func predict(preds []eval.Prediction, m classifier, rows []eval.Gold, withContext bool) ([]eval.Prediction, error) {
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
	return preds, nil
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

// entryStats counts how one lexicon term fared on labelled quotes.
type entryStats struct {
	term  string
	label model.Label
	fired int
	// wrong counts firings on quotes whose gold label, and also-labels,
	// differ from the label the term pushes towards.
	wrong int
	// gold counts the firings by the quote's gold label.
	gold [model.NumLabels]int
}

// writeAudit lists the lexicon entries that fire at least minFired times on
// rows, worst first by the share of firings that push towards a label the
// quote does not have: the entries a person improving the lexicon should
// look at first. Quote-level rules (negation, fragment, ...) are listed
// too, though the layer, not the lexicon, sets their weights.
func writeAudit(w io.Writer, m *model.Model, rows []eval.Gold, minFired int) error {
	stats := map[string]*entryStats{}
	for _, r := range rows {
		res, err := m.Classify(model.Input{Text: r.Text})
		if err != nil {
			return fmt.Errorf("quote %s: %w", r.ID, err)
		}
		g, err := model.ParseLabel(r.Label)
		if err != nil {
			return fmt.Errorf("quote %s: %w", r.ID, err)
		}
		for _, e := range res.Evidence {
			key := e.Term + "\x00" + e.Label.String()
			s := stats[key]
			if s == nil {
				s = &entryStats{term: e.Term, label: e.Label}
				stats[key] = s
			}
			s.fired++
			s.gold[g]++
			if e.Label != g && !slices.Contains(r.Also, e.Label.String()) {
				s.wrong++
			}
		}
	}
	var list []*entryStats
	for _, s := range stats {
		if s.fired >= minFired && s.wrong > 0 {
			list = append(list, s)
		}
	}
	slices.SortFunc(list, func(a, b *entryStats) int {
		// Worst share first; among equal shares, the most frequent.
		if c := cmp.Compare(b.wrong*a.fired, a.wrong*b.fired); c != 0 {
			return c
		}
		if c := cmp.Compare(b.fired, a.fired); c != 0 {
			return c
		}
		return strings.Compare(a.term, b.term)
	})
	fmt.Fprintf(w, "== lexicon entries firing at least %d times on lexicon-split quotes, by share pushing the wrong way\n", minFired)
	fmt.Fprintf(w, "%-32s %-13s %5s %5s  gold labels of the quotes\n", "term", "pushes", "fired", "wrong")
	for _, s := range list {
		fmt.Fprintf(w, "%-32s %-13s %5d %5d ", s.term, s.label, s.fired, s.wrong)
		for _, l := range model.Labels() {
			if n := s.gold[l]; n > 0 {
				fmt.Fprintf(w, " %s=%d", l, n)
			}
		}
		fmt.Fprintln(w)
	}
	return nil
}
