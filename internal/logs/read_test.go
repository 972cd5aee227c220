package logs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/event"
)

func TestReadFormats(t *testing.T) {
	a, b, c := ct("a", "InvokeModel"), ct("b", "ListFoundationModels"), ct("c", "GetFoundationModelAvailability")
	x, y := br("x", "InvokeModel"), br("y", "Converse")
	tests := []struct {
		name     string
		data     string
		gzip     bool
		ids      []string
		lines    []int
		logTypes []event.LogType
		empty    int
	}{
		{name: "records wrapper on one line", data: `{"Records":[` + a + `,` + b + `,` + c + `]}`,
			ids: []string{"a", "b", "c"}, lines: []int{1, 1, 1}},
		{name: "records wrapper gzip", data: `{"Records":[` + a + `,` + b + "]}\n", gzip: true,
			ids: []string{"a", "b"}, lines: []int{1, 1}},
		{name: "records wrapper pretty", data: "{\n  \"Records\" : [\n" + pretty(a, "    ") + ",\n    " + b + "\n  ]\n}\n",
			ids: []string{"a", "b"}, lines: []int{3, 3 + strings.Count(pretty(a, ""), "\n") + 1}},
		{name: "records key written with escapes", data: `{"Rec\u006fr\u0064s":[` + a + `,` + b + `]}`,
			ids: []string{"a", "b"}, lines: []int{1, 1}},
		{name: "records key escaped, not first", data: `{"v":1, "Record\u0073":[` + a + `]}`,
			ids: []string{"a"}, lines: []int{1}},
		{name: "records not the first key", data: `{"version":1,"Records":[` + a + `,` + b + `]}`,
			ids: []string{"a", "b"}, lines: []int{1, 1}},
		{name: "records not the first key pretty", data: "{\n \"v\": {\"Records\": 1},\n \"Records\": [\n  " + a + ",\n  " + b + "\n ]\n}",
			ids: []string{"a", "b"}, lines: []int{4, 5}},
		{name: "members after records and a second wrapper", data: `{"Records":[` + a + `],"x":{"y":["]}"]}}` + "\n" + `{"Records":[` + b + `]}`,
			ids: []string{"a", "b"}, lines: []int{1, 2}},
		{name: "json array pretty", data: "[\n  " + pretty(a, "  ") + ",\n  " + pretty(b, "  ") + "\n]\n",
			ids: []string{"a", "b"}, lines: []int{2, 2 + strings.Count(pretty(a, ""), "\n") + 1}},
		{name: "json array gzip", data: "[" + a + "," + x + "]", gzip: true,
			ids: []string{"a", "x"}, lines: []int{1, 1}, logTypes: []event.LogType{event.CloudTrail, event.BedrockInvocation}},
		{name: "json lines cloudtrail", data: a + "\n" + b + "\n" + c + "\n",
			ids: []string{"a", "b", "c"}, lines: []int{1, 2, 3}},
		{name: "json lines bedrock crlf and blank lines", data: x + "\r\n\r\n" + y,
			ids: []string{"x", "y"}, lines: []int{1, 3}, logTypes: []event.LogType{event.BedrockInvocation, event.BedrockInvocation}},
		{name: "json lines mixed log types gzip", data: x + "\n" + a + "\n", gzip: true,
			ids: []string{"x", "a"}, lines: []int{1, 2}, logTypes: []event.LogType{event.BedrockInvocation, event.CloudTrail}},
		{name: "one pretty object", data: pretty(a, ""), ids: []string{"a"}, lines: []int{1}},
		{name: "pretty objects one after another", data: pretty(x, "") + "\n" + pretty(y, ""),
			ids: []string{"x", "y"}, lines: []int{1, 1 + strings.Count(pretty(x, ""), "\n") + 1},
			logTypes: []event.LogType{event.BedrockInvocation, event.BedrockInvocation}},
		{name: "byte order mark", data: "\xef\xbb\xbf" + a + "\n" + b, ids: []string{"a", "b"}, lines: []int{1, 2}},
		{name: "invocation without schemaType", data: `{"timestamp":"2026-05-07T19:00:00Z","requestId":"r","operation":"Converse","modelId":"m"}`,
			ids: []string{"r"}, lines: []int{1}, logTypes: []event.LogType{event.BedrockInvocation}},
		{name: "empty file", data: "", empty: 1},
		{name: "blank file", data: " \n\n\t", empty: 1},
		{name: "records null", data: `{"Records": null}`, empty: 1},
		{name: "records empty", data: `{"Records":[]}`, empty: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.data)
			if tc.gzip {
				data = gz(t, data)
			}
			path := writeFile(t, filepath.Join(t.TempDir(), "in"), data)
			recs, st := collect(t, []string{path}, Options{})
			if st.Bad != 0 {
				t.Fatalf("bad = %d, samples %v", st.Bad, st.BadSamples)
			}
			if got := ids(recs); !slices.Equal(got, tc.ids) && len(got)+len(tc.ids) > 0 {
				t.Fatalf("ids = %q, want %q", got, tc.ids)
			}
			if st.Empty != tc.empty || st.Files != 1 {
				t.Errorf("files, empty = %d, %d; want 1, %d", st.Files, st.Empty, tc.empty)
			}
			if st.Bytes != int64(len(data)) || st.Decoded != int64(len(tc.data)) {
				t.Errorf("bytes, decoded = %d, %d; want %d, %d", st.Bytes, st.Decoded, len(data), len(tc.data))
			}
			for i, r := range recs {
				if r.Origin.Line != tc.lines[i] {
					t.Errorf("record %s: line %d, want %d", r.ID, r.Origin.Line, tc.lines[i])
				}
				// Raw is the record's text at its offset in the decoded stream.
				if raw := tc.data[r.Origin.Offset:]; !strings.HasPrefix(raw, r.Raw) {
					t.Errorf("record %s: raw is not at offset %d", r.ID, r.Origin.Offset)
				}
				if r.Origin.File != path {
					t.Errorf("record %s: file %q", r.ID, r.Origin.File)
				}
				want := event.CloudTrail
				if tc.logTypes != nil {
					want = tc.logTypes[i]
				}
				if r.LogType != want {
					t.Errorf("record %s: log type %v, want %v", r.ID, r.LogType, want)
				}
				if r.Time.IsZero() || r.Time.Location() != time.UTC {
					t.Errorf("record %s: time %v", r.ID, r.Time)
				}
			}
		})
	}
}

