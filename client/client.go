package client

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	_ "google.golang.org/grpc/health" // client-side health checking, named in the service config
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/resolver/manual"

	stancev1 "github.com/stancehq/stance/proto/stance/v1"
)

// DefaultTimeout is the deadline a call gets when the caller's context has
// none.
const DefaultTimeout = 30 * time.Second

// DefaultStreams is how many ClassifyStream streams ClassifyAll runs at once
// unless WithStreams says otherwise.
const DefaultStreams = 4

// DefaultMaxAttempts is how many times a call, or a quote of ClassifyAll,
// is tried when the service is UNAVAILABLE, unless WithMaxAttempts says
// otherwise.
const DefaultMaxAttempts = 5

// MaxRecvBytes is the largest response the client accepts: as large as the
// largest the server sends (server.MaxSendBytes), well above gRPC's
// default of 4 MiB, which a ClassifyDocument response for a long article
// can pass.
const MaxRecvBytes = 64 << 20

// The client's keepalive: on a connection with calls under way and
// nothing heard for keepaliveTime, the client pings the server and gives
// the connection up if no answer comes within keepaliveTimeout, so that a
// server that vanished (a host lost, a network cut) fails the calls
// instead of leaving them to their deadlines. keepaliveTime must not be
// below the server's server.KeepaliveMinTime, or the server hangs up.
const (
	keepaliveTime    = 30 * time.Second
	keepaliveTimeout = 10 * time.Second
)

// Client talks to the stance service on one server or several. It is safe
// for concurrent use.
type Client struct {
	conn        *grpc.ClientConn
	svc         stancev1.StanceServiceClient
	timeout     time.Duration
	streams     int
	maxAttempts int
}

// Option configures New.
type Option func(*options)

type options struct {
	dial        []grpc.DialOption
	insecure    bool // WithInsecure was given
	tls         *tls.Config
	token       string
	timeout     time.Duration
	streams     int
	maxAttempts int
}

// WithDialOptions passes extra options to grpc.NewClient, such as a custom
// dialer. Options given here come after the client's own and so override
// them.
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(o *options) { o.dial = append(o.dial, opts...) }
}

// WithInsecure makes the client talk plaintext, without TLS. It is the
// default unless WithTLS is given; saying it is needed only to send a
// token in clear (WithToken).
func WithInsecure() Option {
	return func(o *options) { o.insecure = true }
}

