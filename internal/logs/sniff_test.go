package logs

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/tripline/tripline/internal/event"
)

// TestSniff covers every shape an input may start with, as the directory
// source (which reads the first SniffLen bytes of a file) and the decoder
// (which sniffs each top-level value of a stream) both see it.
func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		head string
		want Format
		// n is the length of the {"Records": prefix, counted from the
		// first byte that is not white space; open says the answer could
		// change with more input.
		n    int
		open bool
	}{
		{name: "nothing", head: "", want: FormatEmpty},
		{name: "white space only", head: " \n\t\r", want: FormatEmpty},
		{name: "byte-order mark only", head: "\xef\xbb\xbf\n", want: FormatEmpty},

		{name: "gzip magic", head: "\x1f\x8b\x08", want: FormatGzip},
		{name: "gzip magic alone", head: "\x1f\x8b", want: FormatGzip},
		{name: "half a gzip magic", head: "\x1f", want: FormatNotJSON},

		{name: "cloudtrail records", head: `{"Records":[`, want: FormatRecords, n: 11},
		{name: "records pretty-printed", head: "{\n  \"Records\" : [", want: FormatRecords, n: 15},
		{name: "records after white space", head: "\r\n {\"Records\":[{", want: FormatRecords, n: 11},
		{name: "records null", head: `{"Records":null}`, want: FormatRecords, n: 11},
		{name: "records key escaped", head: `{"Rec\u006frds":[`, want: FormatRecords, n: 16},
		{name: "records key cut before its colon", head: `{"Records"`, want: FormatLines, open: true},
		{name: "records key cut inside", head: `{"Reco`, want: FormatLines, open: true},
		{name: "records as a longer key", head: `{"RecordsX":[`, want: FormatLines},
		{name: "records not the first key", head: `{"a":1,"Records":[`, want: FormatLines},

		{name: "json array", head: `[{"eventVersion":"1.08"`, want: FormatArray},
		{name: "json array after byte-order mark", head: "\xef\xbb\xbf[{", want: FormatArray},
		{name: "json array after white space", head: "\n\n  [", want: FormatArray},

		{name: "cloudtrail json lines", head: ct("a", "InvokeModel") + "\n" + ct("b", "InvokeModel"), want: FormatLines},
		{name: "bedrock invocation json lines", head: br("x", "Converse") + "\n" + br("y", "Converse"), want: FormatLines},
		{name: "object with a newline after its first key", head: "{ \"a\":\n", want: FormatLines},
		{name: "object cut after its brace", head: "{", want: FormatLines, open: true},
		{name: "object cut in spaces after its brace", head: "{ \t ", want: FormatLines, open: true},

		{name: "pretty-printed cloudtrail", head: pretty(ct("a", "InvokeModel"), ""), want: FormatPretty},
		{name: "pretty-printed bedrock invocation", head: pretty(br("x", "Converse"), ""), want: FormatPretty},
		{name: "pretty-printed, cut at its first key", head: "{\n  \"eventVersion\"", want: FormatPretty},
		{name: "pretty-printed with CRLF", head: "{  \r\n", want: FormatPretty, open: true},

		{name: "text", head: "garbage\n", want: FormatNotJSON},
		{name: "a JSON string", head: `"a"`, want: FormatNotJSON},
		{name: "a number", head: "12\n", want: FormatNotJSON},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Sniff([]byte(tc.head)); got != tc.want {
				t.Errorf("Sniff(%q) = %v, want %v", tc.head, got, tc.want)
			}
			b := bytes.TrimLeft(bytes.TrimPrefix([]byte(tc.head), byteOrderMark), " \t\r\n")
			if len(b) == 0 || isGzip(b) {
				return
			}
			f, n, sure := sniffValue(b)
			if f != tc.want || n != tc.n || sure == tc.open {
				t.Errorf("sniffValue(%q) = %v, %d, sure %v; want %v, %d, sure %v", b, f, n, sure, tc.want, tc.n, !tc.open)
			}
		})
	}
}

// TestDecoderSniffsPastItsWindow reads objects whose shape shows only past
// the first bytes the decoder has, one byte per read: it reads on until
// the shape is known, as Sniff would decide on the whole input.
func TestDecoderSniffsPastItsWindow(t *testing.T) {
	spaces := strings.Repeat(" ", 2*sniffLookahead)
	tests := []struct {
		name string
		data string
		ids  []string
	}{
		{"pretty-printed", "{" + spaces + pretty(ct("a", "InvokeModel"), "")[1:] + "\n" + pretty(ct("b", "InvokeModel"), ""), []string{"a", "b"}},
		{"records", "{" + spaces + `"Records":[` + ct("a", "InvokeModel") + "," + ct("b", "InvokeModel") + "]}", []string{"a", "b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ids []string
			st, err := ReadStream(context.Background(), "one-byte", iotest.OneByteReader(strings.NewReader(tc.data)), StreamStart{}, Options{},
				func(_ int, ev *event.Event) error {
					ids = append(ids, ev.ID)
					return nil
				})
			if err != nil || st.Bad != 0 || strings.Join(ids, ",") != strings.Join(tc.ids, ",") {
				t.Errorf("read %v, bad %d %v, err %v; want %v", ids, st.Bad, st.BadSamples, err, tc.ids)
			}
		})
	}
}