func TestReadFieldsAndTime(t *testing.T) {
	data := ct("a", "InvokeModel") + "\n" +
		`{"schemaType":"ModelInvocationLog","timestamp":"2024-04-18T22:54:57.123456+02:00","requestId":"x","operation":"Converse","modelId":"m"}` + "\n"
	path := writeFile(t, filepath.Join(t.TempDir(), "f.log"), []byte(data))
	recs, _ := collect(t, []string{path}, Options{})
	if len(recs) != 2 {
		t.Fatalf("got %d records", len(recs))
	}
	if want := time.Date(2024, 10, 17, 20, 9, 52, 0, time.UTC); !recs[0].Time.Equal(want) {
		t.Errorf("cloudtrail time %v, want %v", recs[0].Time, want)
	}
	if want := time.Date(2024, 4, 18, 20, 54, 57, 123456000, time.UTC); !recs[1].Time.Equal(want) {
		t.Errorf("invocation time %v, want %v", recs[1].Time, want)
	}
	if recs[0].IP != "035.249.253.232" || recs[0].Name != "InvokeModel" || recs[1].Name != "Converse" {
		t.Errorf("fields: %+v", recs)
	}
	if recs[1].Origin.Offset != int64(len(ct("a", "InvokeModel"))+1) {
		t.Errorf("offset %d", recs[1].Origin.Offset)
	}
}

