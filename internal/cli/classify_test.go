package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/stancehq/stance/client"
	stancev1 "github.com/stancehq/stance/proto/stance/v1"
)

// keywordClassifier labels quotes by keyword, without a network: threat
// for "warn", denial for "deny", neutral otherwise. It refuses a text of
// "refuse" the way client.Client refuses an invalid quote, and records
// every batch it is given.
type keywordClassifier struct {
	batches [][]*stancev1.Quote
}

var _ QuoteClassifier = (*keywordClassifier)(nil)

func (k *keywordClassifier) ClassifyAll(_ context.Context, quotes []*stancev1.Quote) ([]*stancev1.Result, error) {
	k.batches = append(k.batches, quotes)
	for _, q := range quotes {
		if q.GetText() == "too long" {
			return nil, status.Errorf(codes.InvalidArgument, "quote %q: text too long", q.GetId())
		}
	}
	results := make([]*stancev1.Result, len(quotes))
	var refused []*client.QuoteError
	for i, q := range quotes {
		if q.GetText() == "refuse" {
			refused = append(refused, &client.QuoteError{Index: i, Field: "text", Err: client.ErrInvalidUTF8})
			continue
		}
		l := stancev1.Label_LABEL_NEUTRAL
		switch {
		case strings.Contains(q.GetText(), "warn"):
			l = stancev1.Label_LABEL_THREAT
		case strings.Contains(q.GetText(), "deny"):
			l = stancev1.Label_LABEL_DENIAL
		}
		r := &stancev1.Result{Id: q.GetId(), Label: l}
		for k := stancev1.Label_LABEL_ACCUSATION; k <= stancev1.Label_LABEL_NEUTRAL; k++ {
			p := 0.1
			if k == l {
				p = 0.6
			}
			r.Scores = append(r.Scores, &stancev1.Score{Label: k, Probability: p})
		}
		if i := strings.Index(q.GetText(), "warn"); i >= 0 {
			r.Evidence = append(r.Evidence, &stancev1.Evidence{Source: stancev1.Source_SOURCE_TEXT, Start: int32(i), End: int32(i + 4), Term: "warn", Label: l, Weight: 1.5, Rules: []string{"first_person"}})
		}
		results[i] = r
	}
	if refused != nil {
		return results, &client.InvalidQuotesError{Quotes: refused}
	}
	return results, nil
}

// decodeLines decodes each output line into a map, failing on bad JSON.
func decodeLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var got []map[string]any
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("output line %d %q: %v", i+1, line, err)
		}
		got = append(got, m)
	}
	return got
}

// keys returns the field names of a JSON object line in order.
func keys(t *testing.T, line string) []string {
	t.Helper()
	fs, err := parseObject([]byte(line))
	if err != nil {
		t.Fatalf("%q: %v", line, err)
	}
	var ks []string
	for _, f := range fs {
		ks = append(ks, f.name)
	}
	return ks
}

