// Package creds reads the files that secure the stance service, TLS
// certificates and keys and bearer tokens, and turns them into what
// crypto/tls and package client need. cmd/stanced uses it for the server's
// side (--tls-cert, --tls-key, --client-ca, --auth-token-file) and
// cmd/stance for the client's (--tls-ca, --tls-cert, --tls-key,
// --auth-token-file), so that both read the same files the same way.
package creds

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode"
)

// ServerTLS returns the TLS configuration of a server presenting the
// certificate chain in certFile with the key in keyFile (PEM). With a
// clientCAFile, the server asks every client for a certificate and refuses
// a client without one signed by a CA in that file (mutual TLS).
func ServerTLS(certFile, keyFile, clientCAFile string) (*tls.Config, error) {
	if certFile == "" || keyFile == "" {
		return nil, errors.New("a TLS server needs both a certificate and a key file")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("loading the certificate %s and key %s: %w", certFile, keyFile, err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if clientCAFile != "" {
		pool, err := readPool(clientCAFile)
		if err != nil {
			return nil, err
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// ClientTLS returns the TLS configuration of a client that trusts the CAs
// in caFile, or the system's when caFile is empty, and presents the
// certificate in certFile with the key in keyFile when both are given (for
// a server that requires client certificates). serverName, when set,
// replaces the host of the address as the name the server's certificate
// must hold.
func ClientTLS(caFile, certFile, keyFile, serverName string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: serverName}
	if caFile != "" {
		pool, err := readPool(caFile)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}
	switch {
	case certFile != "" && keyFile != "":
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("loading the client certificate %s and key %s: %w", certFile, keyFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	case certFile != "" || keyFile != "":
		return nil, errors.New("a client certificate needs both a certificate and a key file")
	}
	return cfg, nil
}

// readPool reads the PEM certificates of path into a pool.
func readPool(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading CA certificates: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate", path)
	}
	return pool, nil
}

// ReadTokens reads bearer tokens from a file, one a line. Blank lines and
// lines starting with # are skipped; space around a token is not part of
// it. A server accepts any of the tokens, so that a new token can be
// added, handed to clients and the old one removed without downtime. A
// file without a token, or a token with space or control characters in
// it, is an error naming the file and line.
func ReadTokens(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading tokens: %w", err)
	}
	var tokens []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if i := strings.IndexFunc(line, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }); i >= 0 {
			return nil, fmt.Errorf("%s:%d: a token may not hold space or control characters", path, n)
		}
		tokens = append(tokens, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(tokens) == 0 {
		return nil, fmt.Errorf("%s holds no token", path)
	}
	return tokens, nil
}

// ReadToken reads the one bearer token a client sends from a file in the
// format of ReadTokens.
func ReadToken(path string) (string, error) {
	tokens, err := ReadTokens(path)
	if err != nil {
		return "", err
	}
	if len(tokens) > 1 {
		return "", fmt.Errorf("%s holds %d tokens; a client sends one", path, len(tokens))
	}
	return tokens[0], nil
}
