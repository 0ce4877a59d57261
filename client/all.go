package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

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
// With several servers the streams are spread over them, and a stream
// that breaks with UNAVAILABLE (its server shut down, crashed or became
// unreachable) loses nothing: the quotes it was sent and did not answer
// are sent again on another stream, after a backoff, each quote at most
// WithMaxAttempts times in all. Results already received stand, so every
// quote gets exactly one result.
//
// Invalid quotes (nil, blank text, strings that are not valid UTF-8) are
// not sent: their results are nil and the error is an
// *InvalidQuotesError naming each of them, while the other results are
// valid. Any other failure (the service rejecting a quote, a quote out of
// attempts, the deadline, a result missing, duplicated or for an unknown
// id) returns no results and the error.
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

// maxInFlight is how many quotes one stream may have sent and not yet had
// answered. It bounds what a broken stream leaves to send again, and keeps
// one stream from taking all the work while others wait.
const maxInFlight = 256

// maxPerStream is how many quotes one stream is sent before it is closed
// and the worker opens another. New streams are balanced over the servers
// as they are then, so that work spreads to servers that were not ready
// when the call began, or came back after a restart.
const maxPerStream = 1024

// Backoff between the streams of one ClassifyAll worker after a stream
// broke: from retryBackoff, doubling to maxRetryBackoff, with jitter.
const (
	retryBackoff    = 50 * time.Millisecond
	maxRetryBackoff = 2 * time.Second
)

// allCall is the shared state of one ClassifyAll call. Each quote to
// classify is, at any time, in exactly one place: waiting in work, in
// flight on one stream, or answered in results.
type allCall struct {
	quotes      []*stancev1.Quote
	work        chan int      // quotes waiting to be sent; holds them all
	done        chan struct{} // closed once every quote has its result
	maxAttempts int
	cancel      context.CancelCauseFunc

	mu       sync.Mutex
	results  []*stancev1.Result
	left     int   // quotes without a result
	attempts []int // times each quote was sent
	err      error // the first error; the rest are its consequences
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

// record files one result under the quote its id names, which must be in
// flight on the stream that received it.
func (a *allCall) record(r *stancev1.Result, flight *inFlight) (int, error) {
	if r == nil {
		return 0, fmt.Errorf("%w: stream message without a result", errMalformed)
	}
	i, err := strconv.Atoi(r.GetId())
	if err != nil || i < 0 || i >= len(a.quotes) || strconv.Itoa(i) != r.GetId() {
		return 0, fmt.Errorf("%w: result for id %q, which was not sent", errMalformed, r.GetId())
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.results[i] != nil {
		return 0, fmt.Errorf("%w: second result for quotes[%d]", errMalformed, i)
	}
	if !flight.remove(i) {
		return 0, fmt.Errorf("%w: result for quotes[%d], which this stream was not sent", errMalformed, i)
	}
	if id := a.quotes[i].GetId(); id != "" {
		r.Id = id
	}
	a.results[i] = r
	a.left--
	if a.left == 0 {
		close(a.done)
	}
	return i, nil
}

// requeue puts the quotes of a broken stream back in the queue, unless
// one of them has had all its attempts; cause is why the stream broke.
func (a *allCall) requeue(quotes []int, cause error) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, i := range quotes {
		if a.attempts[i] >= a.maxAttempts {
			return &exhaustedError{index: i, attempts: a.attempts[i], cause: cause}
		}
	}
	for _, i := range quotes {
		// Never blocks: work has room for every quote, and these are
		// nowhere else.
		a.work <- i
	}
	return nil
}

// sent counts an attempt of quote i.
func (a *allCall) sent(i int) {
	a.mu.Lock()
	a.attempts[i]++
	a.mu.Unlock()
}

// inFlight is the set of quotes a stream has sent and not had answered.
type inFlight struct {
	mu  sync.Mutex
	set map[int]struct{}
}

func (f *inFlight) add(i int) {
	f.mu.Lock()
	f.set[i] = struct{}{}
	f.mu.Unlock()
}

// remove takes i out of the set and reports whether it was there.
func (f *inFlight) remove(i int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.set[i]
	delete(f.set, i)
	return ok
}

// list returns the quotes in flight, in index order.
func (f *inFlight) list() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]int, 0, len(f.set))
	for i := range f.set {
		out = append(out, i)
	}
	slices.Sort(out)
	return out
}

