package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/stancehq/stance/client"
	stancev1 "github.com/stancehq/stance/proto/stance/v1"
)

// fake is a minimal StanceServiceServer whose labels follow keywords, so
// that tests can tell what a result should be. Its misbehave hook lets a
// test make the stream drop, repeat or misname results.
type fake struct {
	stancev1.UnimplementedStanceServiceServer

	// misbehave, when set, turns the result for a quote into what the
	// stream sends: none, one, or several results.
	misbehave func(q *stancev1.Quote, r *stancev1.Result) []*stancev1.Result
	// deadlines receives the time left on each GetModel call's deadline
	// (zero when it has none), when set.
	deadlines chan time.Duration
	// failAfter, when positive, makes ClassifyStream fail with
	// InvalidArgument once it has received that many quotes in all.
	failAfter int64
	// stall makes ClassifyStream read nothing and wait for the end of the
	// call.
	stall bool
	// breakAfter, when positive, makes each ClassifyStream end with
	// UNAVAILABLE, as a server going away does, when it receives its
	// breakAfter-th quote, leaving that quote unanswered.
	breakAfter int64
	// unavailable is how many calls of Classify still fail with
	// UNAVAILABLE before it answers.
	unavailable atomic.Int64
	// classifyCalls counts the calls of Classify, and modelCalls those of
	// GetModel.
	classifyCalls atomic.Int64
	modelCalls    atomic.Int64

	received atomic.Int64 // quotes received over ClassifyStream and answered or refused
	broken   atomic.Int64 // streams ended by breakAfter
	streams  atomic.Int64 // streams open now
	maxOpen  atomic.Int64 // most streams open at once
	opened   atomic.Int64 // streams opened in all
}

var _ stancev1.StanceServiceServer = (*fake)(nil)

// fakeLabel is the label the fake gives text.
func fakeLabel(text string) stancev1.Label {
	t := strings.ToLower(text)
	switch {
	case strings.Contains(t, "blame"):
		return stancev1.Label_LABEL_ACCUSATION
	case strings.Contains(t, "deny"):
		return stancev1.Label_LABEL_DENIAL
	case strings.Contains(t, "warn"):
		return stancev1.Label_LABEL_THREAT
	case strings.Contains(t, "talks"):
		return stancev1.Label_LABEL_CONCILIATION
	}
	return stancev1.Label_LABEL_NEUTRAL
}

func fakeResult(q *stancev1.Quote) (*stancev1.Result, error) {
	if strings.TrimSpace(q.GetText()) == "" {
		return nil, status.Errorf(codes.InvalidArgument, "quote %q: text is blank", q.GetId())
	}
	l := fakeLabel(q.GetText())
	r := &stancev1.Result{Id: q.GetId(), Label: l}
	for k := stancev1.Label_LABEL_ACCUSATION; k <= stancev1.Label_LABEL_NEUTRAL; k++ {
		p := 0.1
		if k == l {
			p = 0.6
		}
		r.Scores = append(r.Scores, &stancev1.Score{Label: k, Probability: p})
	}
	return r, nil
}

func (f *fake) Classify(_ context.Context, req *stancev1.ClassifyRequest) (*stancev1.ClassifyResponse, error) {
	f.classifyCalls.Add(1)
	if f.unavailable.Add(-1) >= 0 {
		return nil, status.Error(codes.Unavailable, "fake: not now")
	}
	r, err := fakeResult(req.GetQuote())
	if err != nil {
		return nil, err
	}
	return &stancev1.ClassifyResponse{Result: r}, nil
}

func (f *fake) ClassifyBatch(_ context.Context, req *stancev1.ClassifyBatchRequest) (*stancev1.ClassifyBatchResponse, error) {
	resp := &stancev1.ClassifyBatchResponse{}
	for _, q := range req.GetQuotes() {
		r, err := fakeResult(q)
		if err != nil {
			return nil, err
		}
		resp.Results = append(resp.Results, r)
	}
	return resp, nil
}

func (f *fake) ClassifyStream(s grpc.BidiStreamingServer[stancev1.ClassifyStreamRequest, stancev1.ClassifyStreamResponse]) error {
	n := f.streams.Add(1)
	defer f.streams.Add(-1)
	f.opened.Add(1)
	if f.stall {
		<-s.Context().Done()
		return s.Context().Err()
	}
	for {
		m := f.maxOpen.Load()
		if n <= m || f.maxOpen.CompareAndSwap(m, n) {
			break
		}
	}
	for got := int64(1); ; got++ {
		req, err := s.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		q := req.GetQuote()
		if f.breakAfter > 0 && got == f.breakAfter {
			f.broken.Add(1)
			return status.Error(codes.Unavailable, "fake: going away")
		}
		if n := f.received.Add(1); f.failAfter > 0 && n > f.failAfter {
			return status.Errorf(codes.InvalidArgument, "quote %q: refused", q.GetId())
		}
		if q.GetId() == "" {
			return status.Error(codes.InvalidArgument, "quote.id is required")
		}
		r, err := fakeResult(q)
		if err != nil {
			return err
		}
		out := []*stancev1.Result{r}
		if f.misbehave != nil {
			out = f.misbehave(q, r)
		}
		for _, r := range out {
			if err := s.Send(&stancev1.ClassifyStreamResponse{Result: r}); err != nil {
				return err
			}
		}
	}
}

