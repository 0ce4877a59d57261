package model

import "fmt"

// Label is the speech act a quote performs.
type Label int8

// The labels, in score order. Their names are the lowercase words used in
// lexicon files, gold data and the CLI's output.
const (
	Accusation Label = iota
	Denial
	Threat
	Conciliation
	Neutral
)

// NumLabels is the number of labels; Scores has one entry for each.
const NumLabels = 5

var labelNames = [NumLabels]string{"accusation", "denial", "threat", "conciliation", "neutral"}

// Labels returns every label in score order.
func Labels() []Label {
	return []Label{Accusation, Denial, Threat, Conciliation, Neutral}
}

// String returns the label's lowercase name.
func (l Label) String() string {
	if l < 0 || int(l) >= NumLabels {
		return fmt.Sprintf("Label(%d)", int(l))
	}
	return labelNames[l]
}

// ParseLabel returns the label named s, such as "threat".
func ParseLabel(s string) (Label, error) {
	for i, n := range labelNames {
		if n == s {
			return Label(i), nil
		}
	}
	return 0, fmt.Errorf("unknown label %q (want one of accusation, denial, threat, conciliation, neutral)", s)
}
