package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"strings"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
)

// healthPrefix starts the method names of the health service, which stays
// open without a token so that probes and load balancers need no secret.
var healthPrefix = "/" + healthpb.Health_ServiceDesc.ServiceName + "/"

// authUnary refuses a unary call without a valid token.
func (s *Server) authUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if err := s.authorize(ctx, info.FullMethod); err != nil {
		return nil, s.toStatus(ctx, info.FullMethod, err)
	}
	return handler(ctx, req)
}

// authStream refuses a streaming call without a valid token, before the
// handler reads a message.
func (s *Server) authStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if err := s.authorize(ss.Context(), info.FullMethod); err != nil {
		return s.toStatus(ss.Context(), info.FullMethod, err)
	}
	return handler(srv, ss)
}

// authorize checks the call's bearer token against the server's tokens.
// Every token is compared, in constant time, by its SHA-256, so that
// neither the time taken nor the tokens' lengths tell a caller how close
// a guess came.
func (s *Server) authorize(ctx context.Context, method string) error {
	if len(s.tokens) == 0 || strings.HasPrefix(method, healthPrefix) {
		return nil
	}
	err := checkToken(ctx, s.tokens)
	if err != nil {
		attrs := []slog.Attr{slog.String("method", method), slog.String("reason", err.Error())}
		if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
			attrs = append(attrs, slog.String("peer", p.Addr.String()))
		}
		s.logger.LogAttrs(ctx, slog.LevelWarn, "call refused", attrs...)
	}
	return err
}

func checkToken(ctx context.Context, tokens [][sha256.Size]byte) error {
	md, _ := metadata.FromIncomingContext(ctx)
	values := md.Get("authorization")
	switch len(values) {
	case 0:
		return fmt.Errorf("%w: no bearer token (metadata \"authorization: Bearer TOKEN\")", errUnauthenticated)
	case 1:
	default:
		return fmt.Errorf("%w: %d authorization values, want one", errUnauthenticated, len(values))
	}
	scheme, token, ok := strings.Cut(strings.TrimSpace(values[0]), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return fmt.Errorf("%w: authorization is not a bearer token", errUnauthenticated)
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	match := 0
	for _, t := range tokens {
		match |= subtle.ConstantTimeCompare(sum[:], t[:])
	}
	if match != 1 {
		return fmt.Errorf("%w: the bearer token is not valid", errUnauthenticated)
	}
	return nil
}
