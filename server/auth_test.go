package server

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	stancev1 "github.com/stancehq/stance/proto/stance/v1"
)

func TestAuthTokens(t *testing.T) {
	const token, old = "s3cret-token", "previous-token"
	env := start(t, &fakeClassifier{}, WithAuthTokens(token, "", old))
	quote := &stancev1.Quote{Id: "1", Text: "words"}
	calls := map[string]func(context.Context) error{
		"Classify": func(ctx context.Context) error {
			_, err := env.client.Classify(ctx, &stancev1.ClassifyRequest{Quote: quote})
			return err
		},
		"ClassifyBatch": func(ctx context.Context) error {
			_, err := env.client.ClassifyBatch(ctx, &stancev1.ClassifyBatchRequest{Quotes: []*stancev1.Quote{quote}})
			return err
		},
		"ClassifyDocument": func(ctx context.Context) error {
			_, err := env.client.ClassifyDocument(ctx, &stancev1.ClassifyDocumentRequest{Text: `He said "no".`})
			return err
		},
		"GetModel": func(ctx context.Context) error {
			_, err := env.client.GetModel(ctx, &stancev1.GetModelRequest{})
			return err
		},
		"ClassifyStream": func(ctx context.Context) error {
			stream, err := env.client.ClassifyStream(ctx)
			if err != nil {
				return err
			}
			// The refusal comes before the server reads anything.
			_ = stream.Send(&stancev1.ClassifyStreamRequest{Quote: quote})
			_ = stream.CloseSend()
			for {
				if _, err := stream.Recv(); errors.Is(err, io.EOF) {
					return nil
				} else if err != nil {
					return err
				}
			}
		},
		"reflection": func(ctx context.Context) error {
			stream, err := reflectionpb.NewServerReflectionClient(env.conn).ServerReflectionInfo(ctx)
			if err != nil {
				return err
			}
			_ = stream.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}})
			_, err = stream.Recv()
			return err
		},
	}
	tests := []struct {
		name   string
		values []string // authorization metadata
		want   codes.Code
	}{
		{"no token", nil, codes.Unauthenticated},
		{"wrong token", []string{"Bearer guess"}, codes.Unauthenticated},
		{"token as prefix", []string{"Bearer " + token + "x"}, codes.Unauthenticated},
		{"prefix of token", []string{"Bearer " + token[:len(token)-1]}, codes.Unauthenticated},
		{"empty token", []string{"Bearer "}, codes.Unauthenticated},
		{"not bearer", []string{"Basic " + token}, codes.Unauthenticated},
		{"no scheme", []string{token}, codes.Unauthenticated},
		{"two values", []string{"Bearer " + token, "Bearer " + token}, codes.Unauthenticated},
		{"right token", []string{"Bearer " + token}, codes.OK},
		{"second token", []string{"Bearer " + old}, codes.OK},
		{"scheme in lower case", []string{"bearer " + token}, codes.OK},
	}
	for _, tt := range tests {
		for name, call := range calls {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				ctx := testContext(t)
				for _, v := range tt.values {
					ctx = metadata.AppendToOutgoingContext(ctx, "authorization", v)
				}
				err := call(ctx)
				if got := status.Code(err); got != tt.want {
					t.Fatalf("code = %v (%v), want %v", got, err, tt.want)
				}
				if err != nil && strings.Contains(err.Error(), token) {
					t.Errorf("the status shows the token: %v", err)
				}
			})
		}
	}

	// Probes need no token.
	resp, err := healthpb.NewHealthClient(env.conn).Check(testContext(t), &healthpb.HealthCheckRequest{})
	if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("health Check without a token = %v, %v; want SERVING", resp, err)
	}
	if logs := env.logs.String(); !strings.Contains(logs, "call refused") || strings.Contains(logs, token) {
		t.Errorf("refusals are not logged, or the log shows the token:\n%s", logs)
	}
}

func TestNoAuthTokens(t *testing.T) {
	// Empty tokens do not turn auth on with a token nobody can send.
	env := start(t, &fakeClassifier{}, WithAuthTokens(""))
	if _, err := env.client.GetModel(testContext(t), &stancev1.GetModelRequest{}); err != nil {
		t.Errorf("GetModel without a token: %v", err)
	}
}
