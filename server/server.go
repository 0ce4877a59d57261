package server

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"runtime/debug"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
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

	clf      Classifier
	maxBatch int
	maxText  int
	maxDoc   int
	logger   *slog.Logger
	health   *health.Server
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

// WithLogger sets where the server logs (default slog.Default()). Internal
// errors and recovered panics are logged at Error level with their stack;
// every call is logged at Debug level.
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
		clf:      c,
		maxBatch: DefaultMaxBatch,
		maxText:  DefaultMaxTextBytes,
		maxDoc:   DefaultMaxDocumentBytes,
		logger:   slog.Default(),
		health:   health.NewServer(),
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
// service (reporting SERVING for "" and "stance.v1.StanceService") and
// server reflection registered, panic recovery and call logging installed,
// and the largest request message sized from the document limit. extra
// options are applied after the server's own.
func (s *Server) NewGRPCServer(extra ...grpc.ServerOption) *grpc.Server {
	opts := append([]grpc.ServerOption{
		grpc.ChainUnaryInterceptor(s.logUnary, s.recoverUnary),
		grpc.ChainStreamInterceptor(s.logStream, s.recoverStream),
		grpc.MaxRecvMsgSize(s.maxRecvMsgSize()),
		grpc.ForceServerCodecV2(newCodec()),
	}, extra...)
	gs := grpc.NewServer(opts...)
	stancev1.RegisterStanceServiceServer(gs, s)
	healthpb.RegisterHealthServer(gs, s.health)
	reflection.Register(gs)
	s.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	s.health.SetServingStatus(stancev1.StanceService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	return gs
}

// Shutdown turns every health status to NOT_SERVING for good, so that load
// balancers stop sending calls; call it before (*grpc.Server).GracefulStop.
// Calls already under way, and calls that still arrive, are served.
func (s *Server) Shutdown() {
	s.health.Shutdown()
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
	start := time.Now()
	resp, err := handler(ctx, req)
	s.logCall(ctx, info.FullMethod, start, err)
	return resp, err
}

// logStream logs each streaming call at Debug level.
func (s *Server) logStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	start := time.Now()
	err := handler(srv, ss)
	s.logCall(ss.Context(), info.FullMethod, start, err)
	return err
}

func (s *Server) logCall(ctx context.Context, method string, start time.Time, err error) {
	s.logger.LogAttrs(ctx, slog.LevelDebug, "call",
		slog.String("method", method),
		slog.String("code", status.Code(err).String()),
		slog.Duration("elapsed", time.Since(start)))
}

// panicError is a panic recovered in a handler.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("panic: %v", e.value) }