func TestReadGzipMembers(t *testing.T) {
	a, b := ct("a", "X"), ct("b", "Y")
	data := append(gz(t, []byte(a+"\n")), gz(t, []byte(b+"\n"))...)
	path := writeFile(t, filepath.Join(t.TempDir(), "two.json.gz"), data)
	recs, st := collect(t, []string{path}, Options{})
	if got := ids(recs); !slices.Equal(got, []string{"a", "b"}) || st.Bad != 0 {
		t.Fatalf("ids %q, bad %v", got, st.BadSamples)
	}
	if recs[1].Origin.Line != 2 || recs[1].Origin.Offset != int64(len(a)+1) {
		t.Errorf("second member record at %v", recs[1].Origin)
	}
}

func TestReadStdin(t *testing.T) {
	data := gz(t, []byte(`{"Records":[`+ct("a", "X")+`]}`))
	dir := t.TempDir()
	file := writeFile(t, filepath.Join(dir, "f.json"), []byte(br("x", "InvokeModel")))
	recs, st := collect(t, []string{"-", file, "-"}, Options{Stdin: bytes.NewReader(data), Workers: 2})
	if st.Files != 2 || st.Bytes != int64(len(data)+len(br("x", "InvokeModel"))) {
		t.Errorf("files %d bytes %d", st.Files, st.Bytes)
	}
	if len(recs) != 2 || recs[0].Origin.File != "-" || recs[0].ID != "a" || recs[1].ID != "x" {
		t.Fatalf("records %+v", recs)
	}
}

func TestReadS3Layout(t *testing.T) {
	root := t.TempDir()
	acct := filepath.Join(root, "AWSLogs", "111122223333")
	var ctFiles []string
	n := 0
	for _, region := range []string{"eu-west-1", "us-east-1"} {
		for _, hour := range []string{"1205", "1210"} {
			var recs []string
			for range 3 {
				recs = append(recs, ct(fmt.Sprint("ct-", n), "GetObject"))
				n++
			}
			name := fmt.Sprintf("111122223333_CloudTrail_%s_20241017T%sZ_abcd.json.gz", region, hour)
			p := filepath.Join(acct, "CloudTrail", region, "2024", "10", "17", name)
			ctFiles = append(ctFiles, writeFile(t, p, gz(t, []byte(`{"Records":[`+strings.Join(recs, ",")+`]}`))))
		}
	}
	digest := `{"awsAccountId":"111122223333","digestStartTime":"2024-10-17T19:00:00Z","logFiles":[]}`
	writeFile(t, filepath.Join(acct, "CloudTrail-Digest", "us-east-1", "2024", "10", "17", "d.json.gz"), gz(t, []byte(digest)))
	inv := filepath.Join(acct, "BedrockModelInvocationLogs", "us-east-1", "2024", "10", "17", "20", "20241017T200000123Z_abc.json.gz")
	writeFile(t, inv, gz(t, []byte(br("x", "InvokeModel")+"\n"+br("y", "Converse")+"\n")))
	writeFile(t, filepath.Join(acct, "BedrockModelInvocationLogs", "amazon-bedrock-logs-permission-check"), []byte("ok"))
	writeFile(t, filepath.Join(root, "README.md"), []byte("# logs"))
	writeFile(t, filepath.Join(root, "LICENSE"), []byte("MIT"))
	writeFile(t, filepath.Join(root, ".git", "config"), []byte("[core]"))

	files, err := Expand([]string{root})
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string{inv}, ctFiles...)
	if !slices.Equal(files, want) {
		t.Fatalf("Expand = %q\nwant %q", files, want)
	}
	recs, st := collect(t, []string{root}, Options{Workers: 3})
	if st.Bad != 0 || st.Files != 5 || len(recs) != 14 {
		t.Fatalf("bad %d files %d records %d: %v", st.Bad, st.Files, len(recs), st.BadSamples)
	}
	if st.Records[event.CloudTrail] != 12 || st.Records[event.BedrockInvocation] != 2 || st.Total() != 14 {
		t.Errorf("records by log type %v", st.Records)
	}
}

// problemWant is where a problem must be reported: its line, the text
// that starts at its offset (or an explicit offset), and part of its message.
type problemWant struct {
	line int
	at   string // the decoded input at the offset starts with this
	off  int64  // used when at is empty
	msg  string
}

