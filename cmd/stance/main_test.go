package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/stancehq/stance/eval"
	"github.com/stancehq/stance/internal/cli"
	"github.com/stancehq/stance/model"
	"github.com/stancehq/stance/server"
)

const (
	corpusDir = "../../testdata/corpus"
	goldFile  = "../../testdata/gold/seed-quotes.jsonl"
)

// runStance runs the command with args and stdin and returns its output.
func runStance(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	var out, errs bytes.Buffer
	err = run(ctx, args, strings.NewReader(stdin), &out, &errs)
	return out.String(), errs.String(), err
}

// mustRun is runStance for runs that must succeed.
func mustRun(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, errs, err := runStance(t, stdin, args...)
	if err != nil {
		t.Fatalf("stance %s: %v\nstderr:\n%s", strings.Join(args, " "), err, errs)
	}
	return out
}

// startServer runs the real service, with opts and a gRPC server with
// extra, on a loopback port for the length of the test and returns its
// address.
func startServer(t *testing.T, opts []server.Option, extra ...grpc.ServerOption) string {
	t.Helper()
	m, err := model.New()
	if err != nil {
		t.Fatal(err)
	}
	opts = append([]server.Option{server.WithLogger(slog.New(slog.DiscardHandler))}, opts...)
	gs := server.New(m, opts...).NewGRPCServer(extra...)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() { _ = gs.Serve(lis) })
	t.Cleanup(func() {
		gs.Stop()
		wg.Wait()
	})
	return lis.Addr().String()
}

// corpusRow is a line of corpus --format jsonl.
type corpusRow struct {
	Doc     string             `json:"doc"`
	Start   int                `json:"start"`
	End     int                `json:"end"`
	Text    string             `json:"text"`
	Speaker string             `json:"speaker"`
	Label   string             `json:"label"`
	Scores  map[string]float64 `json:"scores"`
}

// checkScores checks that scores has every label, sums to 1 and peaks at
// label.
func checkScores(t *testing.T, where, label string, scores map[string]float64) {
	t.Helper()
	if _, err := model.ParseLabel(label); err != nil {
		t.Errorf("%s: %v", where, err)
	}
	sum := 0.0
	for _, l := range model.Labels() {
		p, ok := scores[l.String()]
		if !ok || p < 0 || p > 1 {
			t.Errorf("%s: score of %s = %v (present %v)", where, l, p, ok)
		}
		sum += p
		if p > scores[label] {
			t.Errorf("%s: label %s scores %v, below %s's %v", where, label, scores[label], l, p)
		}
	}
	if len(scores) != model.NumLabels {
		t.Errorf("%s: %d scores, want %d", where, len(scores), model.NumLabels)
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("%s: scores sum to %v, want 1", where, sum)
	}
}

// decodeRows decodes the output of corpus --format jsonl.
func decodeRows(t *testing.T, out string) []corpusRow {
	t.Helper()
	var rows []corpusRow
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var r corpusRow
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		rows = append(rows, r)
	}
	return rows
}

// checkSummary checks that the corpus summary at the start of text counts
// rows by speaker and label, and returns the rest of text.
func checkSummary(t *testing.T, text string, rows []corpusRow) string {
	t.Helper()
	want := map[string]map[string]int{}
	for _, r := range rows {
		sp := strings.Join(strings.Fields(r.Speaker), " ")
		if sp == "" {
			sp = cli.Unattributed
		}
		if want[sp] == nil {
			want[sp] = map[string]int{}
		}
		want[sp][r.Label]++
		want[sp]["total"]++
		if want["total"] == nil {
			want["total"] = map[string]int{}
		}
		want["total"][r.Label]++
		want["total"]["total"]++
	}
	lines := strings.SplitAfter(text, "\n")
	header := strings.Fields(lines[0])
	if len(header) != model.NumLabels+2 || header[0] != "SPEAKER" || header[len(header)-1] != "TOTAL" {
		t.Fatalf("summary header %q, want SPEAKER, the labels and TOTAL:\n%s", lines[0], text)
	}
	seen := 0
	for i, line := range lines[1:] {
		f := strings.Fields(line)
		if len(f) < len(header) {
			t.Fatalf("summary line %d %q has too few columns", i+2, line)
		}
		name := strings.Join(f[:len(f)-len(header)+1], " ")
		for j, col := range header[1:] {
			label := strings.ToLower(col)
			if got := f[len(f)-len(header)+1+j]; got != strconv.Itoa(want[name][label]) {
				t.Errorf("summary: %s %s = %s, want %d", name, label, got, want[name][label])
			}
		}
		seen++
		if name == "total" {
			break
		}
	}
	if seen != len(want) {
		t.Errorf("summary has %d rows, want one for each of the %d speakers and the total:\n%s", seen, len(want)-1, text)
	}
	return strings.Join(lines[min(seen+1, len(lines)):], "")
}

