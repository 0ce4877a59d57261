package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/stancehq/stance/model"
	stancev1 "github.com/stancehq/stance/proto/stance/v1"
	"github.com/stancehq/stance/quote"
)

// fakeClassifier labels a quote by the length of its text and echoes the
// text and context as evidence terms, so that tests can tell which input
// each result is for. hook, when set, runs on every call and may fail it,
// stall it or panic.
type fakeClassifier struct {
	hook func(model.Input) error

	mu    sync.Mutex
	calls []model.Input
}

var _ Classifier = (*fakeClassifier)(nil)

func (f *fakeClassifier) Classify(in model.Input) (model.Result, error) {
	f.mu.Lock()
	f.calls = append(f.calls, in)
	f.mu.Unlock()
	if f.hook != nil {
		if err := f.hook(in); err != nil {
			return model.Result{}, err
		}
	}
	l := model.Label(len(in.Text) % model.NumLabels)
	r := model.Result{Label: l}
	r.Scores[l] = 1
	r.Evidence = []model.Evidence{{Source: model.SourceText, End: len(in.Text), Term: in.Text, Label: l, Weight: 1, Rules: []string{"fake"}}}
	if in.Context != "" {
		r.Evidence = append(r.Evidence, model.Evidence{Source: model.SourceContext, End: len(in.Context), Term: in.Context, Label: l, Weight: 0.5})
	}
	return r, nil
}

func (f *fakeClassifier) Info() model.Info {
	return model.Info{Name: "fake", Version: "0.0.0", Checksum: "00", Labels: model.Labels(), Entries: 1}
}

// inputs returns the inputs Classify was called with so far.
func (f *fakeClassifier) inputs() []model.Input {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines to log to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testEnv is a server on an in-memory connection and a client of it.
type testEnv struct {
	srv    *Server
	gs     *grpc.Server
	conn   *grpc.ClientConn
	client stancev1.StanceServiceClient
	logs   *syncBuffer
}

// start serves clf over bufconn until the test ends.
func start(t *testing.T, clf Classifier, opts ...Option) *testEnv {
	t.Helper()
	return startGRPC(t, clf, opts, nil)
}

// startGRPC is start with extra options for the gRPC server.
func startGRPC(t *testing.T, clf Classifier, opts []Option, extra []grpc.ServerOption) *testEnv {
	t.Helper()
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := New(clf, append([]Option{WithLogger(logger)}, opts...)...)
	gs := srv.NewGRPCServer(extra...)
	lis := bufconn.Listen(1 << 20)
	go func() { _ = gs.Serve(lis) }()
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("grpc.NewClient: %v", err)
	}
	t.Cleanup(func() {
		conn.Close()
		gs.Stop()
	})
	return &testEnv{srv: srv, gs: gs, conn: conn, client: stancev1.NewStanceServiceClient(conn), logs: logs}
}

// handlerWatch gives tests a view of the server's handlers: the context
// of each call as it starts, and a signal when its handler has returned.
type handlerWatch struct {
	started chan context.Context
	done    chan struct{}
}

func newHandlerWatch() *handlerWatch {
	return &handlerWatch{started: make(chan context.Context, 16), done: make(chan struct{}, 16)}
}

func (w *handlerWatch) options() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.UnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
			w.started <- ctx
			defer func() { w.done <- struct{}{} }()
			return handler(ctx, req)
		}),
		grpc.StreamInterceptor(func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
			w.started <- ss.Context()
			defer func() { w.done <- struct{}{} }()
			return handler(srv, ss)
		}),
	}
}

// waitDone waits for a handler to return.
func (w *handlerWatch) waitDone(t *testing.T) {
	t.Helper()
	select {
	case <-w.done:
	case <-time.After(5 * time.Second):
		t.Fatal("the handler did not return")
	}
}

// testContext bounds a test's calls in time.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// realModel loads the bundled model once per test binary.
var realModel = sync.OnceValues(func() (*model.Model, error) { return model.New() })

func loadModel(t testing.TB) *model.Model {
	t.Helper()
	m, err := realModel()
	if err != nil {
		t.Fatalf("model.New: %v", err)
	}
	return m
}

// violations returns the fields named by err's BadRequest details.
func violations(err error) []string {
	var fields []string
	for _, d := range status.Convert(err).Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				fields = append(fields, v.GetField())
			}
		}
	}
	return fields
}

