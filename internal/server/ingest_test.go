package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// fakeEngine counts JSON lines; it can be made busy.
type fakeEngine struct {
	mu          sync.Mutex
	busy        bool
	busyAfter   int // when > 0: accept this many lines, then report busy
	got         []string
	contentType string
	stream      string
	calls       int
}

func (e *fakeEngine) ingest(_ context.Context, body io.Reader, meta IngestMeta) (IngestResult, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls++
	e.contentType, e.stream = meta.ContentType, meta.Stream
	if e.busy {
		return IngestResult{}, ErrBusy
	}
	var res IngestResult
	b, err := io.ReadAll(body)
	for _, ln := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if ln == "" {
			continue
		}
		if e.busyAfter > 0 && res.Accepted == e.busyAfter {
			return res, ErrBusy
		}
		if !strings.HasPrefix(ln, "{") {
			res.Bad++
			res.Problems = append(res.Problems, "not JSON: "+ln)
			continue
		}
		res.Accepted++
		e.got = append(e.got, ln)
	}
	if err != nil {
		return res, err // what the engine does when the body breaks
	}
	return res, nil
}

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const threeRecords = `{"eventName":"InvokeModel"}
{"eventName":"Converse"}
{"modelId":"anthropic.claude"}
`

func TestIngest(t *testing.T) {
	gzBody := gz(t, threeRecords)
	tests := []struct {
		name       string
		body       []byte
		header     []string
		busy       bool
		busyAfter  int
		max        int64
		want       int
		accepted   int
		bad        int
		errHas     string
		engineSees int // lines the engine accepted
	}{
		{name: "json lines", body: []byte(threeRecords), want: 202, accepted: 3, engineSees: 3},
		{name: "with a bad line", body: []byte(threeRecords + "garbage\n"), want: 202, accepted: 3, bad: 1, engineSees: 3},
		{name: "gzip", body: gzBody, header: []string{"Content-Encoding", "gzip"}, want: 202, accepted: 3, engineSees: 3},
		{name: "x-gzip any case", body: gzBody, header: []string{"Content-Encoding", " X-GZIP "}, want: 202, accepted: 3, engineSees: 3},
		{name: "busy", body: []byte(threeRecords), busy: true, want: 429, errHas: "busy"},
		{name: "busy midway", body: []byte(threeRecords), busyAfter: 2, want: 429, accepted: 2, errHas: "accepting 2 records", engineSees: 2},
		{name: "too large by length", body: []byte(threeRecords), max: 10, want: 413, errHas: "larger than 10 bytes"},
		// The bound is on what the body inflates to: 30 bytes, ten lines.
		{name: "gzip expands too far", body: gz(t, strings.Repeat("{}\n", 200)), header: []string{"Content-Encoding", "gzip"}, max: 30, want: 413, errHas: "too large", accepted: 10, engineSees: 10},
		{name: "every record bad", body: []byte("garbage\nmore garbage\n"), want: 400, bad: 2, errHas: "no record in the body could be read"},
		{name: "not gzip", body: []byte(threeRecords), header: []string{"Content-Encoding", "gzip"}, want: 400, errHas: "gzip"},
		{name: "truncated gzip", body: gzBody[:len(gzBody)-6], header: []string{"Content-Encoding", "gzip"}, want: 400, errHas: "decompress", accepted: 3, engineSees: 3},
		{name: "brotli", body: []byte(threeRecords), header: []string{"Content-Encoding", "br"}, want: 415, errHas: "br"},
		{name: "empty", body: nil, want: 202},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eng := &fakeEngine{busy: tc.busy, busyAfter: tc.busyAfter}
			s := newTest(t, Options{Ingest: eng.ingest, MaxBodyBytes: tc.max})
			hdr := append([]string{"Content-Type", "application/x-ndjson"}, tc.header...)
			r := do(t, s.Handler(), "POST", "/api/v1/ingest", bytes.NewReader(tc.body), hdr...)
			if r.code != tc.want {
				t.Fatalf("%d, want %d: %s", r.code, tc.want, r.body)
			}
			if len(eng.got) != tc.engineSees {
				t.Errorf("engine accepted %d lines, want %d", len(eng.got), tc.engineSees)
			}
			if tc.want == 202 {
				var res IngestResult
				r.json(t, &res)
				if res.Accepted != tc.accepted || res.Bad != tc.bad || len(res.Problems) != tc.bad {
					t.Errorf("result %+v", res)
				}
				if eng.contentType != "application/x-ndjson" {
					t.Errorf("content type %q", eng.contentType)
				}
				return
			}
			var e struct {
				Error  string        `json:"error"`
				Result *IngestResult `json:"result"`
			}
			r.json(t, &e)
			if !strings.Contains(e.Error, tc.errHas) {
				t.Errorf("error %q does not say %q", e.Error, tc.errHas)
			}
			if tc.accepted > 0 && (e.Result == nil || e.Result.Accepted != tc.accepted) {
				t.Errorf("partial result %+v, want %d accepted", e.Result, tc.accepted)
			}
			if tc.want == 429 && r.header.Get("Retry-After") != "1" {
				t.Errorf("429 without Retry-After: %v", r.header)
			}
		})
	}
}

