package server

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"math"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"

	"github.com/stancehq/stance/model"
	stancev1 "github.com/stancehq/stance/proto/stance/v1"
)

// Classifier labels quotes. *model.Model is the production Classifier;
// tests use fakes.
type Classifier interface {
	// Classify labels one quote.
	Classify(model.Input) (model.Result, error)
	// Info describes the classifier's model.
	Info() model.Info
}

var _ Classifier = (*model.Model)(nil)

// The default limits of a Server.
const (
	DefaultMaxBatch         = 1000
	DefaultMaxTextBytes     = 16 << 10
	DefaultMaxDocumentBytes = 1 << 20
	// DefaultMaxConcurrentStreams is how many calls one client connection
	// may have open at once; further calls wait for one to end.
	DefaultMaxConcurrentStreams = 1000
)

// The transport settings of the gRPC server NewGRPCServer builds. They are
// fixed rather than options because clients must agree with them:
// package client pings no more often than KeepaliveMinTime.
const (
	// KeepaliveMinTime is the shortest interval between a client's
	// keepalive pings the server tolerates; a client that pings more often
	// is disconnected with GOAWAY "too_many_pings". Pings on connections
	// without calls are allowed, so that idle clients can find out early
	// that a server has gone.
	KeepaliveMinTime = 10 * time.Second
	// KeepaliveTime is how long a connection may be silent before the
	// server pings the client, and KeepaliveTimeout how long it then waits
	// for the answer before closing the connection, so that calls of
	// clients that vanished without closing their connection (a host that
	// lost power or network) do not hold resources for ever.
	KeepaliveTime    = 1 * time.Minute
	KeepaliveTimeout = 20 * time.Second
	// MaxSendBytes is the largest response message the server sends; a
	// ClassifyDocument response for a full article of many quotes is the
	// largest there is. A larger one fails with RESOURCE_EXHAUSTED.
	MaxSendBytes = 64 << 20
)

// recvHeadroom is what a request message may hold beyond the largest text
// field the limits allow: the rest of the message's fields and framing. A
// request past the document limit by less than this reaches the handler
// and gets INVALID_ARGUMENT naming the field; one larger still is refused by
// the transport with RESOURCE_EXHAUSTED before it is read into memory.
const recvHeadroom = 64 << 10

// Server implements stance.v1.StanceService over a Classifier. It is safe
// for concurrent use.
type Server struct {
	stancev1.UnimplementedStanceServiceServer

	clf        Classifier
	maxBatch   int
	maxText    int
	maxDoc     int
	maxStreams uint32
	reflection bool
	// tokens holds the SHA-256 of every bearer token accepted; none means
	// calls need no token.
	tokens [][sha256.Size]byte
	logger *slog.Logger
	// metrics is nil unless WithMetrics.
	metrics *Metrics

	// draining is closed by Shutdown.
	draining     chan struct{}
	shutdownOnce sync.Once
}

var _ stancev1.StanceServiceServer = (*Server)(nil)

// Option configures New.
type Option func(*Server)

// WithMaxBatch sets how many quotes one ClassifyBatch call may hold
// (default DefaultMaxBatch). Values below 1 keep the default.
func WithMaxBatch(n int) Option {
	return func(s *Server) {
		if n > 0 {
			s.maxBatch = n
		}
	}
}

// WithMaxTextBytes sets the largest text, and the largest context, a quote
// may have in bytes (default DefaultMaxTextBytes); the quote's id and speaker
// are held to it too. Values below 1 keep the default.
func WithMaxTextBytes(n int) Option {
	return func(s *Server) {
		if n > 0 {
			s.maxText = n
		}
	}
}

// WithMaxDocumentBytes sets the largest article ClassifyDocument accepts,
// in bytes (default DefaultMaxDocumentBytes). It also sizes the largest
// request message the gRPC server built by NewGRPCServer receives. Values
// below 1 keep the default.
func WithMaxDocumentBytes(n int) Option {
	return func(s *Server) {
		if n > 0 {
			s.maxDoc = n
		}
	}
}

// WithMaxConcurrentStreams sets how many calls one client connection may
// have open at once (default DefaultMaxConcurrentStreams); further calls
// wait until one ends. Values below 1 keep the default.
func WithMaxConcurrentStreams(n int) Option {
	return func(s *Server) {
		if n > 0 {
			s.maxStreams = uint32(min(n, math.MaxUint32))
		}
	}
}

