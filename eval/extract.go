package eval

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/stancehq/stance/quote"
)

// ExtractionReport scores quote extraction against gold spans. A found
// quote matches a gold quote when both are in the same document and have
// exactly the same byte span.
type ExtractionReport struct {
	Gold    int // gold quotes with a span
	Found   int // quotes extracted
	Matched int // found quotes whose span is a gold span

	// Recall is Matched/Gold and Precision is Matched/Found; each is 1
	// when its denominator is 0.
	Recall, Precision float64

	// SpeakerCorrect counts matched quotes whose speaker agrees with the
	// gold speaker by quote.SpeakerMatches; SpeakerAccuracy is
	// SpeakerCorrect/Matched (1 when nothing matched).
	SpeakerCorrect  int
	SpeakerAccuracy float64

	// KindCorrect counts matched quotes whose kind (full or partial)
	// agrees with a gold row that gives one, out of KindLabelled.
	KindCorrect, KindLabelled int

	Missed        []Gold         // gold quotes not found, in document and span order
	Spurious      []Span         // found quotes not in the gold, in document and span order
	WrongSpeakers []SpeakerError // matched quotes with the wrong speaker
}

// Span is an extracted quote located in a document.
type Span struct {
	Doc string
	quote.Quote
}

// SpeakerError is a matched quote whose extracted speaker disagrees with
// the gold one.
type SpeakerError struct {
	Gold Gold
	Got  quote.Quote
}

// ScoreExtraction scores the quotes found in each document (keyed by
// document name, as in Gold.Doc) against the gold rows that have a span.
// Every found quote counts towards precision, including quotes in documents
// that have no gold rows: a document with no gold quotes should yield none.
func ScoreExtraction(gold []Gold, found map[string][]quote.Quote) ExtractionReport {
	type key struct {
		doc        string
		start, end int
	}
	var r ExtractionReport
	byKey := make(map[key]Gold)
	for _, g := range gold {
		if g.HasSpan() {
			byKey[key{g.Doc, g.Start, g.End}] = g
		}
	}
	r.Gold = len(byKey)
	matched := make(map[key]bool)
	docs := make([]string, 0, len(found))
	for doc := range found {
		docs = append(docs, doc)
	}
	slices.Sort(docs)
	for _, doc := range docs {
		for _, q := range found[doc] {
			r.Found++
			k := key{doc, q.Start, q.End}
			g, ok := byKey[k]
			if !ok || matched[k] {
				r.Spurious = append(r.Spurious, Span{Doc: doc, Quote: q})
				continue
			}
			matched[k] = true
			r.Matched++
			if quote.SpeakerMatches(q.Speaker, g.Speaker) {
				r.SpeakerCorrect++
			} else {
				r.WrongSpeakers = append(r.WrongSpeakers, SpeakerError{Gold: g, Got: q})
			}
			if g.Kind != "" {
				r.KindLabelled++
				if strings.EqualFold(g.Kind, q.Kind.String()) {
					r.KindCorrect++
				}
			}
		}
	}
	for k, g := range byKey {
		if !matched[k] {
			r.Missed = append(r.Missed, g)
		}
	}
	slices.SortFunc(r.Missed, func(a, b Gold) int {
		return cmp.Or(cmp.Compare(a.Doc, b.Doc), cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End))
	})
	r.Recall = fractionOr1(r.Matched, r.Gold)
	r.Precision = fractionOr1(r.Matched, r.Found)
	r.SpeakerAccuracy = fractionOr1(r.SpeakerCorrect, r.Matched)
	return r
}

// fractionOr1 is n/d, or 1 when d is 0: nothing to find is all found.
func fractionOr1(n, d int) float64 {
	if d == 0 {
		return 1
	}
	return float64(n) / float64(d)
}

// Write prints the report for people: the figures, then every missed and
// spurious span and every wrong speaker.
func (r ExtractionReport) Write(w io.Writer) error {
	_, err := io.WriteString(w, r.String())
	return err
}

// String formats the report as Write prints it.
func (r ExtractionReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "span recall     %6.2f%%  (%d/%d gold quotes found)\n", 100*r.Recall, r.Matched, r.Gold)
	fmt.Fprintf(&b, "span precision  %6.2f%%  (%d/%d found quotes in the gold)\n", 100*r.Precision, r.Matched, r.Found)
	fmt.Fprintf(&b, "speaker acc.    %6.2f%%  (%d/%d matched quotes)\n", 100*r.SpeakerAccuracy, r.SpeakerCorrect, r.Matched)
	if r.KindLabelled > 0 {
		fmt.Fprintf(&b, "kind acc.       %6.2f%%  (%d/%d)\n", 100*fractionOr1(r.KindCorrect, r.KindLabelled), r.KindCorrect, r.KindLabelled)
	}
	for _, g := range r.Missed {
		fmt.Fprintf(&b, "missed   %s [%d:%d] %q\n", g.Doc, g.Start, g.End, g.Text)
	}
	for _, s := range r.Spurious {
		fmt.Fprintf(&b, "spurious %s [%d:%d] %q\n", s.Doc, s.Start, s.End, s.Text)
	}
	for _, e := range r.WrongSpeakers {
		fmt.Fprintf(&b, "speaker  %s [%d:%d] got %q (%s), want %q\n", e.Gold.Doc, e.Gold.Start, e.Gold.End, e.Got.Speaker, e.Got.Cue, e.Gold.Speaker)
	}
	return b.String()
}