// checkResult checks what every result must satisfy whatever the model.
func checkResult(t *testing.T, r *stancev1.Result) {
	t.Helper()
	if len(r.GetScores()) != model.NumLabels {
		t.Fatalf("result %q has %d scores, want %d", r.GetId(), len(r.GetScores()), model.NumLabels)
	}
	sum, best := 0.0, r.GetScores()[0]
	for i, sc := range r.GetScores() {
		if want := stancev1.Label(i + 1); sc.GetLabel() != want {
			t.Errorf("result %q: scores[%d].label = %v, want %v", r.GetId(), i, sc.GetLabel(), want)
		}
		if p := sc.GetProbability(); p < 0 || p > 1 || math.IsNaN(p) {
			t.Errorf("result %q: scores[%d].probability = %v, outside [0, 1]", r.GetId(), i, p)
		}
		sum += sc.GetProbability()
		if sc.GetProbability() > best.GetProbability() {
			best = sc
		}
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("result %q: scores sum to %v, want 1", r.GetId(), sum)
	}
	if r.GetLabel() != best.GetLabel() {
		t.Errorf("result %q: label %v, but the highest score is %v's", r.GetId(), r.GetLabel(), best.GetLabel())
	}
}

func TestClassifyMatchesModel(t *testing.T) {
	m := loadModel(t)
	env := start(t, m)
	tests := []*stancev1.Quote{
		{Id: "threat", Text: "We will respond with overwhelming force if they cross the line.", Context: `The minister warned: "We will respond with overwhelming force if they cross the line."`},
		{Id: "denial", Text: "These allegations are baseless and we categorically reject them.", Speaker: "A spokesman"},
		{Text: "The meeting took place on Tuesday."},
	}
	for _, q := range tests {
		t.Run(q.GetId(), func(t *testing.T) {
			resp, err := env.client.Classify(testContext(t), &stancev1.ClassifyRequest{Quote: q})
			if err != nil {
				t.Fatalf("Classify: %v", err)
			}
			got := resp.GetResult()
			checkResult(t, got)
			want, err := m.Classify(model.Input{Text: q.GetText(), Speaker: q.GetSpeaker(), Context: q.GetContext()})
			if err != nil {
				t.Fatalf("model.Classify: %v", err)
			}
			if got.GetId() != q.GetId() {
				t.Errorf("id = %q, want %q", got.GetId(), q.GetId())
			}
			if wl := stancev1.Label(int32(want.Label) + 1); got.GetLabel() != wl {
				t.Errorf("label = %v, want %v", got.GetLabel(), wl)
			}
			for i, sc := range got.GetScores() {
				if sc.GetProbability() != want.Scores[i] {
					t.Errorf("scores[%d] = %v, want %v", i, sc.GetProbability(), want.Scores[i])
				}
			}
			if len(got.GetEvidence()) != len(want.Evidence) {
				t.Fatalf("%d pieces of evidence, want %d", len(got.GetEvidence()), len(want.Evidence))
			}
			for i, e := range got.GetEvidence() {
				w := want.Evidence[i]
				field := q.GetText()
				wantSource := stancev1.Source_SOURCE_TEXT
				if w.Source == model.SourceContext {
					field, wantSource = q.GetContext(), stancev1.Source_SOURCE_CONTEXT
				}
				if e.GetSource() != wantSource || int(e.GetStart()) != w.Start || int(e.GetEnd()) != w.End ||
					e.GetTerm() != w.Term || e.GetLabel() != stancev1.Label(int32(w.Label)+1) ||
					e.GetWeight() != w.Weight || !slices.Equal(e.GetRules(), w.Rules) {
					t.Errorf("evidence[%d] = %v, want %+v", i, e, w)
				}
				if e.GetStart() < 0 || e.GetStart() > e.GetEnd() || int(e.GetEnd()) > len(field) {
					t.Errorf("evidence[%d] span [%d, %d) is outside its %d-byte field", i, e.GetStart(), e.GetEnd(), len(field))
				}
			}
		})
	}
}

