package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/tripline/tripline/internal/metrics"
	"github.com/tripline/tripline/internal/testutil"
)

func TestNewListenAndToken(t *testing.T) {
	tests := []struct {
		listen, token string
		ok            bool
	}{
		{"", "", true}, // DefaultListen is loopback
		{"127.0.0.1:7700", "", true},
		{"127.8.9.10:7700", "", true},
		{"[::1]:7700", "", true},
		{"localhost:7700", "", true},
		{"LOCALHOST:0", "", true},
		{"0.0.0.0:7700", "", false},
		{":7700", "", false},
		{"[::]:7700", "", false},
		{"10.0.0.5:7700", "", false},
		{"tripline.example.com:7700", "", false},
		{"0.0.0.0:7700", "s3cret", true},
		{":7700", "s3cret", true},
		{"127.0.0.1", "", false}, // no port: not an address
	}
	for _, tc := range tests {
		t.Run(tc.listen+"/"+tc.token, func(t *testing.T) {
			s, err := New(Options{Listen: tc.listen, Token: tc.token})
			if (err == nil) != tc.ok {
				t.Fatalf("New(%q, token %q): err = %v, want ok = %v", tc.listen, tc.token, err, tc.ok)
			}
			if err == nil && s.Handler() == nil {
				t.Fatal("nil handler")
			}
		})
	}
}

func TestAuth(t *testing.T) {
	open := newTest(t, Options{Store: fixture()})
	locked := newTest(t, Options{Listen: "0.0.0.0:7700", Token: "s3cret", Store: fixture()})
	tests := []struct {
		name   string
		s      *Server
		path   string
		header []string
		want   int
	}{
		{"loopback without token", open, "/api/v1/alerts", nil, 200},
		{"loopback metrics", open, "/metrics", nil, 200},
		{"no header", locked, "/api/v1/alerts", nil, 401},
		{"wrong token", locked, "/api/v1/alerts", []string{"Authorization", "Bearer nope"}, 401},
		{"token prefix", locked, "/api/v1/alerts", []string{"Authorization", "Bearer s3cre"}, 401},
		{"other scheme", locked, "/api/v1/alerts", []string{"Authorization", "Basic s3cret"}, 401},
		{"bare token", locked, "/api/v1/alerts", []string{"Authorization", "s3cret"}, 401},
		{"right token", locked, "/api/v1/alerts", []string{"Authorization", "Bearer s3cret"}, 200},
		{"scheme any case", locked, "/api/v1/alerts", []string{"Authorization", "bearer s3cret"}, 200},
		{"metrics locked", locked, "/metrics", nil, 401},
		{"metrics with token", locked, "/metrics", []string{"Authorization", "Bearer s3cret"}, 200},
		{"rules locked", locked, "/api/v1/rules", nil, 401},
		{"unknown path locked", locked, "/api/v1/nope", nil, 401},
		{"unknown path with token", locked, "/api/v1/nope", []string{"Authorization", "Bearer s3cret"}, 404},
		{"healthz open", locked, "/healthz", nil, 200},
		{"readyz open", locked, "/readyz", nil, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, tc.s.Handler(), "GET", tc.path, nil, tc.header...)
			if r.code != tc.want {
				t.Fatalf("GET %s: %d, want %d: %s", tc.path, r.code, tc.want, r.body)
			}
			if r.code == 401 {
				if r.header.Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
				if msg := r.errMsg(t); !strings.Contains(msg, "token") {
					t.Errorf("error %q", msg)
				}
			}
		})
	}
	// Ingest is refused before the body is read.
	called := false
	s := newTest(t, Options{Listen: ":0", Token: "s3cret", Ingest: func(context.Context, io.Reader, IngestMeta) (IngestResult, error) {
		called = true
		return IngestResult{}, nil
	}})
	if r := do(t, s.Handler(), "POST", "/api/v1/ingest", strings.NewReader("{}")); r.code != 401 || called {
		t.Errorf("unauthenticated ingest: %d, engine called %v", r.code, called)
	}
}

func TestHealthAndReady(t *testing.T) {
	notReady := errors.New("store not open")
	var readyErr error
	s := newTest(t, Options{Ready: func() error { return readyErr }})
	h := s.Handler()
	for _, step := range []struct {
		err  error
		want int
	}{{notReady, 503}, {nil, 200}, {notReady, 503}} {
		readyErr = step.err
		r := do(t, h, "GET", "/readyz", nil)
		if r.code != step.want {
			t.Errorf("readyz with %v: %d, want %d", step.err, r.code, step.want)
		}
		if step.err != nil && !strings.Contains(r.errMsg(t), "store not open") {
			t.Errorf("readyz error does not say why: %s", r.body)
		}
		if r := do(t, h, "GET", "/healthz", nil); r.code != 200 {
			t.Errorf("healthz: %d", r.code)
		}
	}
	if r := do(t, newTest(t, Options{}).Handler(), "GET", "/readyz", nil); r.code != 200 {
		t.Errorf("readyz without Ready func: %d", r.code)
	}
	if r := do(t, h, "POST", "/healthz", nil); r.code != http.StatusMethodNotAllowed {
		t.Errorf("POST /healthz: %d, want 405", r.code)
	}
}

