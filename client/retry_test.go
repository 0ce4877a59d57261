package client_test

import (
	"context"
	"crypto/tls"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/stancehq/stance/client"
	"github.com/stancehq/stance/internal/testcerts"
	stancev1 "github.com/stancehq/stance/proto/stance/v1"
)

func TestTargets(t *testing.T) {
	tests := []struct {
		target string
		ok     bool
	}{
		{"localhost:50051", true},
		{"dns:///stance.internal:443", true},
		{"10.0.0.1:50051,10.0.0.2:50051", true},
		{"a:1, b:2 ,[::1]:3", true},
		{"", false},
		{"a:1,", false},
		{"a:1,b", false},
		{"a:1,dns:///b:2", false},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			c, err := client.New(tt.target)
			if (err == nil) != tt.ok {
				t.Fatalf("New(%q) = %v, want success %v", tt.target, err, tt.ok)
			}
			if c != nil {
				c.Close()
			}
		})
	}
}

// warm calls GetModel until every fake has answered one, so that the
// client is connected to all of them: round-robin picks only among
// servers it is connected to, and the first calls go out before the
// other connections are up.
func warm(t *testing.T, c *client.Client, fakes ...*fake) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := c.Model(testContext(t)); err != nil {
			t.Fatal(err)
		}
		all := true
		for _, f := range fakes {
			all = all && f.modelCalls.Load() > 0
		}
		if all {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the client did not reach every server within 10s")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestClassifyAllBalances(t *testing.T) {
	var n fakeNet
	fakes := []*fake{{}, {}}
	n.serve(t, "one:1", fakes[0])
	n.serve(t, "two:2", fakes[1])
	c := n.client(t, "one:1,two:2", client.WithStreams(4))
	warm(t, c, fakes...)
	qs := quotes(2000)
	got, err := c.ClassifyAll(testContext(t), qs)
	if err != nil {
		t.Fatal(err)
	}
	checkAll(t, qs, got)
	for i, f := range fakes {
		if f.received.Load() == 0 || f.opened.Load() == 0 {
			t.Errorf("server %d received %d quotes on %d streams; want work on both", i, f.received.Load(), f.opened.Load())
		}
	}
	if sum := fakes[0].received.Load() + fakes[1].received.Load(); sum != int64(len(qs)) {
		t.Errorf("servers received %d quotes in all, want %d", sum, len(qs))
	}
}

// TestClassifyAllRetriesBrokenStreams breaks streams under way, as a
// server shutting down or dying does: every quote must still get exactly
// one result, the quotes of broken streams being sent again.
func TestClassifyAllRetriesBrokenStreams(t *testing.T) {
	tests := []struct {
		name  string
		fakes []*fake
	}{
		{"one server of two breaks every stream", []*fake{{breakAfter: 150}, {}}},
		{"both break streams", []*fake{{breakAfter: 300}, {breakAfter: 700}}},
		{"one server breaks every stream", []*fake{{breakAfter: 400}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n fakeNet
			var addrs []string
			for i, f := range tt.fakes {
				addr := "server" + strconv.Itoa(i) + ":1"
				n.serve(t, addr, f)
				addrs = append(addrs, addr)
			}
			target := strings.Join(addrs, ",")
			if len(addrs) == 1 {
				target = "passthrough:///" + target
			}
			c := n.client(t, target, client.WithStreams(3), client.WithMaxAttempts(20))
			warm(t, c, tt.fakes...)
			qs := quotes(3000)
			got, err := c.ClassifyAll(testContext(t), qs)
			if err != nil {
				t.Fatal(err)
			}
			checkAll(t, qs, got)
			var broken, received int64
			for _, f := range tt.fakes {
				broken += f.broken.Load()
				received += f.received.Load()
			}
			if broken == 0 {
				t.Fatal("no stream broke: the test tests nothing")
			}
			if received != int64(len(qs)) {
				t.Errorf("servers answered %d quotes, want %d", received, len(qs))
			}
		})
	}
}

func TestClassifyAllGivesUp(t *testing.T) {
	var n fakeNet
	n.serve(t, "only:1", &fake{breakAfter: 1})
	c := n.client(t, "passthrough:///only:1", client.WithStreams(2), client.WithMaxAttempts(3))
	start := time.Now()
	got, err := c.ClassifyAll(testContext(t), quotes(10))
	if status.Code(err) != codes.Unavailable || !strings.Contains(err.Error(), "after 3 attempts") {
		t.Fatalf("error %v, want Unavailable after 3 attempts", err)
	}
	if got != nil {
		t.Errorf("got %d results with the error, want none", len(got))
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v to give up", d)
	}
}

