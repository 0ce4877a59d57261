package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/stancehq/stance/model"
)

// The reasons a request field is refused. errBlank and errBadUTF8 are the
// model's own errors, worded for any field.
var (
	errRequired = errors.New("is required")
	errTooLarge = errors.New("is too large")
	errBlank    = &reworded{"is empty or blank", model.ErrEmptyText}
	errBadUTF8  = &reworded{"is not valid UTF-8", model.ErrInvalidUTF8}
)

// errUnauthenticated is a call without a valid bearer token, and
// errShuttingDown a call the server ends because Shutdown was called.
var (
	errUnauthenticated = errors.New("unauthenticated")
	errShuttingDown    = errors.New("the server is shutting down; retry on another")
)

// unknownServiceError is a health check of a service the server does not
// know.
type unknownServiceError struct{ name string }

func (e *unknownServiceError) Error() string { return fmt.Sprintf("unknown service %q", e.name) }

// reworded is an error with the message of its own and the identity of
// another.
type reworded struct {
	msg string
	err error
}

func (e *reworded) Error() string { return e.msg }
func (e *reworded) Unwrap() error { return e.err }

// violation is one bad field of a request.
type violation struct {
	// field is the path of the field, such as "quotes[3].text".
	field string
	err   error
}

// invalidError is a request refused for one or more bad fields.
type invalidError struct {
	// subject, when set, says which part of the request the violations
	// belong to, such as a stream's quote by id.
	subject    string
	violations []violation
}

func (e *invalidError) Error() string {
	var b strings.Builder
	if e.subject != "" {
		b.WriteString(e.subject)
		b.WriteString(": ")
	}
	for i, v := range e.violations {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %v", v.field, v.err)
	}
	return b.String()
}

// Unwrap returns the violations' errors, so that errors.Is finds
// model.ErrEmptyText and the rest.
func (e *invalidError) Unwrap() []error {
	errs := make([]error, len(e.violations))
	for i, v := range e.violations {
		errs[i] = v.err
	}
	return errs
}

// reason is the machine-readable reason of a field violation.
func reason(err error) string {
	switch {
	case errors.Is(err, errRequired):
		return "REQUIRED"
	case errors.Is(err, errTooLarge):
		return "TOO_LARGE"
	case errors.Is(err, model.ErrEmptyText):
		return "BLANK"
	case errors.Is(err, model.ErrInvalidUTF8):
		return "INVALID_UTF8"
	}
	return ""
}

// toStatus maps an error to the gRPC status the client gets. It is the only
// place that does: handlers return plain Go errors and leave the code to
// this function. Errors that are the server's fault are logged here and sent
// as a bare INTERNAL, so that nothing internal (a stack, a file path) leaks
// to clients.
func (s *Server) toStatus(ctx context.Context, method string, err error) error {
	if err == nil {
		return nil
	}
	var inv *invalidError
	var pe *panicError
	var unknown *unknownServiceError
	switch {
	case errors.As(err, &inv):
		st := status.New(codes.InvalidArgument, inv.Error())
		br := &errdetails.BadRequest{}
		for _, v := range inv.violations {
			desc := v.err.Error()
			if inv.subject != "" {
				desc = inv.subject + ": " + desc
			}
			br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{
				Field:       v.field,
				Description: desc,
				Reason:      reason(v.err),
			})
		}
		if withDetails, derr := st.WithDetails(br); derr == nil {
			st = withDetails
		}
		return st.Err()
	case errors.Is(err, model.ErrEmptyText), errors.Is(err, model.ErrInvalidUTF8):
		return status.Error(codes.InvalidArgument, err.Error())
	case errors.As(err, &pe):
		s.logger.LogAttrs(ctx, slog.LevelError, "panic in handler",
			slog.String("method", method),
			slog.Any("panic", pe.value),
			slog.String("stack", string(pe.stack)))
		return status.Error(codes.Internal, "internal error")
	case errors.Is(err, errUnauthenticated):
		return status.Error(codes.Unauthenticated, err.Error())
	case errors.Is(err, errShuttingDown):
		return status.Error(codes.Unavailable, err.Error())
	case errors.As(err, &unknown):
		return status.Error(codes.NotFound, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	}
	// Errors from the stream itself (a client that went away, a message too
	// large) already carry their status.
	if st, ok := status.FromError(err); ok {
		return st.Err()
	}
	// Everything else is the server's fault, the model's other errors
	// included: the sugarme tokenizer (stanced --tokenizer sugarme) fails
	// on some valid text whose offsets it loses track of, text that the
	// checks passed and the fast tokenizer reads, so the quote is not to
	// blame, and a retry would fail the same way.
	s.logger.LogAttrs(ctx, slog.LevelError, "internal error",
		slog.String("method", method),
		slog.String("error", err.Error()))
	return status.Error(codes.Internal, "internal error")
}
