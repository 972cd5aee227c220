package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/metrics"
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

func TestMetricsEndpoint(t *testing.T) {
	reg := metrics.NewRegistry()
	reg.NewGaugeFunc("tripline_ingest_queue_depth", "Queued records.", func() float64 { return 42 })
	s := newTest(t, Options{Store: fixture(), Metrics: reg})
	h := s.Handler()
	do(t, h, "GET", "/api/v1/alerts", nil)
	do(t, h, "GET", "/api/v1/alerts?limit=x", nil)
	r := do(t, h, "GET", "/metrics", nil)
	if r.code != 200 || r.header.Get("Content-Type") != metrics.ContentType {
		t.Fatalf("metrics: %d %q", r.code, r.header.Get("Content-Type"))
	}
	samples := map[string]float64{}
	types := map[string]string{}
	for _, ln := range lines(string(r.body)) {
		if strings.HasPrefix(ln, "# TYPE ") {
			f := strings.Fields(ln)
			types[f[2]] = f[3]
			continue
		}
		if strings.HasPrefix(ln, "#") {
			continue
		}
		i := strings.LastIndexByte(ln, ' ')
		v, err := strconv.ParseFloat(ln[i+1:], 64)
		if err != nil {
			t.Fatalf("bad sample line %q", ln)
		}
		samples[ln[:i]] = v
	}
	want := map[string]float64{
		`tripline_ingest_queue_depth`:                                                           42,
		`tripline_http_requests_total{handler="GET /api/v1/alerts",code="200"}`:                 1,
		`tripline_http_requests_total{handler="GET /api/v1/alerts",code="400"}`:                 1,
		`tripline_http_request_duration_seconds_count{handler="GET /api/v1/alerts"}`:            2,
		`tripline_http_request_duration_seconds_bucket{handler="GET /api/v1/alerts",le="+Inf"}`: 2,
	}
	for k, v := range want {
		if got, ok := samples[k]; !ok || got != v {
			t.Errorf("%s = %v (present %v), want %v\n%s", k, got, ok, v, r.body)
		}
	}
	if types["tripline_http_request_duration_seconds"] != "histogram" || types["tripline_http_requests_total"] != "counter" {
		t.Errorf("types %v", types)
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
		Msg, Method, Path string
		Status            int
		Duration          float64
	}
	found := false
	for _, ln := range lines(buf.String()) {
		if err := json.Unmarshal([]byte(ln), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", ln)
		}
		if rec.Msg == "http request" {
			found = true
			if rec.Method != "GET" || rec.Path != "/api/v1/alerts/nope" || rec.Status != 404 {
				t.Errorf("access log %+v", rec)
			}
		}
	}
	if !found {
		t.Errorf("no access log line in\n%s", buf.String())
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