func TestUnaryRetry(t *testing.T) {
	tests := []struct {
		name        string
		failures    int64
		maxAttempts int
		wantCode    codes.Code
		wantCalls   int64
	}{
		{"retried", 2, 0, codes.OK, 3},
		{"out of attempts", 10, 3, codes.Unavailable, 3},
		{"no retries", 1, 1, codes.Unavailable, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fake{}
			f.unavailable.Store(tt.failures)
			var opts []client.Option
			if tt.maxAttempts > 0 {
				opts = append(opts, client.WithMaxAttempts(tt.maxAttempts))
			}
			c := startFake(t, f, opts...)
			_, err := c.Classify(testContext(t), &stancev1.Quote{Text: "we warn"})
			if status.Code(err) != tt.wantCode {
				t.Fatalf("Classify = %v, want %v", err, tt.wantCode)
			}
			if got := f.classifyCalls.Load(); got != tt.wantCalls {
				t.Errorf("server saw %d calls, want %d", got, tt.wantCalls)
			}
		})
	}
}

// tokenCheck is a server interceptor that wants "Bearer right".
func tokenCheck(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	if v := md.Get("authorization"); len(v) != 1 || v[0] != "Bearer right" {
		return nil, status.Errorf(codes.Unauthenticated, "got %q", v)
	}
	return handler(ctx, req)
}

func TestTLSAndToken(t *testing.T) {
	certs := testcerts.New(t, "client")
	other := testcerts.New(t, "other")
	serverTLS := &tls.Config{Certificates: []tls.Certificate{certs.Server}, ClientCAs: certs.Pool, ClientAuth: tls.RequireAndVerifyClientCert}
	var n fakeNet
	n.serve(t, "localhost:443", &fake{}, grpc.Creds(credentials.NewTLS(serverTLS)), grpc.UnaryInterceptor(tokenCheck))
	n.serve(t, "plain:80", &fake{}, grpc.UnaryInterceptor(tokenCheck))

	good := &tls.Config{RootCAs: certs.Pool, Certificates: []tls.Certificate{certs.Client}}
	tests := []struct {
		name   string
		target string
		opts   []client.Option
		want   codes.Code
	}{
		{"mTLS and token", "localhost:443", []client.Option{client.WithTLS(good), client.WithToken("right")}, codes.OK},
		{"wrong token", "localhost:443", []client.Option{client.WithTLS(good), client.WithToken("wrong")}, codes.Unauthenticated},
		{"no token", "localhost:443", []client.Option{client.WithTLS(good)}, codes.Unauthenticated},
		{"no client certificate", "localhost:443", []client.Option{client.WithTLS(&tls.Config{RootCAs: certs.Pool}), client.WithToken("right")}, codes.Unavailable},
		{"untrusted server", "localhost:443", []client.Option{client.WithTLS(&tls.Config{RootCAs: other.Pool, Certificates: []tls.Certificate{certs.Client}}), client.WithToken("right")}, codes.Unavailable},
		{"plaintext to TLS", "localhost:443", []client.Option{client.WithToken("right"), client.WithInsecure()}, codes.Unavailable},
		{"token in clear, said so", "plain:80", []client.Option{client.WithToken("right"), client.WithInsecure()}, codes.OK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := n.client(t, "passthrough:///"+tt.target, append(tt.opts, client.WithMaxAttempts(1))...)
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			_, err := c.Classify(ctx, &stancev1.Quote{Text: "we warn"})
			if got := status.Code(err); got != tt.want {
				t.Errorf("Classify = %v, want %v", err, tt.want)
			}
		})
	}

	for name, opts := range map[string][]client.Option{
		"token without TLS": {client.WithToken("right")},
		"TLS and plaintext": {client.WithTLS(good), client.WithInsecure()},
		"no attempts":       {client.WithMaxAttempts(0)},
	} {
		if c, err := client.New("localhost:443", opts...); err == nil {
			c.Close()
			t.Errorf("New with %s succeeded, want an error", name)
		}
	}
}

func TestClassifyAllUnreachable(t *testing.T) {
	var n fakeNet
	c := n.client(t, "passthrough:///nowhere:1", client.WithMaxAttempts(3))
	start := time.Now()
	_, err := c.ClassifyAll(testContext(t), quotes(5))
	if status.Code(err) != codes.Unavailable || !strings.Contains(err.Error(), "after 3 attempts") {
		t.Fatalf("error %v, want Unavailable after 3 attempts", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v to give up on an unreachable server", d)
	}
}
