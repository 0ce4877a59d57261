package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/stancehq/stance/eval"
	"github.com/stancehq/stance/model"
	stancev1 "github.com/stancehq/stance/proto/stance/v1"
)

// EvalOptions configures Eval.
type EvalOptions struct {
	// Gold is the path of the gold JSON Lines file, or a glob of such files
	// (read in name order).
	Gold string
	// In is the path of predictions written by stance classify, matched
	// to gold rows by id. Empty to have the service classify each gold
	// row's text.
	In string
	// Corpus is the directory holding the articles that gold rows with
	// doc, start and end point into. Empty for the directory "corpus"
	// beside the gold file's directory (testdata/corpus for
	// testdata/gold/x.jsonl).
	Corpus string
	// Context sends each gold row's context with its text when the
	// service classifies the rows.
	Context bool
}

// Eval scores the service, or a file of its predictions, against gold
// rows and writes the report to out: label accuracy, macro-F1, per-label
// precision, recall and F1, the confusion matrix and calibration; and,
// when gold rows locate their quotes in articles, how well the service's
// ClassifyDocument finds those quotes and their speakers.
func Eval(ctx context.Context, s Service, opts EvalOptions, out io.Writer) error {
	gold, err := eval.ReadGoldFiles(opts.Gold)
	if err != nil {
		return err
	}
	if len(gold) == 0 {
		return fmt.Errorf("%s: no gold rows", opts.Gold)
	}
	var preds []eval.Prediction
	var source string
	if opts.In != "" {
		preds, err = predictionsFromFile(gold, opts.In)
		source = "predictions from " + opts.In
	} else {
		preds, err = predictionsFromService(ctx, s, gold, opts.Context)
		source = "each gold quote's text classified by the service"
		if opts.Context {
			source = "each gold quote's text and context classified by the service"
		}
	}
	if err != nil {
		return err
	}
	rep, err := eval.ScoreLabels(preds)
	if err != nil {
		return err
	}

	// A bufio.Writer keeps the first write error, and Flush returns it,
	// so that the lines of the report need not be checked one by one.
	w := bufio.NewWriter(out)
	err = writeEval(ctx, s, opts, gold, source, rep, w)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	return err
}

// writeEval writes Eval's report of rep to w and, when the gold rows have
// spans, the extraction's.
func writeEval(ctx context.Context, s Service, opts EvalOptions, gold []eval.Gold, source string, rep *eval.LabelReport, w *bufio.Writer) error {
	fmt.Fprintf(w, "gold:  %s (%d quotes)\n", opts.Gold, len(gold))
	if opts.In == "" || hasSpans(gold) {
		m, err := s.Model(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "model: %s %s, lexicon sha256 %.12s, %d entries\n", m.GetName(), m.GetVersion(), m.GetLexiconChecksum(), m.GetEntryCount())
	}
	fmt.Fprintf(w, "\nLABELS (%s)\n", source)
	if err := rep.Write(w); err != nil {
		return err
	}
	if !hasSpans(gold) {
		return nil
	}
	dir := opts.Corpus
	if dir == "" {
		dir = filepath.Join(filepath.Dir(filepath.Dir(opts.Gold)), "corpus")
	}
	fmt.Fprintf(w, "\nEXTRACTION (ClassifyDocument on every article in %s)\n", dir)
	// Show the labels' report before the articles are classified, and
	// stop here if it cannot be written.
	if err := w.Flush(); err != nil {
		return err
	}
	return writeExtraction(ctx, s, gold, dir, w)
}

func hasSpans(gold []eval.Gold) bool {
	for _, g := range gold {
		if g.HasSpan() {
			return true
		}
	}
	return false
}

// goldLabels parses a gold row's label and also-labels.
func goldLabels(g eval.Gold, i int) (model.Label, []model.Label, error) {
	l, err := model.ParseLabel(g.Label)
	if err != nil {
		return 0, nil, fmt.Errorf("gold row %d (id %q): %w", i+1, g.ID, err)
	}
	var also []model.Label
	for _, a := range g.Also {
		al, err := model.ParseLabel(a)
		if err != nil {
			return 0, nil, fmt.Errorf("gold row %d (id %q): also: %w", i+1, g.ID, err)
		}
		also = append(also, al)
	}
	return l, also, nil
}

