package cli

import (
	"bufio"
	"context"
	"fmt"
	"os"

	"github.com/stancehq/stance/eval"
	"github.com/stancehq/stance/quote"
)

// docKey locates a quote in a corpus.
type docKey struct {
	doc        string
	start, end int
}

// writeExtraction runs ClassifyDocument on every article in dir and writes
// how well the quotes it found match the gold rows' spans and speakers,
// and how well the labels it gave the matched quotes, in their article
// context, match the gold labels; out keeps the first write error, which
// the caller's Flush returns. It goes through the service rather than
// quote.Extract so that the score is of what users get.
func writeExtraction(ctx context.Context, c DocumentClassifier, gold []eval.Gold, dir string, out *bufio.Writer) error {
	articles, err := FindArticles([]string{dir})
	if err != nil {
		return fmt.Errorf("corpus: %w", err)
	}
	found := make(map[string][]quote.Quote, len(articles))
	labelled := make(map[docKey]prediction)
	for _, a := range articles {
		data, err := os.ReadFile(a.Path)
		if err != nil {
			return err
		}
		text := string(data)
		dqs, err := c.ClassifyDocument(ctx, text)
		if err != nil {
			return fmt.Errorf("%s: %w", a.Path, err)
		}
		qs := make([]quote.Quote, 0, len(dqs))
		for i, dq := range dqs {
			start, end := int(dq.GetStart()), int(dq.GetEnd())
			if start < 0 || start > end || end > len(text) || text[start:end] != dq.GetText() {
				return fmt.Errorf("%s: quote %d: %w: span [%d:%d] does not hold its text", a.Path, i+1, errBadResponse, start, end)
			}
			p, err := toPrediction(dq.GetResult())
			if err != nil {
				return fmt.Errorf("%s: quote %d: %w", a.Path, i+1, err)
			}
			labelled[docKey{a.Doc, start, end}] = p
			qs = append(qs, quote.Quote{Start: start, End: end, Text: dq.GetText(), Speaker: dq.GetSpeaker(), Cue: dq.GetSpeakerCue()})
		}
		found[a.Doc] = qs
	}
	// The service does not say whether a quote is full or partial, so
	// kind accuracy cannot be scored: leave it out rather than score every
	// quote as full.
	spans := make([]eval.Gold, 0, len(gold))
	var preds []eval.Prediction
	for i, g := range gold {
		if !g.HasSpan() {
			continue
		}
		g.Kind = ""
		spans = append(spans, g)
		p, ok := labelled[docKey{g.Doc, g.Start, g.End}]
		if !ok {
			continue
		}
		l, also, err := goldLabels(g, i)
		if err != nil {
			return err
		}
		preds = append(preds, eval.Prediction{Gold: l, Pred: p.label, Prob: p.scores[p.label], Also: also})
	}
	fmt.Fprintf(out, "articles: %d\n", len(articles))
	if err := eval.ScoreExtraction(spans, found).Write(out); err != nil {
		return err
	}
	if len(preds) == 0 {
		return nil
	}
	rep, err := eval.ScoreLabels(preds)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nLABELS OF THE QUOTES FOUND (ClassifyDocument, with context; %d of %d gold quotes)\n", len(preds), len(spans))
	return rep.Write(out)
}