func TestCorpus(t *testing.T) {
	out, errs, err := runStance(t, "", "corpus", "--format", "jsonl", corpusDir)
	if err != nil {
		t.Fatalf("corpus: %v\nstderr:\n%s", err, errs)
	}
	rows := decodeRows(t, out)
	// The summary goes to stderr, keeping the rows clean, and nothing
	// else does.
	if rest := checkSummary(t, errs, rows); rest != "" {
		t.Errorf("stderr after the summary: %q", rest)
	}
	articles := map[string]string{}
	for _, r := range rows {
		where := r.Doc + ":" + strconv.Itoa(r.Start)
		text, ok := articles[r.Doc]
		if !ok {
			b, err := os.ReadFile(filepath.Join(corpusDir, r.Doc))
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			text = string(b)
			articles[r.Doc] = text
		}
		if r.Start < 0 || r.Start >= r.End || r.End > len(text) || text[r.Start:r.End] != r.Text {
			t.Errorf("%s: text %q is not the article's bytes [%d:%d]", where, r.Text, r.Start, r.End)
		}
		checkScores(t, where, r.Label, r.Scores)
	}
	docs, _ := filepath.Glob(filepath.Join(corpusDir, "*.txt"))
	if len(articles) != len(docs) {
		t.Errorf("quotes from %d articles, want all %d", len(articles), len(docs))
	}
	if !slices.IsSortedFunc(rows, func(a, b corpusRow) int {
		if a.Doc != b.Doc {
			return strings.Compare(a.Doc, b.Doc)
		}
		return a.Start - b.Start
	}) {
		t.Error("rows are not in article and text order")
	}

	// The corpus is the gold's: most gold quotes must be among the rows.
	f, err := os.Open(goldFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gold, err := eval.ReadGold(f)
	if err != nil {
		t.Fatal(err)
	}
	type span struct {
		doc        string
		start, end int
	}
	found := map[span]bool{}
	for _, r := range rows {
		found[span{r.Doc, r.Start, r.End}] = true
	}
	hits := 0
	for _, g := range gold {
		if found[span{g.Doc, g.Start, g.End}] {
			hits++
		}
	}
	if hits < len(gold)/2 {
		t.Errorf("%d of %d gold quotes among the %d rows, want at least half", hits, len(gold), len(rows))
	}

	t.Run("csv", func(t *testing.T) {
		out, errs, err := runStance(t, "", "corpus", corpusDir, "--format", "csv")
		if err != nil {
			t.Fatalf("corpus: %v\nstderr:\n%s", err, errs)
		}
		checkSummary(t, errs, rows)
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != len(rows)+1 {
			t.Fatalf("%d CSV records, want a header and %d rows", len(recs), len(rows))
		}
		for i, rec := range recs[1:] {
			r := rows[i]
			if rec[0] != r.Doc || rec[1] != strconv.Itoa(r.Start) || rec[2] != strconv.Itoa(r.End) || rec[3] != r.Text || rec[4] != r.Speaker || rec[5] != r.Label {
				t.Errorf("record %d = %q, want the JSONL row %+v", i+1, rec[:6], r)
			}
			scores := map[string]float64{}
			for j, name := range recs[0][6:] {
				p, err := strconv.ParseFloat(rec[6+j], 64)
				if err != nil {
					t.Fatalf("record %d %s: %v", i+1, name, err)
				}
				scores[strings.TrimPrefix(name, "score_")] = p
			}
			checkScores(t, "record "+strconv.Itoa(i+1), rec[5], scores)
		}
	})

	t.Run("table", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "table.txt")
		out, errs, err := runStance(t, "", "corpus", "--out", path, corpusDir)
		if err != nil || out != "" || errs != "" {
			t.Errorf("corpus --out = %v, stdout %q, stderr %q; want nothing on either", err, out, errs)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sections := strings.Split(string(b), "\n\n")
		if len(sections) != 3 {
			t.Fatalf("table has %d sections, want quotes, labels and the summary:\n%s", len(sections), b)
		}
		if rest := checkSummary(t, sections[2], rows); rest != "" {
			t.Errorf("table after the summary: %q", rest)
		}
		if got := strings.Count(sections[0], "\n"); got != len(rows) {
			t.Errorf("table has %d quote lines, want %d", got, len(rows))
		}
		if !strings.Contains(sections[1], "total         "+strconv.Itoa(len(rows))) {
			t.Errorf("label counts lack the total %d:\n%s", len(rows), sections[1])
		}
		for _, l := range model.Labels() {
			n := 0
			for _, r := range rows {
				if r.Label == l.String() {
					n++
				}
			}
			if !regexp.MustCompile(`(?m)^` + l.String() + ` +` + strconv.Itoa(n) + `$`).MatchString(sections[1]) {
				t.Errorf("label counts lack %s %d:\n%s", l, n, sections[1])
			}
		}
	})

	t.Run("one file", func(t *testing.T) {
		out := mustRun(t, "", "corpus", "--format", "jsonl", filepath.Join(corpusDir, docs[0]))
		n := 0
		for _, r := range decodeRows(t, out) {
			if r.Doc != filepath.Base(docs[0]) {
				t.Errorf("doc = %q, want the base name %q", r.Doc, filepath.Base(docs[0]))
			}
			n++
		}
		want := 0
		for _, r := range rows {
			if r.Doc == filepath.Base(docs[0]) {
				want++
			}
		}
		if n != want {
			t.Errorf("%d rows for the file alone, want %d as in the directory run", n, want)
		}
	})
}