func TestReadDamage(t *testing.T) {
	a, b, c := ct("a", "X"), ct("b", "Y"), ct("c", "Z")
	big := ct("big", strings.Repeat("v", 300<<10))
	tests := []struct {
		name     string
		data     string
		max      int
		ids      []string
		problems []problemWant
	}{
		{name: "malformed line", data: a + "\n{\"eventName\": broken\n" + b + "\n",
			ids: []string{"a", "b"}, problems: []problemWant{{line: 2, at: `{"eventName": broken`, msg: "cannot parse record"}}},
		{name: "malformed element in records", data: `{"Records":[` + a + `,{"eventName":"x",},` + b + `]}`,
			ids: []string{"a", "b"}, problems: []problemWant{{line: 1, at: `{"eventName":"x",}`, msg: "cannot parse record"}}},
		{name: "element without time", data: `{"Records":[` + a + `,{"eventSource":"s3.amazonaws.com","eventName":"x"},` + b + `]}`,
			ids: []string{"a", "b"}, problems: []problemWant{{line: 1, at: `{"eventSource":"s3`, msg: "no eventTime"}}},
		{name: "invocation without time", data: `{"schemaType":"ModelInvocationLog","requestId":"r","modelId":"m"}` + "\n" + a,
			ids: []string{"a"}, problems: []problemWant{{line: 1, off: 0, msg: "no timestamp"}}},
		{name: "bad time", data: a + "\n" + strings.Replace(b, "2024-10-17T20:09:52Z", "yesterday", 1) + "\n" + c,
			ids: []string{"a", "c"}, problems: []problemWant{{line: 2, off: int64(len(a) + 1), msg: `cannot parse eventTime "yesterday"`}}},
		{name: "unknown type", data: `[` + a + ",\n" + `{"hello":"world"}` + "\n," + b + `]`,
			ids: []string{"a", "b"}, problems: []problemWant{{line: 2, at: `{"hello"`, msg: "unknown type"}}},
		{name: "element not an object", data: `[` + a + `, 42, "s", null, ` + b + `]`,
			ids: []string{"a", "b"}, problems: []problemWant{
				{line: 1, at: `42`, msg: "JSON number, not an object"},
				{line: 1, at: `"s"`, msg: "JSON string, not an object"},
				{line: 1, at: `null`, msg: "JSON null, not an object"}}},
		{name: "missing comma", data: `{"Records":[` + a + ` ` + b + `]}` + "\n" + c,
			ids: []string{"a", "b", "c"}, problems: []problemWant{{line: 1, at: b, msg: "want ',' or ']'"}}},
		{name: "stray brace resumes at the next record", data: `{"Records":[` + a + `,{"eventVersion":"1.08","eventName":"x"}},"eventID":"bad"},` + b + `,` + c + `]}`,
			ids: []string{"a", "b", "c"}, problems: []problemWant{
				{line: 1, at: `{"eventVersion":"1.08","eventName":"x"}`, msg: "no eventTime"},
				{line: 1, at: `},"eventID":"bad"}`, msg: "want ',' or ']' after a record; skipped 19 bytes"}}},
		{name: "unclosed string resumes at the next record", data: `{"Records":[` + a + `,{"eventVersion":"1.08","eventName":"x,"eventID":"bad"},` + b + `,` + c + `]}`,
			ids: []string{"a", "b", "c"}, problems: []problemWant{
				{line: 1, at: `{"eventVersion":"1.08","eventName":"x,`, msg: "record not closed before the next one starts"}}},
		{name: "missing brace resumes at the record it swallowed", data: `{"Records":[` + a + `,{"eventVersion":"1.08","eventName":"x","eventID":"bad",` + b + `,` + c + `]}`,
			ids: []string{"a", "b", "c"}, problems: []problemWant{
				{line: 1, at: `{"eventVersion":"1.08","eventName":"x","eventID":"bad"`, msg: "cannot parse record"}}},
		{name: "garbage between records", data: "[\n" + a + ",\nxx yy,\n" + b + "\n]",
			ids: []string{"a", "b"}, problems: []problemWant{{line: 3, at: "xx yy", msg: "want a record; skipped 7 bytes"}}},
		{name: "truncated wrapper", data: `{"Records":[` + a + `,` + b[:40],
			ids: []string{"a"}, problems: []problemWant{{line: 1, off: int64(len(`{"Records":[` + a + `,`)), msg: "unexpected end of input inside record"}}},
		{name: "array not closed", data: "[\n" + a + ",\n" + b + "\n",
			ids: []string{"a", "b"}, problems: []problemWant{{line: 1, off: 0, msg: "JSON array not closed"}}},
		{name: "records not an array", data: `{"Records":"nope"}`,
			problems: []problemWant{{line: 1, at: `"nope"`, msg: `"Records" is neither an array nor null`}}},
		{name: "garbage line", data: a + "\nhello there\n" + b,
			ids: []string{"a", "b"}, problems: []problemWant{{line: 2, at: "hello", msg: `unexpected 'h' outside any record`}}},
		{name: "not a log", data: "#!/bin/sh\necho hi\n",
			problems: []problemWant{{line: 1, off: 0, msg: "not a JSON log"}}},
		{name: "oversize line", data: a + "\n" + ct("big", strings.Repeat("v", 500)) + "\n" + b, max: 400,
			ids: []string{"a", "b"}, problems: []problemWant{{line: 2, at: `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice"},"eventTime":"2024-10-17T20:09:52Z","eventSource":"bedrock.amazonaws.com","eventName":"vvv`, msg: "record larger than 400 bytes"}}},
		{name: "oversize element in window", data: "[" + a + "," + ct("big", strings.Repeat("v", 500)) + "," + b + "]", max: 400,
			ids: []string{"a", "b"}, problems: []problemWant{{line: 1, at: `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice"},"eventTime":"2024-10-17T20:09:52Z","eventSource":"bedrock.amazonaws.com","eventName":"vvv`, msg: "record larger than 400 bytes"}}},
		{name: "oversize element past window", data: "[" + a + ",\n" + big + ",\n" + b + "]", max: 1000,
			ids: []string{"a", "b"}, problems: []problemWant{{line: 2, at: big[:200], msg: "record larger than 1000 bytes"}}},
		{name: "oversize line past window", data: a + "\n" + big + "\n" + b + "\n", max: 1000,
			ids: []string{"a", "b"}, problems: []problemWant{{line: 2, at: big[:200], msg: "record larger than 1000 bytes"}}},
		{name: "invalid utf-8 accepted with replacement", data: a + "\n" + strings.Replace(b, `"Y"`, "\"Y\xff\xfe\"", 1) + "\n",
			ids: []string{"a", "b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(t.TempDir(), "in"), []byte(tc.data))
			recs, st := collect(t, []string{path}, Options{MaxRecordBytes: tc.max})
			if got := ids(recs); !slices.Equal(got, tc.ids) && len(got)+len(tc.ids) > 0 {
				t.Errorf("ids = %q, want %q", got, tc.ids)
			}
			checkProblems(t, []byte(tc.data), st, tc.problems)
			for _, r := range recs {
				if !strings.HasPrefix(r.Raw, "{") || strings.Contains(r.Raw, "\xff") {
					t.Errorf("record %s: raw %.40q", r.ID, r.Raw)
				}
			}
		})
	}
}

