package server

import (
	"testing"

	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	stancev1 "github.com/stancehq/stance/proto/stance/v1"
)

func TestCodecKeepsInvalidUTF8(t *testing.T) {
	bad := "\xff\xfe"
	req := wireField(wireQuote(bad, "ok", bad, "context "+bad))
	var got stancev1.ClassifyRequest
	if err := newCodec().Unmarshal(mem.BufferSlice{mem.SliceBuffer(req)}, &got); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	q := got.GetQuote()
	if q.GetId() != bad || q.GetText() != "ok" || q.GetSpeaker() != bad || q.GetContext() != "context "+bad {
		t.Errorf("decoded %q, want the fields as sent", q)
	}
}

func TestCodecStrictForOtherPackages(t *testing.T) {
	req := wireField([]byte("\xff"))
	if err := newCodec().Unmarshal(mem.BufferSlice{mem.SliceBuffer(req)}, new(healthpb.HealthCheckRequest)); err == nil {
		t.Error("a health request with invalid UTF-8 decoded; only stance.v1 requests may")
	}
}

// FuzzUnmarshalLenient checks the lenient decoder against the protobuf
// runtime: on any input the runtime accepts, both must decode the same
// message, and no input may make the lenient decoder panic.
func FuzzUnmarshalLenient(f *testing.F) {
	seeds := []proto.Message{
		&stancev1.ClassifyBatchRequest{Quotes: []*stancev1.Quote{{Id: "a", Text: "We will respond.", Speaker: "He", Context: `He said "We will respond."`}, {Text: "b"}}},
		&stancev1.ClassifyBatchRequest{Quotes: []*stancev1.Quote{{}}},
	}
	for _, m := range seeds {
		b, err := proto.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(wireField(wireQuote("\xff", "x", "", ""))))
	f.Add([]byte{0x0a, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		var lenient stancev1.ClassifyBatchRequest
		lerr := unmarshalLenient(b, lenient.ProtoReflect(), 0)
		var strict stancev1.ClassifyBatchRequest
		if err := proto.Unmarshal(b, &strict); err != nil {
			return
		}
		if lerr != nil {
			t.Fatalf("lenient decoding failed (%v) where the runtime succeeded", lerr)
		}
		if !proto.Equal(&lenient, &strict) {
			t.Fatalf("lenient decoding = %v, runtime = %v", &lenient, &strict)
		}
	})
}