func (f *fake) ClassifyDocument(_ context.Context, req *stancev1.ClassifyDocumentRequest) (*stancev1.ClassifyDocumentResponse, error) {
	// Every "..." span is a quote, without a speaker.
	resp := &stancev1.ClassifyDocumentResponse{}
	text := req.GetText()
	for off := 0; ; {
		i := strings.IndexByte(text[off:], '"')
		if i < 0 {
			break
		}
		start := off + i + 1
		j := strings.IndexByte(text[start:], '"')
		if j < 0 {
			break
		}
		end := start + j
		r, err := fakeResult(&stancev1.Quote{Text: text[start:end]})
		if err != nil {
			return nil, err
		}
		r.Id = "q" + string(rune('0'+len(resp.Quotes)+1))
		resp.Quotes = append(resp.Quotes, &stancev1.DocumentQuote{Start: int32(start), End: int32(end), Text: text[start:end], Result: r})
		off = end + 1
	}
	return resp, nil
}

func (f *fake) GetModel(ctx context.Context, _ *stancev1.GetModelRequest) (*stancev1.GetModelResponse, error) {
	f.modelCalls.Add(1)
	if f.deadlines != nil {
		var left time.Duration
		if d, ok := ctx.Deadline(); ok {
			left = time.Until(d)
		}
		f.deadlines <- left
	}
	return &stancev1.GetModelResponse{Name: "fake", Version: "1", EntryCount: 5}, nil
}

// startFake serves f over an in-memory connection for the length of the
// test and returns a client for it.
func startFake(t testing.TB, f *fake, opts ...client.Option) *client.Client {
	t.Helper()
	c, stop, err := serveFake(f, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return c
}

// serveFake serves f over bufconn and returns a client for it and a
// function that closes both.
func serveFake(f *fake, opts ...client.Option) (*client.Client, func(), error) {
	lis := bufconn.Listen(1 << 20)
	s := grpc.NewServer()
	stancev1.RegisterStanceServiceServer(s, f)
	healthpb.RegisterHealthServer(s, newHealth())
	var wg sync.WaitGroup
	wg.Go(func() { _ = s.Serve(lis) })
	dial := client.WithDialOptions(
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
	)
	c, err := client.New("passthrough:///bufnet", append([]client.Option{dial}, opts...)...)
	if err != nil {
		s.Stop()
		wg.Wait()
		return nil, nil, err
	}
	return c, func() {
		c.Close()
		s.Stop()
		wg.Wait()
	}, nil
}

// newHealth returns a health service that says the StanceService is
// serving, as stanced's does.
func newHealth() *health.Server {
	h := health.NewServer()
	h.SetServingStatus(stancev1.StanceService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	return h
}

// fakeNet is a set of in-memory servers, each under its own address, and
// a dialer that reaches them by address.
type fakeNet struct {
	listeners map[string]*bufconn.Listener
}

// serve starts a gRPC server with opts for f at addr until the test ends.
func (n *fakeNet) serve(t testing.TB, addr string, f *fake, opts ...grpc.ServerOption) {
	t.Helper()
	if n.listeners == nil {
		n.listeners = make(map[string]*bufconn.Listener)
	}
	lis := bufconn.Listen(1 << 20)
	n.listeners[addr] = lis
	s := grpc.NewServer(opts...)
	stancev1.RegisterStanceServiceServer(s, f)
	// The client checks health; a server without the service would be
	// used all the same, with an error in the log.
	healthpb.RegisterHealthServer(s, newHealth())
	var wg sync.WaitGroup
	wg.Go(func() { _ = s.Serve(lis) })
	t.Cleanup(func() {
		s.Stop()
		wg.Wait()
	})
}

// dialer is a client option that dials the fake servers by address.
func (n *fakeNet) dialer() client.Option {
	return client.WithDialOptions(grpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) {
		lis, ok := n.listeners[addr]
		if !ok {
			return nil, fmt.Errorf("fakeNet: nothing at %s", addr)
		}
		return lis.DialContext(ctx)
	}))
}

// client returns a client of target that reaches the fake servers, closed
// when the test ends.
func (n *fakeNet) client(t testing.TB, target string, opts ...client.Option) *client.Client {
	t.Helper()
	c, err := client.New(target, append([]client.Option{n.dialer()}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
