package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/stancehq/stance/model"
	stancev1 "github.com/stancehq/stance/proto/stance/v1"
)

// startWithMetrics serves clf with metrics on a registry of its own.
func startWithMetrics(t *testing.T, clf Classifier, opts ...Option) (*testEnv, *prometheus.Registry, *Metrics) {
	t.Helper()
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatalf("NewMetrics: %v", err)
	}
	return start(t, clf, append([]Option{WithMetrics(m)}, opts...)...), reg, m
}

// sample returns the value of the counter, or the sample count of the
// histogram, called name whose labels include want; it fails the test if
// there is no such series.
func sample(t *testing.T, reg prometheus.Gatherer, name string, want map[string]string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	series:
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			for k, v := range want {
				if labels[k] != v {
					continue series
				}
			}
			if h := m.GetHistogram(); h != nil {
				return float64(h.GetSampleCount())
			}
			return m.GetCounter().GetValue()
		}
	}
	t.Fatalf("no series %s%v", name, want)
	return 0
}

// method is the labels of the gRPC metrics of a StanceService method.
func method(name string) map[string]string {
	return map[string]string{"grpc_service": "stance.v1.StanceService", "grpc_method": name}
}

// withCode adds a status code to method labels.
func withCode(labels map[string]string, code codes.Code) map[string]string {
	out := map[string]string{"grpc_code": code.String()}
	for k, v := range labels {
		out[k] = v
	}
	return out
}

// TestMetrics makes calls of every RPC and checks what the metrics count:
// calls by method and code, handling times, stream messages, and the
// quotes labelled, by label, whatever the RPC that sent them.
func TestMetrics(t *testing.T) {
	fake := &fakeClassifier{}
	env, reg, m := startWithMetrics(t, fake)
	ctx := testContext(t)

	// The fake labels a quote by the length of its text; want counts the
	// labels the server should have counted.
	var want [model.NumLabels]float64
	sent := func(text string) { want[len(text)%model.NumLabels]++ }

	if _, err := env.client.Classify(ctx, &stancev1.ClassifyRequest{Quote: &stancev1.Quote{Text: "We will respond."}}); err != nil {
		t.Fatalf("Classify: %v", err)
	}
	sent("We will respond.")

	batch := []*stancev1.Quote{{Text: "a"}, {Text: "bb"}, {Text: "ccc"}, {Text: "dddd"}, {Text: "eeeee"}, {Text: "ffffff"}}
	if _, err := env.client.ClassifyBatch(ctx, &stancev1.ClassifyBatchRequest{Quotes: batch}); err != nil {
		t.Fatalf("ClassifyBatch: %v", err)
	}
	for _, q := range batch {
		sent(q.GetText())
	}

	stream, err := env.client.ClassifyStream(ctx)
	if err != nil {
		t.Fatalf("ClassifyStream: %v", err)
	}
	streamed := []string{"one", "three", "seven", "twelve"}
	for i, text := range streamed {
		if err := stream.Send(&stancev1.ClassifyStreamRequest{Quote: &stancev1.Quote{Id: strings.Repeat("x", i+1), Text: text}}); err != nil {
			t.Fatalf("Send: %v", err)
		}
		if _, err := stream.Recv(); err != nil {
			t.Fatalf("Recv: %v", err)
		}
		sent(text)
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatalf("CloseSend: %v", err)
	}
	if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("Recv at the end = %v, want EOF", err)
	}

	doc, err := env.client.ClassifyDocument(ctx, &stancev1.ClassifyDocumentRequest{
		Text: `She said: "first quote here." He replied: "second one." They added: "a third."`})
	if err != nil {
		t.Fatalf("ClassifyDocument: %v", err)
	}
	if len(doc.GetQuotes()) < 2 {
		t.Fatalf("ClassifyDocument found %d quotes, want at least 2", len(doc.GetQuotes()))
	}
	for _, q := range doc.GetQuotes() {
		sent(q.GetText())
	}

	if _, err := env.client.GetModel(ctx, &stancev1.GetModelRequest{}); err != nil {
		t.Fatalf("GetModel: %v", err)
	}
	if _, err := healthpb.NewHealthClient(env.conn).Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
		t.Fatalf("Check: %v", err)
	}
	// A failing call: the blank quote never reaches the classifier.
	if _, err := env.client.Classify(ctx, &stancev1.ClassifyRequest{Quote: &stancev1.Quote{Text: " "}}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("Classify(blank) = %v, want InvalidArgument", err)
	}

	health := map[string]string{"grpc_service": "grpc.health.v1.Health", "grpc_method": "Check"}
	counts := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"grpc_server_handled_total", withCode(method("Classify"), codes.OK), 1},
		{"grpc_server_handled_total", withCode(method("Classify"), codes.InvalidArgument), 1},
		{"grpc_server_handled_total", withCode(method("ClassifyBatch"), codes.OK), 1},
		{"grpc_server_handled_total", withCode(method("ClassifyStream"), codes.OK), 1},
		{"grpc_server_handled_total", withCode(method("ClassifyDocument"), codes.OK), 1},
		{"grpc_server_handled_total", withCode(method("GetModel"), codes.OK), 1},
		{"grpc_server_handled_total", withCode(method("ClassifyDocument"), codes.InvalidArgument), 0},
		{"grpc_server_handled_total", withCode(health, codes.OK), 1},
		{"grpc_server_started_total", method("Classify"), 2},
		{"grpc_server_handling_seconds", method("Classify"), 2},
		{"grpc_server_handling_seconds", method("ClassifyStream"), 1},
		{"grpc_server_msg_received_total", method("ClassifyStream"), float64(len(streamed))},
		{"grpc_server_msg_sent_total", method("ClassifyStream"), float64(len(streamed))},
	}
	for _, c := range counts {
		if got := sample(t, reg, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}

	var got [model.NumLabels]float64
	total := 0.0
	for _, l := range model.Labels() {
		got[l] = testutil.ToFloat64(m.labelled[l])
		total += got[l]
		if s := sample(t, reg, "stance_classifications_total", map[string]string{"label": l.String()}); s != got[l] {
			t.Errorf("stance_classifications_total{label=%q} gathers %v, the counter holds %v", l, s, got[l])
		}
	}
	if got != want {
		t.Errorf("stance_classifications_total by label = %v, want %v", got, want)
	}
	if quotes := len(fake.inputs()); total != float64(quotes) {
		t.Errorf("stance_classifications_total sums to %v, want the %d quotes classified", total, quotes)
	}
}

