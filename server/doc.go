// Package server is the gRPC face of stance: it serves the
// stance.v1.StanceService API of proto/stance/v1 over a Classifier (in
// production the lexicon model of package model), together with the standard
// grpc.health.v1 and server reflection services.
//
// The package owns everything that sits between the wire and the model:
// checking requests against the server's limits, naming every bad field in
// an INVALID_ARGUMENT status with BadRequest field violations, finding the
// quotes of an article with package quote, converting model results to
// their proto form, and mapping every error to a gRPC status in one place
// (toStatus). Panics in a handler become INTERNAL with the stack logged,
// never sent.
//
// The gRPC server NewGRPCServer builds is ready for traffic from other
// services: optional bearer-token auth on every call but health checks
// (WithAuthTokens; TLS and mTLS come as grpc.Creds from the caller),
// keepalive enforcement, a cap on concurrent streams per connection,
// message-size limits derived from the request limits, and reflection
// that can be turned off. Shutdown makes it step aside before
// GracefulStop: health turns NOT_SERVING and streams end with
// UNAVAILABLE, so that clients move their remaining quotes to another
// server instead of waiting for the shutdown timeout to cut them off.
//
// Every call is logged at Debug level (method, code, duration, peer,
// quotes answered). With WithMetrics, the server records Prometheus
// metrics on a registry the program owns: per-method call counts, status
// codes and handling times, and the quotes labelled by label (see
// Metrics); without it, it records none.
//
// A typical program builds the model, then
//
//	srv := server.New(m, server.WithLogger(logger))
//	gs := srv.NewGRPCServer()
//	go gs.Serve(lis)
//	...
//	srv.Shutdown() // health turns NOT_SERVING
//	gs.GracefulStop()
//
// cmd/stanced is that program.
package server
