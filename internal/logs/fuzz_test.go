package logs

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/event"
)

// FuzzDecode feeds arbitrary bytes through sniffing and decoding. It must
// not panic; every problem must point inside the decoded stream with a line
// that matches its offset; every plain record's Raw must be the text at its
// origin; a shape the sniffer is sure of from the input's start must be the
// shape of the whole input.
func FuzzDecode(f *testing.F) {
	a, b := ct("a", "X"), br("x", "Converse")
	for _, seed := range []string{
		`{"Records":[` + a + `,` + b + `]}`,
		`{"Records":[` + a + ` ` + b + `]}`,
		`{"Records":null}`,
		`{"x":1,"Records":[` + a + `]}`,
		"[\n" + pretty(a, "  ") + ",\n42,\n" + b + "\n]",
		a + "\n{bad\n" + b + "\n",
		pretty(b, "") + pretty(a, ""),
		"\xef\xbb\xbf" + a,
		a[:50],
		"garbage",
		string(gzBytes(f, []byte(a+"\n"+b))),
		string(gzBytes(f, []byte(`{"Records":[`+a+`]}`))[:30]),
		"{\"Records\":[\"\xff\",{\"eventName\":\"\xfe\"}]}",
	} {
		f.Add([]byte(seed), uint16(0))
	}
	f.Add([]byte("["+a+","+a+"]"), uint16(300))
	f.Fuzz(func(t *testing.T, data []byte, max uint16) {
		maxRecord := DefaultMaxRecordBytes
		if max > 0 {
			maxRecord = int(max)
		}
		r := &run{opt: Options{MaxRecordBytes: maxRecord}}
		var recs []event.Origin
		var raws []string
		r.h = func(_ int, ev *event.Event) error {
			if ev.Doc == nil || ev.Time.IsZero() || ev.LogType == event.UnknownLogType {
				t.Fatalf("record delivered without doc, time or log type: %+v", ev.Origin)
			}
			recs = append(recs, ev.Origin)
			raws = append(raws, string(ev.Raw))
			return nil
		}
		w := newWorker(0, r)
		w.name = "fuzz"
		w.decode(bytes.NewReader(data))
		decoded := w.decoded
		plain := !isGzip(data)
		if plain {
			checkSniffPrefixes(t, data)
		}
		if plain && decoded != int64(len(data)) {
			t.Fatalf("decoded %d of %d plain bytes", decoded, len(data))
		}
		for _, s := range w.samples {
			o := s.p.Origin
			if o.Offset < 0 || o.Offset > decoded || o.Line < 0 || (o.Line == 0 && o.Offset != 0) {
				t.Fatalf("problem origin %+v outside the %d decoded bytes: %v", o, decoded, s.p)
			}
			if plain && o.Line != 0 && o.Line != lineOf(data, o.Offset) {
				t.Fatalf("problem at offset %d says line %d, want %d", o.Offset, o.Line, lineOf(data, o.Offset))
			}
		}
		for i, o := range recs {
			if o.Offset < 0 || o.Offset > decoded || o.Line < 1 {
				t.Fatalf("record origin %+v outside the %d decoded bytes", o, decoded)
			}
			if !plain {
				continue
			}
			if o.Line != lineOf(data, o.Offset) {
				t.Fatalf("record at offset %d says line %d, want %d", o.Offset, o.Line, lineOf(data, o.Offset))
			}
			// Raw is the input's text at the origin, unless it was rebuilt
			// (from a nested "Records" array, or with invalid UTF-8 replaced).
			if strings.Contains(string(data), raws[i]) && !strings.HasPrefix(string(data[o.Offset:]), raws[i]) {
				t.Fatalf("record at %d is not its raw text %.60q", o.Offset, raws[i])
			}
		}
	})
}

// checkSniffPrefixes checks that whenever sniffValue is sure of the shape
// of the value data starts with from a prefix, the whole of data has that
// shape: the decoder stops reading ahead on that word.
func checkSniffPrefixes(t *testing.T, data []byte) {
	b := bytes.TrimLeft(bytes.TrimPrefix(data, byteOrderMark), " \t\r\n")
	if len(b) == 0 {
		return
	}
	f, n, _ := sniffValue(b)
	for k := 1; k < len(b) && k <= 2*sniffLookahead; k++ {
		if pf, pn, sure := sniffValue(b[:k]); sure && (pf != f || pn != n) {
			t.Fatalf("sniffValue is sure of %v, %d from %q, but the whole is %v, %d", pf, pn, b[:k], f, n)
		}
	}
}

func gzBytes(f *testing.F, data []byte) []byte { return gz(f, data) }