// WithTLS makes the client talk TLS with cfg, which says which CAs to
// trust (the system's when cfg.RootCAs is nil) and, for a server that
// requires one, the client's certificate. A nil cfg means the defaults.
func WithTLS(cfg *tls.Config) Option {
	return func(o *options) {
		if cfg == nil {
			cfg = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		o.tls = cfg
	}
}

// WithToken sends token as "authorization: Bearer TOKEN" on every call,
// for a server started with auth tokens. The token needs TLS (WithTLS):
// on a plaintext connection anyone on the path could read it, so New
// refuses WithToken without WithTLS unless WithInsecure was given
// explicitly, as it may be for loopback or a proxy that encrypts.
func WithToken(token string) Option {
	return func(o *options) { o.token = token }
}

// WithTimeout sets the deadline given to a call whose context has none
// (DefaultTimeout by default). For ClassifyAll it bounds the whole call.
// A d of zero or less leaves such calls without a deadline.
func WithTimeout(d time.Duration) Option {
	return func(o *options) { o.timeout = d }
}

// WithStreams sets how many ClassifyStream streams ClassifyAll runs at once
// (DefaultStreams by default; at least 1). With several servers the
// streams are spread over them.
func WithStreams(n int) Option {
	return func(o *options) { o.streams = n }
}

// WithMaxAttempts sets how many times a call, and each quote of
// ClassifyAll, is tried in all while the service answers UNAVAILABLE (a
// server down, restarting or shutting down), with exponential backoff
// between tries (DefaultMaxAttempts by default). 1 turns retries off.
func WithMaxAttempts(n int) Option {
	return func(o *options) { o.maxAttempts = n }
}

// serviceConfig is the gRPC service config of every client, with %s the
// retry policy. round_robin spreads calls, and ClassifyAll's streams,
// over every address of the target, skipping those not READY: a server
// that is down, or whose health service says NOT_SERVING (the check runs
// on the StanceService's name; a server without a health service counts
// as serving).
//
// The retry policy covers the unary methods, which may all be retried as
// none changes anything. ClassifyStream is left out: gRPC could retry a
// stream only until its first response, and ClassifyAll does better,
// sending again exactly the quotes a broken stream left unanswered.
const serviceConfig = `{
  "loadBalancingConfig": [{"round_robin": {}}],
  "healthCheckConfig": {"serviceName": "stance.v1.StanceService"},
  "methodConfig": [{
    "name": [
      {"service": "stance.v1.StanceService", "method": "Classify"},
      {"service": "stance.v1.StanceService", "method": "ClassifyBatch"},
      {"service": "stance.v1.StanceService", "method": "ClassifyDocument"},
      {"service": "stance.v1.StanceService", "method": "GetModel"}
    ]%s
  }]
}`

// retryPolicy retries calls that failed with UNAVAILABLE, with
// exponential backoff.
const retryPolicy = `,
    "retryPolicy": {
      "maxAttempts": %d,
      "initialBackoff": "0.1s",
      "maxBackoff": "2s",
      "backoffMultiplier": 2,
      "retryableStatusCodes": ["UNAVAILABLE"]
    }`

// New returns a client for the stance service at target, one of
//
//   - "host:port", such as "localhost:50051";
//   - a comma-separated list of them, "10.0.0.1:50051,10.0.0.2:50051",
//     balanced round-robin;
//   - a gRPC target with a scheme, such as "dns:///stance.internal:443",
//     which balances round-robin over every address the name resolves to.
//
// Like grpc.NewClient it does not connect until the first call.
func New(target string, opts ...Option) (*Client, error) {
	o := options{timeout: DefaultTimeout, streams: DefaultStreams, maxAttempts: DefaultMaxAttempts}
	for _, opt := range opts {
		opt(&o)
	}
	switch {
	case o.streams < 1:
		return nil, fmt.Errorf("client: WithStreams(%d): need at least 1 stream", o.streams)
	case o.maxAttempts < 1:
		return nil, fmt.Errorf("client: WithMaxAttempts(%d): need at least 1 attempt", o.maxAttempts)
	case o.tls != nil && o.insecure:
		return nil, errors.New("client: WithTLS and WithInsecure contradict each other")
	case o.token != "" && o.tls == nil && !o.insecure:
		return nil, errors.New("client: WithToken without WithTLS would send the token in clear; add WithTLS, or WithInsecure to accept that")
	}

	retry := ""
	if o.maxAttempts > 1 {
		retry = fmt.Sprintf(retryPolicy, o.maxAttempts)
	}
	dial := []grpc.DialOption{
		grpc.WithDefaultServiceConfig(fmt.Sprintf(serviceConfig, retry)),
		grpc.WithMaxCallAttempts(max(o.maxAttempts, 2)),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(MaxRecvBytes)),
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: keepaliveTime, Timeout: keepaliveTimeout}),
		// gRPC's default reconnect backoff grows to two minutes, which
		// would keep a server back from a restart, or a rolling deploy,
		// out of the balance for that long.
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: 500 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 10 * time.Second},
			MinConnectTimeout: 5 * time.Second,
		}),
	}
	if o.tls != nil {
		dial = append(dial, grpc.WithTransportCredentials(credentials.NewTLS(o.tls)))
	} else {
		dial = append(dial, grpc.WithTransportCredentials(insecure.NewCredentials()))
	}
	if o.token != "" {
		dial = append(dial, grpc.WithPerRPCCredentials(bearer{token: o.token, secure: o.tls != nil}))
	}
	target, r, err := resolve(target)
	if err != nil {
		return nil, err
	}
	if r != nil {
		dial = append(dial, grpc.WithResolvers(r))
	}
	dial = append(dial, o.dial...)
	conn, err := grpc.NewClient(target, dial...)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	return &Client{conn: conn, svc: stancev1.NewStanceServiceClient(conn), timeout: o.timeout, streams: o.streams, maxAttempts: o.maxAttempts}, nil
}

// listScheme is the scheme of the resolver New makes for a list of
// addresses; the resolver is the connection's own (grpc.WithResolvers), so
// clients do not share it.
const listScheme = "stance-list"

// resolve turns a comma-separated list of addresses into a target and the
// resolver that yields them; any other target is returned as it is.
func resolve(target string) (string, resolver.Builder, error) {
	if !strings.Contains(target, ",") {
		if target == "" {
			return "", nil, errors.New("client: no target address")
		}
		return target, nil, nil
	}
	var addrs []resolver.Address
	for _, a := range strings.Split(target, ",") {
		a = strings.TrimSpace(a)
		if strings.Contains(a, "://") {
			return "", nil, fmt.Errorf("client: target %q: a list holds host:port addresses, not %q", target, a)
		}
		if _, _, err := net.SplitHostPort(a); err != nil {
			return "", nil, fmt.Errorf("client: target %q: %w", target, err)
		}
		addrs = append(addrs, resolver.Address{Addr: a})
	}
	r := manual.NewBuilderWithScheme(listScheme)
	r.InitialState(resolver.State{Addresses: addrs})
	return listScheme + ":///" + target, r, nil
}

// bearer is the per-call credentials of WithToken.
type bearer struct {
	token  string
	secure bool
}

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + b.token}, nil
}

// RequireTransportSecurity is true with TLS, so that gRPC itself would
// refuse to send the token should the transport ever not be secure.
func (b bearer) RequireTransportSecurity() bool { return b.secure }

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