// serverFamilies are the server's metrics as /metrics has exposed them
// since before client_golang: dashboards depend on every name, type, label
// and help text here.
var serverFamilies = []struct {
	name, typ, help string
	labels          []string
}{
	{"tripline_http_requests_total", "COUNTER", "HTTP requests to the API, by route and status code.", []string{"code", "handler"}},
	{"tripline_http_request_duration_seconds", "HISTOGRAM", "Time to answer an API request, by route.", []string{"handler"}},
	{"tripline_http_ingest_requests_total", "COUNTER", "Ingest requests by outcome (accepted, busy, too_large, bad_request, error).", []string{"outcome"}},
	{"tripline_http_ingest_bytes_total", "COUNTER", "Bytes of (decompressed) ingest bodies handed to the engine.", nil},
	{"tripline_http_ingest_records_total", "COUNTER", "Records received on the ingest endpoint, by result (accepted, bad).", []string{"result"}},
}

func TestMetricsEndpoint(t *testing.T) {
	reg := metrics.NewRegistry()
	reg.NewGaugeFunc("tripline_ingest_queue_depth", "Queued records.", func() float64 { return 42 })
	eng := &fakeEngine{}
	s := newTest(t, Options{Store: fixture(), Metrics: reg, Ingest: eng.ingest})
	h := s.Handler()
	do(t, h, "GET", "/api/v1/alerts", nil)
	do(t, h, "GET", "/api/v1/alerts?limit=x", nil)
	do(t, h, "POST", "/api/v1/ingest", strings.NewReader(threeRecords))
	r := do(t, h, "GET", "/metrics", nil)
	if ct := r.header.Get("Content-Type"); r.code != 200 || !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Fatalf("metrics: %d %q", r.code, ct)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(r.body))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v\n%s", err, r.body)
	}

	for _, want := range serverFamilies {
		f := fams[want.name]
		if f == nil {
			t.Errorf("%s missing", want.name)
			continue
		}
		if f.GetType().String() != want.typ || f.GetHelp() != want.help {
			t.Errorf("%s: %s %q, want %s %q", want.name, f.GetType(), f.GetHelp(), want.typ, want.help)
		}
		for _, m := range f.GetMetric() {
			var names []string
			for _, l := range m.GetLabel() {
				names = append(names, l.GetName())
			}
			if !slices.Equal(names, want.labels) {
				t.Errorf("%s: labels %v, want %v", want.name, names, want.labels)
			}
		}
	}
	// The runtime's and the process's metrics are served beside tripline's.
	for _, name := range []string{"go_goroutines", "go_memstats_alloc_bytes", "process_cpu_seconds_total",
		"process_resident_memory_bytes", "process_open_fds", "process_start_time_seconds"} {
		if fams[name] == nil && (runtime.GOOS == "linux" || strings.HasPrefix(name, "go_")) {
			t.Errorf("%s missing", name)
		}
	}

	values := []struct {
		name  string
		pairs []string
		want  float64
	}{
		{"tripline_ingest_queue_depth", nil, 42},
		{"tripline_http_requests_total", []string{"code", "200", "handler", "GET /api/v1/alerts"}, 1},
		{"tripline_http_requests_total", []string{"code", "400", "handler", "GET /api/v1/alerts"}, 1},
		{"tripline_http_requests_total", []string{"code", "202", "handler", "POST /api/v1/ingest"}, 1},
		{"tripline_http_ingest_requests_total", []string{"outcome", "accepted"}, 1},
		{"tripline_http_ingest_records_total", []string{"result", "accepted"}, 3},
		{"tripline_http_ingest_bytes_total", nil, float64(len(threeRecords))},
	}
	for _, v := range values {
		m := testutil.MetricSample(fams[v.name], v.pairs...)
		got := m.GetCounter().GetValue() + m.GetGauge().GetValue()
		if m == nil || got != v.want {
			t.Errorf("%s%v = %v (present %v), want %v", v.name, v.pairs, got, m != nil, v.want)
		}
	}
	hist := testutil.MetricSample(fams["tripline_http_request_duration_seconds"], "handler", "GET /api/v1/alerts").GetHistogram()
	var bounds []float64
	for _, b := range hist.GetBucket() {
		bounds = append(bounds, b.GetUpperBound())
	}
	wantBounds := []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, math.Inf(1)}
	if hist.GetSampleCount() != 2 || !slices.Equal(bounds, wantBounds) {
		t.Errorf("request duration: count %d, buckets %v; want 2 and %v", hist.GetSampleCount(), bounds, wantBounds)
	}

	// Two servers may share one registry.
	if _, err := New(Options{Metrics: reg}); err != nil {
		t.Errorf("second server on the same registry: %v", err)
	}
}

