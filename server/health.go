package server

import (
	"context"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	stancev1 "github.com/stancehq/stance/proto/stance/v1"
)

// healthService is the standard grpc.health.v1.Health service for a
// Server: "" (the whole server) and "stance.v1.StanceService" are SERVING
// until Shutdown and NOT_SERVING after it. It is written here rather than
// taken from grpc's health package for one difference: on Shutdown its
// Watch calls end, after sending NOT_SERVING, instead of staying open. A
// client balancing over several servers keeps a Watch open on each (as
// package client does), and (*grpc.Server).GracefulStop waits for every
// open call, so a Watch that never ended would hold every shutdown for
// the whole shutdown timeout.
type healthService struct {
	healthpb.UnimplementedHealthServer
	s *Server
}

var _ healthpb.HealthServer = (*healthService)(nil)

// services are the names the health service knows.
var services = []string{"", stancev1.StanceService_ServiceDesc.ServiceName}

// status returns the status of service, and whether it is known.
func (h *healthService) status(service string) (healthpb.HealthCheckResponse_ServingStatus, bool) {
	for _, name := range services {
		if name == service {
			if h.s.isDraining() {
				return healthpb.HealthCheckResponse_NOT_SERVING, true
			}
			return healthpb.HealthCheckResponse_SERVING, true
		}
	}
	return healthpb.HealthCheckResponse_SERVICE_UNKNOWN, false
}

// Check reports the status of a service, or NOT_FOUND for one the server
// does not know.
func (h *healthService) Check(ctx context.Context, req *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
	st, ok := h.status(req.GetService())
	if !ok {
		return nil, h.s.toStatus(ctx, healthpb.Health_Check_FullMethodName, &unknownServiceError{name: req.GetService()})
	}
	return &healthpb.HealthCheckResponse{Status: st}, nil
}

// List reports the status of every service the server knows.
func (h *healthService) List(ctx context.Context, _ *healthpb.HealthListRequest) (*healthpb.HealthListResponse, error) {
	resp := &healthpb.HealthListResponse{Statuses: make(map[string]*healthpb.HealthCheckResponse, len(services))}
	for _, name := range services {
		st, _ := h.status(name)
		resp.Statuses[name] = &healthpb.HealthCheckResponse{Status: st}
	}
	return resp, nil
}

// Watch sends the status of a service (SERVICE_UNKNOWN for one the server
// does not know) and then, on Shutdown, NOT_SERVING, and ends with
// UNAVAILABLE. The statuses change only then.
func (h *healthService) Watch(req *healthpb.HealthCheckRequest, stream grpc.ServerStreamingServer[healthpb.HealthCheckResponse]) error {
	ctx := stream.Context()
	st, known := h.status(req.GetService())
	if err := stream.Send(&healthpb.HealthCheckResponse{Status: st}); err != nil {
		return h.s.toStatus(ctx, healthpb.Health_Watch_FullMethodName, err)
	}
	if st != healthpb.HealthCheckResponse_NOT_SERVING {
		select {
		case <-ctx.Done():
			return h.s.toStatus(ctx, healthpb.Health_Watch_FullMethodName, ctx.Err())
		case <-h.s.draining:
		}
		if known {
			if err := stream.Send(&healthpb.HealthCheckResponse{Status: healthpb.HealthCheckResponse_NOT_SERVING}); err != nil {
				return h.s.toStatus(ctx, healthpb.Health_Watch_FullMethodName, err)
			}
		}
	}
	return h.s.toStatus(ctx, healthpb.Health_Watch_FullMethodName, errShuttingDown)
}
