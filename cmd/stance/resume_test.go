package main

import (
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/stancehq/stance/internal/testcerts"
	"github.com/stancehq/stance/server"
)

// TestResume cuts the output of a finished run at many points, as a kill
// would leave it, and resumes: the file must end up as the full run's.
func TestResume(t *testing.T) {
	addr := startServer(t, nil) + "," + startServer(t, nil)
	var in strings.Builder
	for i := range 40 {
		fmt.Fprintf(&in, `{"id":"%d","text":"Quote %d: we will respond to any attack with force."}`+"\n", i, i)
	}
	dir := t.TempDir()
	input := filepath.Join(dir, "in.jsonl")
	if err := os.WriteFile(input, []byte(in.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
	}{
		{"classify", []string{"classify", "--addr", addr, "--in", input}},
		{"corpus", []string{"corpus", "--addr", addr, corpusDir}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.jsonl")
			_, fullErrs, err := runStance(t, "", append(tt.args, "--out", path, "--resume")...)
			if err != nil {
				t.Fatalf("full run: %v\n%s", err, fullErrs)
			}
			full, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(string(full), "\n"); n < 20 {
				t.Fatalf("the full run wrote %d lines, too few to test with", n)
			}
			for _, cut := range []int{0, 1, len(full) / 3, len(full) / 2, len(full) - 2, len(full) - 1, len(full)} {
				if err := os.WriteFile(path, full[:cut], 0o644); err != nil {
					t.Fatal(err)
				}
				_, errs, err := runStance(t, "", append(tt.args, "--out", path, "--resume")...)
				if err != nil {
					t.Fatalf("cut at %d: resumed run: %v\n%s", cut, err, errs)
				}
				kept, summary, _ := strings.Cut(errs, "\n")
				if !strings.Contains(kept, "records kept") {
					t.Errorf("cut at %d: stderr does not say what was kept: %q", cut, errs)
				}
				// corpus sums up every row of the file, kept or new.
				_, fullSummary, _ := strings.Cut(fullErrs, "\n")
				if summary != fullSummary {
					t.Errorf("cut at %d: summary\n%s\nwant the full run's:\n%s", cut, summary, fullSummary)
				}
				got, _ := os.ReadFile(path)
				if string(got) != string(full) {
					t.Errorf("cut at %d: resumed output differs from the full run's", cut)
				}
			}
		})
	}
}

func TestSecureClient(t *testing.T) {
	certs := testcerts.New(t, "stance")
	serverTLS := &tls.Config{Certificates: []tls.Certificate{certs.Server}, ClientCAs: certs.Pool, ClientAuth: tls.RequireAndVerifyClientCert}
	addr := startServer(t, []server.Option{server.WithAuthTokens("tok")}, grpc.Creds(credentials.NewTLS(serverTLS)))
	dir := t.TempDir()
	token := filepath.Join(dir, "token")
	wrong := filepath.Join(dir, "wrong")
	for path, tok := range map[string]string{token: "tok\n", wrong: "guess\n"} {
		if err := os.WriteFile(path, []byte(tok), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	const in = `{"id":"1","text":"We will respond."}` + "\n"
	mtls := []string{"--tls-ca", certs.CAFile, "--tls-cert", certs.ClientCertFile, "--tls-key", certs.ClientKey}
	tests := []struct {
		name string
		args []string
		want string // "" for success, else in the error
	}{
		{"mTLS and token", append([]string{"--auth-token-file", token}, mtls...), ""},
		{"wrong token", append([]string{"--auth-token-file", wrong}, mtls...), "Unauthenticated"},
		{"no token", mtls, "Unauthenticated"},
		{"no client certificate", []string{"--tls-ca", certs.CAFile, "--auth-token-file", token}, "Unavailable"},
		{"server name", append([]string{"--auth-token-file", token, "--tls-server-name", "localhost"}, mtls...), ""},
		{"wrong server name", append([]string{"--auth-token-file", token, "--tls-server-name", "stance.example"}, mtls...), "Unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, err := runStance(t, in, append([]string{"classify", "--addr", addr, "--timeout", "5s"}, tt.args...)...)
			if tt.want == "" {
				if err != nil || strings.Count(out, "\n") != 1 {
					t.Errorf("classify = %v, output %q, stderr %q; want one line", err, out, errs)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("classify = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
