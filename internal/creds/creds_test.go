package creds

import (
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stancehq/stance/internal/testcerts"
)

func write(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadTokens(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    []string
		wantErr string
	}{
		{"one", "abc123\n", []string{"abc123"}, ""},
		{"no newline, spaces around", "  abc123 \t", []string{"abc123"}, ""},
		{"comments and blank lines", "# rotated 2026-11\nnew-token\n\n# old, remove after the rollout\nold-token\n", []string{"new-token", "old-token"}, ""},
		{"empty", "", nil, "no token"},
		{"only comments", "# nothing\n\n", nil, "no token"},
		{"space inside", "abc 123\n", nil, ":1:"},
		{"control character", "ok\nab\x01c\n", nil, ":2:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadTokens(write(t, "tokens", tt.content))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ReadTokens = %q, %v; want an error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("ReadTokens = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if _, err := ReadTokens(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Error("ReadTokens of a missing file succeeded")
	}
	if _, err := ReadToken(write(t, "two", "a\nb\n")); err == nil || !strings.Contains(err.Error(), "2 tokens") {
		t.Errorf("ReadToken of two tokens = %v, want an error", err)
	}
	if got, err := ReadToken(write(t, "one", "# c\ntok\n")); err != nil || got != "tok" {
		t.Errorf("ReadToken = %q, %v; want tok", got, err)
	}
}

func TestConfigErrors(t *testing.T) {
	certs := testcerts.New(t, "errors")
	notPEM := write(t, "not.pem", "hello\n")
	missing := filepath.Join(t.TempDir(), "missing.pem")
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"server without key", func() error { _, err := ServerTLS(certs.ServerCertFile, "", ""); return err }, "both"},
		{"server key mismatch", func() error { _, err := ServerTLS(certs.ServerCertFile, certs.ClientKey, ""); return err }, certs.ServerCertFile},
		{"server missing cert", func() error { _, err := ServerTLS(missing, certs.ServerKey, ""); return err }, "missing.pem"},
		{"client CA not PEM", func() error { _, err := ServerTLS(certs.ServerCertFile, certs.ServerKey, notPEM); return err }, "no PEM"},
		{"client CA missing", func() error { _, err := ClientTLS(missing, "", "", ""); return err }, "missing.pem"},
		{"client cert without key", func() error { _, err := ClientTLS(certs.CAFile, certs.ClientCertFile, "", ""); return err }, "both"},
		{"client key mismatch", func() error {
			_, err := ClientTLS(certs.CAFile, certs.ClientCertFile, certs.ServerKey, "")
			return err
		}, certs.ClientCertFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestHandshake runs TLS handshakes over loopback between the configs the
// package builds: a server with and without client certificates required,
// and clients that trust the right CA or another, with a certificate or
// without.
func TestHandshake(t *testing.T) {
	certs := testcerts.New(t, "good")
	other := testcerts.New(t, "other")
	tests := []struct {
		name                   string
		clientCA               string // server side
		ca, cert, key, srvName string // client side
		ok                     bool
	}{
		{"TLS", "", certs.CAFile, "", "", "", true},
		{"TLS, server name", "", certs.CAFile, "", "", "localhost", true},
		{"TLS, wrong server name", "", certs.CAFile, "", "", "stance.example", false},
		{"TLS, untrusted server", "", other.CAFile, "", "", "", false},
		{"mTLS", certs.CAFile, certs.CAFile, certs.ClientCertFile, certs.ClientKey, "", true},
		{"mTLS, no client certificate", certs.CAFile, certs.CAFile, "", "", "", false},
		{"mTLS, client certificate of another CA", certs.CAFile, certs.CAFile, other.ClientCertFile, other.ClientKey, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scfg, err := ServerTLS(certs.ServerCertFile, certs.ServerKey, tt.clientCA)
			if err != nil {
				t.Fatal(err)
			}
			ccfg, err := ClientTLS(tt.ca, tt.cert, tt.key, tt.srvName)
			if err != nil {
				t.Fatal(err)
			}
			lis, err := tls.Listen("tcp", "127.0.0.1:0", scfg)
			if err != nil {
				t.Fatal(err)
			}
			defer lis.Close()
			served := make(chan error, 1)
			go func() {
				c, err := lis.Accept()
				if err != nil {
					served <- err
					return
				}
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				served <- c.(*tls.Conn).Handshake()
			}()
			d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: 5 * time.Second}, Config: ccfg}
			conn, err := d.DialContext(t.Context(), "tcp", lis.Addr().String())
			if err == nil {
				// In TLS 1.3 the client may finish before the server has
				// checked the client's certificate: read to hear of it.
				_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
				_, _ = conn.Read(make([]byte, 1))
				conn.Close()
			}
			serr := <-served
			if ok := err == nil && serr == nil; ok != tt.ok {
				t.Errorf("handshake: client %v, server %v; want success %v", err, serr, tt.ok)
			}
		})
	}
}
