package server

import (
	"errors"

	"google.golang.org/grpc/encoding"
	protocodec "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// codec is gRPC's proto codec with one difference for stance.v1 requests:
// a string field that is not valid UTF-8 is kept as sent instead of failing
// the whole message. The Go protobuf runtime refuses such a message before
// any handler runs, and gRPC reports that as INTERNAL, which blames the
// server for the client's bytes; keeping the string lets the handler refuse
// the call with INVALID_ARGUMENT naming the field. Messages of every other
// package (health, reflection) decode as strictly as ever.
type codec struct {
	encoding.CodecV2
}

func newCodec() codec {
	return codec{encoding.GetCodecV2(protocodec.Name)}
}

// stancePackage is the proto package whose requests decode leniently.
const stancePackage protoreflect.FullName = "stance.v1"

// Unmarshal decodes data into v, falling back to the lenient decoding for a
// stance.v1 message the strict decoding refused.
func (c codec) Unmarshal(data mem.BufferSlice, v any) error {
	err := c.CodecV2.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	m, ok := v.(proto.Message)
	if !ok || m.ProtoReflect().Descriptor().ParentFile().Package() != stancePackage {
		return err
	}
	b := data.Materialize()
	proto.Reset(m)
	if lerr := unmarshalLenient(b, m.ProtoReflect(), 0); lerr != nil {
		return err
	}
	return nil
}

// maxDepth bounds the nesting unmarshalLenient follows, as the protobuf
// runtime does; stance.v1 requests nest three deep.
const maxDepth = 32

var errTooDeep = errors.New("message nested too deep")

// unmarshalLenient merges the wire-format message b into m as
// proto.Unmarshal would, except that string fields, at any depth, take
// their bytes as sent, valid UTF-8 or not. Every other field is decoded by
// the protobuf runtime itself.
func unmarshalLenient(b []byte, m protoreflect.Message, depth int) error {
	if depth > maxDepth {
		return errTooDeep
	}
	fields := m.Descriptor().Fields()
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		fd := fields.ByNumber(num)
		lenient := fd != nil && typ == protowire.BytesType && !fd.IsMap() &&
			(fd.Kind() == protoreflect.StringKind || fd.Kind() == protoreflect.MessageKind)
		if !lenient {
			vn := protowire.ConsumeFieldValue(num, typ, b[n:])
			if vn < 0 {
				return protowire.ParseError(vn)
			}
			if err := (proto.UnmarshalOptions{Merge: true}).Unmarshal(b[:n+vn], m.Interface()); err != nil {
				return err
			}
			b = b[n+vn:]
			continue
		}
		v, vn := protowire.ConsumeBytes(b[n:])
		if vn < 0 {
			return protowire.ParseError(vn)
		}
		b = b[n+vn:]
		switch {
		case fd.Kind() == protoreflect.StringKind && fd.IsList():
			m.Mutable(fd).List().Append(protoreflect.ValueOfString(string(v)))
		case fd.Kind() == protoreflect.StringKind:
			m.Set(fd, protoreflect.ValueOfString(string(v)))
		case fd.IsList():
			list := m.Mutable(fd).List()
			elem := list.NewElement()
			if err := unmarshalLenient(v, elem.Message(), depth+1); err != nil {
				return err
			}
			list.Append(elem)
		default:
			if err := unmarshalLenient(v, m.Mutable(fd).Message(), depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}
