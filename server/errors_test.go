package server

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	protocodec "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/stancehq/stance/model"
	stancev1 "github.com/stancehq/stance/proto/stance/v1"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// rawMessage is a request already in wire format. The Go protobuf runtime
// will not marshal a string that is not valid UTF-8, but other clients
// send them; rawMessage lets tests do the same.
type rawMessage []byte

// rawCodec is the proto codec, except that it sends rawMessages as they are.
type rawCodec struct{ encoding.CodecV2 }

func (c rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	if r, ok := v.(rawMessage); ok {
		return mem.BufferSlice{mem.SliceBuffer(r)}, nil
	}
	return c.CodecV2.Marshal(v)
}

var sendRaw = grpc.ForceCodecV2(rawCodec{encoding.GetCodecV2(protocodec.Name)})

// wireQuote encodes a stance.v1.Quote field by field.
func wireQuote(id, text, speaker, context string) []byte {
	var b []byte
	for i, s := range []string{id, text, speaker, context} {
		if s != "" {
			b = protowire.AppendTag(b, protowire.Number(i+1), protowire.BytesType)
			b = protowire.AppendString(b, s)
		}
	}
	return b
}

// wireField encodes field 1 (the quote, quotes or text of every request)
// once for each value.
func wireField(values ...[]byte) rawMessage {
	var b []byte
	for _, v := range values {
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendBytes(b, v)
	}
	return b
}

// invoke sends a raw unary request.
func invoke(ctx context.Context, env *testEnv, method string, req rawMessage, resp any) error {
	return env.conn.Invoke(ctx, method, req, resp, sendRaw)
}

// streamOne sends quotes on a ClassifyStream and returns how the stream
// ends after the results of the good ones.
func streamOne(ctx context.Context, env *testEnv, reqs ...any) error {
	desc := &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}
	cs, err := env.conn.NewStream(ctx, desc, stancev1.StanceService_ClassifyStream_FullMethodName, sendRaw)
	if err != nil {
		return err
	}
	for _, r := range reqs {
		if err := cs.SendMsg(r); err != nil {
			break
		}
	}
	if err := cs.CloseSend(); err != nil {
		return err
	}
	for {
		if err := cs.RecvMsg(new(stancev1.ClassifyStreamResponse)); err != nil {
			return err
		}
	}
}