func checkProblems(t *testing.T, data []byte, st Stats, want []problemWant) {
	t.Helper()
	if st.Bad != len(want) || len(st.BadSamples) != len(want) {
		t.Fatalf("bad = %d, samples %v; want %d problems", st.Bad, st.BadSamples, len(want))
	}
	for i, w := range want {
		p := st.BadSamples[i]
		off := w.off
		if w.at != "" {
			off = int64(bytes.Index(data, []byte(w.at)))
		}
		if p.Origin.Line != w.line || p.Origin.Offset != off {
			t.Errorf("problem %d at line %d offset %d, want line %d offset %d (%v)", i, p.Origin.Line, p.Origin.Offset, w.line, off, p)
		}
		if !strings.Contains(p.Err.Error(), w.msg) {
			t.Errorf("problem %d: %q does not contain %q", i, p.Err, w.msg)
		}
		where := fmt.Sprintf("%s:%d: ", p.Origin.File, w.line)
		if off > 0 {
			where = fmt.Sprintf("%s:%d (byte %d): ", p.Origin.File, w.line, off)
		}
		if !strings.HasPrefix(p.String(), where) {
			t.Errorf("problem %d renders as %q", i, p.String())
		}
	}
}

func TestReadInvalidUTF8Replaced(t *testing.T) {
	data := `{"Records":[` + strings.Replace(ct("a", "X"), `"X"`, "\"X\xff\"", 1) + `]}`
	path := writeFile(t, filepath.Join(t.TempDir(), "in"), []byte(data))
	recs, st := collect(t, []string{path}, Options{})
	if st.Bad != 0 || len(recs) != 1 || recs[0].Name != "X\uFFFD" {
		t.Fatalf("bad %v, records %+v", st.BadSamples, recs)
	}
}

