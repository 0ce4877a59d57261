// Package client is the Go client of the stance service: what another Go
// program imports to have quotes labelled with their speech act.
//
// A Client wraps one gRPC connection, to one server or to several: New
// takes "host:port", a comma-separated list of them, or a gRPC target such
// as "dns:///stance.internal:443", and spreads calls round-robin over every
// address that is up and whose health service says SERVING.
//
// Every call gets a deadline: the caller's, or the client's timeout
// (WithTimeout) when the caller's context has none. Classify,
// ClassifyBatch, ClassifyDocument and Model map one to one onto the
// service's RPCs, and are retried with backoff, through gRPC's service
// config, while the service answers UNAVAILABLE (WithMaxAttempts).
// ClassifyAll is for callers with many quotes: it checks every quote
// locally, spreads the valid ones over a few concurrent ClassifyStream
// streams, and matches the results back to the quotes by id, so that a
// result is never silently lost or misplaced; when a stream breaks (its
// server restarting, shutting down or gone) the quotes it left unanswered
// are sent again on another.
//
// WithTLS and WithToken speak to a server run with TLS, mutual TLS and
// bearer tokens (see cmd/stanced).
//
// Errors from the service are returned wrapped; status.Code and
// status.FromError see through the wrapping.
package client
