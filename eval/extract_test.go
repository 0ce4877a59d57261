package eval

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stancehq/stance/quote"
)

// TestExtractionTargets holds quote.Extract to its bars on the development
// corpus: every gold quote found, nothing else found, and at least 95% of
// speakers right.
func TestExtractionTargets(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "testdata", "gold", "seed-quotes.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gold, err := ReadGold(f)
	if err != nil {
		t.Fatal(err)
	}
	paths, err := filepath.Glob(filepath.Join("..", "testdata", "corpus", "*.txt"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no corpus documents (err %v)", err)
	}
	found := make(map[string][]quote.Quote)
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		found[filepath.Base(p)] = quote.Extract(string(b))
	}
	r := ScoreExtraction(gold, found)
	t.Logf("\n%s", r)
	if r.Gold == 0 {
		t.Fatal("gold has no spans")
	}
	if r.Recall < 1 {
		t.Errorf("recall = %.3f, want 1", r.Recall)
	}
	if r.Precision < 1 {
		t.Errorf("precision = %.3f, want 1", r.Precision)
	}
	if r.SpeakerAccuracy < 0.95 {
		t.Errorf("speaker accuracy = %.3f, want >= 0.95", r.SpeakerAccuracy)
	}
}

func TestScoreExtraction(t *testing.T) {
	gold := []Gold{
		{Doc: "a", Start: 1, End: 5, Text: "abcd", Speaker: "Khawaja Asif", Kind: "full"},
		{Doc: "a", Start: 10, End: 12, Text: "xy", Speaker: "Officials", Kind: "partial"},
		{Doc: "b", Start: 3, End: 9, Text: "qwerty", Speaker: ""},
		{Text: "no span", Speaker: "someone"}, // not located: ignored
	}
	tests := []struct {
		name                         string
		found                        map[string][]quote.Quote
		gold, matched, found_        int
		recall, precision, speakers  float64
		missed, spurious, wrongSpkrs int
	}{
		{
			name: "all right",
			found: map[string][]quote.Quote{
				"a": {{Start: 1, End: 5, Speaker: "Asif"}, {Start: 10, End: 12, Speaker: "officials", Kind: quote.Partial}},
				"b": {{Start: 3, End: 9}},
			},
			gold: 3, matched: 3, found_: 3, recall: 1, precision: 1, speakers: 1,
		},
		{
			name: "missed, spurious and wrong speaker",
			found: map[string][]quote.Quote{
				"a": {{Start: 1, End: 5, Speaker: "Imran Khan"}, {Start: 10, End: 11}},
				"c": {{Start: 0, End: 2}},
			},
			gold: 3, matched: 1, found_: 3, recall: 1.0 / 3, precision: 1.0 / 3, speakers: 0,
			missed: 2, spurious: 2, wrongSpkrs: 1,
		},
		{
			name: "duplicate span counts once",
			found: map[string][]quote.Quote{
				"b": {{Start: 3, End: 9}, {Start: 3, End: 9}},
			},
			gold: 3, matched: 1, found_: 2, recall: 1.0 / 3, precision: 0.5, speakers: 1,
			missed: 2, spurious: 1,
		},
		{
			name:  "nothing found",
			found: nil,
			gold:  3, recall: 0, precision: 1, speakers: 1, missed: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ScoreExtraction(gold, tt.found)
			if r.Gold != tt.gold || r.Matched != tt.matched || r.Found != tt.found_ {
				t.Errorf("gold, matched, found = %d, %d, %d; want %d, %d, %d", r.Gold, r.Matched, r.Found, tt.gold, tt.matched, tt.found_)
			}
			if !nearly(r.Recall, tt.recall) || !nearly(r.Precision, tt.precision) || !nearly(r.SpeakerAccuracy, tt.speakers) {
				t.Errorf("recall, precision, speakers = %.3f, %.3f, %.3f; want %.3f, %.3f, %.3f", r.Recall, r.Precision, r.SpeakerAccuracy, tt.recall, tt.precision, tt.speakers)
			}
			if len(r.Missed) != tt.missed || len(r.Spurious) != tt.spurious || len(r.WrongSpeakers) != tt.wrongSpkrs {
				t.Errorf("missed, spurious, wrong speakers = %d, %d, %d; want %d, %d, %d", len(r.Missed), len(r.Spurious), len(r.WrongSpeakers), tt.missed, tt.spurious, tt.wrongSpkrs)
			}
			if !slices.IsSortedFunc(r.Missed, func(a, b Gold) int { return a.Start - b.Start + 1000*cmpStr(a.Doc, b.Doc) }) {
				t.Errorf("missed not in order: %v", r.Missed)
			}
			var b strings.Builder
			if err := r.Write(&b); err != nil || b.Len() == 0 {
				t.Errorf("Write: %q, %v", b.String(), err)
			}
		})
	}
}

func nearly(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