const classifyInput = `{"id":"a1","text":"We will retaliate with full force if they attack again.","speaker":"Minister","region":"x","n":3}
{"id":"a2","text":"We categorically deny these baseless allegations.","context":"The ministry said: \"We categorically deny these baseless allegations.\""}
this line is not JSON
{"id":"a4","text":"   "}
{"text":"We welcome the talks and hope for lasting peace.","label":"conciliation","also":[]}
`

func TestClassify(t *testing.T) {
	out, errs, err := runStance(t, classifyInput, "classify")
	if err == nil {
		t.Fatal("classify with invalid lines succeeded, want an error")
	}
	for _, want := range []string{"stdin:3: not JSON", "stdin:4: \"text\" is blank"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	var inputs []map[string]any
	for i, line := range strings.Split(strings.TrimSuffix(classifyInput, "\n"), "\n") {
		if i == 2 || i == 3 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, m)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(inputs) {
		t.Fatalf("%d output lines, want %d:\n%s", len(lines), len(inputs), out)
	}
	for i, line := range lines {
		var got struct {
			Label    string             `json:"label"`
			Scores   map[string]float64 `json:"scores"`
			Evidence []struct {
				Source string   `json:"source"`
				Start  int      `json:"start"`
				End    int      `json:"end"`
				Term   string   `json:"term"`
				Label  string   `json:"label"`
				Weight *float64 `json:"weight"`
				Rules  []string `json:"rules"`
			} `json:"evidence"`
		}
		var all map[string]any
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal([]byte(line), &all)
		where := "output line " + strconv.Itoa(i+1)
		checkScores(t, where, got.Label, got.Scores)
		for k, v := range inputs[i] {
			name := k
			if k == "label" {
				name = "input_label"
			}
			if gb, _ := json.Marshal(all[name]); string(gb) != mustJSON(v) {
				t.Errorf("%s: %s = %s, want the input's %s", where, name, gb, mustJSON(v))
			}
		}
		for _, e := range got.Evidence {
			if _, err := model.ParseLabel(e.Label); err != nil || e.Weight == nil || e.Rules == nil || e.Term == "" {
				t.Errorf("%s: incomplete evidence %+v", where, e)
			}
			src, _ := inputs[i]["text"].(string)
			if e.Source == "context" {
				src, _ = inputs[i]["context"].(string)
			} else if e.Source != "text" {
				t.Errorf("%s: evidence source %q", where, e.Source)
			}
			if e.Start < 0 || e.Start > e.End || e.End > len(src) {
				t.Errorf("%s: evidence %q at [%d:%d] outside its %d-byte %s", where, e.Term, e.Start, e.End, len(src), e.Source)
			}
		}
	}
	if got := decodeLabel(t, lines[0]); got != "threat" {
		t.Errorf("a plain threat labelled %s", got)
	}

	t.Run("strict", func(t *testing.T) {
		out, _, err := runStance(t, classifyInput, "classify", "--strict")
		if err == nil || !strings.Contains(err.Error(), "stdin:3") {
			t.Fatalf("error %v, want one naming stdin:3", err)
		}
		if n := strings.Count(out, "\n"); n != 2 {
			t.Errorf("%d lines written before the bad line, want 2", n)
		}
	})

	t.Run("too long for the service", func(t *testing.T) {
		in := `{"id":"1","text":"We will respond."}` + "\n" +
			`{"id":"2","text":"` + strings.Repeat("word ", server.DefaultMaxTextBytes/4) + `"}` + "\n" +
			`{"id":"3","text":"We deny it."}` + "\n"
		out, errs, err := runStance(t, in, "classify")
		if err == nil || !strings.Contains(errs, "stdin:2: refused by the service: quote.text") {
			t.Errorf("error %v, stderr %q; want line 2 reported as refused", err, errs)
		}
		if got := strings.Count(out, "\n"); got != 2 {
			t.Errorf("%d lines out, want lines 1 and 3:\n%s", got, out)
		}
	})

	t.Run("files and a running server", func(t *testing.T) {
		dir := t.TempDir()
		in, outPath := filepath.Join(dir, "in.jsonl"), filepath.Join(dir, "out.jsonl")
		if err := os.WriteFile(in, []byte(classifyInput), 0o644); err != nil {
			t.Fatal(err)
		}
		_, errs, err := runStance(t, "", "classify", "--addr", startServer(t, nil), "--in", in, "--out", outPath)
		if err == nil || !strings.Contains(errs, in+":3:") {
			t.Errorf("error %v, stderr %q; want line 3 of %s reported", err, errs, in)
		}
		b, err := os.ReadFile(outPath)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != out {
			t.Errorf("output through --addr differs from the in-process server's:\n%s\nwant:\n%s", b, out)
		}
	})
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func decodeLabel(t *testing.T, line string) string {
	t.Helper()
	var v struct{ Label string }
	if err := json.Unmarshal([]byte(line), &v); err != nil {
		t.Fatal(err)
	}
	return v.Label
}

// figure returns the number after name at the start of a line of a
// report, or fails.
func figure(t *testing.T, report, name string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` +([0-9.]+)`).FindStringSubmatch(report)
	if m == nil {
		t.Fatalf("report has no %q:\n%s", name, report)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestEval(t *testing.T) {
	out := mustRun(t, "", "eval", "--gold", goldFile)
	labels, extraction, ok := strings.Cut(out, "\nEXTRACTION")
	if !ok {
		t.Fatalf("no extraction section for gold with spans:\n%s", out)
	}
	if n := figure(t, labels, "quotes"); n != 50 {
		t.Errorf("%v quotes scored, want the gold's 50", n)
	}
	f1 := figure(t, labels, "macro-F1")
	if f1 <= 0 || f1 > 1 {
		t.Errorf("macro-F1 = %v, want in (0, 1]", f1)
	}
	for _, name := range []string{"span recall", "span precision", "speaker acc."} {
		if v := figure(t, extraction, name); v < 0 || v > 100 {
			t.Errorf("%s = %v%%", name, v)
		}
	}

	// The same labels, classified to a file first, score the same.
	dir := t.TempDir()
	preds := filepath.Join(dir, "preds.jsonl")
	gold, err := os.ReadFile(goldFile)
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, string(gold), "classify", "--out", preds)
	// Without spans, nothing but labels is scored, and the model is not
	// consulted.
	noSpans := filepath.Join(dir, "gold.jsonl")
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(string(gold)), "\n") {
		var g map[string]any
		if err := json.Unmarshal([]byte(line), &g); err != nil {
			t.Fatal(err)
		}
		delete(g, "doc")
		b.WriteString(mustJSON(g) + "\n")
	}
	if err := os.WriteFile(noSpans, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	fromFile := mustRun(t, "", "eval", "--gold", noSpans, "--in", preds, "--addr", "127.0.0.1:1")
	if strings.Contains(fromFile, "EXTRACTION") {
		t.Errorf("extraction scored for gold without spans:\n%s", fromFile)
	}
	if got := figure(t, fromFile, "macro-F1"); got != f1 {
		t.Errorf("macro-F1 from the predictions file = %v, want %v as from the service", got, f1)
	}
	if got, want := fromFile[strings.Index(fromFile, "quotes "):], labels[strings.Index(labels, "quotes "):]; got != want+"\n" && got != want {
		t.Errorf("label report from the file differs from the service's:\n%s\nwant:\n%s", got, want)
	}

	t.Run("glob", func(t *testing.T) {
		// Gold split over two files and read back through a glob
		// scores as the one file does.
		rows := strings.SplitAfter(b.String(), "\n")
		split := t.TempDir()
		for i, part := range [][]string{rows[:20], rows[20:]} {
			if err := os.WriteFile(filepath.Join(split, fmt.Sprintf("part-%d.jsonl", i+1)), []byte(strings.Join(part, "")), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got := mustRun(t, "", "eval", "--gold", filepath.Join(split, "part-*.jsonl"), "--in", preds, "--addr", "127.0.0.1:1")
		if g, w := got[strings.Index(got, "quotes "):], fromFile[strings.Index(fromFile, "quotes "):]; g != w {
			t.Errorf("report from the glob differs from the one file's:\n%s\nwant:\n%s", g, w)
		}
	})

	t.Run("missing predictions", func(t *testing.T) {
		short := filepath.Join(dir, "short.jsonl")
		b, _ := os.ReadFile(preds)
		lines := strings.SplitAfter(string(b), "\n")
		if err := os.WriteFile(short, []byte(strings.Join(lines[:10], "")), 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := runStance(t, "", "eval", "--gold", noSpans, "--in", short, "--addr", "127.0.0.1:1")
		if err == nil || !strings.Contains(err.Error(), "no prediction for 40 of 50") {
			t.Errorf("error %v, want 40 gold rows without prediction", err)
		}
	})
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		ok      bool
		stderr  string
		errText string
	}{
		{"no command", nil, false, "usage:", ""},
		{"unknown command", []string{"frobnicate"}, false, `unknown command "frobnicate"`, ""},
		{"help", []string{"help"}, true, "", ""},
		{"command help", []string{"corpus", "-h"}, true, "usage: stance corpus", ""},
		{"corpus without paths", []string{"corpus"}, false, "usage: stance corpus", ""},
		{"bad format", []string{"corpus", "--format", "xml", corpusDir}, false, `unknown --format "xml"`, ""},
		{"bad flag", []string{"classify", "--nope"}, false, "flag provided but not defined", ""},
		{"classify with an argument", []string{"classify", "file.jsonl"}, false, "use --in FILE", ""},
		{"eval without gold", []string{"eval"}, false, "usage: stance eval", ""},
		{"missing path", []string{"corpus", "--addr", "127.0.0.1:1", "no/such/dir"}, false, "", "no/such/dir"},
		{"missing gold", []string{"eval", "--gold", "no/such.jsonl", "--addr", "127.0.0.1:1"}, false, "", "no/such.jsonl"},
		{"resume without out", []string{"classify", "--resume"}, false, "--resume needs --out", ""},
		{"corpus resume without out", []string{"corpus", "--resume", corpusDir}, false, "--resume needs --out", ""},
		{"corpus resume as csv", []string{"corpus", "--resume", "--out", "x.csv", "--format", "csv", corpusDir}, false, "not --format csv", ""},
		{"token without TLS", []string{"corpus", "--addr", "127.0.0.1:1", "--auth-token-file", "t", corpusDir}, false, "", "--auth-token-file needs TLS"},
		{"TLS without addr", []string{"corpus", "--tls", corpusDir}, false, "", "--addr"},
		{"bad address list", []string{"corpus", "--addr", "127.0.0.1:1,", corpusDir}, false, "", "missing port"},
		{"no attempts", []string{"corpus", "--addr", "127.0.0.1:1", "--max-attempts", "0", corpusDir}, false, "", "--max-attempts must be at least 1"},
		{"no concurrency", []string{"corpus", "--addr", "127.0.0.1:1", "--concurrency", "0", corpusDir}, false, "stance corpus: --concurrency must be at least 1, not 0", ""},
		{"negative concurrency", []string{"classify", "--addr", "127.0.0.1:1", "--concurrency=-2"}, false, "stance classify: --concurrency must be at least 1, not -2", ""},
		{"bad progress", []string{"classify", "--progress", "sometimes"}, false, `unknown --progress "sometimes" (want auto, always or never)`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs, err := runStance(t, "", tt.args...)
			if (err == nil) != tt.ok {
				t.Fatalf("error %v, want success %v", err, tt.ok)
			}
			if !strings.Contains(errs, tt.stderr) {
				t.Errorf("stderr %q lacks %q", errs, tt.stderr)
			}
			if err != nil && !errors.Is(err, cli.ErrReported) && !strings.Contains(err.Error(), tt.errText) {
				t.Errorf("error %q lacks %q", err, tt.errText)
			}
		})
	}
}

func TestNoServer(t *testing.T) {
	// Nothing listens on port 1: the error must say so, and soon.
	start := time.Now()
	_, _, err := runStance(t, "", "corpus", "--addr", "127.0.0.1:1", "--timeout", "5s", corpusDir)
	if err == nil {
		t.Fatal("corpus against no server succeeded")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v to fail", d)
	}
}

// TestConcurrency runs corpus and classify with one call at a time and
// with eight: the output must be the same, byte for byte.
func TestConcurrency(t *testing.T) {
	gold, err := os.ReadFile(goldFile)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		stdin string
		args  []string
	}{
		{"corpus jsonl", "", []string{"corpus", "--format", "jsonl", corpusDir}},
		{"corpus table", "", []string{"corpus", corpusDir}},
		{"classify", string(gold), []string{"classify"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var outs []string
			for _, n := range []string{"1", "8"} {
				out, errs, err := runStance(t, tt.stdin, append(tt.args, "--concurrency", n)...)
				if err != nil {
					t.Fatalf("--concurrency %s: %v\nstderr:\n%s", n, err, errs)
				}
				outs = append(outs, out+"\nstderr:\n"+errs)
			}
			if strings.Count(outs[0], "\n") < 50 {
				t.Fatalf("output too short to tell:\n%s", outs[0])
			}
			if outs[0] != outs[1] {
				t.Errorf("output with --concurrency 8 differs from that with 1:\n%s\nwant:\n%s", outs[1], outs[0])
			}
		})
	}
}

// TestProgress checks that the progress bar is drawn on stderr when asked
// for, and not when stderr is not a terminal, as in tests, or when not
// wanted; it never touches the output.
func TestProgress(t *testing.T) {
	const in = `{"id":"1","text":"We will respond."}` + "\n" + `{"id":"2","text":"We deny it."}` + "\n"
	tests := []struct {
		name  string
		stdin string
		args  []string
		unit  string
	}{
		{"corpus", "", []string{"corpus", "--format", "csv", corpusDir}, "articles"},
		{"classify", in, []string{"classify"}, "quotes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, _, err := runStance(t, tt.stdin, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			for _, when := range []string{"auto", "never", "always"} {
				out, errs, err := runStance(t, tt.stdin, append(tt.args, "--progress", when)...)
				if err != nil {
					t.Fatalf("--progress %s: %v", when, err)
				}
				if out != want {
					t.Errorf("--progress %s: output differs from the run without the flag", when)
				}
				drawn := strings.Contains(errs, "\r") || strings.Contains(errs, tt.unit)
				if drawn != (when == "always") {
					t.Errorf("--progress %s: stderr %q; want a bar only with always", when, errs)
				}
			}
		})
	}
}