// TestIngestChunkedTooLarge sends a body without a length that runs past
// the bound: the answer is 413 even though the engine read part of it.
func TestIngestChunkedTooLarge(t *testing.T) {
	eng := &fakeEngine{}
	s := newTest(t, Options{Ingest: eng.ingest, MaxBodyBytes: 64})
	body := strings.Repeat(`{"a":1}`+"\n", 40)
	req := httptest.NewRequest("POST", "/api/v1/ingest", io.MultiReader(strings.NewReader(body)))
	req.Host, req.ContentLength = "localhost:7700", -1
	req.Header.Set("Content-Type", "application/x-ndjson")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "larger than 64 bytes") {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(rec.Body.String(), `"result":{"accepted":`) {
		t.Errorf("413 after a partial read should say what was accepted: %s", rec.Body)
	}
}

func TestIngestDisabledAndMethods(t *testing.T) {
	s := newTest(t, Options{})
	if r := do(t, s.Handler(), "POST", "/api/v1/ingest", strings.NewReader("{}")); r.code != 503 {
		t.Errorf("no ingest func: %d", r.code)
	}
	eng := &fakeEngine{}
	s = newTest(t, Options{Ingest: eng.ingest})
	if r := do(t, s.Handler(), "GET", "/api/v1/ingest", nil); r.code != http.StatusMethodNotAllowed || eng.calls != 0 {
		t.Errorf("GET ingest: %d", r.code)
	}
}

func TestIngestEngineError(t *testing.T) {
	s := newTest(t, Options{Ingest: func(context.Context, io.Reader, IngestMeta) (IngestResult, error) {
		return IngestResult{}, errors.New("queue closed")
	}})
	r := do(t, s.Handler(), "POST", "/api/v1/ingest", strings.NewReader("{}"))
	if r.code != 500 || !strings.Contains(r.errMsg(t), "cannot ingest: queue closed") {
		t.Errorf("%d %s", r.code, r.body)
	}
}

func TestIngestMetrics(t *testing.T) {
	eng := &fakeEngine{}
	s := newTest(t, Options{Ingest: eng.ingest})
	h := s.Handler()
	do(t, h, "POST", "/api/v1/ingest", strings.NewReader(threeRecords+"bad\n"))
	eng.busy = true
	do(t, h, "POST", "/api/v1/ingest", strings.NewReader(threeRecords))
	m := string(do(t, h, "GET", "/metrics", nil).body)
	for _, want := range []string{
		`tripline_http_ingest_requests_total{outcome="accepted"} 1`,
		`tripline_http_ingest_requests_total{outcome="busy"} 1`,
		`tripline_http_ingest_records_total{result="accepted"} 3`,
		`tripline_http_ingest_records_total{result="bad"} 1`,
		`tripline_http_ingest_bytes_total ` + itoa(len(threeRecords)+4),
		`tripline_http_requests_total{code="429",handler="POST /api/v1/ingest"} 1`,
	} {
		if !strings.Contains(m, want+"\n") {
			t.Errorf("metrics lack %q:\n%s", want, m)
		}
	}
}

func TestLimitReader(t *testing.T) {
	tests := []struct {
		in    string
		limit int64
		ok    bool
	}{
		{"", 0, true},
		{"abc", 3, true},
		{"abcd", 3, false},
		{strings.Repeat("x", 10000), 9999, false},
		{strings.Repeat("x", 10000), 10000, true},
	}
	for _, tc := range tests {
		b, err := io.ReadAll(&limitReader{r: strings.NewReader(tc.in), left: tc.limit})
		if tc.ok && (err != nil || string(b) != tc.in) {
			t.Errorf("%d bytes, limit %d: %v, read %d", len(tc.in), tc.limit, err, len(b))
		}
		if !tc.ok && (!errors.Is(err, errDecodedTooLarge) || int64(len(b)) != tc.limit) {
			t.Errorf("%d bytes, limit %d: %v after %d bytes", len(tc.in), tc.limit, err, len(b))
		}
	}
}

// A client names its stream in the query or a header; the engine hears
// it, and a name unfit for file names and logs is refused.
func TestIngestStream(t *testing.T) {
	cases := []struct {
		path   string
		header []string
		code   int
		stream string
	}{
		{"/api/v1/ingest", nil, 202, DefaultIngestStream},
		{"/api/v1/ingest?stream=eu-west-1.prod", nil, 202, "eu-west-1.prod"},
		{"/api/v1/ingest", []string{"X-Tripline-Stream", "shipper_2"}, 202, "shipper_2"},
		{"/api/v1/ingest?stream=../../etc", nil, 400, ""},
		{"/api/v1/ingest?stream=" + strings.Repeat("x", 65), nil, 400, ""},
	}
	for _, c := range cases {
		eng := &fakeEngine{}
		s := newTest(t, Options{Ingest: eng.ingest})
		hdr := append([]string{"Content-Type", "application/x-ndjson"}, c.header...)
		r := do(t, s.Handler(), "POST", c.path, strings.NewReader("{}\n"), hdr...)
		if r.code != c.code || eng.stream != c.stream {
			t.Errorf("%s %v: %d, stream %q; want %d, %q", c.path, c.header, r.code, eng.stream, c.code, c.stream)
		}
	}
}
