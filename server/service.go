package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"google.golang.org/grpc"

	"github.com/stancehq/stance/model"
	stancev1 "github.com/stancehq/stance/proto/stance/v1"
	"github.com/stancehq/stance/quote"
)

// Classify labels one quote.
func (s *Server) Classify(ctx context.Context, req *stancev1.ClassifyRequest) (*stancev1.ClassifyResponse, error) {
	q := req.GetQuote()
	if vs := s.checkQuote(q, "quote", false); len(vs) > 0 {
		return nil, s.toStatus(ctx, stancev1.StanceService_Classify_FullMethodName, &invalidError{violations: vs})
	}
	r, err := s.classify(q, "quote")
	if err != nil {
		return nil, s.toStatus(ctx, stancev1.StanceService_Classify_FullMethodName, err)
	}
	return &stancev1.ClassifyResponse{Result: r}, nil
}

// ClassifyBatch labels the quotes of a batch in request order. Every quote
// is checked before any is classified, so that a bad batch fails at once
// with a violation for each bad quote.
func (s *Server) ClassifyBatch(ctx context.Context, req *stancev1.ClassifyBatchRequest) (*stancev1.ClassifyBatchResponse, error) {
	results, err := s.classifyBatch(ctx, req.GetQuotes())
	if err != nil {
		return nil, s.toStatus(ctx, stancev1.StanceService_ClassifyBatch_FullMethodName, err)
	}
	return &stancev1.ClassifyBatchResponse{Results: results}, nil
}

func (s *Server) classifyBatch(ctx context.Context, qs []*stancev1.Quote) ([]*stancev1.Result, error) {
	if len(qs) > s.maxBatch {
		return nil, &invalidError{violations: []violation{{
			field: "quotes",
			err:   fmt.Errorf("%w: %d quotes, the limit is %d", errTooLarge, len(qs), s.maxBatch),
		}}}
	}
	var vs []violation
	for i, q := range qs {
		vs = append(vs, s.checkQuote(q, quoteField(i), false)...)
	}
	if len(vs) > 0 {
		return nil, &invalidError{violations: vs}
	}
	results := make([]*stancev1.Result, len(qs))
	for i, q := range qs {
		// A client that gave up should not keep the server busy.
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r, err := s.classify(q, quoteField(i))
		if err != nil {
			return nil, err
		}
		results[i] = r
	}
	return results, nil
}

// ClassifyStream labels each quote of the request stream as it arrives and
// sends its result before reading the next one, so results keep the order
// of the quotes. A bad quote ends the stream with INVALID_ARGUMENT; results
// sent before it stand. After Shutdown the stream ends with UNAVAILABLE
// before it reads another quote: every quote sent and not answered is
// the client's to send again, to another server.
func (s *Server) ClassifyStream(stream grpc.BidiStreamingServer[stancev1.ClassifyStreamRequest, stancev1.ClassifyStreamResponse]) error {
	ctx := stream.Context()
	return s.toStatus(ctx, stancev1.StanceService_ClassifyStream_FullMethodName, s.classifyStream(ctx, stream))
}

func (s *Server) classifyStream(ctx context.Context, stream grpc.BidiStreamingServer[stancev1.ClassifyStreamRequest, stancev1.ClassifyStreamResponse]) error {
	for n := 1; ; n++ {
		if s.isDraining() {
			return errShuttingDown
		}
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		q := req.GetQuote()
		subject := fmt.Sprintf("message %d of the stream", n)
		if id := q.GetId(); id != "" && utf8.ValidString(id) && len(id) <= s.maxText {
			subject = fmt.Sprintf("quote %q (message %d)", id, n)
		}
		if vs := s.checkQuote(q, "quote", true); len(vs) > 0 {
			return &invalidError{subject: subject, violations: vs}
		}
		r, err := s.classify(q, "quote")
		if err != nil {
			var inv *invalidError
			if errors.As(err, &inv) {
				inv.subject = subject
			}
			return err
		}
		if err := stream.Send(&stancev1.ClassifyStreamResponse{Result: r}); err != nil {
			return err
		}
	}
}

// ClassifyDocument finds the quotes of an article with quote.Extract and
// labels each one, with the sentence around it as context.
func (s *Server) ClassifyDocument(ctx context.Context, req *stancev1.ClassifyDocumentRequest) (*stancev1.ClassifyDocumentResponse, error) {
	qs, err := s.classifyDocument(ctx, req.GetText())
	if err != nil {
		return nil, s.toStatus(ctx, stancev1.StanceService_ClassifyDocument_FullMethodName, err)
	}
	return &stancev1.ClassifyDocumentResponse{Quotes: qs}, nil
}

