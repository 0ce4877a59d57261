package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	stancev1 "github.com/stancehq/stance/proto/stance/v1"
)

// DefaultTimeout is the deadline a call gets when the caller's context has
// none.
const DefaultTimeout = 30 * time.Second

// DefaultStreams is how many ClassifyStream streams ClassifyAll runs at once
// unless WithStreams says otherwise.
const DefaultStreams = 4

// Client talks to one stance service. It is safe for concurrent use.
type Client struct {
	conn    *grpc.ClientConn
	svc     stancev1.StanceServiceClient
	timeout time.Duration
	streams int
}

// Option configures New.
type Option func(*options)

type options struct {
	dial     []grpc.DialOption
	insecure bool
	timeout  time.Duration
	streams  int
}

// WithDialOptions passes extra options to grpc.NewClient, such as
// transport credentials or a custom dialer. Options given here come after
// the client's own and so override them.
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(o *options) { o.dial = append(o.dial, opts...) }
}

// WithInsecure makes the client talk plaintext, without TLS. It is the
// default for now; pass credentials WithDialOptions to use TLS.
func WithInsecure() Option {
	return func(o *options) { o.insecure = true }
}

// WithTimeout sets the deadline given to a call whose context has none
// (DefaultTimeout by default). For ClassifyAll it bounds the whole call.
// A d of zero or less leaves such calls without a deadline.
func WithTimeout(d time.Duration) Option {
	return func(o *options) { o.timeout = d }
}

// WithStreams sets how many ClassifyStream streams ClassifyAll runs at once
// (DefaultStreams by default; at least 1).
func WithStreams(n int) Option {
	return func(o *options) { o.streams = n }
}

// New returns a client for the stance service at target, such as
// "localhost:8080" or "dns:///stance.internal:443". Like grpc.NewClient it
// does not connect until the first call.
func New(target string, opts ...Option) (*Client, error) {
	o := options{insecure: true, timeout: DefaultTimeout, streams: DefaultStreams}
	for _, opt := range opts {
		opt(&o)
	}
	if o.streams < 1 {
		return nil, fmt.Errorf("client: WithStreams(%d): need at least 1 stream", o.streams)
	}
	var dial []grpc.DialOption
	if o.insecure {
		dial = append(dial, grpc.WithTransportCredentials(insecure.NewCredentials()))
	}
	dial = append(dial, o.dial...)
	conn, err := grpc.NewClient(target, dial...)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	return &Client{conn: conn, svc: stancev1.NewStanceServiceClient(conn), timeout: o.timeout, streams: o.streams}, nil
}

// Close closes the connection. Calls in flight fail.
func (c *Client) Close() error {
	return c.conn.Close()
}

// withDeadline gives ctx the client's timeout unless it already has a
// deadline.
func (c *Client) withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok || c.timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, c.timeout)
}

// errMalformed marks a response that breaks the service's contract.
var errMalformed = errors.New("malformed response")

// Classify labels one quote.
func (c *Client) Classify(ctx context.Context, q *stancev1.Quote) (*stancev1.Result, error) {
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	resp, err := c.svc.Classify(ctx, &stancev1.ClassifyRequest{Quote: q})
	if err != nil {
		return nil, fmt.Errorf("client: classify: %w", err)
	}
	if resp.GetResult() == nil {
		return nil, fmt.Errorf("client: classify: %w: no result", errMalformed)
	}
	return resp.GetResult(), nil
}

// ClassifyBatch labels quotes in one call, at most the server's batch
// limit. The results are in the order of the quotes. One invalid quote
// fails the whole call with codes.InvalidArgument.
func (c *Client) ClassifyBatch(ctx context.Context, quotes []*stancev1.Quote) ([]*stancev1.Result, error) {
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	resp, err := c.svc.ClassifyBatch(ctx, &stancev1.ClassifyBatchRequest{Quotes: quotes})
	if err != nil {
		return nil, fmt.Errorf("client: classify batch: %w", err)
	}
	if got, want := len(resp.GetResults()), len(quotes); got != want {
		return nil, fmt.Errorf("client: classify batch: %w: %d results for %d quotes", errMalformed, got, want)
	}
	return resp.GetResults(), nil
}

// ClassifyDocument finds, attributes and labels every quoted statement in
// an article, in text order.
func (c *Client) ClassifyDocument(ctx context.Context, text string) ([]*stancev1.DocumentQuote, error) {
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	resp, err := c.svc.ClassifyDocument(ctx, &stancev1.ClassifyDocumentRequest{Text: text})
	if err != nil {
		return nil, fmt.Errorf("client: classify document: %w", err)
	}
	return resp.GetQuotes(), nil
}

// Model describes the model the service is running.
func (c *Client) Model(ctx context.Context) (*stancev1.GetModelResponse, error) {
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	resp, err := c.svc.GetModel(ctx, &stancev1.GetModelRequest{})
	if err != nil {
		return nil, fmt.Errorf("client: get model: %w", err)
	}
	return resp, nil
}
