package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stancehq/stance/eval"
	"github.com/stancehq/stance/model"
)

// writeRows writes labelled quotes as JSON Lines.
func writeRows(t *testing.T, path string, rows [][2]string) {
	t.Helper()
	var b strings.Builder
	for i, r := range rows {
		fmt.Fprintf(&b, "{\"id\":\"x%02d\",\"text\":%q,\"label\":%q}\n", i, r[0], r[1])
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fourOfEach returns four plain quotes of each label.
func fourOfEach() [][2]string {
	var rows [][2]string
	for i := range 4 {
		rows = append(rows,
			[2]string{fmt.Sprintf("They are responsible for attack number %d.", i), "accusation"},
			[2]string{fmt.Sprintf("These claims are baseless, number %d.", i), "denial"},
			[2]string{fmt.Sprintf("We will retaliate, time %d.", i), "threat"},
			[2]string{fmt.Sprintf("We welcome the ceasefire, round %d.", i), "conciliation"},
			[2]string{fmt.Sprintf("The delegation arrived on day %d.", i), "neutral"},
		)
	}
	return rows
}

func TestRunFitsAndWritesALoadableLexicon(t *testing.T) {
	dir := t.TempDir()
	rows := fourOfEach()
	writeRows(t, filepath.Join(dir, "dev.jsonl"), rows)
	writeRows(t, filepath.Join(dir, "gold.jsonl"), rows[:5])
	out := filepath.Join(dir, "fitted.lex")
	var stdout, stderr bytes.Buffer
	args := []string{
		"-data", filepath.Join(dir, "dev.jsonl"),
		"-gold", filepath.Join(dir, "gold.jsonl"),
		"-lexicon", "../../model/testdata/small.lex",
		"-out", out,
		"-test", "",
		"-layer", "",
		"-holdout", "0.3",
	}
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "lexicon split 15, layer split 5;") {
		t.Errorf("report does not state a stratified 70/30 split of 20 quotes:\n%s", stdout.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("\n[weights]\n")) {
		t.Fatal("written lexicon has no [weights] section")
	}
	m, err := model.New(model.WithLexicon(data, out))
	if err != nil {
		t.Fatalf("written lexicon does not load: %v", err)
	}
	res, err := m.Classify(model.Input{Text: "We will retaliate."})
	if err != nil {
		t.Fatal(err)
	}
	if res.Label != model.Threat {
		t.Errorf("fitted model labels a plain threat %s", res.Label)
	}

	// Running the trainer on its own output must replace the section, not
	// add a second one.
	args[5] = out
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("second run: %v", err)
	}
	again, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, section := range []string{"[weights]", "[adjustments]"} {
		if n := bytes.Count(again, []byte(section)); n != 1 {
			t.Errorf("refitted lexicon has %d %s sections, want 1", n, section)
		}
	}
}

func TestLayerTakesSeveralGlobs(t *testing.T) {
	dir := t.TempDir()
	rows := fourOfEach()
	writeRows(t, filepath.Join(dir, "dev.jsonl"), rows[:10])
	writeRows(t, filepath.Join(dir, "layer-a.jsonl"), rows[10:15])
	writeRows(t, filepath.Join(dir, "other-b.jsonl"), rows[15:])
	var stdout, stderr bytes.Buffer
	args := []string{
		"-data", filepath.Join(dir, "dev.jsonl"),
		"-layer", filepath.Join(dir, "layer-*.jsonl") + "," + filepath.Join(dir, "other-*.jsonl"),
		"-lexicon", "../../model/testdata/small.lex",
		"-test", "", "-gold", "",
	}
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	if got, want := stdout.String(), "lexicon split 10, layer split 10;"; !strings.Contains(got, want) {
		t.Errorf("report lacks %q:\n%s", want, got)
	}
}

func TestCrossValidationScoresEveryLayerQuoteOnceAndWritesNothing(t *testing.T) {
	dir := t.TempDir()
	writeRows(t, filepath.Join(dir, "dev.jsonl"), fourOfEach())
	out := filepath.Join(dir, "fitted.lex")
	args := []string{
		"-data", filepath.Join(dir, "dev.jsonl"),
		"-lexicon", "../../model/testdata/small.lex",
		"-out", out, "-test", "", "-layer", "", "-gold", "", "-holdout", "0.3",
	}
	for _, tc := range []struct {
		cv      string
		want    string // in the report
		wantErr string
	}{
		{cv: "5", want: "== layer-split quotes (5), text only, 5-fold cross-validation\nquotes                               5\n"},
		{cv: "5", want: "== layer-split quotes (5), with context, 5-fold cross-validation\nquotes                               5\n"},
		{cv: "2", want: "2-fold"},
		{cv: "1", wantErr: "-cv 1"},
		{cv: "6", wantErr: "-cv 6"},
	} {
		t.Run(tc.cv, func(t *testing.T) {
			var stdout bytes.Buffer
			err := run(context.Background(), append(args, "-cv", tc.cv), &stdout, &bytes.Buffer{})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got error %v, want one naming %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(stdout.String(), tc.want) {
				t.Errorf("report lacks %q:\n%s", tc.want, stdout.String())
			}
			if strings.Contains(stdout.String(), "test quotes") {
				t.Errorf("cross-validation reports on other sets:\n%s", stdout.String())
			}
			if strings.Contains(stdout.String(), "recalled") {
				t.Errorf("cross-validation reports real statements where no quote is one:\n%s", stdout.String())
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("cross-validation wrote %s (stat: %v)", out, err)
			}
		})
	}
}

func TestCrossValidationReportsRealStatementsOnTheirOwn(t *testing.T) {
	dir := t.TempDir()
	rows := fourOfEach()
	writeRows(t, filepath.Join(dir, "dev.jsonl"), rows[:10])
	// Every third layer quote is a real statement: 4 of the 10.
	var b strings.Builder
	for i, r := range rows[10:] {
		source := "reconstructed"
		if i%3 == 0 {
			source = "recalled"
		}
		fmt.Fprintf(&b, "{\"id\":\"y%02d\",\"text\":%q,\"label\":%q,\"source\":%q}\n", i, r[0], r[1], source)
	}
	layer := filepath.Join(dir, "layer.jsonl")
	if err := os.WriteFile(layer, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{
		"-data", filepath.Join(dir, "dev.jsonl"), "-layer", layer,
		"-lexicon", "../../model/testdata/small.lex",
		"-test", "", "-gold", "", "-cv", "5",
	}
	var stdout bytes.Buffer
	if err := run(context.Background(), args, &stdout, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	want := "== the real statements among them (source recalled, 4), text only, 5-fold cross-validation\nquotes                               4\n"
	if got := stdout.String(); !strings.Contains(got, want) {
		t.Errorf("report lacks %q:\n%s", want, got)
	}
}

func TestRunRejectsMissingData(t *testing.T) {
	args := []string{"-data", filepath.Join(t.TempDir(), "none-*.jsonl"), "-lexicon", "../../model/testdata/small.lex", "-test", "", "-layer", ""}
	err := run(context.Background(), args, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "no files match") {
		t.Errorf("got %v, want a no-files error", err)
	}
}

func TestAuditListsEntriesThatPushTheWrongWay(t *testing.T) {
	m, err := model.New(model.WithLexicon(mustRead(t, "../../model/testdata/small.lex"), "small.lex"))
	if err != nil {
		t.Fatal(err)
	}
	rows := []eval.Gold{
		// "welcome" pushes towards conciliation in a quote that is not.
		{ID: "a", Text: "We welcome nothing from thieves who stole our land.", Label: "accusation"},
		{ID: "b", Text: "We welcome the ceasefire.", Label: "conciliation"},
		{ID: "c", Text: "We welcome the new ambassador.", Label: "neutral", Also: []string{"conciliation"}},
	}
	var out bytes.Buffer
	if err := writeAudit(&out, m, rows, 2); err != nil {
		t.Fatal(err)
	}
	var got string
	for line := range strings.Lines(out.String()) {
		if strings.HasPrefix(line, "welcome ") {
			got = strings.Join(strings.Fields(line), " ")
		}
	}
	// The also-label makes quote c a right push, so one of three is wrong.
	want := "welcome conciliation 3 1 accusation=1 conciliation=1 neutral=1"
	if got != want {
		t.Errorf("audit line for welcome:\n got %q\nwant %q\nreport:\n%s", got, want, out.String())
	}
	if strings.Contains(out.String(), "\nceasefire ") {
		t.Errorf("audit lists ceasefire, which fired once, below the minimum of 2:\n%s", out.String())
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestVectorsFitDistributionalWeights(t *testing.T) {
	dir := t.TempDir()
	writeRows(t, filepath.Join(dir, "dev.jsonl"), fourOfEach())
	vectors := filepath.Join(dir, "vectors.txt")
	const vecs = "retaliate 1 0\nwelcome 0 1\nceasefire 0.1 0.9\navenge 0.9 0.1\n"
	if err := os.WriteFile(vectors, []byte(vecs), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "fitted.lex")
	args := []string{
		"-data", filepath.Join(dir, "dev.jsonl"),
		"-lexicon", "../../model/testdata/small.lex",
		"-test", "", "-layer", "", "-gold", "", "-holdout", "0.3",
	}
	if err := run(context.Background(), append(args, "-vectors", vectors, "-out", out), &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := bytes.Cut(data, []byte("\n[distributional]\n"))
	if !ok || !bytes.Contains(section, []byte("\navenge\t")) {
		t.Fatalf("written lexicon has no distributional weights for \"avenge\", a word of the vectors:\n%s", section)
	}

	// Cross-validation without vectors cannot refit the weights in each
	// fold, so it must go without them, and say so.
	for _, tc := range []struct {
		extra []string
		note  bool
	}{
		{nil, true},
		{[]string{"-vectors", vectors}, false},
	} {
		var stdout bytes.Buffer
		cvArgs := append(slices.Clone(args), "-lexicon", out, "-cv", "2")
		if err := run(context.Background(), append(cvArgs, tc.extra...), &stdout, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(stdout.String(), "no -vectors"); got != tc.note {
			t.Errorf("%v: report says %q: %v, want %v:\n%s", tc.extra, "no -vectors", got, tc.note, stdout.String())
		}
	}

	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(bad, []byte("peace 1 2\nwar 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), append(args, "-vectors", bad), &bytes.Buffer{}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "bad.txt") {
		t.Errorf("malformed vectors: got error %v, want one naming the file", err)
	}
}
