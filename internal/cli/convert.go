package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/stancehq/stance/client"
	"github.com/stancehq/stance/model"
	stancev1 "github.com/stancehq/stance/proto/stance/v1"
)

// DocumentClassifier finds and labels the quotes of an article.
type DocumentClassifier interface {
	ClassifyDocument(ctx context.Context, text string) ([]*stancev1.DocumentQuote, error)
}

// QuoteClassifier labels many quotes, returning one result for each quote,
// at its index, as client.Client.ClassifyAll does.
type QuoteClassifier interface {
	ClassifyAll(ctx context.Context, quotes []*stancev1.Quote) ([]*stancev1.Result, error)
}

// Service is everything the commands need of the stance service.
type Service interface {
	DocumentClassifier
	QuoteClassifier
	Model(ctx context.Context) (*stancev1.GetModelResponse, error)
}

var _ Service = (*client.Client)(nil)

// errBadResponse marks a response that breaks the API's promises.
var errBadResponse = errors.New("bad response from the service")

// toLabel converts a wire label to the model's.
func toLabel(l stancev1.Label) (model.Label, error) {
	if l < stancev1.Label_LABEL_ACCUSATION || l > stancev1.Label_LABEL_NEUTRAL {
		return 0, fmt.Errorf("%w: label %v", errBadResponse, l)
	}
	// The wire enum is the model's order shifted by the zero value.
	return model.Label(l - stancev1.Label_LABEL_ACCUSATION), nil
}

// Scores holds a probability for each label, indexed by model.Label. It
// marshals as a JSON object from label name to probability, in label
// order.
type Scores [model.NumLabels]float64

// MarshalJSON writes {"accusation":p,"denial":p,...}.
func (s Scores) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, l := range model.Labels() {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(l.String()))
		b.WriteByte(':')
		b.WriteString(formatProb(s[l]))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// formatProb writes p exactly, in the shortest form that reads back the
// same.
func formatProb(p float64) string { return strconv.FormatFloat(p, 'g', -1, 64) }

// prediction is a wire result turned into model terms and checked.
type prediction struct {
	label    model.Label
	scores   Scores
	evidence []evidence
}

// evidence is the JSON form of one piece of evidence.
type evidence struct {
	Source string   `json:"source"`
	Start  int32    `json:"start"`
	End    int32    `json:"end"`
	Term   string   `json:"term"`
	Label  string   `json:"label"`
	Weight float64  `json:"weight"`
	Rules  []string `json:"rules"`
}

// toPrediction checks r: a known label, exactly one score for each label.
func toPrediction(r *stancev1.Result) (prediction, error) {
	if r == nil {
		return prediction{}, fmt.Errorf("%w: no result", errBadResponse)
	}
	var p prediction
	var err error
	if p.label, err = toLabel(r.GetLabel()); err != nil {
		return prediction{}, err
	}
	var seen [model.NumLabels]bool
	for _, s := range r.GetScores() {
		l, err := toLabel(s.GetLabel())
		if err != nil {
			return prediction{}, fmt.Errorf("score: %w", err)
		}
		if seen[l] {
			return prediction{}, fmt.Errorf("%w: two scores for %v", errBadResponse, l)
		}
		seen[l] = true
		p.scores[l] = s.GetProbability()
	}
	for l, ok := range seen {
		if !ok {
			return prediction{}, fmt.Errorf("%w: no score for %v", errBadResponse, model.Label(l))
		}
	}
	p.evidence = make([]evidence, 0, len(r.GetEvidence()))
	for _, e := range r.GetEvidence() {
		l, err := toLabel(e.GetLabel())
		if err != nil {
			return prediction{}, fmt.Errorf("evidence %q: %w", e.GetTerm(), err)
		}
		src := "text"
		switch e.GetSource() {
		case stancev1.Source_SOURCE_TEXT:
		case stancev1.Source_SOURCE_CONTEXT:
			src = "context"
		default:
			return prediction{}, fmt.Errorf("%w: evidence %q from source %v", errBadResponse, e.GetTerm(), e.GetSource())
		}
		rules := e.GetRules()
		if rules == nil {
			rules = []string{}
		}
		p.evidence = append(p.evidence, evidence{
			Source: src, Start: e.GetStart(), End: e.GetEnd(), Term: e.GetTerm(),
			Label: l.String(), Weight: e.GetWeight(), Rules: rules,
		})
	}
	return p, nil
}