func TestClassifyBatchKeepsOrder(t *testing.T) {
	fake := &fakeClassifier{}
	env := start(t, fake, WithMaxBatch(64))
	var quotes []*stancev1.Quote
	for i := range 64 {
		q := &stancev1.Quote{Text: strings.Repeat("x", i+1) + fmt.Sprintf(" quote %d", i)}
		if i%2 == 0 {
			q.Id = fmt.Sprintf("id-%d", i)
			q.Context = "context of " + q.Text
		}
		quotes = append(quotes, q)
	}
	resp, err := env.client.ClassifyBatch(testContext(t), &stancev1.ClassifyBatchRequest{Quotes: quotes})
	if err != nil {
		t.Fatalf("ClassifyBatch: %v", err)
	}
	if len(resp.GetResults()) != len(quotes) {
		t.Fatalf("%d results for %d quotes", len(resp.GetResults()), len(quotes))
	}
	for i, r := range resp.GetResults() {
		checkResult(t, r)
		q := quotes[i]
		if r.GetId() != q.GetId() || r.GetEvidence()[0].GetTerm() != q.GetText() {
			t.Errorf("results[%d] is for (%q, %q), want (%q, %q)", i, r.GetId(), r.GetEvidence()[0].GetTerm(), q.GetId(), q.GetText())
		}
		if want := stancev1.Label(len(q.GetText())%model.NumLabels + 1); r.GetLabel() != want {
			t.Errorf("results[%d].label = %v, want %v", i, r.GetLabel(), want)
		}
		wantEvidence := 1
		if q.GetContext() != "" {
			wantEvidence = 2
			if e := r.GetEvidence()[1]; e.GetSource() != stancev1.Source_SOURCE_CONTEXT || e.GetTerm() != q.GetContext() {
				t.Errorf("results[%d].evidence[1] = %v, want the context", i, e)
			}
		}
		if len(r.GetEvidence()) != wantEvidence {
			t.Errorf("results[%d] has %d pieces of evidence, want %d", i, len(r.GetEvidence()), wantEvidence)
		}
	}
	if got := len(fake.inputs()); got != len(quotes) {
		t.Errorf("classifier called %d times, want %d", got, len(quotes))
	}
}

func TestClassifyBatchLimits(t *testing.T) {
	env := start(t, &fakeClassifier{}, WithMaxBatch(3), WithMaxTextBytes(8))
	tests := []struct {
		name   string
		quotes []*stancev1.Quote
		want   codes.Code
	}{
		{"empty batch", nil, codes.OK},
		{"at the limits", []*stancev1.Quote{{Text: "12345678", Context: "12345678"}, {Text: "a"}, {Text: "b"}}, codes.OK},
		{"one quote too many", []*stancev1.Quote{{Text: "a"}, {Text: "b"}, {Text: "c"}, {Text: "d"}}, codes.InvalidArgument},
		{"text one byte over", []*stancev1.Quote{{Text: "123456789"}}, codes.InvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := env.client.ClassifyBatch(testContext(t), &stancev1.ClassifyBatchRequest{Quotes: tt.quotes})
			if got := status.Code(err); got != tt.want {
				t.Fatalf("code = %v (%v), want %v", got, err, tt.want)
			}
			if err == nil && len(resp.GetResults()) != len(tt.quotes) {
				t.Errorf("%d results for %d quotes", len(resp.GetResults()), len(tt.quotes))
			}
		})
	}
}

func TestClassifyStream(t *testing.T) {
	fake := &fakeClassifier{}
	env := start(t, fake)
	ctx := testContext(t)
	stream, err := env.client.ClassifyStream(ctx)
	if err != nil {
		t.Fatalf("ClassifyStream: %v", err)
	}
	const n = 200
	sendErr := make(chan error, 1)
	go func() {
		for i := range n {
			q := &stancev1.Quote{Id: fmt.Sprintf("s%d", i), Text: fmt.Sprintf("quote number %d", i)}
			if err := stream.Send(&stancev1.ClassifyStreamRequest{Quote: q}); err != nil {
				sendErr <- err
				return
			}
		}
		sendErr <- stream.CloseSend()
	}()
	for i := 0; ; i++ {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			if i != n {
				t.Errorf("stream ended after %d results, want %d", i, n)
			}
			break
		}
		if err != nil {
			t.Fatalf("Recv %d: %v", i, err)
		}
		r := resp.GetResult()
		checkResult(t, r)
		if want := fmt.Sprintf("s%d", i); r.GetId() != want || r.GetEvidence()[0].GetTerm() != fmt.Sprintf("quote number %d", i) {
			t.Errorf("result %d is for %q (%q), want %q", i, r.GetId(), r.GetEvidence()[0].GetTerm(), want)
		}
	}
	if err := <-sendErr; err != nil {
		t.Errorf("Send: %v", err)
	}
}

