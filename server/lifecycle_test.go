package server

import (
	"context"
	"errors"
	"io"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	"github.com/stancehq/stance/model"
	stancev1 "github.com/stancehq/stance/proto/stance/v1"
)

// TestShutdown checks what Shutdown does to the calls under way: health
// watchers hear NOT_SERVING and their calls end, a ClassifyStream ends
// with UNAVAILABLE without answering quotes it had not read, unary calls
// are still served, and GracefulStop then returns at once.
func TestShutdown(t *testing.T) {
	env := start(t, &fakeClassifier{})
	srv, gs := env.srv, env.gs
	ctx := testContext(t)

	hc := healthpb.NewHealthClient(env.conn)
	watches := map[string]grpc.ServerStreamingClient[healthpb.HealthCheckResponse]{}
	for _, svc := range []string{"", "stance.v1.StanceService", "no.such.Service"} {
		w, err := hc.Watch(ctx, &healthpb.HealthCheckRequest{Service: svc})
		if err != nil {
			t.Fatalf("Watch(%q): %v", svc, err)
		}
		resp, err := w.Recv()
		want := healthpb.HealthCheckResponse_SERVING
		if svc == "no.such.Service" {
			want = healthpb.HealthCheckResponse_SERVICE_UNKNOWN
		}
		if err != nil || resp.GetStatus() != want {
			t.Fatalf("Watch(%q) first status = %v, %v; want %v", svc, resp, err, want)
		}
		watches[svc] = w
	}

	stream, err := env.client.ClassifyStream(ctx)
	if err != nil {
		t.Fatalf("ClassifyStream: %v", err)
	}
	send := func(id string) error {
		return stream.Send(&stancev1.ClassifyStreamRequest{Quote: &stancev1.Quote{Id: id, Text: "words " + id}})
	}
	if err := send("before"); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if r, err := stream.Recv(); err != nil || r.GetResult().GetId() != "before" {
		t.Fatalf("Recv = %v, %v; want the result of %q", r, err, "before")
	}

	srv.Shutdown()
	srv.Shutdown() // a second call does no harm

	for svc, w := range watches {
		var got []healthpb.HealthCheckResponse_ServingStatus
		var err error
		for {
			var resp *healthpb.HealthCheckResponse
			if resp, err = w.Recv(); err != nil {
				break
			}
			got = append(got, resp.GetStatus())
		}
		var want []healthpb.HealthCheckResponse_ServingStatus
		if svc != "no.such.Service" {
			want = []healthpb.HealthCheckResponse_ServingStatus{healthpb.HealthCheckResponse_NOT_SERVING}
		}
		if !slices.Equal(got, want) || status.Code(err) != codes.Unavailable {
			t.Errorf("Watch(%q) after Shutdown: statuses %v then %v; want %v then Unavailable", svc, got, err, want)
		}
	}

	// The stream was waiting in Recv: it may answer the quote that wakes
	// it, and then it ends; none after that one.
	_ = send("after-1")
	_ = send("after-2")
	var answered []string
	for {
		r, err := stream.Recv()
		if err != nil {
			if status.Code(err) != codes.Unavailable {
				t.Errorf("stream after Shutdown ended with %v, want Unavailable", err)
			}
			break
		}
		answered = append(answered, r.GetResult().GetId())
	}
	if len(answered) > 1 || slices.Contains(answered, "after-2") {
		t.Errorf("stream answered %q after Shutdown, want at most the quote it was waiting for", answered)
	}
	// A stream opened now ends before it reads a quote.
	late, err := env.client.ClassifyStream(ctx)
	if err != nil {
		t.Fatalf("ClassifyStream after Shutdown: %v", err)
	}
	_ = late.Send(&stancev1.ClassifyStreamRequest{Quote: &stancev1.Quote{Id: "late", Text: "words"}})
	if r, err := late.Recv(); status.Code(err) != codes.Unavailable {
		t.Errorf("new stream after Shutdown: Recv = %v, %v; want Unavailable", r, err)
	}

	if _, err := env.client.Classify(ctx, &stancev1.ClassifyRequest{Quote: &stancev1.Quote{Text: "unary"}}); err != nil {
		t.Errorf("Classify after Shutdown: %v", err)
	}
	if resp, err := hc.Check(ctx, &healthpb.HealthCheckRequest{}); err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("Check after Shutdown = %v, %v; want NOT_SERVING", resp, err)
	}
	list, err := hc.List(ctx, &healthpb.HealthListRequest{})
	if err != nil || len(list.GetStatuses()) != 2 {
		t.Fatalf("List after Shutdown = %v, %v; want two services", list, err)
	}
	for name, st := range list.GetStatuses() {
		if st.GetStatus() != healthpb.HealthCheckResponse_NOT_SERVING {
			t.Errorf("List after Shutdown: %q is %v, want NOT_SERVING", name, st.GetStatus())
		}
	}

	stopped := make(chan struct{})
	go func() {
		gs.GracefulStop()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("GracefulStop still waits 5s after Shutdown: some call did not end")
	}
}

