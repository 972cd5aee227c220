package generate

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// The helpers below append JSON to a byte slice without reflection. A field
// helper writes the separating comma itself unless the slice ends with an
// opening brace or bracket, so objects are written as open, fields, close.

// sep appends a comma unless b ends an opening '{' or '['.
func sep(b []byte) []byte {
	if n := len(b); n > 0 {
		if c := b[n-1]; c != '{' && c != '[' {
			b = append(b, ',')
		}
	}
	return b
}

// key appends `,"k":`.
func key(b []byte, k string) []byte {
	b = sep(b)
	b = append(b, '"')
	b = append(b, k...)
	return append(b, '"', ':')
}

// fstr appends a string field.
func fstr(b []byte, k, v string) []byte {
	return appendString(key(b, k), v)
}

// fraw appends a field whose value is JSON text already.
func fraw(b []byte, k, raw string) []byte {
	return append(key(b, k), raw...)
}

// fint appends an integer field.
func fint(b []byte, k string, v int64) []byte {
	return strconv.AppendInt(key(b, k), v, 10)
}

// fbool appends a boolean field.
func fbool(b []byte, k string, v bool) []byte {
	return strconv.AppendBool(key(b, k), v)
}

// ffloat appends a number field with up to prec decimals.
func ffloat(b []byte, k string, v float64, prec int) []byte {
	return strconv.AppendFloat(key(b, k), v, 'f', prec, 64)
}

// fobj appends `"k":{` ; the caller closes it.
func fobj(b []byte, k string) []byte {
	return append(key(b, k), '{')
}

// farr appends `"k":[` ; the caller closes it.
func farr(b []byte, k string) []byte {
	return append(key(b, k), '[')
}

// ftime appends a time field in CloudTrail's second-precision UTC form.
func ftime(b []byte, k string, t time.Time) []byte {
	b = append(key(b, k), '"')
	b = t.UTC().AppendFormat(b, "2006-01-02T15:04:05Z")
	return append(b, '"')
}

// vstr appends a string array element.
func vstr(b []byte, v string) []byte {
	return appendString(sep(b), v)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaping what JSON requires and
// replacing invalid UTF-8 with U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\ufffd"...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