// TestReadTruncatedGzip cuts gzip streams in half: the records before the
// damage are delivered in order and one problem names the first record not
// delivered.
func TestReadTruncatedGzip(t *testing.T) {
	var recs []string
	for i := range 4000 {
		recs = append(recs, ct(fmt.Sprintf("r%05d-%x", i, i*7919), fmt.Sprint("Event", i%37)))
	}
	for _, layout := range []struct{ name, data string }{
		{"wrapper", `{"Records":[` + strings.Join(recs, ",") + `]}`},
		{"lines", strings.Join(recs, "\n") + "\n"},
	} {
		t.Run(layout.name, func(t *testing.T) {
			z := gz(t, []byte(layout.data))
			path := writeFile(t, filepath.Join(t.TempDir(), "cut.json.gz"), z[:len(z)/2])
			got, st := collect(t, []string{path}, Options{})
			k := len(got)
			if k == 0 || k >= len(recs) {
				t.Fatalf("delivered %d of %d records", k, len(recs))
			}
			for i, g := range got {
				if !strings.Contains(recs[i], `"eventID":"`+g.ID+`"`) {
					t.Fatalf("record %d is %s: not a prefix", i, g.ID)
				}
			}
			off := int64(strings.Index(layout.data, recs[k]))
			checkProblems(t, []byte(layout.data), st, []problemWant{{line: lineOf([]byte(layout.data), off), off: off, msg: "cannot read input: unexpected EOF"}})
		})
	}
}

func TestReadReadError(t *testing.T) {
	a := ct("a", "X")
	in := io.MultiReader(strings.NewReader(a+"\n"+a[:30]), iotestErr{errors.New("disk on fire")})
	recs, st := collect(t, []string{"-"}, Options{Stdin: in})
	if len(recs) != 1 {
		t.Fatalf("records %d", len(recs))
	}
	checkProblems(t, []byte(a+"\n"+a[:30]), st, []problemWant{{line: 2, off: int64(len(a) + 1), msg: "cannot read input: disk on fire"}})
}

type iotestErr struct{ err error }

func (e iotestErr) Read([]byte) (int, error) { return 0, e.err }

func TestReadHugeRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("50 MB record")
	}
	huge := strings.Replace(ct("huge", "PutObject"), `"resources":`, `"requestParameters":{"body":"`+strings.Repeat("Ab9+", 50<<20/4)+`"},"resources":`, 1)
	data := `{"Records":[` + ct("a", "X") + "," + huge + "," + ct("b", "Y") + `]}`
	path := writeFile(t, filepath.Join(t.TempDir(), "huge.json.gz"), gz(t, []byte(data)))
	var sizes []int
	st, err := Read(context.Background(), []string{path}, Options{}, func(_ int, ev *event.Event) error {
		sizes = append(sizes, len(ev.Raw))
		return nil
	})
	if err != nil || st.Bad != 0 {
		t.Fatalf("err %v, bad %v", err, st.BadSamples)
	}
	if !slices.Equal(sizes, []int{len(ct("a", "X")), len(huge), len(ct("b", "Y"))}) {
		t.Errorf("record sizes %v", sizes)
	}
}