func (c *Client) classifyAll(ctx context.Context, quotes []*stancev1.Quote, todo []int, results []*stancev1.Result) error {
	ctx, cancelTimeout := c.withDeadline(ctx)
	defer cancelTimeout()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	a := &allCall{
		quotes:      quotes,
		work:        make(chan int, len(todo)),
		done:        make(chan struct{}),
		maxAttempts: c.maxAttempts,
		cancel:      cancel,
		results:     results,
		left:        len(todo),
		attempts:    make([]int, len(quotes)),
	}
	for _, i := range todo {
		a.work <- i
	}

	var wg sync.WaitGroup
	for range min(c.streams, len(todo)) {
		wg.Go(func() {
			if err := c.worker(ctx, a); err != nil {
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

// worker runs one stream after another while there are quotes to send,
// until every quote has its result. A stream that broke with UNAVAILABLE
// is followed by another after a backoff; any other error ends the call.
func (c *Client) worker(ctx context.Context, a *allCall) error {
	backoff := retryBackoff
	for {
		var first int
		select {
		case <-a.done:
			return nil
		case <-ctx.Done():
			return ctxError(ctx)
		case first = <-a.work:
		}
		answered, err := c.stream(ctx, a, first)
		if err == nil {
			backoff = retryBackoff
			continue
		}
		if _, out := errors.AsType[*exhaustedError](err); out || status.Code(err) != codes.Unavailable || ctx.Err() != nil {
			return err
		}
		if answered > 0 {
			backoff = retryBackoff
		}
		// Full jitter, so that the workers of many clients that lost the
		// same server do not come back in step.
		wait := time.Duration(rand.Int64N(int64(backoff))) + backoff/2
		backoff = min(2*backoff, maxRetryBackoff)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctxError(ctx)
		}
	}
}

// stream runs one ClassifyStream: it sends first and then quotes from
// a.work, no more than maxInFlight unanswered, while receiving their
// results, and half-closes when the queue is empty or it has sent
// maxPerStream. It returns how many
// results it received. If the stream breaks, the quotes in flight are put
// back in the queue (or, out of attempts, the call fails) and the error is
// returned.
func (c *Client) stream(ctx context.Context, a *allCall, first int) (answered int, err error) {
	flight := &inFlight{set: make(map[int]struct{})}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer func() {
		if err == nil {
			return
		}
		if left := flight.list(); len(left) > 0 {
			if rerr := a.requeue(left, err); rerr != nil {
				err = rerr
			}
		}
	}()
	// A quote is in flight, and its attempt counted, from the moment a
	// stream takes it: a stream that cannot even be opened uses up an
	// attempt, so that a server that cannot be reached fails the call
	// instead of being retried until the deadline.
	take := func(i int) {
		flight.add(i)
		a.sent(i)
	}
	take(first)
	s, err := c.svc.ClassifyStream(ctx)
	if err != nil {
		return 0, err
	}
	slots := make(chan struct{}, maxInFlight)
	sent := make(chan error, 1)
	go func() {
		sent <- func() error {
			for i, ok, n := first, true, 1; ; n++ {
				if n > maxPerStream {
					return s.CloseSend()
				}
				if !ok {
					select {
					case slots <- struct{}{}:
					case <-ctx.Done():
						return nil
					}
					select {
					case i = <-a.work:
					default:
						// Nothing is waiting: whatever is in flight
						// elsewhere and fails comes back to a worker
						// that is idle or will be.
						<-slots
						return s.CloseSend()
					}
					take(i)
				} else {
					slots <- struct{}{}
				}
				ok = false
				q := a.quotes[i]
				err := s.Send(&stancev1.ClassifyStreamRequest{Quote: &stancev1.Quote{
					Id: strconv.Itoa(i), Text: q.GetText(), Speaker: q.GetSpeaker(), Context: q.GetContext(),
				}})
				if errors.Is(err, io.EOF) {
					// The stream has ended; Recv has its status.
					return nil
				}
				if err != nil {
					return err
				}
			}
		}()
	}()
	for {
		resp, err := s.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err == nil {
			_, err = a.record(resp.GetResult(), flight)
		}
		if err != nil {
			// Stop the sender before waiting for it.
			cancel()
			<-sent
			return answered, err
		}
		answered++
		<-slots
	}
	// The server may have ended the stream before the sender was done;
	// stop it wherever it waits.
	cancel()
	if err := <-sent; err != nil {
		return answered, err
	}
	if left := flight.list(); len(left) > 0 {
		// The server ended the stream as if all was well.
		return answered, fmt.Errorf("%w: no result for quotes[%d]", errMalformed, left[0])
	}
	return answered, nil
}

// exhaustedError is a quote that was sent WithMaxAttempts times on streams
// that broke before they answered it. It unwraps to the last stream's
// error, so that status.Code tells why.
type exhaustedError struct {
	index, attempts int
	cause           error
}

func (e *exhaustedError) Error() string {
	return fmt.Sprintf("quotes[%d] still unanswered after %d attempts: %v", e.index, e.attempts, e.cause)
}

func (e *exhaustedError) Unwrap() error { return e.cause }

// ctxError is the status of a call whose context is done.
func ctxError(ctx context.Context) error {
	return status.FromContextError(ctx.Err()).Err()
}