// predictionsFromService classifies every gold row's text.
func predictionsFromService(ctx context.Context, c QuoteClassifier, gold []eval.Gold, withContext bool) ([]eval.Prediction, error) {
	quotes := make([]*stancev1.Quote, len(gold))
	for i, g := range gold {
		quotes[i] = &stancev1.Quote{Id: g.ID, Text: g.Text, Speaker: g.Speaker}
		if withContext {
			quotes[i].Context = g.Context
		}
	}
	results, err := c.ClassifyAll(ctx, quotes)
	if err != nil {
		// Every gold row must be scored: a partial score would pass for a
		// whole one.
		return nil, err
	}
	preds := make([]eval.Prediction, len(gold))
	for i, g := range gold {
		l, also, err := goldLabels(g, i)
		if err != nil {
			return nil, err
		}
		p, err := toPrediction(results[i])
		if err != nil {
			return nil, fmt.Errorf("gold row %d (id %q): %w", i+1, g.ID, err)
		}
		preds[i] = eval.Prediction{Gold: l, Pred: p.label, Prob: p.scores[p.label], Also: also}
	}
	return preds, nil
}

// filePrediction is what Eval reads of a line of stance classify's output.
type filePrediction struct {
	ID     *string            `json:"id"`
	Label  *string            `json:"label"`
	Scores map[string]float64 `json:"scores"`
}

// predictionsFromFile matches the predictions in path to the gold rows by
// id. Every gold row needs exactly one prediction; predictions for ids
// not in the gold are ignored.
func predictionsFromFile(gold []eval.Gold, path string) ([]eval.Prediction, error) {
	index := make(map[string]int, len(gold))
	for i, g := range gold {
		if g.ID == "" {
			return nil, fmt.Errorf("gold row %d has no id to match predictions by", i+1)
		}
		if j, dup := index[g.ID]; dup {
			return nil, fmt.Errorf("gold rows %d and %d share the id %q", j+1, i+1, g.ID)
		}
		index[g.ID] = i
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	preds := make([]eval.Prediction, len(gold))
	found := make([]int, len(gold)) // line of each gold row's prediction
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	for n := 1; sc.Scan(); n++ {
		b := sc.Bytes()
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		var fp filePrediction
		if err := json.Unmarshal(b, &fp); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		if fp.ID == nil || fp.Label == nil || fp.Scores == nil {
			return nil, fmt.Errorf("%s:%d: want id, label and scores, as stance classify writes", path, n)
		}
		i, ok := index[*fp.ID]
		if !ok {
			continue
		}
		if found[i] != 0 {
			return nil, fmt.Errorf("%s:%d: a second prediction for id %q (the first is on line %d)", path, n, *fp.ID, found[i])
		}
		found[i] = n
		pl, err := model.ParseLabel(*fp.Label)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		prob, ok := fp.Scores[pl.String()]
		if !ok {
			return nil, fmt.Errorf("%s:%d: no score for the label %s", path, n, pl)
		}
		l, also, err := goldLabels(gold[i], i)
		if err != nil {
			return nil, err
		}
		preds[i] = eval.Prediction{Gold: l, Pred: pl, Prob: prob, Also: also}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var missing []string
	for i, n := range found {
		if n == 0 {
			missing = append(missing, gold[i].ID)
		}
	}
	if len(missing) > 0 {
		const show = 5
		n, more := len(missing), ""
		if n > show {
			more, missing = fmt.Sprintf(" and %d more", n-show), missing[:show]
		}
		return nil, fmt.Errorf("%s: no prediction for %d of %d gold rows: %s%s", path, n, len(gold), strings.Join(missing, ", "), more)
	}
	return preds, nil
}