func TestClassifyKeepsFields(t *testing.T) {
	in := `{"id":"q1","text":"we warn you","speaker":"A","extra":{"n":[1, 2.50]},"z":null}
{"text":"we deny it","label":"denial","input_label":"old","context":"She said \"we deny it\"."}

{"id":"q3","text":"plain words <&>","scores":[1]}
`
	var out, errs bytes.Buffer
	k := &keywordClassifier{}
	if err := Classify(t.Context(), k, strings.NewReader(in), &out, &errs, ClassifyOptions{Name: "in.jsonl"}); err != nil {
		t.Fatalf("Classify: %v (stderr %q)", err, errs.String())
	}
	if errs.Len() != 0 {
		t.Errorf("stderr = %q, want nothing", errs.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	wantKeys := [][]string{
		{"id", "text", "speaker", "extra", "z", "label", "scores", "evidence"},
		{"text", "input_input_label", "input_label", "context", "label", "scores", "evidence"},
		{"id", "text", "input_scores", "label", "scores", "evidence"},
	}
	if len(lines) != len(wantKeys) {
		t.Fatalf("%d output lines, want %d:\n%s", len(lines), len(wantKeys), out.String())
	}
	for i, line := range lines {
		if got := keys(t, line); strings.Join(got, ",") != strings.Join(wantKeys[i], ",") {
			t.Errorf("line %d fields = %q, want %q", i+1, got, wantKeys[i])
		}
	}
	got := decodeLines(t, out.String())
	checks := []struct {
		line  int
		field string
		want  any
	}{
		{0, "label", "threat"},
		{0, "speaker", "A"},
		{1, "label", "denial"},
		{1, "input_label", "old"},
		{1, "input_input_label", "denial"},
		{2, "label", "neutral"},
		{2, "text", "plain words <&>"},
	}
	for _, c := range checks {
		if got := got[c.line][c.field]; got != c.want {
			t.Errorf("line %d %s = %v, want %v", c.line+1, c.field, got, c.want)
		}
	}
	if extra, _ := json.Marshal(got[0]["extra"]); string(extra) != `{"n":[1,2.5]}` {
		t.Errorf("extra = %s, want the input's value", extra)
	}
	if !strings.Contains(lines[0], `"z":null`) || !strings.Contains(lines[0], `2.50`) {
		t.Errorf("line 1 = %s, want the input's values as written", lines[0])
	}
	scores, _ := json.Marshal(got[0]["scores"])
	if string(scores) != `{"accusation":0.1,"conciliation":0.1,"denial":0.1,"neutral":0.1,"threat":0.6}` {
		t.Errorf("scores = %s", scores)
	}
	ev, _ := json.Marshal(got[0]["evidence"])
	if want := `[{"end":7,"label":"threat","rules":["first_person"],"source":"text","start":3,"term":"warn","weight":1.5}]`; string(ev) != want {
		t.Errorf("evidence = %s, want %s", ev, want)
	}
	if ev, _ := json.Marshal(got[1]["evidence"]); string(ev) != "[]" {
		t.Errorf("evidence without any = %s, want []", ev)
	}
	// The quote sent is the input's fields.
	q := k.batches[0][1]
	if q.GetText() != "we deny it" || q.GetContext() != `She said "we deny it".` || q.GetId() != "" {
		t.Errorf("sent %v", q)
	}
}

func TestClassifyInvalidLines(t *testing.T) {
	in := strings.Join([]string{
		`{"id":"1","text":"ok one"}`,
		`not json`,
		`{"id":"3"}`,
		`{"text":"   "}`,
		`["text"]`,
		`{"text":42}`,
		`{"text":"x","id":7}`,
		`{"text":"a","text":"b"}`,
		"{\"text\":\"bad \xff byte\"}",
		`{"text":"x"} {"text":"y"}`,
		`{"text":"refuse"}`,
		`{"text":"truncated`,
		`{"id":"13","text":"ok thirteen"}`,
	}, "\n")
	wantErr := map[int]string{
		2: "not JSON", 3: `no "text"`, 4: "blank", 5: "not a JSON object", 6: `"text" must be a string`,
		7: `"id" must be a string`, 8: "appears twice", 9: "UTF-8", 10: "more after", 11: "UTF-8", 12: "not JSON",
	}

	t.Run("skip", func(t *testing.T) {
		var out, errs bytes.Buffer
		err := Classify(t.Context(), &keywordClassifier{}, strings.NewReader(in), &out, &errs, ClassifyOptions{Name: "in.jsonl", Chunk: 1})
		if !errors.Is(err, ErrSkipped) || !strings.HasSuffix(err.Error(), "invalid lines skipped: 11") {
			t.Errorf("error %v, want 11 invalid lines skipped", err)
		}
		reported := strings.Split(strings.TrimSuffix(errs.String(), "\n"), "\n")
		if len(reported) != len(wantErr) {
			t.Errorf("%d lines on stderr, want %d:\n%s", len(reported), len(wantErr), errs.String())
		}
		for n, want := range wantErr {
			prefix := "in.jsonl:" + itoa(n) + ": "
			found := false
			for _, r := range reported {
				if strings.HasPrefix(r, prefix) {
					found = true
					if !strings.Contains(r, want) {
						t.Errorf("line %d reported as %q, want it to say %q", n, r, want)
					}
				}
			}
			if !found {
				t.Errorf("line %d not reported; stderr:\n%s", n, errs.String())
			}
		}
		got := decodeLines(t, out.String())
		if len(got) != 2 || got[0]["id"] != "1" || got[1]["id"] != "13" {
			t.Errorf("output %v, want lines 1 and 13", got)
		}
	})

	t.Run("strict", func(t *testing.T) {
		var out, errs bytes.Buffer
		err := Classify(t.Context(), &keywordClassifier{}, strings.NewReader(in), &out, &errs, ClassifyOptions{Name: "in.jsonl", Strict: true})
		var le *LineError
		if !errors.As(err, &le) || le.Line != 2 {
			t.Fatalf("error %v, want a *LineError for line 2", err)
		}
		if got := decodeLines(t, out.String()); len(got) != 1 || got[0]["id"] != "1" {
			t.Errorf("output %v, want line 1 only", got)
		}
	})

	t.Run("strict refused by the client", func(t *testing.T) {
		in := "{\"id\":\"a\",\"text\":\"x\"}\n{\"text\":\"refuse\"}\n{\"id\":\"c\",\"text\":\"y\"}\n"
		var out, errs bytes.Buffer
		err := Classify(t.Context(), &keywordClassifier{}, strings.NewReader(in), &out, &errs, ClassifyOptions{Name: "in", Strict: true})
		var le *LineError
		if !errors.As(err, &le) || le.Line != 2 || !errors.Is(err, client.ErrInvalidUTF8) {
			t.Fatalf("error %v, want a *LineError for line 2", err)
		}
		if got := decodeLines(t, out.String()); len(got) != 1 || got[0]["id"] != "a" {
			t.Errorf("output %v, want line 1 only", got)
		}
	})
}

func TestClassifyServiceRefuses(t *testing.T) {
	var in strings.Builder
	const n = 37
	bad := map[int]bool{4: true, 5: true, 30: true}
	for i := 1; i <= n; i++ {
		text := "t"
		if bad[i] {
			text = "too long"
		}
		in.WriteString(`{"id":"` + itoa(i) + `","text":"` + text + `"}` + "\n")
	}
	for _, strict := range []bool{false, true} {
		t.Run("strict "+strconv.FormatBool(strict), func(t *testing.T) {
			var out, errs bytes.Buffer
			err := Classify(t.Context(), &keywordClassifier{}, strings.NewReader(in.String()), &out, &errs, ClassifyOptions{Name: "in", Strict: strict, Chunk: 16})
			var want []string
			for i := 1; i <= n && !(strict && i >= 4); i++ {
				if !bad[i] {
					want = append(want, itoa(i))
				}
			}
			var got []string
			for _, m := range decodeLines(t, out.String()) {
				got = append(got, m["id"].(string))
			}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("ids out = %v, want %v", got, want)
			}
			if strict {
				var le *LineError
				if !errors.As(err, &le) || le.Line != 4 {
					t.Errorf("error %v, want line 4", err)
				}
				return
			}
			if !errors.Is(err, ErrSkipped) {
				t.Errorf("error %v, want ErrSkipped", err)
			}
			for i := range bad {
				if !strings.Contains(errs.String(), "in:"+itoa(i)+": refused by the service") {
					t.Errorf("line %d not reported:\n%s", i, errs.String())
				}
			}
		})
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestClassifyChunks(t *testing.T) {
	var in strings.Builder
	const n = 23
	for i := range n {
		in.WriteString(`{"id":"` + itoa(i) + `","text":"t"}` + "\n")
	}
	k := &keywordClassifier{}
	var out, errs bytes.Buffer
	if err := Classify(t.Context(), k, strings.NewReader(in.String()), &out, &errs, ClassifyOptions{Chunk: 5}); err != nil {
		t.Fatal(err)
	}
	if len(k.batches) != 5 {
		t.Errorf("%d batches, want 5 (chunks of 5)", len(k.batches))
	}
	got := decodeLines(t, out.String())
	if len(got) != n {
		t.Fatalf("%d lines out, want %d", len(got), n)
	}
	for i, m := range got {
		if m["id"] != itoa(i) {
			t.Errorf("line %d has id %v, want %d", i+1, m["id"], i)
		}
	}
}

// brokenClassifier returns results that break the API's promises.
type brokenClassifier struct{ result *stancev1.Result }

func (b brokenClassifier) ClassifyAll(_ context.Context, quotes []*stancev1.Quote) ([]*stancev1.Result, error) {
	out := make([]*stancev1.Result, len(quotes))
	for i := range out {
		out[i] = b.result
	}
	return out, nil
}

func TestClassifyBadResponses(t *testing.T) {
	full := func(l stancev1.Label) []*stancev1.Score {
		var s []*stancev1.Score
		for k := stancev1.Label_LABEL_ACCUSATION; k <= stancev1.Label_LABEL_NEUTRAL; k++ {
			s = append(s, &stancev1.Score{Label: k, Probability: 0.2})
		}
		return s
	}
	tests := []struct {
		name string
		r    *stancev1.Result
	}{
		{"nil", nil},
		{"unspecified label", &stancev1.Result{Scores: full(0)}},
		{"unknown label", &stancev1.Result{Label: 9, Scores: full(0)}},
		{"missing score", &stancev1.Result{Label: stancev1.Label_LABEL_THREAT, Scores: full(0)[:4]}},
		{"repeated score", &stancev1.Result{Label: stancev1.Label_LABEL_THREAT, Scores: append(full(0)[:4], full(0)[0])}},
		{"evidence without source", &stancev1.Result{Label: stancev1.Label_LABEL_THREAT, Scores: full(0),
			Evidence: []*stancev1.Evidence{{Label: stancev1.Label_LABEL_THREAT}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errs bytes.Buffer
			err := Classify(t.Context(), brokenClassifier{tt.r}, strings.NewReader(`{"text":"x"}`), &out, &errs, ClassifyOptions{})
			if !errors.Is(err, errBadResponse) {
				t.Errorf("error %v, want errBadResponse", err)
			}
			if out.Len() != 0 {
				t.Errorf("wrote %q for a bad response", out.String())
			}
		})
	}
}

func FuzzParseLine(f *testing.F) {
	for _, s := range []string{
		`{"text":"x"}`, `{"id":"1","text":"we warn","extra":[1,{"a":null}]}`, `{"text":"a","text":"b"}`,
		`[]`, `{`, `{"text":"\u00e9\ud800"}`, "{\"text\":\"\xff\"}", `{"text":" "} x`, `{"text":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := parseLine(1, b)
		if err != nil {
			return
		}
		if strings.TrimSpace(l.quote.GetText()) == "" {
			t.Fatalf("accepted blank text from %q", b)
		}
		var out bytes.Buffer
		if err := writeLine(&out, l, prediction{scores: Scores{1, 0, 0, 0, 0}}); err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(out.Bytes(), &m); err != nil {
			t.Fatalf("output %q of input %q is not JSON: %v", out.Bytes(), b, err)
		}
		if m["text"] != l.quote.GetText() {
			t.Fatalf("output text %q, want %q", m["text"], l.quote.GetText())
		}
	})
}