func TestClassifyStreamInvalidQuote(t *testing.T) {
	tests := []struct {
		name      string
		bad       *stancev1.Quote
		wantField string
		wantInMsg string
	}{
		{"blank text", &stancev1.Quote{Id: "bad-3", Text: " \t "}, "quote.text", `"bad-3"`},
		{"no id", &stancev1.Quote{Text: "words"}, "quote.id", "message 3"},
		{"no quote", nil, "quote", "message 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeClassifier{}
			env := start(t, fake)
			stream, err := env.client.ClassifyStream(testContext(t))
			if err != nil {
				t.Fatalf("ClassifyStream: %v", err)
			}
			quotes := []*stancev1.Quote{{Id: "ok-1", Text: "first"}, {Id: "ok-2", Text: "second"}, tt.bad, {Id: "ok-4", Text: "fourth"}}
			for _, q := range quotes {
				// The server may end the stream before it reads them all.
				if err := stream.Send(&stancev1.ClassifyStreamRequest{Quote: q}); err != nil {
					break
				}
			}
			_ = stream.CloseSend()
			var got []string
			for {
				resp, err := stream.Recv()
				if err == nil {
					got = append(got, resp.GetResult().GetId())
					continue
				}
				if status.Code(err) != codes.InvalidArgument {
					t.Fatalf("stream ended with %v, want InvalidArgument", err)
				}
				if fields := violations(err); !slices.Equal(fields, []string{tt.wantField}) {
					t.Errorf("violations = %q, want [%q]", fields, tt.wantField)
				}
				if msg := status.Convert(err).Message(); !strings.Contains(msg, tt.wantInMsg) {
					t.Errorf("message %q does not name %s", msg, tt.wantInMsg)
				}
				break
			}
			if want := []string{"ok-1", "ok-2"}; !slices.Equal(got, want) {
				t.Errorf("results before the error = %q, want %q", got, want)
			}
			for _, in := range fake.inputs() {
				if in.Text == "fourth" {
					t.Errorf("the quote after the bad one was classified")
				}
			}
		})
	}
}

func TestClassifyStreamClientCancels(t *testing.T) {
	watch := newHandlerWatch()
	fake := &fakeClassifier{hook: func(in model.Input) error {
		if in.Text == "stall" {
			// Hold the first quote until the call is cancelled, so that
			// the second one is surely waiting when it is.
			<-(<-watch.started).Done()
		}
		return nil
	}}
	env := startGRPC(t, fake, nil, watch.options())
	ctx, cancel := context.WithCancel(testContext(t))
	stream, err := env.client.ClassifyStream(ctx)
	if err != nil {
		t.Fatalf("ClassifyStream: %v", err)
	}
	for _, text := range []string{"stall", "after"} {
		if err := stream.Send(&stancev1.ClassifyStreamRequest{Quote: &stancev1.Quote{Id: text, Text: text}}); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	cancel()
	if _, err := stream.Recv(); status.Code(err) != codes.Canceled {
		t.Fatalf("Recv after cancel: %v, want Canceled", err)
	}
	watch.waitDone(t)
	for _, in := range fake.inputs() {
		if in.Text == "after" {
			t.Errorf("server classified a quote after the client cancelled")
		}
	}
}

// corpus reads the development articles.
func corpus(t *testing.T) map[string]string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "testdata", "corpus", "*.txt"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no corpus articles (%v)", err)
	}
	docs := map[string]string{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		docs[filepath.Base(p)] = string(b)
	}
	return docs
}

