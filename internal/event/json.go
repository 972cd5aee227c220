package event

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf16"
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
func AppendJSONString(dst []byte, s string) []byte { return appendJSONText(dst, s) }

// appendJSONText is AppendJSONString for text held as a string or as
// bytes, so that decoded JSON strings are written without a copy.
func appendJSONText[T string | []byte](dst []byte, s T) []byte {
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
		var head [utf8.UTFMax]byte
		r, size := utf8.DecodeRune(head[:copy(head[:], s[i:])])
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

// DecodeUnicodeEscapes returns raw JSON text with its \uXXXX escapes
// replaced by the characters they stand for (UTF-8; a lone surrogate
// becomes U+FFFD), appended to dst; raw itself when it has none. Other
// escapes are kept as written. ok reports whether there was anything to
// decode: only then is the result in dst. Searches for literal text in a raw record
// read this, so that "ListFoundation\u004dodels", as some shippers
// re-encode JSON, still holds "ListFoundationModels". The result is not
// valid JSON in general (a decoded quote ends no string): it is text to
// search, never to parse.
func DecodeUnicodeEscapes(dst, raw []byte) (text []byte, ok bool) {
	i := bytes.Index(raw, []byte(`\u`))
	if i < 0 {
		return raw, false
	}
	// An escaped backslash before the u makes it text: find the first
	// backslash of the run the u follows and start from there.
	for i > 0 && raw[i-1] == '\\' {
		i--
	}
	dst = append(dst, raw[:i]...)
	for i < len(raw) {
		c := raw[i]
		if c != '\\' || i+1 >= len(raw) {
			dst = append(dst, c)
			i++
			continue
		}
		if raw[i+1] != 'u' {
			dst = append(dst, c, raw[i+1])
			i += 2
			continue
		}
		r, n := unicodeEscape(raw[i:])
		if n == 0 {
			dst = append(dst, c)
			i++
			continue
		}
		dst = utf8.AppendRune(dst, r)
		i += n
	}
	return dst, true
}

// unicodeEscape reads the \uXXXX escape at the start of b, or a pair of
// them that spells a surrogate pair, returning the rune and the bytes
// read; 0 bytes when b does not start with a well-formed escape.
func unicodeEscape(b []byte) (rune, int) {
	r, ok := hex4(b)
	if !ok {
		return 0, 0
	}
	if utf16.IsSurrogate(r) {
		if lo, ok := hex4(b[6:]); ok {
			if pair := utf16.DecodeRune(r, lo); pair != utf8.RuneError {
				return pair, 12
			}
		}
		return utf8.RuneError, 6
	}
	return r, 6
}

// hex4 reads "\uXXXX" at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range b[2:6] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// AppendUnescaped appends the text of a JSON string's body (what lies
// between its quotes) with every escape decoded; ok is false when an
// escape is malformed.
func AppendUnescaped(dst, body []byte) (text []byte, ok bool) {
	for i := 0; i < len(body); {
		c := body[i]
		if c != '\\' {
			dst = append(dst, c)
			i++
			continue
		}
		if i+1 >= len(body) {
			return dst, false
		}
		switch e := body[i+1]; e {
		case '"', '\\', '/':
			dst = append(dst, e)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, n := unicodeEscape(body[i:])
			if n == 0 {
				return dst, false
			}
			dst = utf8.AppendRune(dst, r)
			i += n
			continue
		default:
			return dst, false
		}
		i += 2
	}
	return dst, true
}
