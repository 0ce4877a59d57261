package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/stancehq/stance/model"
	stancev1 "github.com/stancehq/stance/proto/stance/v1"
	"github.com/stancehq/stance/server"
)

// logWatch collects run's JSON log and reports the address it listens on,
// and the address it serves metrics on, which is logged before.
type logWatch struct {
	mu          sync.Mutex
	buf         bytes.Buffer
	metricsAddr string
	addr        chan string
}

func newLogWatch() *logWatch { return &logWatch{addr: make(chan string, 1)} }

func (w *logWatch) Write(p []byte) (int, error) {
	var rec struct {
		Msg  string `json:"msg"`
		Addr string `json:"addr"`
	}
	isJSON := json.Unmarshal(p, &rec) == nil
	w.mu.Lock()
	w.buf.Write(p)
	if isJSON && rec.Msg == "serving metrics" {
		w.metricsAddr = rec.Addr
	}
	w.mu.Unlock()
	if isJSON && rec.Msg == "listening" {
		w.addr <- rec.Addr
	}
	return len(p), nil
}

// metrics returns the address run serves metrics on, or "".
func (w *logWatch) metrics() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.metricsAddr
}

func (w *logWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// running is a run call under way.
type running struct {
	addr   string
	cancel context.CancelFunc
	done   chan error
	logs   *logWatch
}

// startRun calls run with args on a loopback port and waits until it
// listens. The test's end stops it if the test did not.
func startRun(t *testing.T, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	r := &running{cancel: cancel, done: make(chan error, 1), logs: newLogWatch()}
	args = append([]string{"--listen", "127.0.0.1:0", "--log-format", "json"}, args...)
	go func() { r.done <- run(ctx, args, r.logs) }()
	select {
	case r.addr = <-r.logs.addr:
	case err := <-r.done:
		cancel()
		t.Fatalf("run returned before listening: %v\n%s", err, r.logs)
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatalf("run did not listen within 20s\n%s", r.logs)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(20 * time.Second):
			t.Error("run did not return after the test")
		}
	})
	return r
}

// stop cancels run's context and returns what run returns.
func (r *running) stop(t *testing.T) error {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		r.done <- err // for the cleanup
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("run did not return within 20s of the cancel")
		return nil
	}
}

func dial(t *testing.T, addr string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("grpc.NewClient(%s): %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func callContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestRun(t *testing.T) {
	r := startRun(t)
	if !strings.HasPrefix(r.addr, "127.0.0.1:") || strings.HasSuffix(r.addr, ":0") {
		t.Fatalf("listening on %q, want a loopback port", r.addr)
	}
	conn := dial(t, r.addr)

	m, err := model.New()
	if err != nil {
		t.Fatal(err)
	}
	got, err := stancev1.NewStanceServiceClient(conn).GetModel(callContext(t), &stancev1.GetModelRequest{})
	if err != nil {
		t.Fatalf("GetModel: %v", err)
	}
	if info := m.Info(); got.GetName() != info.Name || got.GetLexiconChecksum() != info.Checksum || int(got.GetEntryCount()) != info.Entries {
		t.Errorf("GetModel = %v, want the bundled model %+v", got, info)
	}

	hc := healthpb.NewHealthClient(conn)
	for _, svc := range []string{"", "stance.v1.StanceService"} {
		resp, err := hc.Check(callContext(t), &healthpb.HealthCheckRequest{Service: svc})
		if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Errorf("Check(%q) = %v, %v; want SERVING", svc, resp, err)
		}
	}

	if err := r.stop(t); err != nil {
		t.Fatalf("run = %v, want nil after the cancel", err)
	}
	for _, msg := range []string{`"msg":"shutting down"`, `"msg":"stopped"`} {
		if !strings.Contains(r.logs.String(), msg) {
			t.Errorf("the log lacks %s:\n%s", msg, r.logs)
		}
	}
	if addr := r.logs.metrics(); addr != "" {
		t.Errorf("metrics served on %s without --metrics-addr", addr)
	}
	if _, err := hc.Check(callContext(t), &healthpb.HealthCheckRequest{}); status.Code(err) != codes.Unavailable {
		t.Errorf("Check after the stop = %v, want Unavailable", err)
	}
}

