package server

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	stancev1 "github.com/stancehq/stance/proto/stance/v1"
)

// callRecord is a "call" record of the server's JSON log.
type callRecord struct {
	Level    string `json:"level"`
	Msg      string `json:"msg"`
	Method   string `json:"method"`
	Code     string `json:"code"`
	Duration *int64 `json:"duration"`
	Peer     string `json:"peer"`
	Quotes   *int   `json:"quotes"`
}

// callRecords returns the "call" records of a JSON log.
func callRecords(t *testing.T, log string) []callRecord {
	t.Helper()
	var out []callRecord
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		if line == "" {
			continue
		}
		var rec callRecord
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec.Msg == "call" {
			out = append(out, rec)
		}
	}
	return out
}

// makeCalls calls every kind of RPC once, and Classify once more with a
// blank quote, which fails.
func makeCalls(t *testing.T, env *testEnv) {
	t.Helper()
	ctx := testContext(t)
	if _, err := env.client.Classify(ctx, &stancev1.ClassifyRequest{Quote: &stancev1.Quote{Text: "We will respond."}}); err != nil {
		t.Fatalf("Classify: %v", err)
	}
	if _, err := env.client.Classify(ctx, &stancev1.ClassifyRequest{Quote: &stancev1.Quote{Text: " "}}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("Classify(blank) = %v, want InvalidArgument", err)
	}
	if _, err := env.client.ClassifyBatch(ctx, &stancev1.ClassifyBatchRequest{Quotes: []*stancev1.Quote{{Text: "a"}, {Text: "b"}, {Text: "c"}}}); err != nil {
		t.Fatalf("ClassifyBatch: %v", err)
	}
	stream, err := env.client.ClassifyStream(ctx)
	if err != nil {
		t.Fatalf("ClassifyStream: %v", err)
	}
	for _, id := range []string{"1", "2"} {
		if err := stream.Send(&stancev1.ClassifyStreamRequest{Quote: &stancev1.Quote{Id: id, Text: "words " + id}}); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatalf("CloseSend: %v", err)
	}
	for {
		if _, err := stream.Recv(); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("Recv: %v", err)
		}
	}
	if _, err := env.client.ClassifyDocument(ctx, &stancev1.ClassifyDocumentRequest{Text: `She said: "first quote here." He replied: "second one."`}); err != nil {
		t.Fatalf("ClassifyDocument: %v", err)
	}
	if _, err := env.client.GetModel(ctx, &stancev1.GetModelRequest{}); err != nil {
		t.Fatalf("GetModel: %v", err)
	}
	if _, err := healthpb.NewHealthClient(env.conn).Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
		t.Fatalf("Check: %v", err)
	}
}

// TestCallLog checks the one Debug record each call gets: its method,
// code, duration and peer, and for the calls that classify, the quotes
// answered.
func TestCallLog(t *testing.T) {
	logs := &syncBuffer{}
	env := start(t, &fakeClassifier{}, WithLogger(slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	makeCalls(t, env)

	quotes := func(n int) *int { return &n }
	want := []struct {
		method string
		code   codes.Code
		quotes *int // nil: no quotes attribute
	}{
		{stancev1.StanceService_Classify_FullMethodName, codes.OK, quotes(1)},
		{stancev1.StanceService_Classify_FullMethodName, codes.InvalidArgument, quotes(0)},
		{stancev1.StanceService_ClassifyBatch_FullMethodName, codes.OK, quotes(3)},
		{stancev1.StanceService_ClassifyStream_FullMethodName, codes.OK, quotes(2)},
		{stancev1.StanceService_ClassifyDocument_FullMethodName, codes.OK, quotes(2)},
		{stancev1.StanceService_GetModel_FullMethodName, codes.OK, nil},
		{healthpb.Health_Check_FullMethodName, codes.OK, nil},
	}
	got := callRecords(t, logs.String())
	if len(got) != len(want) {
		t.Fatalf("%d call records, want %d:\n%s", len(got), len(want), logs)
	}
	for i, w := range want {
		t.Run(strings.TrimPrefix(w.method, "/")+"/"+w.code.String(), func(t *testing.T) {
			g := got[i]
			if g.Level != "DEBUG" || g.Method != w.method || g.Code != w.code.String() {
				t.Errorf("record %d = %s %s %s, want DEBUG %s %s", i, g.Level, g.Method, g.Code, w.method, w.code)
			}
			if g.Duration == nil || *g.Duration <= 0 {
				t.Errorf("record %d has duration %v, want a positive one", i, g.Duration)
			}
			// bufconn's addresses are all called "bufconn".
			if g.Peer != "bufconn" {
				t.Errorf("record %d has peer %q, want bufconn", i, g.Peer)
			}
			switch {
			case w.quotes == nil && g.Quotes != nil:
				t.Errorf("record %d has quotes=%d, want none", i, *g.Quotes)
			case w.quotes != nil && (g.Quotes == nil || *g.Quotes != *w.quotes):
				t.Errorf("record %d has quotes=%v, want %d", i, g.Quotes, *w.quotes)
			}
		})
	}
}

// TestCallLogQuietAtInfo checks that calls log nothing at Info level.
func TestCallLogQuietAtInfo(t *testing.T) {
	logs := &syncBuffer{}
	env := start(t, &fakeClassifier{}, WithLogger(slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))))
	makeCalls(t, env)
	if got := logs.String(); got != "" {
		t.Errorf("calls logged at Info level:\n%s", got)
	}
}
