package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/stancehq/stance/model"
)

// Unattributed names, in a summary, the quotes without a speaker.
const Unattributed = "(not attributed)"

// Summary counts quotes by speaker and label: the table that ends a corpus
// run. The zero Summary is not ready for use; NewSummary makes one.
type Summary struct {
	counts map[string]*[model.NumLabels]int
}

// NewSummary returns an empty Summary.
func NewSummary() *Summary {
	return &Summary{counts: make(map[string]*[model.NumLabels]int)}
}

// SummarizeRows returns the Summary of rows.
func SummarizeRows(rows []Row) *Summary {
	s := NewSummary()
	for _, r := range rows {
		s.Add(r.Speaker, r.Label)
	}
	return s
}

// Add counts a quote of speaker labelled l. Speakers are told apart by
// their words: "Khawaja  Asif" with two spaces is "Khawaja Asif". A label
// out of range is not counted.
func (s *Summary) Add(speaker string, l model.Label) {
	if l < 0 || int(l) >= model.NumLabels {
		return
	}
	speaker = oneLine(speaker, 0)
	c := s.counts[speaker]
	if c == nil {
		c = new([model.NumLabels]int)
		s.counts[speaker] = c
	}
	c[l]++
}

// Merge adds the counts of o.
func (s *Summary) Merge(o *Summary) {
	if o == nil {
		return
	}
	for sp, oc := range o.counts {
		c := s.counts[sp]
		if c == nil {
			c = new([model.NumLabels]int)
			s.counts[sp] = c
		}
		for l, n := range oc {
			c[l] += n
		}
	}
}

// Total is the number of quotes counted.
func (s *Summary) Total() int {
	n := 0
	for _, c := range s.counts {
		n += sum(c)
	}
	return n
}

func sum(c *[model.NumLabels]int) int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// Write writes the summary as an aligned table: a row for each speaker,
// most quoted first (then by name), with the quotes without a speaker
// last as Unattributed; a column for each label and the speaker's total;
// and a last row of the totals.
func (s *Summary) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "SPEAKER")
	for _, l := range model.Labels() {
		fmt.Fprintf(tw, "\t%s", strings.ToUpper(l.String()))
	}
	fmt.Fprintln(tw, "\tTOTAL")
	speakers := make([]string, 0, len(s.counts))
	for sp := range s.counts {
		if sp != "" {
			speakers = append(speakers, sp)
		}
	}
	sort.Slice(speakers, func(i, j int) bool {
		a, b := speakers[i], speakers[j]
		if na, nb := sum(s.counts[a]), sum(s.counts[b]); na != nb {
			return na > nb
		}
		return a < b
	})
	if s.counts[""] != nil {
		speakers = append(speakers, "")
	}
	var total [model.NumLabels]int
	row := func(name string, c *[model.NumLabels]int) {
		fmt.Fprint(tw, name)
		for _, n := range c {
			fmt.Fprintf(tw, "\t%d", n)
		}
		fmt.Fprintf(tw, "\t%d\n", sum(c))
	}
	for _, sp := range speakers {
		c := s.counts[sp]
		name := sp
		if sp == "" {
			name = Unattributed
		}
		row(name, c)
		for l, n := range c {
			total[l] += n
		}
	}
	row("total", &total)
	return tw.Flush()
}

// summingKey returns CorpusKey's key of a line of WriteJSONL's output, and
// counts the line's quote in s, so that a resumed run's summary has the
// rows of the runs before it.
func summingKey(s *Summary) LineKey {
	return func(line []byte) (string, error) {
		key, err := CorpusKey(line)
		if err != nil {
			return "", err
		}
		var v struct {
			Speaker string `json:"speaker"`
			Label   string `json:"label"`
		}
		if err := json.Unmarshal(line, &v); err != nil {
			return "", fmt.Errorf("not a corpus row: %w", err)
		}
		l, err := model.ParseLabel(v.Label)
		if err != nil {
			return "", fmt.Errorf("not a corpus row: %w", err)
		}
		s.Add(v.Speaker, l)
		return key, nil
	}
}