// WithReflection says whether NewGRPCServer registers the server
// reflection service, which lets tools such as grpcurl list and describe
// the API without its proto files (default true). With auth tokens set,
// reflection needs a token like every other call but health checks.
func WithReflection(on bool) Option {
	return func(s *Server) { s.reflection = on }
}

// WithAuthTokens makes every call, except those of the health service,
// need the metadata "authorization: Bearer TOKEN" with one of tokens;
// other calls fail with UNAUTHENTICATED. Several tokens let a token be
// rotated without downtime. Empty tokens are ignored; with none left, no
// token is needed (the default).
//
// A token is only as secret as the connection it travels on: serve with
// TLS (grpc.Creds passed to NewGRPCServer) unless a trusted proxy in front
// of the server terminates TLS.
func WithAuthTokens(tokens ...string) Option {
	return func(s *Server) {
		s.tokens = nil
		for _, t := range tokens {
			if t != "" {
				s.tokens = append(s.tokens, sha256.Sum256([]byte(t)))
			}
		}
	}
}

// WithLogger sets where the server logs (default slog.Default()). Internal
// errors and recovered panics are logged at Error level with their stack;
// every call is logged at Debug level, in one record "call" with the
// method, the status code, the duration, the peer's address and, for the
// calls that classify, how many quotes were answered. Nothing is logged
// at Info level per call, and with Debug disabled the call log costs no
// more than the check.
func WithLogger(l *slog.Logger) Option {
	return func(s *Server) {
		if l != nil {
			s.logger = l
		}
	}
}

// New returns a Server that classifies with c, which must be ready: a
// gRPC server built from it reports SERVING at once.
func New(c Classifier, opts ...Option) *Server {
	s := &Server{
		clf:        c,
		maxBatch:   DefaultMaxBatch,
		maxText:    DefaultMaxTextBytes,
		maxDoc:     DefaultMaxDocumentBytes,
		maxStreams: DefaultMaxConcurrentStreams,
		reflection: true,
		logger:     slog.Default(),
		draining:   make(chan struct{}),
	}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// maxRecvMsgSize is the largest request message worth reading: a full
// document, or a quote with full text and context, plus headroom.
func (s *Server) maxRecvMsgSize() int {
	n := max(s.maxDoc, 4*s.maxText)
	if n > math.MaxInt32-recvHeadroom {
		return math.MaxInt32
	}
	return n + recvHeadroom
}

// NewGRPCServer returns a gRPC server with the StanceService, the health
// service (reporting SERVING for "" and "stance.v1.StanceService") and,
// unless WithReflection(false), server reflection registered; with
// WithMetrics, the gRPC metrics of every method, panic recovery, call
// logging and, with WithAuthTokens, token checks installed, in that order;
// the largest request message sized from the document limit; and the
// keepalive policy and stream limit set. extra options, such as grpc.Creds
// for TLS, are applied after the server's own.
func (s *Server) NewGRPCServer(extra ...grpc.ServerOption) *grpc.Server {
	unary := []grpc.UnaryServerInterceptor{s.logUnary, s.recoverUnary, s.authUnary}
	stream := []grpc.StreamServerInterceptor{s.logStream, s.recoverStream, s.authStream}
	if s.metrics != nil {
		// Outermost, so that the metrics see the code the client gets: a
		// recovered panic as INTERNAL, a refused token as UNAUTHENTICATED.
		unary = slices.Insert(unary, 0, s.metrics.grpc.UnaryServerInterceptor())
		stream = slices.Insert(stream, 0, s.metrics.grpc.StreamServerInterceptor())
	}
	opts := append([]grpc.ServerOption{
		grpc.ChainUnaryInterceptor(unary...),
		grpc.ChainStreamInterceptor(stream...),
		grpc.MaxRecvMsgSize(s.maxRecvMsgSize()),
		grpc.MaxSendMsgSize(MaxSendBytes),
		grpc.MaxConcurrentStreams(s.maxStreams),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: KeepaliveMinTime, PermitWithoutStream: true}),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: KeepaliveTime, Timeout: KeepaliveTimeout}),
		grpc.ForceServerCodecV2(newCodec()),
	}, extra...)
	gs := grpc.NewServer(opts...)
	stancev1.RegisterStanceServiceServer(gs, s)
	healthpb.RegisterHealthServer(gs, &healthService{s: s})
	if s.reflection {
		reflection.Register(gs)
	}
	if s.metrics != nil {
		// Every method's series exist from the start, at zero.
		s.metrics.grpc.InitializeMetrics(gs)
	}
	return gs
}

