package event

import (
	"encoding/binary"
	"errors"
)

// AppendBinary appends a compact, lossless encoding of v to dst: a kind
// byte and the payload. Checkpoints of window state use it.
func (v Value) AppendBinary(dst []byte) []byte {
	dst = append(dst, byte(v.kind))
	switch v.kind {
	case Bool, Long, Time:
		dst = binary.AppendVarint(dst, v.n)
	case Double:
		dst = binary.LittleEndian.AppendUint64(dst, uint64(v.n))
	case String, IP:
		dst = binary.AppendUvarint(dst, uint64(len(v.s)))
		dst = append(dst, v.s...)
	case Multi:
		dst = binary.AppendUvarint(dst, uint64(len(v.elems())))
		for _, e := range v.elems() {
			dst = e.AppendBinary(dst)
		}
	}
	return dst
}

var errShortValue = errors.New("truncated value encoding")

// ReadBinary decodes a value written by AppendBinary from the front of b
// and returns the rest.
func ReadBinary(b []byte) (Value, []byte, error) {
	if len(b) == 0 {
		return Value{}, nil, errShortValue
	}
	v := Value{kind: Kind(b[0])}
	b = b[1:]
	switch v.kind {
	case Null:
	case Bool, Long, Time:
		n, k := binary.Varint(b)
		if k <= 0 {
			return Value{}, nil, errShortValue
		}
		v.n, b = n, b[k:]
	case Double:
		if len(b) < 8 {
			return Value{}, nil, errShortValue
		}
		v.n, b = int64(binary.LittleEndian.Uint64(b)), b[8:]
	case String, IP:
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			return Value{}, nil, errShortValue
		}
		v.s, b = string(b[k:k+int(n)]), b[k+int(n):]
	case Multi:
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)) {
			return Value{}, nil, errShortValue
		}
		b = b[k:]
		mv := make([]Value, 0, n)
		for i := uint64(0); i < n; i++ {
			e, rest, err := ReadBinary(b)
			if err != nil {
				return Value{}, nil, err
			}
			mv, b = append(mv, e), rest
		}
		v = multi(mv)
	default:
		return Value{}, nil, errors.New("unknown value kind in encoding")
	}
	return v, b, nil
}