func (s *Server) classifyDocument(ctx context.Context, text string) ([]*stancev1.DocumentQuote, error) {
	switch {
	case len(text) > s.maxDoc:
		return nil, &invalidError{violations: []violation{{
			field: "text",
			err:   fmt.Errorf("%w: %d bytes, the limit is %d", errTooLarge, len(text), s.maxDoc),
		}}}
	case !utf8.ValidString(text):
		return nil, &invalidError{violations: []violation{{field: "text", err: errBadUTF8}}}
	}
	found := quote.Extract(text)
	out := make([]*stancev1.DocumentQuote, 0, len(found))
	for _, q := range found {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if q.Start < 0 || q.Start > q.End || q.End > len(text) {
			return nil, fmt.Errorf("extractor returned the span [%d, %d) in a text of %d bytes", q.Start, q.End, len(text))
		}
		body := text[q.Start:q.End]
		// A pair of marks around nothing is no statement to label.
		if strings.TrimSpace(body) == "" {
			continue
		}
		in := model.Input{Text: body, Speaker: q.Speaker}
		if 0 <= q.ContextStart && q.ContextStart <= q.ContextEnd && q.ContextEnd <= len(text) {
			in.Context = text[q.ContextStart:q.ContextEnd]
		}
		r, err := s.clf.Classify(in)
		if err != nil {
			return nil, fmt.Errorf("classifying the quote at bytes [%d, %d): %w", q.Start, q.End, err)
		}
		s.metrics.labelledAs(r.Label)
		dq := &stancev1.DocumentQuote{
			Start:  int32(q.Start),
			End:    int32(q.End),
			Text:   body,
			Result: toProtoResult("q"+strconv.Itoa(len(out)+1), r),
		}
		if q.Speaker != "" {
			// The extractor's names are cut from valid text, but a name
			// cut mid-rune would fail the whole response at marshalling.
			dq.Speaker = strings.ToValidUTF8(q.Speaker, "\uFFFD")
			dq.SpeakerCue = strings.ToValidUTF8(q.Cue, "\uFFFD")
		}
		out = append(out, dq)
	}
	return out, nil
}

// GetModel describes the classifier's model.
func (s *Server) GetModel(ctx context.Context, _ *stancev1.GetModelRequest) (*stancev1.GetModelResponse, error) {
	return toProtoModel(s.clf.Info()), nil
}

// quoteField is the path of the i-th quote of a batch.
func quoteField(i int) string {
	return "quotes[" + strconv.Itoa(i) + "]"
}

// checkQuote returns every violation of q, whose path in the request is
// field; needID says whether the id is required.
func (s *Server) checkQuote(q *stancev1.Quote, field string, needID bool) []violation {
	if q == nil {
		return []violation{{field: field, err: errRequired}}
	}
	var vs []violation
	check := func(name, v string, required, blankOK bool) {
		var err error
		switch {
		case len(v) > s.maxText:
			err = fmt.Errorf("%w: %d bytes, the limit is %d", errTooLarge, len(v), s.maxText)
		case !utf8.ValidString(v):
			err = errBadUTF8
		case required && v == "":
			err = errRequired
		case !blankOK && strings.TrimSpace(v) == "":
			err = errBlank
		}
		if err != nil {
			vs = append(vs, violation{field: field + "." + name, err: err})
		}
	}
	check("id", q.GetId(), needID, true)
	check("text", q.GetText(), false, false)
	check("speaker", q.GetSpeaker(), false, true)
	check("context", q.GetContext(), false, true)
	return vs
}

// classify labels a quote that passed checkQuote. The model's own input
// errors, should it find any the checks missed, are blamed on the quote.
func (s *Server) classify(q *stancev1.Quote, field string) (*stancev1.Result, error) {
	r, err := s.clf.Classify(model.Input{Text: q.GetText(), Speaker: q.GetSpeaker(), Context: q.GetContext()})
	switch {
	case errors.Is(err, model.ErrEmptyText), errors.Is(err, model.ErrInvalidUTF8):
		return nil, &invalidError{violations: []violation{{field: field, err: err}}}
	case err != nil:
		return nil, fmt.Errorf("classifying %s: %w", field, err)
	}
	s.metrics.labelledAs(r.Label)
	return toProtoResult(q.GetId(), r), nil
}