func TestReflectionOff(t *testing.T) {
	for _, on := range []bool{true, false} {
		env := start(t, &fakeClassifier{}, WithReflection(on))
		stream, err := reflectionpb.NewServerReflectionClient(env.conn).ServerReflectionInfo(testContext(t))
		if err != nil {
			t.Fatalf("ServerReflectionInfo: %v", err)
		}
		_ = stream.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}})
		_, err = stream.Recv()
		want := codes.Unimplemented
		if on {
			want = codes.OK
		}
		if got := status.Code(err); got != want {
			t.Errorf("WithReflection(%v): reflection call = %v, want %v", on, err, want)
		}
	}
}

func TestMaxConcurrentStreams(t *testing.T) {
	env := start(t, &fakeClassifier{}, WithMaxConcurrentStreams(1))
	ctx := testContext(t)
	first, err := env.client.ClassifyStream(ctx)
	if err != nil {
		t.Fatalf("ClassifyStream: %v", err)
	}
	if err := first.Send(&stancev1.ClassifyStreamRequest{Quote: &stancev1.Quote{Id: "1", Text: "words"}}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if _, err := first.Recv(); err != nil {
		t.Fatalf("Recv: %v", err)
	}
	// The connection's one stream is taken: a second call waits.
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if _, err := env.client.GetModel(short, &stancev1.GetModelRequest{}); status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("second call while one stream is open = %v, want DeadlineExceeded", err)
	}
	if err := first.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if _, err := first.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("Recv after CloseSend = %v, want EOF", err)
	}
	if _, err := env.client.GetModel(ctx, &stancev1.GetModelRequest{}); err != nil {
		t.Errorf("call after the stream ended: %v", err)
	}
}

// TestGracefulStopFinishesCalls holds a unary call inside the classifier
// while the server shuts down: GracefulStop must wait for it, and the call
// must succeed.
func TestGracefulStopFinishesCalls(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	fake := &fakeClassifier{hook: func(in model.Input) error {
		if in.Text == "slow" {
			close(started)
			<-release
		}
		return nil
	}}
	env := start(t, fake)
	type result struct {
		resp *stancev1.ClassifyResponse
		err  error
	}
	called := make(chan result, 1)
	go func() {
		resp, err := env.client.Classify(testContext(t), &stancev1.ClassifyRequest{Quote: &stancev1.Quote{Id: "s", Text: "slow"}})
		called <- result{resp, err}
	}()
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("the call did not reach the classifier")
	}
	env.srv.Shutdown()
	stopped := make(chan struct{})
	go func() {
		env.gs.GracefulStop()
		close(stopped)
	}()
	select {
	case <-stopped:
		t.Fatal("GracefulStop returned with a call under way")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if r := <-called; r.err != nil || r.resp.GetResult().GetId() != "s" {
		t.Errorf("the call under way at shutdown = %v, %v; want its result", r.resp, r.err)
	}
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("GracefulStop did not return after the last call")
	}
}
