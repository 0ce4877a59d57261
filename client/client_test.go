package client_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/stancehq/stance/client"
	stancev1 "github.com/stancehq/stance/proto/stance/v1"
)

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestClassify(t *testing.T) {
	c := startFake(t, &fake{})
	ctx := testContext(t)
	tests := []struct {
		name string
		q    *stancev1.Quote
		want stancev1.Label
		code codes.Code
	}{
		{"threat", &stancev1.Quote{Id: "a", Text: "We warn them"}, stancev1.Label_LABEL_THREAT, codes.OK},
		{"neutral without id", &stancev1.Quote{Text: "It rained"}, stancev1.Label_LABEL_NEUTRAL, codes.OK},
		{"blank", &stancev1.Quote{Id: "b", Text: "  "}, 0, codes.InvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Classify(ctx, tt.q)
			if code := status.Code(err); code != tt.code {
				t.Fatalf("Classify(%v) error %v, want code %v", tt.q, err, tt.code)
			}
			if err != nil {
				return
			}
			if got.GetLabel() != tt.want || got.GetId() != tt.q.GetId() {
				t.Errorf("Classify(%v) = %v %q, want %v %q", tt.q, got.GetLabel(), got.GetId(), tt.want, tt.q.GetId())
			}
		})
	}
}

func TestClassifyBatch(t *testing.T) {
	c := startFake(t, &fake{})
	ctx := testContext(t)
	texts := []string{"we deny it", "they blame us", "talks soon", "nothing"}
	var qs []*stancev1.Quote
	for _, s := range texts {
		qs = append(qs, &stancev1.Quote{Text: s})
	}
	got, err := c.ClassifyBatch(ctx, qs)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(texts) {
		t.Fatalf("got %d results, want %d", len(got), len(texts))
	}
	for i, r := range got {
		if want := fakeLabel(texts[i]); r.GetLabel() != want {
			t.Errorf("result %d label %v, want %v", i, r.GetLabel(), want)
		}
	}

	_, err = c.ClassifyBatch(ctx, append(qs, &stancev1.Quote{Text: ""}))
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("batch with blank quote: error %v, want InvalidArgument", err)
	}
}

func TestClassifyDocument(t *testing.T) {
	c := startFake(t, &fake{})
	text := `He said "we deny it" and "talks" later.`
	got, err := c.ClassifyDocument(testContext(t), text)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d quotes, want 2", len(got))
	}
	for _, q := range got {
		if text[q.GetStart():q.GetEnd()] != q.GetText() {
			t.Errorf("quote %q at [%d:%d] is %q in the text", q.GetText(), q.GetStart(), q.GetEnd(), text[q.GetStart():q.GetEnd()])
		}
	}
}

func TestTimeout(t *testing.T) {
	tests := []struct {
		name     string
		timeout  time.Duration
		ctx      time.Duration // the caller's deadline, or 0 for none
		min, max time.Duration // the deadline the server must see
	}{
		{"default", 0, 0, client.DefaultTimeout - 5*time.Second, client.DefaultTimeout},
		{"option", time.Minute, 0, time.Minute - 5*time.Second, time.Minute},
		{"caller's deadline wins", time.Second, time.Hour, time.Hour - 5*time.Minute, time.Hour},
		{"caller's shorter deadline wins", time.Hour, 10 * time.Second, 5 * time.Second, 10 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fake{deadlines: make(chan time.Duration, 1)}
			var opts []client.Option
			if tt.timeout != 0 {
				opts = append(opts, client.WithTimeout(tt.timeout))
			}
			c := startFake(t, f, opts...)
			ctx := t.Context()
			if tt.ctx != 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.ctx)
				defer cancel()
			}
			if _, err := c.Model(ctx); err != nil {
				t.Fatal(err)
			}
			if left := <-f.deadlines; left < tt.min || left > tt.max {
				t.Errorf("server saw %v left, want between %v and %v", left, tt.min, tt.max)
			}
		})
	}
}

func TestNewRejectsNoStreams(t *testing.T) {
	if _, err := client.New("localhost:1", client.WithStreams(0)); err == nil {
		t.Error("New(WithStreams(0)) succeeded, want an error")
	}
}

// quotes returns n quotes with varied labels; every third has no id, and
// ids repeat, as callers' ids may.
func quotes(n int) []*stancev1.Quote {
	words := []string{"blame", "deny", "warn", "talks", "weather"}
	qs := make([]*stancev1.Quote, n)
	for i := range qs {
		q := &stancev1.Quote{Text: fmt.Sprintf("%d: they %s", i, words[i%len(words)]), Speaker: "S", Context: "ctx"}
		if i%3 != 0 {
			q.Id = "id" + strconv.Itoa(i/2)
		}
		qs[i] = q
	}
	return qs
}

// checkAll checks that got holds exactly the right result for each of
// qs, at its index, with the quote's id or, without one, its index.
func checkAll(t *testing.T, qs []*stancev1.Quote, got []*stancev1.Result) {
	t.Helper()
	if len(got) != len(qs) {
		t.Fatalf("got %d results, want %d", len(got), len(qs))
	}
	for i, r := range got {
		wantID := qs[i].GetId()
		if wantID == "" {
			wantID = strconv.Itoa(i)
		}
		if r.GetId() != wantID || r.GetLabel() != fakeLabel(qs[i].GetText()) {
			t.Fatalf("result %d = %q %v, want %q %v", i, r.GetId(), r.GetLabel(), wantID, fakeLabel(qs[i].GetText()))
		}
	}
}

