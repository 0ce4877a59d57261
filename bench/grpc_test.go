package bench

import (
	"cmp"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/stancehq/stance/bench/internal/rounds"
	"github.com/stancehq/stance/model"
	stancev1 "github.com/stancehq/stance/proto/stance/v1"
	"github.com/stancehq/stance/server"
)

// service is a stance server on a loopback port and one client connection
// to it.
type service struct {
	stance stancev1.StanceServiceClient
	health healthpb.HealthClient
	quotes []*stancev1.Quote
}

// startService starts the service as stanced runs it (logging at info, so
// that calls are not logged) and connects to it; both stop when b ends.
func startService(b *testing.B) *service {
	b.Helper()
	return startServiceWith(b, newModel(b))
}

// startServiceWith is startService with clf in place of the model.
func startServiceWith(b *testing.B, clf server.Classifier) *service {
	b.Helper()
	srv := server.New(clf, server.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	gs := srv.NewGRPCServer()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go gs.Serve(lis)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		conn.Close()
		srv.Shutdown()
		gs.Stop()
	})
	s := &service{stance: stancev1.NewStanceServiceClient(conn), health: healthpb.NewHealthClient(conn)}
	for i, in := range quotes(b) {
		s.quotes = append(s.quotes, &stancev1.Quote{Id: strconv.Itoa(i), Text: in.Text, Speaker: in.Speaker, Context: in.Context})
	}
	// One call of each kind, so that the connection is up and warm.
	s.check(b)
	s.classify(b, 0)
	return s
}

func (s *service) check(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.health.Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
		b.Fatal(err)
	}
}

func (s *service) classify(b *testing.B, i int) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.stance.Classify(ctx, &stancev1.ClassifyRequest{Quote: s.quotes[i%len(s.quotes)]}); err != nil {
		b.Fatal(err)
	}
}

// timedClassifier is the model, timing its calls: what the model costs
// inside the server, where its caches are cold, next to what it costs in a
// loop.
type timedClassifier struct {
	*model.Model
	calls int64
	spent time.Duration
	mu    sync.Mutex
}

func (c *timedClassifier) Classify(in model.Input) (model.Result, error) {
	t := time.Now()
	r, err := c.Model.Classify(in)
	d := time.Since(t)
	c.mu.Lock()
	c.calls++
	c.spent += d
	c.mu.Unlock()
	return r, err
}

// cannedClassifier answers every quote with one fixed result, as large as a
// typical one: the service with a model that costs nothing.
type cannedClassifier struct {
	*model.Model
	result model.Result
}

func (c cannedClassifier) Classify(model.Input) (model.Result, error) { return c.result, nil }

var (
	_ server.Classifier = (*timedClassifier)(nil)
	_ server.Classifier = cannedClassifier{}
)

// BenchmarkUnaryClassifyVsCheck makes unary Classify calls and empty health
// Check calls on one connection, one at a time, in alternating rounds of
// 200 calls, and reports the latency of each and their ratio (the goal is
// 1.3 or less), and the time the model took inside the server.
func BenchmarkUnaryClassifyVsCheck(b *testing.B) {
	clf := &timedClassifier{Model: newModel(b)}
	benchmarkUnaryVsCheck(b, startServiceWith(b, clf))
	clf.mu.Lock()
	defer clf.mu.Unlock()
	b.ReportMetric(float64(clf.spent.Nanoseconds())/float64(clf.calls)/1e3, "model-µs/call")
}

// BenchmarkUnaryCannedVsCheck is BenchmarkUnaryClassifyVsCheck with a
// classifier that returns a fixed result of median size: the floor the
// transport, the interceptors and the messages set, whatever the model.
func BenchmarkUnaryCannedVsCheck(b *testing.B) {
	m := newModel(b)
	ins := quotes(b)
	// The result of median evidence count stands for every quote.
	results := make([]model.Result, 0, len(ins))
	for _, in := range ins {
		r, err := m.Classify(in)
		if err != nil {
			b.Fatal(err)
		}
		results = append(results, r)
	}
	slices.SortFunc(results, func(a, b model.Result) int { return cmp.Compare(len(a.Evidence), len(b.Evidence)) })
	benchmarkUnaryVsCheck(b, startServiceWith(b, cannedClassifier{Model: m, result: results[len(results)/2]}))
}

func benchmarkUnaryVsCheck(b *testing.B, s *service) {
	b.ResetTimer()
	check, classify := rounds.Alternate(b.N, 200,
		func(int) { s.check(b) },
		func(i int) { s.classify(b, i) })
	b.ReportMetric(float64(classify.Nanoseconds())/float64(b.N)/1e3, "classify-µs/call")
	b.ReportMetric(float64(check.Nanoseconds())/float64(b.N)/1e3, "check-µs/call")
	b.ReportMetric(float64(classify)/float64(check), "ratio")
}

// BenchmarkClassifyStream sends b.N quotes down one ClassifyStream while
// reading the results, and reports quotes per second.
func BenchmarkClassifyStream(b *testing.B) {
	s := startService(b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	b.ResetTimer()
	start := time.Now()
	stream, err := s.stance.ClassifyStream(ctx)
	if err != nil {
		b.Fatal(err)
	}
	sent := make(chan error, 1)
	go func() {
		for i := range b.N {
			if err := stream.Send(&stancev1.ClassifyStreamRequest{Quote: s.quotes[i%len(s.quotes)]}); err != nil {
				sent <- err
				return
			}
		}
		sent <- stream.CloseSend()
	}()
	for range b.N {
		if _, err := stream.Recv(); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-sent; err != nil {
		b.Fatal(err)
	}
	if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
		b.Fatalf("stream ends with %v, want io.EOF", err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "quotes/s")
}

// BenchmarkClassifyBatch classifies b.N quotes in ClassifyBatch calls of
// 100, one call at a time, and reports quotes per second.
func BenchmarkClassifyBatch(b *testing.B) {
	s := startService(b)
	const size = 100
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i += size {
		batch := make([]*stancev1.Quote, 0, size)
		for k := range min(size, b.N-i) {
			batch = append(batch, s.quotes[(i+k)%len(s.quotes)])
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		resp, err := s.stance.ClassifyBatch(ctx, &stancev1.ClassifyBatchRequest{Quotes: batch})
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		if len(resp.GetResults()) != len(batch) {
			b.Fatalf("%d results for %d quotes", len(resp.GetResults()), len(batch))
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "quotes/s")
}
