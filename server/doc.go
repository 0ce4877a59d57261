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