func TestClassifyDocumentCorpus(t *testing.T) {
	env := start(t, loadModel(t))
	for name, doc := range corpus(t) {
		t.Run(name, func(t *testing.T) {
			resp, err := env.client.ClassifyDocument(testContext(t), &stancev1.ClassifyDocumentRequest{Text: doc})
			if err != nil {
				t.Fatalf("ClassifyDocument: %v", err)
			}
			qs := resp.GetQuotes()
			if len(qs) == 0 {
				t.Fatal("no quotes found")
			}
			prev := int32(-1)
			for i, q := range qs {
				if q.GetStart() < 0 || q.GetStart() > q.GetEnd() || int(q.GetEnd()) > len(doc) {
					t.Fatalf("quote %d span [%d, %d) outside the %d-byte text", i, q.GetStart(), q.GetEnd(), len(doc))
				}
				if q.GetText() != doc[q.GetStart():q.GetEnd()] {
					t.Errorf("quote %d text %q != doc[%d:%d] %q", i, q.GetText(), q.GetStart(), q.GetEnd(), doc[q.GetStart():q.GetEnd()])
				}
				if q.GetStart() < prev {
					t.Errorf("quote %d starts at %d, before the previous quote (%d)", i, q.GetStart(), prev)
				}
				prev = q.GetStart()
				if q.GetSpeaker() == "" && q.GetSpeakerCue() != "" {
					t.Errorf("quote %d has cue %q but no speaker", i, q.GetSpeakerCue())
				}
				if q.GetSpeaker() != "" && q.GetSpeakerCue() == "" {
					t.Errorf("quote %d has speaker %q but no cue", i, q.GetSpeaker())
				}
				r := q.GetResult()
				if want := fmt.Sprintf("q%d", i+1); r.GetId() != want {
					t.Errorf("quote %d has id %q, want %q", i, r.GetId(), want)
				}
				checkResult(t, r)
			}
		})
	}
}

// TestClassifyDocumentInputs checks what the classifier is asked for each
// quote the extractor finds: the quote's text, its speaker, and the
// sentence around it as context.
func TestClassifyDocumentInputs(t *testing.T) {
	fake := &fakeClassifier{}
	env := start(t, fake)
	for name, doc := range corpus(t) {
		fake.mu.Lock()
		fake.calls = nil
		fake.mu.Unlock()
		resp, err := env.client.ClassifyDocument(testContext(t), &stancev1.ClassifyDocumentRequest{Text: doc})
		if err != nil {
			t.Fatalf("%s: ClassifyDocument: %v", name, err)
		}
		var want []model.Input
		for _, q := range quote.Extract(doc) {
			if strings.TrimSpace(doc[q.Start:q.End]) == "" {
				continue
			}
			want = append(want, model.Input{Text: doc[q.Start:q.End], Speaker: q.Speaker, Context: doc[q.ContextStart:q.ContextEnd]})
		}
		if got := fake.inputs(); !slices.Equal(got, want) {
			t.Errorf("%s: classifier inputs = %q, want %q", name, got, want)
		}
		if len(resp.GetQuotes()) != len(want) {
			t.Errorf("%s: %d quotes, want %d", name, len(resp.GetQuotes()), len(want))
		}
	}
}

func TestGetModel(t *testing.T) {
	m := loadModel(t)
	env := start(t, m)
	got, err := env.client.GetModel(testContext(t), &stancev1.GetModelRequest{})
	if err != nil {
		t.Fatalf("GetModel: %v", err)
	}
	info := m.Info()
	if got.GetName() != info.Name || got.GetVersion() != info.Version || got.GetLexiconChecksum() != info.Checksum ||
		int(got.GetEntryCount()) != info.Entries || int(got.GetDistributionalWordCount()) != info.DistributionalWords {
		t.Errorf("GetModel = %v, want %+v", got, info)
	}
	if got.GetName() == "" || got.GetEntryCount() == 0 || got.GetDistributionalWordCount() == 0 || len(got.GetLexiconChecksum()) != 64 {
		t.Errorf("GetModel = %v, want a name, entries, distributional words and a SHA-256", got)
	}
	wantLabels := []stancev1.Label{
		stancev1.Label_LABEL_ACCUSATION, stancev1.Label_LABEL_DENIAL, stancev1.Label_LABEL_THREAT,
		stancev1.Label_LABEL_CONCILIATION, stancev1.Label_LABEL_NEUTRAL,
	}
	if !slices.Equal(got.GetLabels(), wantLabels) {
		t.Errorf("labels = %v, want %v", got.GetLabels(), wantLabels)
	}
}

