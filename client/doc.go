// Package client is the Go client of the stance service: what another Go
// program imports to have quotes labelled with their speech act.
//
// A Client wraps one gRPC connection. Every call gets a deadline: the
// caller's, or the client's timeout (WithTimeout) when the caller's context
// has none. Classify, ClassifyBatch, ClassifyDocument and Model map one to
// one onto the service's RPCs. ClassifyAll is for callers with many quotes:
// it checks every quote locally, spreads the valid ones over a few
// concurrent ClassifyStream streams, and matches the results back to the
// quotes by id, so that a result is never silently lost or misplaced.
//
// Errors from the service are returned wrapped; status.Code and
// status.FromError see through the wrapping.
package client
