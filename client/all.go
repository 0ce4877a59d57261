package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	stancev1 "github.com/stancehq/stance/proto/stance/v1"
)

// The reasons ClassifyAll rejects a quote without sending it. A *QuoteError
// wraps one of them.
var (
	ErrNilQuote    = errors.New("quote is nil")
	ErrBlankText   = errors.New("text is blank")
	ErrInvalidUTF8 = errors.New("not valid UTF-8")
)

// QuoteError says why ClassifyAll did not send one quote.
type QuoteError struct {
	// Index is the quote's position in the slice given to ClassifyAll.
	Index int
	// ID is the quote's id, if it has one.
	ID string
	// Field is the quote's field at fault, such as "text"; empty for a nil
	// quote.
	Field string
	// Err is ErrNilQuote, ErrBlankText or ErrInvalidUTF8, possibly wrapped.
	Err error
}

// Error names the quote by its index, as in "quotes[3]: text is blank".
func (e *QuoteError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "quotes[%d]", e.Index)
	if e.ID != "" {
		fmt.Fprintf(&b, " (id %q)", e.ID)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

// Unwrap returns the reason.
func (e *QuoteError) Unwrap() error { return e.Err }

// InvalidQuotesError is the error ClassifyAll returns, alongside the
// results of the valid quotes, when some quotes were invalid and so were
// not sent.
type InvalidQuotesError struct {
	// Quotes lists the invalid quotes in index order.
	Quotes []*QuoteError
}

// Error names up to three of the invalid quotes.
func (e *InvalidQuotesError) Error() string {
	const show = 3
	var b strings.Builder
	noun := "quotes"
	if len(e.Quotes) == 1 {
		noun = "quote"
	}
	fmt.Fprintf(&b, "client: %d invalid %s not classified: ", len(e.Quotes), noun)
	for i, q := range e.Quotes {
		if i == show {
			fmt.Fprintf(&b, "; and %d more", len(e.Quotes)-show)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(q.Error())
	}
	return b.String()
}

// Unwrap returns every *QuoteError, so that errors.Is(err, ErrBlankText)
// and errors.As(err, &quoteErr) work.
func (e *InvalidQuotesError) Unwrap() []error {
	errs := make([]error, len(e.Quotes))
	for i, q := range e.Quotes {
		errs[i] = q
	}
	return errs
}

// check returns why quote i cannot be sent, or nil. Proto strings must be
// valid UTF-8: one bad field would otherwise fail the whole stream.
func check(i int, q *stancev1.Quote) *QuoteError {
	if q == nil {
		return &QuoteError{Index: i, Err: ErrNilQuote}
	}
	for _, f := range []struct{ name, value string }{
		{"id", q.GetId()}, {"text", q.GetText()}, {"speaker", q.GetSpeaker()}, {"context", q.GetContext()},
	} {
		if !utf8.ValidString(f.value) {
			id := q.GetId()
			if f.name == "id" {
				id = ""
			}
			return &QuoteError{Index: i, ID: id, Field: f.name, Err: fmt.Errorf("%s is %w", f.name, ErrInvalidUTF8)}
		}
	}
	if strings.TrimSpace(q.GetText()) == "" {
		return &QuoteError{Index: i, ID: q.GetId(), Field: "text", Err: ErrBlankText}
	}
	return nil
}

// ClassifyAll labels many quotes over up to WithStreams concurrent
// ClassifyStream streams and returns one result for each quote, at the
// quote's index. Each result's id is its quote's id, or the quote's index
// in decimal when the quote has none; on the wire every quote travels under
// its index, so that results match back to their quotes even when callers'
// ids repeat.
//
// Invalid quotes (nil, blank text, strings that are not valid UTF-8) are
// not sent: their results are nil and the error is an
// *InvalidQuotesError naming each of them, while the other results are
// valid. Any other failure (the service rejecting a quote, a broken stream,
// the deadline, a result missing, duplicated or for an unknown id) returns
// no results and the error.
//
// The client's timeout, when the context has no deadline, bounds the whole
// call.
func (c *Client) ClassifyAll(ctx context.Context, quotes []*stancev1.Quote) ([]*stancev1.Result, error) {
	results := make([]*stancev1.Result, len(quotes))
	var invalid []*QuoteError
	todo := make([]int, 0, len(quotes))
	for i, q := range quotes {
		if err := check(i, q); err != nil {
			invalid = append(invalid, err)
			continue
		}
		todo = append(todo, i)
	}
	if len(todo) > 0 {
		if err := c.classifyAll(ctx, quotes, todo, results); err != nil {
			return nil, err
		}
	}
	if len(invalid) > 0 {
		return results, &InvalidQuotesError{Quotes: invalid}
	}
	return results, nil
}

// allCall is the shared state of one ClassifyAll call.
type allCall struct {
	quotes []*stancev1.Quote
	work   chan int // indexes of quotes still to send
	cancel context.CancelCauseFunc

	mu      sync.Mutex
	results []*stancev1.Result
	err     error // the first error; the rest are its consequences
}

// fail records err unless an error came first, and stops the call.
func (a *allCall) fail(err error) {
	a.mu.Lock()
	if a.err == nil {
		a.err = err
	}
	a.mu.Unlock()
	a.cancel(err)
}

// record files one result under the quote its id names.
func (a *allCall) record(r *stancev1.Result) error {
	if r == nil {
		return fmt.Errorf("%w: stream message without a result", errMalformed)
	}
	i, err := strconv.Atoi(r.GetId())
	if err != nil || i < 0 || i >= len(a.quotes) || strconv.Itoa(i) != r.GetId() {
		return fmt.Errorf("%w: result for id %q, which was not sent", errMalformed, r.GetId())
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.results[i] != nil {
		return fmt.Errorf("%w: second result for quotes[%d]", errMalformed, i)
	}
	if id := a.quotes[i].GetId(); id != "" {
		r.Id = id
	}
	a.results[i] = r
	return nil
}

func (c *Client) classifyAll(ctx context.Context, quotes []*stancev1.Quote, todo []int, results []*stancev1.Result) error {
	ctx, cancelTimeout := c.withDeadline(ctx)
	defer cancelTimeout()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	a := &allCall{quotes: quotes, work: make(chan int), cancel: cancel, results: results}

	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(a.work)
		for _, i := range todo {
			select {
			case a.work <- i:
			case <-ctx.Done():
				return
			}
		}
	})
	for range min(c.streams, len(todo)) {
		wg.Go(func() {
			if err := c.stream(ctx, a); err != nil {
				a.fail(err)
			}
		})
	}
	wg.Wait()

	if a.err != nil {
		return fmt.Errorf("client: classify stream: %w", a.err)
	}
	for _, i := range todo {
		if results[i] == nil {
			return fmt.Errorf("client: classify stream: %w: no result for quotes[%d]", errMalformed, i)
		}
	}
	return nil
}

// stream runs one ClassifyStream: it sends quotes from a.work until there
// are none left while receiving their results.
func (c *Client) stream(ctx context.Context, a *allCall) error {
	s, err := c.svc.ClassifyStream(ctx)
	if err != nil {
		return err
	}
	sent := make(chan error, 1)
	go func() {
		sent <- func() error {
			for i := range a.work {
				q := a.quotes[i]
				err := s.Send(&stancev1.ClassifyStreamRequest{Quote: &stancev1.Quote{
					Id: strconv.Itoa(i), Text: q.GetText(), Speaker: q.GetSpeaker(), Context: q.GetContext(),
				}})
				if errors.Is(err, io.EOF) {
					// The stream has ended; Recv has its status. The quote
					// just taken shows up as missing if the status is OK.
					return nil
				}
				if err != nil {
					return err
				}
			}
			return s.CloseSend()
		}()
	}()
	for {
		resp, err := s.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err == nil {
			err = a.record(resp.GetResult())
		}
		if err != nil {
			// Stop the sender (and everyone else) before waiting for it.
			a.fail(err)
			<-sent
			return err
		}
	}
	return <-sent
}