// TestInvalidInput sends every kind of bad request and checks the status
// code and the fields it names. The full statuses are kept in
// testdata/invalid.golden, to review what clients read.
func TestInvalidInput(t *testing.T) {
	const maxText, maxDoc, maxBatch = 64, 256, 4
	env := start(t, &fakeClassifier{}, WithMaxTextBytes(maxText), WithMaxDocumentBytes(maxDoc), WithMaxBatch(maxBatch))
	long := strings.Repeat("a", maxText+1)
	bad := "caf\xe9 au lait" // Latin-1, not UTF-8
	classify := func(q *stancev1.Quote) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := env.client.Classify(ctx, &stancev1.ClassifyRequest{Quote: q})
			return err
		}
	}
	classifyRaw := func(req rawMessage) func(context.Context) error {
		return func(ctx context.Context) error {
			return invoke(ctx, env, stancev1.StanceService_Classify_FullMethodName, req, new(stancev1.ClassifyResponse))
		}
	}
	batch := func(qs ...*stancev1.Quote) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := env.client.ClassifyBatch(ctx, &stancev1.ClassifyBatchRequest{Quotes: qs})
			return err
		}
	}
	document := func(text string) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := env.client.ClassifyDocument(ctx, &stancev1.ClassifyDocumentRequest{Text: text})
			return err
		}
	}
	stream := func(reqs ...any) func(context.Context) error {
		return func(ctx context.Context) error { return streamOne(ctx, env, reqs...) }
	}
	streamQuote := func(q *stancev1.Quote) *stancev1.ClassifyStreamRequest {
		return &stancev1.ClassifyStreamRequest{Quote: q}
	}
	good := &stancev1.Quote{Id: "good", Text: "fine words"}

	tests := []struct {
		name       string
		call       func(context.Context) error
		wantCode   codes.Code
		wantFields []string
	}{
		{"Classify/no quote", classify(nil), codes.InvalidArgument, []string{"quote"}},
		{"Classify/empty text", classify(&stancev1.Quote{}), codes.InvalidArgument, []string{"quote.text"}},
		{"Classify/blank text", classify(&stancev1.Quote{Text: " \n\t\u00a0"}), codes.InvalidArgument, []string{"quote.text"}},
		{"Classify/text too large", classify(&stancev1.Quote{Text: long}), codes.InvalidArgument, []string{"quote.text"}},
		{"Classify/context too large", classify(&stancev1.Quote{Text: "ok", Context: long}), codes.InvalidArgument, []string{"quote.context"}},
		{"Classify/speaker and id too large", classify(&stancev1.Quote{Id: long, Text: "ok", Speaker: long}), codes.InvalidArgument, []string{"quote.id", "quote.speaker"}},
		{"Classify/invalid UTF-8 text", classifyRaw(wireField(wireQuote("", bad, "", ""))), codes.InvalidArgument, []string{"quote.text"}},
		{"Classify/invalid UTF-8 speaker", classifyRaw(wireField(wireQuote("", "ok", bad, ""))), codes.InvalidArgument, []string{"quote.speaker"}},
		{"Classify/invalid UTF-8 context", classifyRaw(wireField(wireQuote("", "ok", "", bad))), codes.InvalidArgument, []string{"quote.context"}},
		{"Classify/invalid UTF-8 id", classifyRaw(wireField(wireQuote(bad, "ok", "", ""))), codes.InvalidArgument, []string{"quote.id"}},
		{"Classify/invalid UTF-8 everywhere", classifyRaw(wireField(wireQuote(bad, bad, bad, bad))), codes.InvalidArgument, []string{"quote.id", "quote.text", "quote.speaker", "quote.context"}},
		{"Classify/malformed message", classifyRaw(rawMessage{0x0a, 0x05, 0x12}), codes.Internal, nil},
		{"Classify/over the message limit", classify(&stancev1.Quote{Text: strings.Repeat("a", maxDoc+recvHeadroom)}), codes.ResourceExhausted, nil},

		{"ClassifyBatch/every bad quote", batch(good, &stancev1.Quote{Text: " "}, good, &stancev1.Quote{Text: "ok", Context: long}), codes.InvalidArgument, []string{"quotes[1].text", "quotes[3].context"}},
		{"ClassifyBatch/too many quotes", batch(good, good, good, good, good), codes.InvalidArgument, []string{"quotes"}},
		{"ClassifyBatch/over the message limit", batch(good, &stancev1.Quote{Text: strings.Repeat("a", (maxDoc+recvHeadroom)/2)}, &stancev1.Quote{Text: strings.Repeat("b", (maxDoc+recvHeadroom)/2)}), codes.ResourceExhausted, nil},
		{"ClassifyBatch/invalid UTF-8", func(ctx context.Context) error {
			req := wireField(wireQuote("", "ok", "", ""), wireQuote("", "ok", "", ""), wireQuote("x", bad, "", ""))
			return invoke(ctx, env, stancev1.StanceService_ClassifyBatch_FullMethodName, req, new(stancev1.ClassifyBatchResponse))
		}, codes.InvalidArgument, []string{"quotes[2].text"}},

		{"ClassifyStream/no id", stream(streamQuote(good), streamQuote(&stancev1.Quote{Text: "ok"})), codes.InvalidArgument, []string{"quote.id"}},
		{"ClassifyStream/blank text", stream(streamQuote(good), streamQuote(&stancev1.Quote{Id: "q-7", Text: "  "})), codes.InvalidArgument, []string{"quote.text"}},
		{"ClassifyStream/no quote", stream(streamQuote(good), &stancev1.ClassifyStreamRequest{}), codes.InvalidArgument, []string{"quote"}},
		{"ClassifyStream/invalid UTF-8 id", stream(streamQuote(good), wireField(wireQuote(bad, "ok", "", ""))), codes.InvalidArgument, []string{"quote.id"}},
		{"ClassifyStream/over the message limit", stream(streamQuote(good), streamQuote(&stancev1.Quote{Id: "big", Text: strings.Repeat("a", maxDoc+recvHeadroom)})), codes.ResourceExhausted, nil},

		{"ClassifyDocument/too large", document(strings.Repeat("word ", maxDoc/5+1)), codes.InvalidArgument, []string{"text"}},
		{"ClassifyDocument/invalid UTF-8", func(ctx context.Context) error {
			return invoke(ctx, env, stancev1.StanceService_ClassifyDocument_FullMethodName, wireField([]byte(`He said "`+bad+`".`)), new(stancev1.ClassifyDocumentResponse))
		}, codes.InvalidArgument, []string{"text"}},
		{"ClassifyDocument/over the message limit", document(strings.Repeat("a", maxDoc+recvHeadroom)), codes.ResourceExhausted, nil},
	}
	var golden strings.Builder
	ran := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(testContext(t))
			st := status.Convert(err)
			if st.Code() != tt.wantCode {
				t.Fatalf("code = %v (%q), want %v", st.Code(), st.Message(), tt.wantCode)
			}
			if got := violations(err); !slices.Equal(got, tt.wantFields) {
				t.Errorf("violations = %q, want %q", got, tt.wantFields)
			}
			fmt.Fprintf(&golden, "%s\n\t%v", tt.name, st.Code())
			if st.Code() == codes.InvalidArgument {
				// Other codes come from gRPC itself, with its wording.
				fmt.Fprintf(&golden, ": %s", st.Message())
				for _, d := range st.Details() {
					if br, ok := d.(*errdetails.BadRequest); ok {
						for _, v := range br.GetFieldViolations() {
							fmt.Fprintf(&golden, "\n\t%s: %s [%s]", v.GetField(), v.GetDescription(), v.GetReason())
						}
					}
				}
			}
			golden.WriteString("\n")
			ran++
		})
	}
	if ran == len(tests) { // not when -run picks some of them
		checkGolden(t, "invalid.golden", golden.String())
	}

	// The server is still there for good requests.
	if err := classify(good)(testContext(t)); err != nil {
		t.Errorf("Classify after the bad requests: %v", err)
	}
}

