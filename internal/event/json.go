package event

import (
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"
)

// MarshalJSON writes a value as JSON: null, booleans, numbers, strings,
// times as RFC 3339 strings, multi-values as arrays.
func (v Value) MarshalJSON() ([]byte, error) { return v.AppendJSON(nil), nil }

// AppendJSON appends the JSON form of v to dst.
func (v Value) AppendJSON(dst []byte) []byte {
	switch v.kind {
	case Null:
		return append(dst, "null"...)
	case Bool:
		return strconv.AppendBool(dst, v.n != 0)
	case Long:
		return strconv.AppendInt(dst, v.n, 10)
	case Double:
		if math.IsInf(v.float(), 0) {
			return strconv.AppendQuote(dst, FormatDouble(v.float()))
		}
		return append(dst, FormatDouble(v.float())...)
	case String, IP, Time:
		return AppendJSONString(dst, v.String())
	case Multi:
		dst = append(dst, '[')
		for i, e := range v.elems() {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = e.AppendJSON(dst)
		}
		return append(dst, ']')
	}
	return append(dst, "null"...)
}

// FromAny converts a value decoded by encoding/json (or YAML) into a Value.
func FromAny(x any) Value {
	switch t := x.(type) {
	case nil:
		return Value{}
	case bool:
		return BoolValue(t)
	case int:
		return LongValue(int64(t))
	case int64:
		return LongValue(t)
	case uint64:
		return LongValue(int64(t))
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1<<53 {
			return LongValue(int64(t))
		}
		return DoubleValue(t)
	case json.Number:
		if n, err := t.Int64(); err == nil {
			return LongValue(n)
		}
		f, _ := t.Float64()
		return DoubleValue(f)
	case string:
		return StringValue(t)
	case []any:
		vs := make([]Value, 0, len(t))
		for _, e := range t {
			vs = append(vs, FromAny(e))
		}
		return MultiValue(vs)
	}
	return Value{}
}

// AppendJSONString appends s as a JSON string. Unlike encoding/json it
// leaves <, > and & alone, so that "ATT&CK" reads as written; invalid
// UTF-8 becomes U+FFFD.
func AppendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\\ufffd"...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