func TestHealth(t *testing.T) {
	env := start(t, &fakeClassifier{})
	hc := healthpb.NewHealthClient(env.conn)
	check := func(service string) healthpb.HealthCheckResponse_ServingStatus {
		t.Helper()
		resp, err := hc.Check(testContext(t), &healthpb.HealthCheckRequest{Service: service})
		if err != nil {
			t.Fatalf("Check(%q): %v", service, err)
		}
		return resp.GetStatus()
	}
	services := []string{"", "stance.v1.StanceService"}
	for _, svc := range services {
		if got := check(svc); got != healthpb.HealthCheckResponse_SERVING {
			t.Errorf("before Shutdown, Check(%q) = %v, want SERVING", svc, got)
		}
	}
	if _, err := hc.Check(testContext(t), &healthpb.HealthCheckRequest{Service: "no.such.Service"}); status.Code(err) != codes.NotFound {
		t.Errorf("Check(unknown service) = %v, want NotFound", err)
	}
	env.srv.Shutdown()
	for _, svc := range services {
		if got := check(svc); got != healthpb.HealthCheckResponse_NOT_SERVING {
			t.Errorf("after Shutdown, Check(%q) = %v, want NOT_SERVING", svc, got)
		}
	}
	// Calls under way or still arriving are served until GracefulStop.
	if _, err := env.client.GetModel(testContext(t), &stancev1.GetModelRequest{}); err != nil {
		t.Errorf("GetModel after Shutdown: %v", err)
	}
}

func TestReflection(t *testing.T) {
	env := start(t, &fakeClassifier{})
	stream, err := reflectionpb.NewServerReflectionClient(env.conn).ServerReflectionInfo(testContext(t))
	if err != nil {
		t.Fatalf("ServerReflectionInfo: %v", err)
	}
	if err := stream.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	resp, err := stream.Recv()
	if err != nil {
		t.Fatalf("Recv: %v", err)
	}
	_ = stream.CloseSend()
	var got []string
	for _, s := range resp.GetListServicesResponse().GetService() {
		got = append(got, s.GetName())
	}
	for _, want := range []string{"stance.v1.StanceService", "grpc.health.v1.Health"} {
		if !slices.Contains(got, want) {
			t.Errorf("reflection lists %q, missing %q", got, want)
		}
	}
}

func TestPanicRecovery(t *testing.T) {
	fake := &fakeClassifier{hook: func(in model.Input) error {
		if in.Text == "boom" {
			panic("classifier exploded")
		}
		return nil
	}}
	env := start(t, fake)
	_, err := env.client.Classify(testContext(t), &stancev1.ClassifyRequest{Quote: &stancev1.Quote{Text: "boom"}})
	if status.Code(err) != codes.Internal {
		t.Fatalf("Classify(boom) = %v, want Internal", err)
	}
	if msg := status.Convert(err).Message(); strings.Contains(msg, "goroutine") || strings.Contains(msg, "exploded") {
		t.Errorf("the status leaks the panic: %q", msg)
	}
	logs := env.logs.String()
	if !strings.Contains(logs, "classifier exploded") || !strings.Contains(logs, "goroutine") {
		t.Errorf("the panic and its stack were not logged:\n%s", logs)
	}

	stream, err := env.client.ClassifyStream(testContext(t))
	if err != nil {
		t.Fatalf("ClassifyStream: %v", err)
	}
	if err := stream.Send(&stancev1.ClassifyStreamRequest{Quote: &stancev1.Quote{Id: "1", Text: "boom"}}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if _, err := stream.Recv(); status.Code(err) != codes.Internal {
		t.Errorf("stream Recv after a panic = %v, want Internal", err)
	}

	resp, err := env.client.Classify(testContext(t), &stancev1.ClassifyRequest{Quote: &stancev1.Quote{Text: "fine"}})
	if err != nil {
		t.Fatalf("Classify after the panics: %v", err)
	}
	checkResult(t, resp.GetResult())
}

func TestClassifierErrorIsInternal(t *testing.T) {
	fake := &fakeClassifier{hook: func(model.Input) error { return errors.New("lexicon store unreachable at /secret/path") }}
	env := start(t, fake)
	_, err := env.client.Classify(testContext(t), &stancev1.ClassifyRequest{Quote: &stancev1.Quote{Text: "words"}})
	if status.Code(err) != codes.Internal {
		t.Fatalf("Classify = %v, want Internal", err)
	}
	if strings.Contains(err.Error(), "/secret/path") {
		t.Errorf("the status leaks the internal error: %v", err)
	}
	if !strings.Contains(env.logs.String(), "/secret/path") {
		t.Errorf("the internal error was not logged")
	}
}

func TestDeadline(t *testing.T) {
	watch := newHandlerWatch()
	fake := &fakeClassifier{hook: func(model.Input) error {
		time.Sleep(20 * time.Millisecond)
		return nil
	}}
	env := startGRPC(t, fake, nil, watch.options())
	quotes := make([]*stancev1.Quote, 50)
	for i := range quotes {
		quotes[i] = &stancev1.Quote{Text: fmt.Sprintf("quote %d", i)}
	}
	ctx, cancel := context.WithTimeout(testContext(t), time.Millisecond)
	defer cancel()
	_, err := env.client.ClassifyBatch(ctx, &stancev1.ClassifyBatchRequest{Quotes: quotes})
	if status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("ClassifyBatch with a 1ms deadline = %v, want DeadlineExceeded", err)
	}
	// The call may have expired before it reached the server at all; if
	// it did reach it, the handler must stop at the first check.
	select {
	case <-watch.started:
		watch.waitDone(t)
	case <-time.After(100 * time.Millisecond):
	}
	if n := len(fake.inputs()); n > 1 {
		t.Errorf("the server classified %d quotes after the deadline passed", n)
	}
}

