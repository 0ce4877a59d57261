package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/stancehq/stance/client"
	stancev1 "github.com/stancehq/stance/proto/stance/v1"
)

// ClassifyOptions configures Classify.
type ClassifyOptions struct {
	// Name names the input in messages, such as "quotes.jsonl" or "stdin".
	Name string
	// Strict stops the run at the first invalid line instead of skipping
	// it.
	Strict bool
	// Chunk is how many lines are sent to the service at once (default
	// DefaultChunk). It bounds memory, not throughput: the client streams
	// each chunk over several concurrent streams.
	Chunk int
	// Done, when not nil, resumes a run that stopped: it holds the ids of
	// the lines already written (Resumed.Done), which are skipped. A
	// resumable run needs a unique "id" on every line; a line without
	// one, or whose id an earlier line has, is invalid.
	Done map[string]bool
	// Progress, when not nil, is called with the number of lines
	// written as each chunk is written.
	Progress func(lines int)
}

// DefaultChunk is the number of lines Classify sends at once by default.
const DefaultChunk = 1000

// maxLine is the longest input line Classify reads.
const maxLine = 64 << 20

// addedFields are the fields Classify adds to each line. An input field
// of the same name is kept under the name with inputPrefix before it.
var addedFields = []string{"label", "scores", "evidence"}

const inputPrefix = "input_"

// field is one field of a JSON object, as it was in the input.
type field struct {
	name  string
	value json.RawMessage
}

// line is one valid input line waiting for its result.
type line struct {
	n      int // line number, from 1
	fields []field
	quote  *stancev1.Quote
}

// LineError is an input line Classify could not classify.
type LineError struct {
	Name string // the input's name
	Line int    // from 1
	Err  error
}

// Error reads "name:line: reason", as compilers do.
func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %v", e.Name, e.Line, e.Err) }

// Unwrap returns the reason.
func (e *LineError) Unwrap() error { return e.Err }

// ErrSkipped is returned, wrapped, when Classify skipped invalid lines.
var ErrSkipped = errors.New("invalid lines skipped")

// Classify reads JSON Lines quotes from in and writes each back to out
// with the service's label, scores and evidence added, in input order.
// Each line is an object with a "text" string and optionally "id",
// "speaker" and "context" strings; every field of it, unknown ones too,
// is written back in its order, and "label", "scores" and "evidence" are
// appended (an input field so named is kept as "input_label" and so on).
//
// An invalid line (not valid UTF-8, not a JSON object, no text, a blank
// text or a field of the wrong type) is reported to errs as a *LineError
// and skipped, and Classify then returns an error wrapping ErrSkipped at
// the end; with opts.Strict the first one stops the run, after the lines
// before it are written. Blank lines are ignored.
//
// Output goes to out a chunk at a time, each chunk's lines in a single
// write, so that a run killed at any moment leaves whole lines behind (see
// Resumed).
func Classify(ctx context.Context, c QuoteClassifier, in io.Reader, out, errs io.Writer, opts ClassifyOptions) error {
	if opts.Name == "" {
		opts.Name = "input"
	}
	if opts.Chunk <= 0 {
		opts.Chunk = DefaultChunk
	}
	var seen map[string]int // with opts.Done: the line of each id
	if opts.Done != nil {
		seen = make(map[string]int)
	}
	var buf bytes.Buffer
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	var pending []*line
	skipped := 0
	// report handles an invalid line: an error to return, or nil to go on.
	report := func(err *LineError) error {
		if opts.Strict {
			return err
		}
		skipped++
		_, werr := fmt.Fprintln(errs, err)
		return werr
	}
	flush := func() error {
		buf.Reset()
		err := classifyLines(ctx, c, opts.Name, pending, &buf, report)
		pending = pending[:0]
		// Lines done before an error stand, as they would on a stream.
		if buf.Len() > 0 {
			if _, werr := out.Write(buf.Bytes()); err == nil {
				err = werr
			}
			if opts.Progress != nil {
				opts.Progress(bytes.Count(buf.Bytes(), []byte{'\n'}))
			}
		}
		return err
	}

	n := 0
	for sc.Scan() {
		n++
		b := sc.Bytes()
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		l, err := parseLine(n, b)
		if err == nil && seen != nil {
			l, err = checkResumable(l, seen, opts.Done)
			if l == nil && err == nil {
				continue // written by the run resumed
			}
		}
		if err != nil {
			lerr := &LineError{Name: opts.Name, Line: n, Err: err}
			if opts.Strict {
				if err := flush(); err != nil {
					return err
				}
			}
			if err := report(lerr); err != nil {
				return err
			}
			continue
		}
		pending = append(pending, l)
		if len(pending) == opts.Chunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s:%d: %w", opts.Name, n+1, err)
	}
	if err := flush(); err != nil {
		return err
	}
	if skipped > 0 {
		return fmt.Errorf("%s: %w: %d", opts.Name, ErrSkipped, skipped)
	}
	return nil
}

// checkResumable checks that l has an id that no line before it had, and
// returns nil for a line done already.
func checkResumable(l *line, seen map[string]int, done map[string]bool) (*line, error) {
	id := l.quote.GetId()
	if id == "" {
		return nil, errors.New(`no "id": resuming needs a unique id on every line`)
	}
	if first, ok := seen[id]; ok {
		return nil, fmt.Errorf("id %q repeats line %d: resuming needs a unique id on every line", id, first)
	}
	seen[id] = l.n
	if done[id] {
		return nil, nil
	}
	return l, nil
}

