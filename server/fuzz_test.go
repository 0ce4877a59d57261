package server

import (
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	stancev1 "github.com/stancehq/stance/proto/stance/v1"
)

// FuzzClassifyBatch sends any bytes, decoded as the server decodes them,
// to ClassifyBatch with the real model, and checks the request validation
// against an independent statement of the rules: a batch is served if and
// only if every quote is valid; a refusal is INVALID_ARGUMENT naming
// fields of quotes that are really bad; and every result keeps the API's
// promises (scores summing to 1, evidence inside its field).
func FuzzClassifyBatch(f *testing.F) {
	const maxText, maxBatch = 256, 8
	for _, req := range []*stancev1.ClassifyBatchRequest{
		{Quotes: []*stancev1.Quote{{Id: "a", Text: "We will respond with force if they attack.", Speaker: "He", Context: `He warned: "We will respond with force if they attack."`}}},
		{Quotes: []*stancev1.Quote{{Text: "We deny it."}, {Text: " "}, {}}},
		{Quotes: []*stancev1.Quote{{Text: strings.Repeat("no ", 90)}}},
		{Quotes: make([]*stancev1.Quote, maxBatch+1)},
	} {
		b, err := proto.Marshal(req)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(wireField(wireQuote("x", "caf\xe9", "", ""))))
	f.Add([]byte(wireField(wireQuote("", "ok", "\xff", "ctx"), wireQuote("", "\u200b", "", ""))))

	s := New(loadModel(f), WithMaxTextBytes(maxText), WithMaxBatch(maxBatch), WithLogger(slog.New(slog.DiscardHandler)))
	codec := newCodec()
	field := regexp.MustCompile(`^quotes(\[(\d+)\](\.(id|text|speaker|context))?)?$`)
	f.Fuzz(func(t *testing.T, b []byte) {
		var req stancev1.ClassifyBatchRequest
		if err := codec.Unmarshal(mem.BufferSlice{mem.SliceBuffer(b)}, &req); err != nil {
			return // refused by the transport, before any handler
		}
		qs := req.GetQuotes()
		bad := len(qs) > maxBatch
		for _, q := range qs {
			bad = bad || !validQuote(q, maxText)
		}
		resp, err := s.ClassifyBatch(t.Context(), &req)
		switch status.Code(err) {
		case codes.OK:
			if bad {
				t.Fatalf("served a batch with an invalid quote: %v", &req)
			}
			if len(resp.GetResults()) != len(qs) {
				t.Fatalf("%d results for %d quotes", len(resp.GetResults()), len(qs))
			}
			for i, r := range resp.GetResults() {
				checkResult(t, r)
				checkEvidence(t, r, qs[i])
			}
		case codes.InvalidArgument:
			fields := violations(err)
			if len(fields) == 0 {
				t.Fatalf("INVALID_ARGUMENT without field violations: %v", err)
			}
			for _, name := range fields {
				m := field.FindStringSubmatch(name)
				if m == nil {
					t.Fatalf("violation names %q, not a field of the request", name)
				}
				if m[1] == "" {
					if len(qs) <= maxBatch {
						t.Fatalf("violation of %q for a batch of %d", name, len(qs))
					}
					continue
				}
				i, _ := strconv.Atoi(m[2])
				if i >= len(qs) {
					t.Fatalf("violation of %q in a batch of %d", name, len(qs))
				}
				// The model may refuse text the checks let through
				// (nothing but invisible characters); it is blamed on the
				// whole quote.
				if validQuote(qs[i], maxText) && m[3] != "" {
					t.Fatalf("violation of %q, but %v is valid", name, qs[i])
				}
			}
		default:
			t.Fatalf("ClassifyBatch = %v, want OK or InvalidArgument", err)
		}
	})
}

// validQuote states the rules of a valid quote.
func validQuote(q *stancev1.Quote, maxText int) bool {
	if q == nil || strings.TrimSpace(q.GetText()) == "" {
		return false
	}
	for _, v := range []string{q.GetId(), q.GetText(), q.GetSpeaker(), q.GetContext()} {
		if len(v) > maxText || !utf8.ValidString(v) {
			return false
		}
	}
	return true
}

// checkEvidence checks that r's evidence lies inside the quote's fields.
func checkEvidence(t *testing.T, r *stancev1.Result, q *stancev1.Quote) {
	t.Helper()
	for i, e := range r.GetEvidence() {
		src := q.GetText()
		switch e.GetSource() {
		case stancev1.Source_SOURCE_TEXT:
		case stancev1.Source_SOURCE_CONTEXT:
			src = q.GetContext()
		default:
			t.Fatalf("evidence[%d] has source %v", i, e.GetSource())
		}
		if e.GetStart() < 0 || e.GetStart() > e.GetEnd() || int(e.GetEnd()) > len(src) {
			t.Fatalf("evidence[%d] [%d, %d) outside its %d-byte field: %s", i, e.GetStart(), e.GetEnd(), len(src), fmt.Sprint(e))
		}
	}
}