func TestClassifyAll(t *testing.T) {
	for _, tt := range []struct {
		n, streams int
	}{{0, 4}, {1, 4}, {7, 1}, {1000, 3}, {2500, 8}} {
		t.Run(fmt.Sprintf("%d quotes on %d streams", tt.n, tt.streams), func(t *testing.T) {
			f := &fake{}
			c := startFake(t, f, client.WithStreams(tt.streams))
			qs := quotes(tt.n)
			got, err := c.ClassifyAll(testContext(t), qs)
			if err != nil {
				t.Fatal(err)
			}
			checkAll(t, qs, got)
			if got, want := f.received.Load(), int64(tt.n); got != want {
				t.Errorf("server received %d quotes, want %d", got, want)
			}
			if got := f.opened.Load(); got > int64(tt.streams) {
				t.Errorf("%d streams opened, want at most %d", got, tt.streams)
			}
			if got := f.maxOpen.Load(); got > int64(tt.streams) {
				t.Errorf("%d streams open at once, want at most %d", got, tt.streams)
			}
			for i, q := range qs {
				if i%3 == 0 && q.GetId() != "" {
					t.Fatalf("ClassifyAll changed quotes[%d].id to %q", i, q.GetId())
				}
			}
		})
	}
}

func TestClassifyAllInvalid(t *testing.T) {
	qs := quotes(10)
	qs[2] = nil
	qs[4].Text = " \n\t"
	qs[5].Context = "bad \xff"
	qs[7].Text = "\xc3"
	qs[8].Id = "\xfe"
	wantBad := map[int]error{2: client.ErrNilQuote, 4: client.ErrBlankText, 5: client.ErrInvalidUTF8, 7: client.ErrInvalidUTF8, 8: client.ErrInvalidUTF8}
	wantField := map[int]string{2: "", 4: "text", 5: "context", 7: "text", 8: "id"}

	f := &fake{}
	c := startFake(t, f)
	got, err := c.ClassifyAll(testContext(t), qs)
	var inv *client.InvalidQuotesError
	if !errors.As(err, &inv) {
		t.Fatalf("error %v, want an *InvalidQuotesError", err)
	}
	if len(inv.Quotes) != len(wantBad) {
		t.Errorf("%d invalid quotes reported, want %d: %v", len(inv.Quotes), len(wantBad), err)
	}
	for _, qe := range inv.Quotes {
		if !errors.Is(qe, wantBad[qe.Index]) || qe.Field != wantField[qe.Index] {
			t.Errorf("quotes[%d]: got %v (field %q), want %v (field %q)", qe.Index, qe, qe.Field, wantBad[qe.Index], wantField[qe.Index])
		}
		if !strings.Contains(qe.Error(), fmt.Sprintf("quotes[%d]", qe.Index)) {
			t.Errorf("error %q does not name quotes[%d]", qe, qe.Index)
		}
	}
	if !errors.Is(err, client.ErrBlankText) {
		t.Errorf("errors.Is(%v, ErrBlankText) = false", err)
	}
	for i, r := range got {
		if _, bad := wantBad[i]; bad != (r == nil) {
			t.Errorf("result %d = %v; invalid quote: %v", i, r, bad)
		}
	}
	if got, want := f.received.Load(), int64(len(qs)-len(wantBad)); got != want {
		t.Errorf("server received %d quotes, want %d (invalid ones must not be sent)", got, want)
	}
}

func TestClassifyAllServerFaults(t *testing.T) {
	tests := []struct {
		name      string
		misbehave func(q *stancev1.Quote, r *stancev1.Result) []*stancev1.Result
		want      string
	}{
		{"drops a result", func(q *stancev1.Quote, r *stancev1.Result) []*stancev1.Result {
			if q.GetId() == "17" {
				return nil
			}
			return []*stancev1.Result{r}
		}, "no result for quotes[17]"},
		{"repeats a result", func(q *stancev1.Quote, r *stancev1.Result) []*stancev1.Result {
			if q.GetId() == "5" {
				return []*stancev1.Result{r, r}
			}
			return []*stancev1.Result{r}
		}, "second result for quotes[5]"},
		{"unknown id", func(q *stancev1.Quote, r *stancev1.Result) []*stancev1.Result {
			if q.GetId() == "9" {
				r.Id = "x9"
			}
			return []*stancev1.Result{r}
		}, `id "x9"`},
		{"id out of range", func(q *stancev1.Quote, r *stancev1.Result) []*stancev1.Result {
			if q.GetId() == "9" {
				r.Id = "100"
			}
			return []*stancev1.Result{r}
		}, `id "100"`},
		{"no result", func(q *stancev1.Quote, r *stancev1.Result) []*stancev1.Result {
			if q.GetId() == "3" {
				return []*stancev1.Result{nil}
			}
			return []*stancev1.Result{r}
		}, "without a result"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := startFake(t, &fake{misbehave: tt.misbehave}, client.WithStreams(2))
			got, err := c.ClassifyAll(testContext(t), quotes(40))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if got != nil {
				t.Errorf("got %d results with the error, want none", len(got))
			}
		})
	}
}

func TestClassifyAllServerError(t *testing.T) {
	c := startFake(t, &fake{failAfter: 100}, client.WithStreams(3))
	got, err := c.ClassifyAll(testContext(t), quotes(300))
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("error %v, want InvalidArgument from the server", err)
	}
	if got != nil {
		t.Errorf("got %d results with the error, want none", len(got))
	}
}

func TestClassifyAllDeadline(t *testing.T) {
	c := startFake(t, &fake{stall: true}, client.WithTimeout(100*time.Millisecond))
	start := time.Now()
	_, err := c.ClassifyAll(t.Context(), quotes(10))
	if status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("error %v, want DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("ClassifyAll took %v to give up, want about 100ms", d)
	}
}