// TestMetricsCodes checks that the metrics see the status code the client
// gets, whichever interceptor or handler ends the call.
func TestMetricsCodes(t *testing.T) {
	const token = "s3cret"
	tests := []struct {
		name string
		ctx  func(context.Context) context.Context
		text string
		want codes.Code
	}{
		{"ok", withToken(token), "fine words", codes.OK},
		{"invalid", withToken(token), "", codes.InvalidArgument},
		{"panic", withToken(token), "boom", codes.Internal},
		{"classifier error", withToken(token), "fail", codes.Internal},
		{"no token", func(ctx context.Context) context.Context { return ctx }, "fine words", codes.Unauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeClassifier{hook: func(in model.Input) error {
				switch in.Text {
				case "boom":
					panic("classifier exploded")
				case "fail":
					return errors.New("classifier failed")
				}
				return nil
			}}
			env, reg, _ := startWithMetrics(t, fake, WithAuthTokens(token))
			_, err := env.client.Classify(tt.ctx(testContext(t)), &stancev1.ClassifyRequest{Quote: &stancev1.Quote{Text: tt.text}})
			if got := status.Code(err); got != tt.want {
				t.Fatalf("Classify = %v, want %v", err, tt.want)
			}
			if got := sample(t, reg, "grpc_server_handled_total", withCode(method("Classify"), tt.want)); got != 1 {
				t.Errorf("grpc_server_handled_total{code=%v} = %v, want 1", tt.want, got)
			}
			if got := sample(t, reg, "grpc_server_started_total", method("Classify")); got != 1 {
				t.Errorf("grpc_server_started_total = %v, want 1", got)
			}
			wantLabelled := 0.0
			if tt.want == codes.OK {
				wantLabelled = 1
			}
			if got := testutil.CollectAndCount(reg, "stance_classifications_total"); got != model.NumLabels {
				t.Errorf("stance_classifications_total has %d series, want one for each of the %d labels", got, model.NumLabels)
			}
			total := 0.0
			for _, l := range model.Labels() {
				total += sample(t, reg, "stance_classifications_total", map[string]string{"label": l.String()})
			}
			if total != wantLabelled {
				t.Errorf("stance_classifications_total sums to %v, want %v", total, wantLabelled)
			}
		})
	}
}

// withToken returns a function adding a bearer token to a call's context.
func withToken(token string) func(context.Context) context.Context {
	return func(ctx context.Context) context.Context {
		return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	}
}

func TestNewMetricsRegistersOnce(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := NewMetrics(reg); err != nil {
		t.Fatalf("NewMetrics: %v", err)
	}
	var already prometheus.AlreadyRegisteredError
	if _, err := NewMetrics(reg); !errors.As(err, &already) {
		t.Errorf("NewMetrics on the same registry = %v, want an AlreadyRegisteredError", err)
	}
	if _, err := NewMetrics(nil); err == nil {
		t.Error("NewMetrics(nil) succeeded")
	}
}

// TestNoMetrics checks that a server without metrics still serves, and
// that counting on no Metrics is harmless.
func TestNoMetrics(t *testing.T) {
	var m *Metrics
	m.labelledAs(model.Threat)
	env := start(t, &fakeClassifier{})
	if _, err := env.client.Classify(testContext(t), &stancev1.ClassifyRequest{Quote: &stancev1.Quote{Text: "words"}}); err != nil {
		t.Fatalf("Classify: %v", err)
	}
}

// BenchmarkInterceptors measures what the call log (at Info, so that it
// logs nothing) and the metrics add to a unary call, by calling each
// interceptor around a handler that does nothing.
func BenchmarkInterceptors(b *testing.B) {
	m, err := NewMetrics(prometheus.NewRegistry())
	if err != nil {
		b.Fatal(err)
	}
	s := New(&fakeClassifier{}, WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), WithMetrics(m))
	info := &grpc.UnaryServerInfo{FullMethod: stancev1.StanceService_Classify_FullMethodName}
	req := &stancev1.ClassifyRequest{Quote: &stancev1.Quote{Text: "words"}}
	resp := &stancev1.ClassifyResponse{Result: &stancev1.Result{}}
	handler := func(context.Context, any) (any, error) { return resp, nil }
	tests := []struct {
		name string
		ic   grpc.UnaryServerInterceptor
	}{
		{"log at info", s.logUnary},
		{"metrics", m.grpc.UnaryServerInterceptor()},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			ctx := b.Context()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tt.ic(ctx, req, info, handler); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("count a label", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m.labelledAs(model.Threat)
		}
	})
}
