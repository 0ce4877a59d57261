package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stancehq/stance/eval"
	"github.com/stancehq/stance/model"
)

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f.jsonl")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPredictionsFromFile(t *testing.T) {
	gold := []eval.Gold{
		{ID: "a", Text: "x", Label: "threat", Also: []string{"accusation"}},
		{ID: "b", Text: "y", Label: "neutral"},
	}
	scores := `"scores":{"accusation":0.1,"denial":0.1,"threat":0.6,"conciliation":0.1,"neutral":0.1}`
	tests := []struct {
		name    string
		gold    []eval.Gold
		in      string
		want    []eval.Prediction
		wantErr string
	}{
		{"matched by id, in any order, extra ids ignored", gold,
			`{"id":"zz","label":"denial",` + scores + `}` + "\n\n" +
				`{"id":"b","text":"y","label":"threat",` + scores + `}` + "\n" +
				`{"id":"a","label":"threat",` + scores + `}`,
			[]eval.Prediction{
				{Gold: model.Threat, Pred: model.Threat, Prob: 0.6, Also: []model.Label{model.Accusation}},
				{Gold: model.Neutral, Pred: model.Threat, Prob: 0.6},
			}, ""},
		{"missing prediction", gold, `{"id":"a","label":"threat",` + scores + `}`, nil, `no prediction for 1 of 2 gold rows: b`},
		{"second prediction", gold, `{"id":"a","label":"threat",` + scores + "}\n" + `{"id":"a","label":"threat",` + scores + `}`, nil, ":2: a second prediction"},
		{"unknown label", gold, `{"id":"a","label":"rant",` + scores + `}`, nil, `:1: unknown label "rant"`},
		{"no scores", gold, `{"id":"a","label":"threat"}`, nil, ":1: want id, label and scores"},
		{"score missing for the label", gold, `{"id":"a","label":"threat","scores":{"neutral":1}}`, nil, ":1: no score for the label threat"},
		{"not JSON", gold, `{"id":`, nil, ":1: "},
		{"gold without id", []eval.Gold{{Text: "x", Label: "threat"}}, ``, nil, "gold row 1 has no id"},
		{"gold ids repeat", []eval.Gold{gold[0], gold[0]}, ``, nil, `share the id "a"`},
		{"bad gold label", []eval.Gold{{ID: "a", Text: "x", Label: "Threat"}}, `{"id":"a","label":"threat",` + scores + `}`, nil, `gold row 1 (id "a")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := predictionsFromFile(tt.gold, writeFile(t, tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d predictions, want %d", len(got), len(tt.want))
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				if g.Gold != w.Gold || g.Pred != w.Pred || g.Prob != w.Prob || len(g.Also) != len(w.Also) {
					t.Errorf("prediction %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}
