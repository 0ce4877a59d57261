package main

import (
	"context"
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	"github.com/stancehq/stance/internal/testcerts"
	stancev1 "github.com/stancehq/stance/proto/stance/v1"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRunSecurity runs the server with mutual TLS and tokens and calls it
// as clients with and without each credential would.
func TestRunSecurity(t *testing.T) {
	certs := testcerts.New(t, "stanced")
	other := testcerts.New(t, "other")
	tokens := writeFile(t, "tokens", "# current\ntok-new\n# until the rollout is done\ntok-old\n")
	r := startRun(t, "--tls-cert", certs.ServerCertFile, "--tls-key", certs.ServerKey, "--client-ca", certs.CAFile,
		"--auth-token-file", tokens, "--reflection=false")

	mtls := &tls.Config{RootCAs: certs.Pool, Certificates: []tls.Certificate{certs.Client}}
	tests := []struct {
		name  string
		creds credentials.TransportCredentials
		token string
		want  codes.Code
	}{
		{"mTLS and token", credentials.NewTLS(mtls), "tok-new", codes.OK},
		{"mTLS and the older token", credentials.NewTLS(mtls), "tok-old", codes.OK},
		{"mTLS, wrong token", credentials.NewTLS(mtls), "tok-guess", codes.Unauthenticated},
		{"mTLS, no token", credentials.NewTLS(mtls), "", codes.Unauthenticated},
		{"TLS without client certificate", credentials.NewTLS(&tls.Config{RootCAs: certs.Pool}), "tok-new", codes.Unavailable},
		{"client certificate of another CA", credentials.NewTLS(&tls.Config{RootCAs: certs.Pool, Certificates: []tls.Certificate{other.Client}}), "tok-new", codes.Unavailable},
		{"plaintext", insecure.NewCredentials(), "tok-new", codes.Unavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := grpc.NewClient(r.addr, grpc.WithTransportCredentials(tt.creds))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			ctx := callContext(t)
			if tt.token != "" {
				ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+tt.token)
			}
			_, err = stancev1.NewStanceServiceClient(conn).Classify(ctx, &stancev1.ClassifyRequest{Quote: &stancev1.Quote{Text: "We will respond."}})
			if got := status.Code(err); got != tt.want {
				t.Errorf("Classify = %v, want %v", err, tt.want)
			}
		})
	}

	conn, err := grpc.NewClient(r.addr, grpc.WithTransportCredentials(credentials.NewTLS(mtls)))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if resp, err := healthpb.NewHealthClient(conn).Check(callContext(t), &healthpb.HealthCheckRequest{}); err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("health Check without a token = %v, %v; want SERVING", resp, err)
	}
	ctx := metadata.AppendToOutgoingContext(callContext(t), "authorization", "Bearer tok-new")
	stream, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err == nil {
		_ = stream.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}})
		_, err = stream.Recv()
	}
	if status.Code(err) != codes.Unimplemented {
		t.Errorf("reflection with --reflection=false = %v, want Unimplemented", err)
	}
	logs := r.logs.String()
	if !strings.Contains(logs, `"tls":true,"mtls":true,"auth":true,"reflection":false`) || strings.Contains(logs, "tok-new") {
		t.Errorf("the log does not say how the server is secured, or shows a token:\n%s", logs)
	}
}

func TestRunSecurityStartupErrors(t *testing.T) {
	certs := testcerts.New(t, "errors")
	empty := writeFile(t, "empty-tokens", "# none yet\n")
	notPEM := writeFile(t, "not.pem", "hello\n")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"token file without token", []string{"--auth-token-file", empty}, "empty-tokens holds no token"},
		{"missing token file", []string{"--auth-token-file", filepath.Join(t.TempDir(), "nope")}, "--auth-token-file"},
		{"key of another certificate", []string{"--tls-cert", certs.ServerCertFile, "--tls-key", certs.ClientKey}, "server.pem"},
		{"client CA not PEM", []string{"--tls-cert", certs.ServerCertFile, "--tls-key", certs.ServerKey, "--client-ca", notPEM}, "not.pem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			err := run(ctx, append([]string{"--listen", "127.0.0.1:0"}, tt.args...), &strings.Builder{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