// classifyLines classifies lines and writes them to w. Lines the client
// refuses go to report.
func classifyLines(ctx context.Context, c QuoteClassifier, name string, lines []*line, w io.Writer, report func(*LineError) error) error {
	if len(lines) == 0 {
		return nil
	}
	quotes := make([]*stancev1.Quote, len(lines))
	for i, l := range lines {
		quotes[i] = l.quote
	}
	results, err := c.ClassifyAll(ctx, quotes)
	refused := make(map[int]error)
	inv, invalid := errors.AsType[*client.InvalidQuotesError](err)
	switch {
	case invalid:
		for _, qe := range inv.Quotes {
			refused[qe.Index] = qe.Err
		}
	case status.Code(err) == codes.InvalidArgument:
		// The service refused a quote the client let through, such as
		// one over its size limit, and so stopped the whole stream. Halve
		// the lines until the refused ones stand alone, so that they can
		// be reported and the rest still classified, in order.
		if len(lines) == 1 {
			return report(&LineError{Name: name, Line: lines[0].n, Err: fmt.Errorf("refused by the service: %s", refusal(err))})
		}
		mid := len(lines) / 2
		if err := classifyLines(ctx, c, name, lines[:mid], w, report); err != nil {
			return err
		}
		return classifyLines(ctx, c, name, lines[mid:], w, report)
	case err != nil:
		return fmt.Errorf("%s: lines %d-%d: %w", name, lines[0].n, lines[len(lines)-1].n, err)
	}
	if len(results) != len(lines) {
		return fmt.Errorf("%s: lines %d-%d: %w: %d results for %d quotes", name, lines[0].n, lines[len(lines)-1].n, errBadResponse, len(results), len(lines))
	}
	for i, l := range lines {
		if err, ok := refused[i]; ok {
			if err := report(&LineError{Name: name, Line: l.n, Err: err}); err != nil {
				return err
			}
			continue
		}
		p, err := toPrediction(results[i])
		if err != nil {
			return fmt.Errorf("%s:%d: %w", name, l.n, err)
		}
		if err := writeLine(w, l, p); err != nil {
			return err
		}
	}
	return nil
}

// refusal says why the service refused a quote: the field violations it
// sent, or else its status message.
func refusal(err error) string {
	se, ok := errors.AsType[interface {
		error
		GRPCStatus() *status.Status
	}](err)
	if !ok {
		return err.Error()
	}
	var vs []string
	for _, d := range se.GRPCStatus().Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				vs = append(vs, v.GetField()+": "+v.GetDescription())
			}
		}
	}
	if len(vs) == 0 {
		return se.GRPCStatus().Message()
	}
	return strings.Join(vs, "; ")
}

// parseLine reads one input line, keeping its fields in order.
func parseLine(n int, b []byte) (*line, error) {
	if !utf8.Valid(b) {
		return nil, errors.New("not valid UTF-8")
	}
	fields, err := parseObject(b)
	if err != nil {
		return nil, err
	}
	l := &line{n: n, fields: fields, quote: &stancev1.Quote{}}
	hasText := false
	for _, f := range fields {
		var dst *string
		switch f.name {
		case "text":
			dst, hasText = &l.quote.Text, true
		case "id":
			dst = &l.quote.Id
		case "speaker":
			dst = &l.quote.Speaker
		case "context":
			dst = &l.quote.Context
		default:
			continue
		}
		if string(f.value) == "null" {
			continue
		}
		if err := json.Unmarshal(f.value, dst); err != nil {
			return nil, fmt.Errorf("field %q must be a string, not %s", f.name, f.value)
		}
	}
	switch {
	case !hasText:
		return nil, errors.New(`no "text" field`)
	case strings.TrimSpace(l.quote.Text) == "":
		return nil, errors.New(`"text" is blank`)
	}
	return l, nil
}

// parseObject splits a JSON object into its fields, in order. A field
// name that repeats is an error: which value counts would be a guess.
func parseObject(b []byte) ([]field, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not a JSON object")
	}
	var fields []field
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("not JSON: %w", err)
		}
		name, ok := tok.(string)
		if !ok {
			return nil, errors.New("not JSON: object key is not a string")
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("not JSON: %w", err)
		}
		if seen[name] {
			return nil, fmt.Errorf("field %q appears twice", name)
		}
		seen[name] = true
		var compact bytes.Buffer
		if err := json.Compact(&compact, v); err != nil {
			return nil, fmt.Errorf("not JSON: %w", err)
		}
		fields = append(fields, field{name: name, value: compact.Bytes()})
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("not JSON: more after the object")
	}
	return fields, nil
}

// writeLine writes l's fields and then p's.
func writeLine(w io.Writer, l *line, p prediction) error {
	taken := make(map[string]bool, len(l.fields)+len(addedFields))
	for _, f := range l.fields {
		taken[f.name] = true
	}
	var b bytes.Buffer
	b.WriteByte('{')
	put := func(name string, value []byte) {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(name)
		b.Write(k)
		b.WriteByte(':')
		b.Write(value)
	}
	for _, f := range l.fields {
		name := f.name
		if isAdded(name) {
			// Keep the caller's value under a name of its own.
			for name = inputPrefix + name; taken[name]; name = inputPrefix + name {
			}
			taken[name] = true
		}
		put(name, f.value)
	}
	label, _ := json.Marshal(p.label.String())
	scores, err := json.Marshal(p.scores)
	if err != nil {
		return err
	}
	ev, err := marshal(p.evidence)
	if err != nil {
		return err
	}
	put("label", label)
	put("scores", scores)
	put("evidence", ev)
	b.WriteString("}\n")
	_, err = w.Write(b.Bytes())
	return err
}

func isAdded(name string) bool {
	for _, a := range addedFields {
		if a == name {
			return true
		}
	}
	return false
}

// marshal is json.Marshal without HTML escaping, so that quotes with < or
// & read as they were.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