func TestReadHandlerErrorStops(t *testing.T) {
	var lines []string
	for i := range 100 {
		lines = append(lines, ct(fmt.Sprint(i), "X"))
	}
	path := writeFile(t, filepath.Join(t.TempDir(), "f"), []byte(strings.Join(lines, "\n")))
	boom := errors.New("boom")
	calls := 0
	st, err := Read(context.Background(), []string{path}, Options{Workers: 1}, func(int, *event.Event) error {
		calls++
		if calls == 10 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || calls != 10 || st.Total() != 10 {
		t.Errorf("err %v, calls %d, total %d", err, calls, st.Total())
	}

	ctx, cancel := context.WithCancel(context.Background())
	calls = 0
	_, err = Read(ctx, []string{path, path + "-missing-is-never-opened"}[:1], Options{Workers: 1}, func(int, *event.Event) error {
		calls++
		cancel()
		time.Sleep(10 * time.Millisecond) // let the watcher see it
		return nil
	})
	if !errors.Is(err, context.Canceled) || calls >= 100 {
		t.Errorf("cancel: err %v, calls %d", err, calls)
	}
}

// TestReadWorkers checks the handler contract: worker indexes in range and
// no overlapping calls per index; and that samples come in input order.
func TestReadWorkers(t *testing.T) {
	dir := t.TempDir()
	var inputs []string
	for i := range 30 {
		inputs = append(inputs, writeFile(t, filepath.Join(dir, fmt.Sprintf("f%02d.json", i)),
			[]byte(ct(fmt.Sprint(i, "a"), "X")+"\nbroken\n"+ct(fmt.Sprint(i, "b"), "Y")+"\n")))
	}
	const workers = 4
	var busy [workers]atomic.Int32
	var overlap, outside atomic.Bool
	var total atomic.Int64
	st, err := Read(context.Background(), inputs, Options{Workers: workers}, func(w int, ev *event.Event) error {
		if w < 0 || w >= workers {
			outside.Store(true)
			return nil
		}
		if busy[w].Add(1) != 1 {
			overlap.Store(true)
		}
		time.Sleep(50 * time.Microsecond)
		busy[w].Add(-1)
		total.Add(1)
		return nil
	})
	if err != nil || outside.Load() || overlap.Load() || total.Load() != 60 {
		t.Fatalf("err %v outside %v overlap %v total %d", err, outside.Load(), overlap.Load(), total.Load())
	}
	if st.Bad != 30 || len(st.BadSamples) != MaxSamples {
		t.Fatalf("bad %d samples %d", st.Bad, len(st.BadSamples))
	}
	for i, p := range st.BadSamples {
		if p.Origin.File != inputs[i] || p.Origin.Line != 2 {
			t.Errorf("sample %d: %v", i, p)
		}
	}
}

func TestReadMissingInput(t *testing.T) {
	_, err := Read(context.Background(), []string{filepath.Join(t.TempDir(), "nope")}, Options{}, func(int, *event.Event) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "cannot expand input") {
		t.Errorf("err = %v", err)
	}
}

func TestReadLenientLines(t *testing.T) {
	data := ct("a", "X") + ",\n" + ct("b", "Y") + ",\n"
	path := writeFile(t, filepath.Join(t.TempDir(), "in"), []byte(data))
	recs, st := collect(t, []string{path}, Options{})
	if got := ids(recs); !slices.Equal(got, []string{"a", "b"}) || st.Bad != 0 {
		t.Errorf("ids %q, bad %v", got, st.BadSamples)
	}
}

func TestReadBadGzipHeader(t *testing.T) {
	path := writeFile(t, filepath.Join(t.TempDir(), "in.gz"), []byte("\x1f\x8bnot really gzip"))
	_, st := collect(t, []string{path}, Options{})
	if st.Bad != 1 || st.Empty != 0 || st.BadSamples[0].String() != path+": cannot read gzip header: gzip: invalid header" {
		t.Errorf("bad %d empty %d samples %v", st.Bad, st.Empty, st.BadSamples)
	}
}

func TestProblemString(t *testing.T) {
	err := errors.New("cannot parse record: x")
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{event.Origin{File: "a.json", Line: 3, Offset: 120}, err}, "a.json:3 (byte 120): cannot parse record: x"},
		{Problem{event.Origin{File: "a.json", Line: 1}, err}, "a.json:1: cannot parse record: x"},
		{Problem{event.Origin{File: "a.json"}, err}, "a.json: cannot parse record: x"},
		{Problem{event.Origin{File: "-", Offset: 7}, err}, "-@7: cannot parse record: x"},
	}
	for _, tc := range tests {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

func TestReadCancelledBeforeStart(t *testing.T) {
	path := writeFile(t, filepath.Join(t.TempDir(), "in"), []byte(ct("a", "X")))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := 0
	_, err := Read(ctx, []string{path}, Options{}, func(int, *event.Event) error { calls++; return nil })
	if !errors.Is(err, context.Canceled) || calls != 0 {
		t.Errorf("err %v, calls %d", err, calls)
	}
}

// Inputs that hold nothing to read, or text that had to be repaired, are
// reported with their path: a user who pointed tripline at the wrong
// place, or at files a shipper damaged, hears of it.
func TestReadWarnings(t *testing.T) {
	dir := t.TempDir()
	a := ct("a", "X")
	good := writeFile(t, filepath.Join(dir, "good.json"), []byte(a+"\n"))
	empty := writeFile(t, filepath.Join(dir, "empty.json"), nil)
	null := writeFile(t, filepath.Join(dir, "null.json"), []byte(`{"Records": null}`))
	utf := writeFile(t, filepath.Join(dir, "utf.json"), []byte(a+"\n"+strings.Replace(ct("b", "Y"), `"Y"`, "\"Y\xff\"", 1)+"\n"))
	bare := filepath.Join(dir, "bare")
	writeFile(t, filepath.Join(bare, "README.md"), []byte("notes"))
	recs, st := collect(t, []string{good, empty, null, utf, bare}, Options{Workers: 2})
	if len(recs) != 3 || st.Bad != 0 {
		t.Fatalf("%d records, %d bad: %v", len(recs), st.Bad, st.BadSamples)
	}
	want := map[string]string{
		empty: "holds no records",
		null:  `"Records" is null`,
		utf:   "not UTF-8",
		bare:  "directory holds no log files",
	}
	if st.Warnings != len(want) || len(st.WarningSamples) != len(want) {
		t.Fatalf("%d warnings %v, want %d", st.Warnings, st.WarningSamples, len(want))
	}
	for _, w := range st.WarningSamples {
		msg, ok := want[w.Origin.File]
		if !ok || !strings.Contains(w.Err.Error(), msg) {
			t.Errorf("warning %v: want %q for %s", w, msg, w.Origin.File)
		}
		if w.Origin.File == utf && w.Origin.Line != 2 {
			t.Errorf("the UTF-8 warning is at line %d, want 2", w.Origin.Line)
		}
	}
}

// Progress ends where the read's own count does.
func TestProgressFollowsTheRead(t *testing.T) {
	dir := t.TempDir()
	for i, body := range []string{`{"Records":[{"eventID":"a","eventTime":"2026-11-21T08:00:00Z","eventSource":"bedrock.amazonaws.com","eventName":"X"}]}`, "\n"} {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%d.json", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var p Progress
	st, err := Read(context.Background(), []string{dir}, Options{Progress: &p}, func(int, *event.Event) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if p.Files.Load() != 2 || p.FilesDone.Load() != 2 || p.BytesRead.Load() != st.Bytes || p.Bytes.Load() != st.Bytes || p.Records.Load() != 1 {
		t.Errorf("progress files %d/%d bytes %d/%d; the read counted %d bytes", p.FilesDone.Load(), p.Files.Load(), p.BytesRead.Load(), p.Bytes.Load(), st.Bytes)
	}
}