// checkGolden compares got with testdata/name, or rewrites the file with
// -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the output; if the change is meant, run go test -update.\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestDefaultLimits checks the limits a server has without options, at
// each limit and one past it.
func TestDefaultLimits(t *testing.T) {
	env := start(t, &fakeClassifier{})
	quotes := func(n int) []*stancev1.Quote {
		qs := make([]*stancev1.Quote, n)
		for i := range qs {
			qs[i] = &stancev1.Quote{Text: "q"}
		}
		return qs
	}
	tests := []struct {
		name      string
		call      func(context.Context) error
		wantField string // "" for success
	}{
		{"text at 16 KiB", func(ctx context.Context) error {
			_, err := env.client.Classify(ctx, &stancev1.ClassifyRequest{Quote: &stancev1.Quote{Text: strings.Repeat("a", 16<<10)}})
			return err
		}, ""},
		{"text over 16 KiB", func(ctx context.Context) error {
			_, err := env.client.Classify(ctx, &stancev1.ClassifyRequest{Quote: &stancev1.Quote{Text: strings.Repeat("a", 16<<10+1)}})
			return err
		}, "quote.text"},
		{"document at 1 MiB", func(ctx context.Context) error {
			_, err := env.client.ClassifyDocument(ctx, &stancev1.ClassifyDocumentRequest{Text: strings.Repeat("a", 1<<20)})
			return err
		}, ""},
		{"document over 1 MiB", func(ctx context.Context) error {
			_, err := env.client.ClassifyDocument(ctx, &stancev1.ClassifyDocumentRequest{Text: strings.Repeat("a", 1<<20+1)})
			return err
		}, "text"},
		{"batch of 1000", func(ctx context.Context) error {
			_, err := env.client.ClassifyBatch(ctx, &stancev1.ClassifyBatchRequest{Quotes: quotes(1000)})
			return err
		}, ""},
		{"batch of 1001", func(ctx context.Context) error {
			_, err := env.client.ClassifyBatch(ctx, &stancev1.ClassifyBatchRequest{Quotes: quotes(1001)})
			return err
		}, "quotes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(testContext(t))
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("call failed: %v", err)
				}
				return
			}
			if status.Code(err) != codes.InvalidArgument || !slices.Equal(violations(err), []string{tt.wantField}) {
				t.Errorf("error %v with violations %q, want InvalidArgument naming %q", err, violations(err), tt.wantField)
			}
		})
	}
}

// TestTokenizerFault sends a valid quote on which the sugarme tokenizer's
// offsets run backwards (from model's TestSugarmeOffsetsOutOfOrder). The
// fast tokenizer labels it; the sugarme path fails, which is the
// server's fault and not the quote's, since the quote is valid text and
// the other tokenizer reads it: INTERNAL, with the cause logged and not
// sent.
func TestTokenizerFault(t *testing.T) {
	const text = "ẞ한aZ ,\u00a0\x7fa\n𩢉,😁“😁a \x7fȺ\vǅ‘한ﬁ́.ZﬁǅZ聲ǅa’İa\u200b.“ 聲ﬁ聲ẞﬁZ“ "
	tests := []struct {
		tok  model.Tokenizer
		want codes.Code
	}{
		{model.TokenizerFast, codes.OK},
		{model.TokenizerSugarme, codes.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.tok.String(), func(t *testing.T) {
			m, err := model.New(model.WithTokenizer(tt.tok))
			if err != nil {
				t.Fatalf("model.New: %v", err)
			}
			env := start(t, m)
			_, err = env.client.Classify(testContext(t), &stancev1.ClassifyRequest{Quote: &stancev1.Quote{Text: text}})
			if got := status.Code(err); got != tt.want {
				t.Fatalf("Classify = %v, want %v", err, tt.want)
			}
			if tt.want == codes.OK {
				return
			}
			if msg := status.Convert(err).Message(); msg != "internal error" {
				t.Errorf("the status says %q, want the bare \"internal error\"", msg)
			}
			if logs := env.logs.String(); !strings.Contains(logs, "internal error") || !strings.Contains(logs, "tokenizing") {
				t.Errorf("the tokenizer's error was not logged:\n%s", logs)
			}
		})
	}
}
