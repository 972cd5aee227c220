package logs

import "bytes"

// Format is the shape of a log input, as its first bytes show it.
type Format uint8

// The formats Sniff tells apart.
const (
	// FormatEmpty is an input with nothing yet but white space and a
	// byte-order mark.
	FormatEmpty Format = iota
	// FormatGzip is a gzip stream; the format of what it holds is inside.
	FormatGzip
	// FormatRecords is a {"Records":[...]} object, as CloudTrail delivers
	// its logs.
	FormatRecords
	// FormatArray is a JSON array of records.
	FormatArray
	// FormatLines is JSON objects one per line (JSON lines, as Bedrock's
	// model-invocation logs are written).
	FormatLines
	// FormatPretty is pretty-printed JSON objects one after another: a
	// newline follows the first '{' before any key.
	FormatPretty
	// FormatNotJSON is an input that starts with something no JSON log
	// starts with.
	FormatNotJSON
)

var formatNames = [...]string{"empty", "gzip", "records", "array", "lines", "pretty", "not JSON"}

// String names the format, for messages.
func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return "unknown"
}

// SniffLen is how many leading bytes of an input Sniff needs to tell its
// format, unless the input starts with a longer run of white space.
const SniffLen = 512

// Sniff tells the format of an input from its first bytes. head may stop
// anywhere: when it stops before the format shows, the answer is the one
// for head as the whole input (an object whose '{' is followed only by
// spaces, as one that stays on its line, is FormatLines). The decoder
// makes the same decisions, on the decompressed stream and again at each
// top-level value, since an input may hold several shapes one after
// another.
func Sniff(head []byte) Format {
	if isGzip(head) {
		return FormatGzip
	}
	b := bytes.TrimPrefix(head, byteOrderMark)
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return FormatEmpty
	}
	f, _, _ := sniffValue(b)
	return f
}

var byteOrderMark = []byte("\xef\xbb\xbf")

// isGzip reports whether head starts with gzip's magic number.
func isGzip(head []byte) bool {
	return len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b
}

// sniffValue tells the shape of the top-level value that b starts with
// (b[0] is not white space): FormatArray, FormatRecords with n the length
// of its `{"Records":` prefix, FormatLines or FormatPretty for any other
// object, or FormatNotJSON. sure is false when what follows b could change
// the answer; the answer is then the one for b as the whole input.
func sniffValue(b []byte) (f Format, n int, sure bool) {
	switch b[0] {
	case '[':
		return FormatArray, 0, true
	case '{':
	default:
		return FormatNotJSON, 0, true
	}
	n, sure = recordsPrefix(b)
	if n > 0 {
		return FormatRecords, n, true
	}
	f, layoutSure := objectLayout(b)
	return f, 0, sure && layoutSure
}

// recordsPrefix returns the length of `{ "Records" :` (with any white
// space, and the key spelled with any escapes) at the start of b, an
// object; 0 when the object does not start that way. sure is false when
// b ends before that shows.
func recordsPrefix(b []byte) (n int, sure bool) {
	i := skipSpaces(b, 1)
	if i == len(b) {
		return 0, false
	}
	if b[i] != '"' {
		return 0, true
	}
	var sc valueScanner
	sc.reset('"')
	k := sc.scan(b[i:])
	if k < 0 {
		return 0, false
	}
	if !keyIs(b[i+1:i+k-1], "Records") {
		return 0, true
	}
	i = skipSpaces(b, i+k)
	switch {
	case i == len(b):
		return 0, false
	case b[i] == ':':
		return i + 1, true
	}
	return 0, true
}

// objectLayout tells how the object at the start of b is laid out: when a
// newline follows its '{' before any content, it is pretty-printed. sure
// is false when b ends first.
func objectLayout(b []byte) (f Format, sure bool) {
	for _, c := range b[1:] {
		switch c {
		case '\n':
			return FormatPretty, true
		case ' ', '\t', '\r':
		default:
			return FormatLines, true
		}
	}
	return FormatLines, false
}

// skipSpaces returns the index of the first byte of b at or after i that
// is not JSON white space, or len(b).
func skipSpaces(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}