// Shutdown starts the server's retreat, for good, so that clients move
// their work elsewhere before (*grpc.Server).GracefulStop waits for the
// calls under way: every health status turns NOT_SERVING, so that load
// balancers stop sending calls; health Watch calls end with UNAVAILABLE
// after saying so; and each ClassifyStream ends with UNAVAILABLE once it
// has answered the quote in hand, so that its client sends the quotes it
// is still owed to another server (package client does). Unary calls
// under way, and calls that still arrive, are served.
func (s *Server) Shutdown() {
	s.shutdownOnce.Do(func() { close(s.draining) })
}

// isDraining reports whether Shutdown has been called.
func (s *Server) isDraining() bool {
	select {
	case <-s.draining:
		return true
	default:
		return false
	}
}

// recoverUnary turns a panic in a unary handler into INTERNAL.
func (s *Server) recoverUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	defer func() {
		if r := recover(); r != nil {
			resp, err = nil, s.toStatus(ctx, info.FullMethod, &panicError{value: r, stack: debug.Stack()})
		}
	}()
	return handler(ctx, req)
}

// recoverStream turns a panic in a streaming handler into INTERNAL.
func (s *Server) recoverStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = s.toStatus(ss.Context(), info.FullMethod, &panicError{value: r, stack: debug.Stack()})
		}
	}()
	return handler(srv, ss)
}

// logUnary logs each unary call at Debug level.
func (s *Server) logUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if !s.logger.Enabled(ctx, slog.LevelDebug) {
		return handler(ctx, req)
	}
	start := time.Now()
	resp, err := handler(ctx, req)
	n, ok := answered(resp)
	s.logCall(ctx, info.FullMethod, start, err, n, ok)
	return resp, err
}

// logStream logs each streaming call at Debug level.
func (s *Server) logStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	ctx := ss.Context()
	if !s.logger.Enabled(ctx, slog.LevelDebug) {
		return handler(srv, ss)
	}
	start := time.Now()
	if info.FullMethod != stancev1.StanceService_ClassifyStream_FullMethodName {
		err := handler(srv, ss)
		s.logCall(ctx, info.FullMethod, start, err, 0, false)
		return err
	}
	cs := &countingStream{ServerStream: ss}
	err := handler(srv, cs)
	s.logCall(ctx, info.FullMethod, start, err, cs.sent, true)
	return err
}

// logCall logs a call that ended with err; quotes, if counted, is how many
// quotes it answered.
func (s *Server) logCall(ctx context.Context, method string, start time.Time, err error, quotes int, counted bool) {
	attrs := make([]slog.Attr, 0, 5)
	attrs = append(attrs,
		slog.String("method", method),
		slog.String("code", status.Code(err).String()),
		slog.Duration("duration", time.Since(start)))
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		attrs = append(attrs, slog.String("peer", p.Addr.String()))
	}
	if counted {
		attrs = append(attrs, slog.Int("quotes", quotes))
	}
	s.logger.LogAttrs(ctx, slog.LevelDebug, "call", attrs...)
}

// answered returns how many quotes a unary response answers, and false
// for responses of calls that do not classify.
func answered(resp any) (int, bool) {
	switch r := resp.(type) {
	case *stancev1.ClassifyResponse:
		if r.GetResult() != nil {
			return 1, true
		}
		return 0, true
	case *stancev1.ClassifyBatchResponse:
		return len(r.GetResults()), true
	case *stancev1.ClassifyDocumentResponse:
		return len(r.GetQuotes()), true
	}
	return 0, false
}

// countingStream counts the messages a ClassifyStream handler sends, each
// the result of one quote. The handler sends from one goroutine and the
// count is read after it returns, so it needs no lock.
type countingStream struct {
	grpc.ServerStream
	sent int
}

func (c *countingStream) SendMsg(m any) error {
	err := c.ServerStream.SendMsg(m)
	if err == nil {
		c.sent++
	}
	return err
}

// panicError is a panic recovered in a handler.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("panic: %v", e.value) }