// TestLoopsStopOnCancel calls the handlers directly, cancelling the call's
// context from inside the first classification: the loops must check the
// context between quotes and stop there.
func TestLoopsStopOnCancel(t *testing.T) {
	doc := `She said: "first quote here." He replied: "second quote there." They added: "third one."`
	tests := []struct {
		name string
		call func(ctx context.Context, s *Server) error
	}{
		{"ClassifyBatch", func(ctx context.Context, s *Server) error {
			_, err := s.ClassifyBatch(ctx, &stancev1.ClassifyBatchRequest{Quotes: []*stancev1.Quote{{Text: "a"}, {Text: "b"}, {Text: "c"}}})
			return err
		}},
		{"ClassifyDocument", func(ctx context.Context, s *Server) error {
			_, err := s.ClassifyDocument(ctx, &stancev1.ClassifyDocumentRequest{Text: doc})
			return err
		}},
	}
	if n := len(quote.Extract(doc)); n < 2 {
		t.Fatalf("the extractor finds %d quotes in the test document, want at least 2", n)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			fake := &fakeClassifier{hook: func(model.Input) error { cancel(); return nil }}
			s := New(fake, WithLogger(slog.New(slog.DiscardHandler)))
			if err := tt.call(ctx, s); status.Code(err) != codes.Canceled {
				t.Fatalf("err = %v, want Canceled", err)
			}
			if n := len(fake.inputs()); n != 1 {
				t.Errorf("classified %d quotes, want 1 (stop after the cancel)", n)
			}
		})
	}
}

// TestHandlersHonourDeadline calls the handlers directly with a 1ms
// deadline and a classifier slower than that: whatever the timing, the
// call ends with DeadlineExceeded after at most one quote.
func TestHandlersHonourDeadline(t *testing.T) {
	doc := `She said: "first quote here." He replied: "second quote there." They added: "third one."`
	tests := []struct {
		name string
		call func(ctx context.Context, s *Server) error
	}{
		{"ClassifyBatch", func(ctx context.Context, s *Server) error {
			qs := make([]*stancev1.Quote, 50)
			for i := range qs {
				qs[i] = &stancev1.Quote{Text: fmt.Sprint("quote ", i)}
			}
			_, err := s.ClassifyBatch(ctx, &stancev1.ClassifyBatchRequest{Quotes: qs})
			return err
		}},
		{"ClassifyDocument", func(ctx context.Context, s *Server) error {
			_, err := s.ClassifyDocument(ctx, &stancev1.ClassifyDocumentRequest{Text: doc})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), time.Millisecond)
			defer cancel()
			// The first quote blocks until the deadline has really fired, so
			// the test does not depend on how fast a loaded machine runs it.
			fake := &fakeClassifier{hook: func(model.Input) error { <-ctx.Done(); return nil }}
			s := New(fake, WithLogger(slog.New(slog.DiscardHandler)))
			if err := tt.call(ctx, s); status.Code(err) != codes.DeadlineExceeded {
				t.Fatalf("err = %v, want DeadlineExceeded", err)
			}
			if n := len(fake.inputs()); n > 1 {
				t.Errorf("classified %d quotes, want at most 1 (stop at the deadline)", n)
			}
		})
	}
}