func TestAccessLog(t *testing.T) {
	var buf logBuffer
	s := newTest(t, Options{Store: fixture(), Logger: jsonLogger(&buf)})
	do(t, s.Handler(), "GET", "/api/v1/alerts/nope?x=1", nil)
	var rec struct {
		Msg, Method, Path, Level string
		Status                   int
		Duration                 float64
	}
	found := false
	for _, ln := range lines(buf.String()) {
		if err := json.Unmarshal([]byte(ln), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", ln)
		}
		if rec.Msg == "http request" {
			found = true
			if rec.Method != "GET" || rec.Path != "/api/v1/alerts/nope" || rec.Status != 404 || rec.Level != "DEBUG" {
				t.Errorf("access log %+v, want a DEBUG line", rec)
			}
		}
	}
	if !found {
		t.Errorf("no access log line in\n%s", buf.String())
	}
}

// A request that panics is logged once, as the error with its stack.
func TestPanicLoggedOnce(t *testing.T) {
	var buf logBuffer
	s := newTest(t, Options{Logger: jsonLogger(&buf), Rules: func() []RuleStatus { panic("rules exploded") }})
	do(t, s.Handler(), "GET", "/api/v1/rules", nil)
	if n := len(lines(buf.String())); n != 1 || !strings.Contains(buf.String(), "rules exploded") {
		t.Errorf("%d log lines, want the panic's alone:\n%s", n, buf.String())
	}
}

func TestPanicBecomes500(t *testing.T) {
	var buf logBuffer
	s := newTest(t, Options{Logger: jsonLogger(&buf), Rules: func() []RuleStatus { panic("rules exploded") }})
	r := do(t, s.Handler(), "GET", "/api/v1/rules", nil)
	if r.code != 500 || !strings.Contains(r.errMsg(t), "rules exploded") {
		t.Errorf("%d %s", r.code, r.body)
	}
	if !strings.Contains(buf.String(), "stack") {
		t.Error("panic logged without its stack")
	}
}

func TestListenAndServeGraceful(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{})
	s := newTest(t, Options{Listen: "127.0.0.1:0", Ingest: func(ctx context.Context, body io.Reader, _ IngestMeta) (IngestResult, error) {
		close(entered)
		<-release // a request in flight when shutdown starts
		b, _ := io.ReadAll(body)
		return IngestResult{Accepted: strings.Count(string(b), "\n")}, nil
	}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	url := fmt.Sprintf("http://%s", ln.Addr())

	type result struct {
		code int
		body string
		err  error
	}
	inflight := make(chan result, 1)
	go func() {
		resp, err := http.Post(url+"/api/v1/ingest", "application/x-ndjson", strings.NewReader("{}\n{}\n"))
		if err != nil {
			inflight <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		inflight <- result{code: resp.StatusCode, body: string(b)}
	}()
	<-entered
	cancel()
	time.Sleep(50 * time.Millisecond) // let Shutdown close the listener
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("listener still accepts after cancel")
	}
	close(release)
	res := <-inflight
	if res.err != nil || res.code != 202 || !strings.Contains(res.body, `"accepted":2`) {
		t.Errorf("in-flight request: %+v", res)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve returned %v after graceful shutdown", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return")
	}
}

func TestListenAndServeBadAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s := newTest(t, Options{Listen: ln.Addr().String()}) // already taken
	if err := s.ListenAndServe(context.Background()); err == nil || !strings.Contains(err.Error(), "cannot listen") {
		t.Errorf("got %v", err)
	}
}

// Late events and rejected records leave /readyz at 200, since the
// service works, but say "degraded" and why, where an operator looks.
func TestReadyDegraded(t *testing.T) {
	var reasons []string
	h := newTest(t, Options{Degraded: func() []string { return reasons }}).Handler()
	var body struct {
		Status  string   `json:"status"`
		Reasons []string `json:"reasons"`
	}
	r := do(t, h, "GET", "/readyz", nil)
	r.json(t, &body)
	if r.code != 200 || body.Status != "ready" {
		t.Errorf("all well: %d %s", r.code, r.body)
	}
	reasons = []string{"rule x: 3 events came after their windows were evaluated"}
	r = do(t, h, "GET", "/readyz", nil)
	r.json(t, &body)
	if r.code != 200 || body.Status != "degraded" || len(body.Reasons) != 1 {
		t.Errorf("degraded: %d %s", r.code, r.body)
	}
}