// TestRunShutdownTimeout holds a stream open through the shutdown: run
// must wait for it no longer than --shutdown-timeout, then cut it off.
func TestRunShutdownTimeout(t *testing.T) {
	r := startRun(t, "--shutdown-timeout", "300ms")
	conn := dial(t, r.addr)
	stream, err := stancev1.NewStanceServiceClient(conn).ClassifyStream(callContext(t))
	if err != nil {
		t.Fatalf("ClassifyStream: %v", err)
	}
	if err := stream.Send(&stancev1.ClassifyStreamRequest{Quote: &stancev1.Quote{Id: "1", Text: "We will respond."}}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatalf("Recv: %v", err)
	}
	start := time.Now()
	if err := r.stop(t); err != nil {
		t.Fatalf("run = %v, want nil", err)
	}
	if elapsed := time.Since(start); elapsed < 300*time.Millisecond || elapsed > 10*time.Second {
		t.Errorf("run took %v to stop with a stream open, want about the 300ms timeout", elapsed)
	}
	if _, err := stream.Recv(); err == nil {
		t.Error("the open stream still works after the stop")
	}
	if !strings.Contains(r.logs.String(), "cutting them off") {
		t.Errorf("the log does not say the calls were cut off:\n%s", r.logs)
	}
}

func TestRunLexicon(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tiny.lex")
	lex := "@name tiny\n@version 9.9\n\n[entries]\nretaliate\tthreat=2\nbaseless\tdenial=2\n"
	if err := os.WriteFile(path, []byte(lex), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  string
		args []string
	}{
		{"flag", "", []string{"--lexicon", path}},
		{"environment", path, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" {
				t.Setenv("STANCE_LEXICON", tt.env)
			}
			r := startRun(t, tt.args...)
			got, err := stancev1.NewStanceServiceClient(dial(t, r.addr)).GetModel(callContext(t), &stancev1.GetModelRequest{})
			if err != nil {
				t.Fatalf("GetModel: %v", err)
			}
			if got.GetName() != "tiny" || got.GetVersion() != "9.9" || got.GetEntryCount() != 2 {
				t.Errorf("GetModel = %v, want the tiny lexicon's model", got)
			}
		})
	}
}

func TestRunStartupErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.lex")
	if err := os.WriteFile(bad, []byte("@name bad\n@version 1\n[entries]\nretaliate\tthreat=2\nno tab on this line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"malformed lexicon", []string{"--lexicon", bad}, bad + ":5:"},
		{"missing lexicon", []string{"--lexicon", filepath.Join(dir, "none.lex")}, "none.lex"},
		{"bad flag value", []string{"--max-batch", "many"}, "max-batch"},
		{"bad listen address", []string{"--listen", "127.0.0.1:notaport"}, "listening"},
		{"bad metrics address", []string{"--listen", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:notaport"}, "--metrics-addr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			err := run(ctx, tt.args, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestParseConfig(t *testing.T) {
	defaults := config{
		listen:          "127.0.0.1:50051",
		maxBatch:        server.DefaultMaxBatch,
		maxTextBytes:    server.DefaultMaxTextBytes,
		maxDocBytes:     server.DefaultMaxDocumentBytes,
		maxStreams:      server.DefaultMaxConcurrentStreams,
		reflection:      true,
		shutdownTimeout: 10 * time.Second,
		logFormat:       "text",
		logLevel:        slog.LevelInfo,
		tokenizer:       model.TokenizerFast,
	}
	with := func(f func(*config)) config {
		c := defaults
		f(&c)
		return c
	}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    config
		wantErr string
	}{
		{name: "defaults", want: defaults},
		{name: "flags", args: []string{"--listen", ":0", "--lexicon", "x.lex", "--tokenizer", "sugarme", "--metrics-addr", "127.0.0.1:9090", "--max-batch", "7", "--max-text-bytes", "100", "--max-doc-bytes", "1000", "--max-streams", "8",
			"--tls-cert", "c.pem", "--tls-key", "k.pem", "--client-ca", "ca.pem", "--auth-token-file", "t", "--reflection=false",
			"--shutdown-timeout", "3s", "--log-format", "json", "--log-level", "debug"},
			want: config{listen: ":0", lexicon: "x.lex", tokenizer: model.TokenizerSugarme, metricsAddr: "127.0.0.1:9090", maxBatch: 7, maxTextBytes: 100, maxDocBytes: 1000, maxStreams: 8,
				tlsCert: "c.pem", tlsKey: "k.pem", clientCA: "ca.pem", authTokenFile: "t", reflection: false,
				shutdownTimeout: 3 * time.Second, logFormat: "json", logLevel: slog.LevelDebug}},
		{name: "environment", env: map[string]string{"STANCE_LISTEN": ":1", "STANCE_LEXICON": "e.lex", "STANCE_TOKENIZER": "sugarme", "STANCE_METRICS_ADDR": ":9091", "STANCE_MAX_BATCH": "9", "STANCE_MAX_TEXT_BYTES": "11", "STANCE_MAX_DOC_BYTES": "12", "STANCE_MAX_STREAMS": "13",
			"STANCE_TLS_CERT": "c.pem", "STANCE_TLS_KEY": "k.pem", "STANCE_CLIENT_CA": "ca.pem", "STANCE_AUTH_TOKEN_FILE": "t", "STANCE_REFLECTION": "false",
			"STANCE_SHUTDOWN_TIMEOUT": "1m", "STANCE_LOG_FORMAT": "json", "STANCE_LOG_LEVEL": "warn"},
			want: config{listen: ":1", lexicon: "e.lex", tokenizer: model.TokenizerSugarme, metricsAddr: ":9091", maxBatch: 9, maxTextBytes: 11, maxDocBytes: 12, maxStreams: 13,
				tlsCert: "c.pem", tlsKey: "k.pem", clientCA: "ca.pem", authTokenFile: "t", reflection: false,
				shutdownTimeout: time.Minute, logFormat: "json", logLevel: slog.LevelWarn}},
		{name: "flag wins over environment", args: []string{"--max-batch", "5"}, env: map[string]string{"STANCE_MAX_BATCH": "9", "STANCE_LOG_FORMAT": "json"},
			want: with(func(c *config) { c.maxBatch, c.logFormat = 5, "json" })},
		{name: "bad environment value", env: map[string]string{"STANCE_MAX_DOC_BYTES": "1MB"}, wantErr: "STANCE_MAX_DOC_BYTES"},
		{name: "bad flag value", args: []string{"--shutdown-timeout", "soon"}, wantErr: "shutdown-timeout"},
		{name: "zero batch", args: []string{"--max-batch", "0"}, wantErr: "--max-batch"},
		{name: "negative text limit", env: map[string]string{"STANCE_MAX_TEXT_BYTES": "-1"}, wantErr: "--max-text-bytes"},
		{name: "zero timeout", args: []string{"--shutdown-timeout", "0s"}, wantErr: "--shutdown-timeout"},
		{name: "zero streams", args: []string{"--max-streams", "0"}, wantErr: "--max-streams"},
		{name: "certificate without key", args: []string{"--tls-cert", "c.pem"}, wantErr: "--tls-key"},
		{name: "key without certificate", env: map[string]string{"STANCE_TLS_KEY": "k.pem"}, wantErr: "--tls-cert"},
		{name: "client CA without TLS", args: []string{"--client-ca", "ca.pem"}, wantErr: "--client-ca"},
		{name: "bad reflection value", env: map[string]string{"STANCE_REFLECTION": "maybe"}, wantErr: "STANCE_REFLECTION"},
		{name: "unknown log format", args: []string{"--log-format", "xml"}, wantErr: "--log-format"},
		{name: "unknown tokenizer", args: []string{"--tokenizer", "slow"}, wantErr: "tokenizer"},
		{name: "unknown tokenizer in the environment", env: map[string]string{"STANCE_TOKENIZER": "bert"}, wantErr: "STANCE_TOKENIZER"},
		{name: "unknown log level", args: []string{"--log-level", "loud"}, wantErr: "log-level"},
		{name: "positional argument", args: []string{"serve"}, wantErr: `"serve"`},
		{name: "unknown flag", args: []string{"--port", "1"}, wantErr: "port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			got, err := parseConfig(tt.args, lookup, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseConfig = %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseConfig: %v", err)
			}
			if got != tt.want {
				t.Errorf("parseConfig = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// scrape gets the text exposition of the metrics served on addr and
// returns its samples by series, such as
// `stance_classifications_total{label="threat"}`.
func scrape(t *testing.T, addr string) map[string]float64 {
	t.Helper()
	req, err := http.NewRequestWithContext(callContext(t), http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading /metrics: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s\n%s", resp.Status, body)
	}
	samples := map[string]float64{}
	for _, line := range strings.Split(string(body), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		samples[line[:i]] = v
	}
	return samples
}

// TestRunMetrics serves metrics on a loopback port, makes calls, and
// scrapes them over HTTP; the endpoint goes when run returns.
func TestRunMetrics(t *testing.T) {
	r := startRun(t, "--metrics-addr", "127.0.0.1:0")
	maddr := r.logs.metrics()
	if !strings.HasPrefix(maddr, "127.0.0.1:") || strings.HasSuffix(maddr, ":0") || maddr == r.addr {
		t.Fatalf("metrics served on %q, want a loopback port of their own", maddr)
	}
	m, err := model.New()
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"We will respond with full force if they attack us again.", "We reject these baseless claims."}
	want := map[string]float64{}
	client := stancev1.NewStanceServiceClient(dial(t, r.addr))
	for _, text := range texts {
		if _, err := client.Classify(callContext(t), &stancev1.ClassifyRequest{Quote: &stancev1.Quote{Text: text}}); err != nil {
			t.Fatalf("Classify: %v", err)
		}
		res, err := m.Classify(model.Input{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		want[fmt.Sprintf("stance_classifications_total{label=%q}", res.Label)]++
	}
	if _, err := client.Classify(callContext(t), &stancev1.ClassifyRequest{}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("Classify without a quote = %v, want InvalidArgument", err)
	}

	got := scrape(t, maddr)
	const classify = `grpc_method="Classify",grpc_service="stance.v1.StanceService",grpc_type="unary"`
	want[`grpc_server_handled_total{grpc_code="OK",`+classify+`}`] = 2
	want[`grpc_server_handled_total{grpc_code="InvalidArgument",`+classify+`}`] = 1
	want[`grpc_server_handling_seconds_count{`+classify+`}`] = 3
	for _, l := range model.Labels() {
		series := fmt.Sprintf("stance_classifications_total{label=%q}", l)
		if _, ok := want[series]; !ok {
			want[series] = 0
		}
	}
	for series, w := range want {
		if g, ok := got[series]; !ok || g != w {
			t.Errorf("%s = %v (present: %v), want %v", series, g, ok, w)
		}
	}
	for _, series := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		if _, ok := got[series]; !ok {
			t.Errorf("the metrics lack %s", series)
		}
	}

	if err := r.stop(t); err != nil {
		t.Fatalf("run = %v, want nil after the cancel", err)
	}
	if resp, err := http.Get("http://" + maddr + "/metrics"); err == nil {
		resp.Body.Close()
		t.Errorf("metrics still served after run returned: %s", resp.Status)
	}
}

// TestRunTokenizer serves with each tokenizer: the same quote gets the
// same result, and the log names the tokenizer.
func TestRunTokenizer(t *testing.T) {
	const text = "We will respond with full force if they attack us again."
	var results []*stancev1.Result
	for _, tok := range []string{"fast", "sugarme"} {
		t.Run(tok, func(t *testing.T) {
			r := startRun(t, "--tokenizer", tok)
			resp, err := stancev1.NewStanceServiceClient(dial(t, r.addr)).Classify(callContext(t),
				&stancev1.ClassifyRequest{Quote: &stancev1.Quote{Text: text}})
			if err != nil {
				t.Fatalf("Classify: %v", err)
			}
			results = append(results, resp.GetResult())
			if want := `"tokenizer":"` + tok + `"`; !strings.Contains(r.logs.String(), want) {
				t.Errorf("the log does not say %s:\n%s", want, r.logs)
			}
		})
	}
	if len(results) == 2 && !proto.Equal(results[0], results[1]) {
		t.Errorf("the tokenizers' results differ:\nfast    %v\nsugarme %v", results[0], results[1])
	}
}
