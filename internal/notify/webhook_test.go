package notify

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// receiver is a webhook endpoint that records what it got and answers
// with the statuses it is told to, in order, then 200.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	header   http.Header // extra headers for the scripted answers
	bodies   [][]byte
	headers  []http.Header
	times    []time.Time
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.bodies = append(rc.bodies, body)
	rc.headers = append(rc.headers, r.Header.Clone())
	rc.times = append(rc.times, time.Now())
	status := http.StatusOK
	if len(rc.statuses) > 0 {
		status, rc.statuses = rc.statuses[0], rc.statuses[1:]
		for k, v := range rc.header {
			w.Header()[k] = v
		}
	}
	rc.mu.Unlock()
	w.WriteHeader(status)
	io.WriteString(w, http.StatusText(status))
}

func (rc *receiver) requests() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.bodies)
}

func newWebhook(t *testing.T, url string, mod func(*WebhookConfig)) *Webhook {
	t.Helper()
	cfg := WebhookConfig{URL: url, Secret: "s3cret", Delivery: fast()}
	if mod != nil {
		mod(&cfg)
	}
	w, err := NewWebhook(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestWebhookSignedDelivery(t *testing.T) {
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	w := newWebhook(t, srv.URL+"/hook", func(c *WebhookConfig) {
		c.Format = FormatECS
		c.Headers = map[string]string{"Authorization": "Bearer abc", "X-Tripline-Signature": "forged"}
	})
	a := sampleAlert()
	if err := w.Send(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if rc.requests() != 1 {
		t.Fatalf("%d requests, want 1", rc.requests())
	}
	body, h := rc.bodies[0], rc.headers[0]
	// A receiver verifies the signature with the shared secret.
	want := Sign([]byte("s3cret"), body)
	got := h.Get(SignatureHeader)
	if !hmac.Equal([]byte(got), []byte(want)) || !strings.HasPrefix(got, "sha256=") || len(got) != 7+64 {
		t.Errorf("signature %q, want %q", got, want)
	}
	if Sign([]byte("other"), body) == got {
		t.Error("signature does not depend on the secret")
	}
	ts, err := strconv.ParseInt(h.Get(TimestampHeader), 10, 64)
	if err != nil || time.Since(time.Unix(ts, 0)) > time.Minute {
		t.Errorf("timestamp header %q", h.Get(TimestampHeader))
	}
	if h.Get("Content-Type") != "application/json" || h.Get("Authorization") != "Bearer abc" || h.Get(AlertIDHeader) != a.ID {
		t.Errorf("headers = %v", h)
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil || doc["kibana.alert.uuid"] != a.ID {
		t.Errorf("body is not the ECS document: %v %s", err, body)
	}
	if st := w.Stats(); st.Sent != 1 || st.Failed+st.Dropped+st.Retried != 0 {
		t.Errorf("stats = %+v", st)
	}
}

func TestWebhookNoSecretNoSignature(t *testing.T) {
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	w := newWebhook(t, srv.URL, func(c *WebhookConfig) { c.Secret = "" })
	w.Send(context.Background(), sampleAlert())
	w.Close()
	if rc.requests() != 1 || rc.headers[0].Get(SignatureHeader) != "" {
		t.Errorf("requests %d, signature %q", rc.requests(), rc.headers[0].Get(SignatureHeader))
	}
}

func TestWebhookRetries(t *testing.T) {
	tests := []struct {
		name      string
		statuses  []int
		retries   int
		wantReqs  int
		wantStats Stats
	}{
		{"500 then success", []int{500, 502}, 3, 3, Stats{Sent: 1, Retried: 2}},
		{"retries exhausted", []int{500, 500, 500, 500, 500}, 2, 3, Stats{Failed: 1, Retried: 2}},
		{"no retries", []int{503}, -1, 1, Stats{Failed: 1}},
		{"400 is not retried", []int{400}, 3, 1, Stats{Failed: 1}},
		{"408 is retried", []int{408}, 3, 2, Stats{Sent: 1, Retried: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rc := &receiver{statuses: tc.statuses}
			srv := httptest.NewServer(rc)
			defer srv.Close()
			w := newWebhook(t, srv.URL, func(c *WebhookConfig) { c.MaxRetries = tc.retries })
			w.Send(context.Background(), sampleAlert())
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if rc.requests() != tc.wantReqs {
				t.Errorf("%d requests, want %d", rc.requests(), tc.wantReqs)
			}
			if st := w.Stats(); st != tc.wantStats {
				t.Errorf("stats = %+v, want %+v", st, tc.wantStats)
			}
			for i := 1; i < rc.requests(); i++ {
				if string(rc.bodies[i]) != string(rc.bodies[0]) || rc.headers[i].Get(SignatureHeader) != rc.headers[0].Get(SignatureHeader) {
					t.Errorf("retry %d sent a different body or signature", i)
				}
			}
		})
	}
}

func TestWebhookHonoursRetryAfter(t *testing.T) {
	rc := &receiver{statuses: []int{429}, header: http.Header{"Retry-After": {"1"}}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	// Backoff alone would retry within 5 ms; the receiver asked for 1 s.
	w := newWebhook(t, srv.URL, nil)
	w.Send(context.Background(), sampleAlert())
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if rc.requests() != 2 {
		t.Fatalf("%d requests, want 2", rc.requests())
	}
	if gap := rc.times[1].Sub(rc.times[0]); gap < 900*time.Millisecond {
		t.Errorf("retried after %s, before Retry-After's 1s", gap)
	}
	if st := w.Stats(); st.Sent != 1 || st.Retried != 1 {
		t.Errorf("stats = %+v", st)
	}
}

func TestWebhookRetryAfterIsCapped(t *testing.T) {
	rc := &receiver{statuses: []int{503}, header: http.Header{"Retry-After": {"3600"}}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	w := newWebhook(t, srv.URL, func(c *WebhookConfig) { c.MaxRetryAfter = 20 * time.Millisecond })
	start := time.Now()
	w.Send(context.Background(), sampleAlert())
	w.Close()
	if rc.requests() != 2 || time.Since(start) > 2*time.Second {
		t.Errorf("%d requests in %s; Retry-After was not capped", rc.requests(), time.Since(start))
	}
}

func TestRetryAfterParse(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		h    string
		want time.Duration
	}{
		{"", -1},
		{"0", 0},
		{" 7 ", 7 * time.Second},
		{"-3", -1},
		{"soon", -1},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"99999999999", 24 * time.Hour},
	}
	for _, tc := range tests {
		if got := retryAfter(tc.h, now); got != tc.want {
			t.Errorf("retryAfter(%q) = %s, want %s", tc.h, got, tc.want)
		}
	}
}

func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"", "1", "Wed, 21 Oct 2015 07:28:00 GMT", "-1", "1e9"} {
		f.Add(s)
	}
	now := time.Now()
	f.Fuzz(func(t *testing.T, h string) {
		if d := retryAfter(h, now); d < -1 || d > 24*time.Hour {
			t.Fatalf("retryAfter(%q) = %s, out of range", h, d)
		}
	})
}

func TestBackoff(t *testing.T) {
	for attempt := 0; attempt < 12; attempt++ {
		full := min(100*time.Millisecond<<attempt, 2*time.Second)
		for range 20 {
			d := backoff(100*time.Millisecond, 2*time.Second, attempt)
			if d < full/2 || d > full {
				t.Fatalf("attempt %d: backoff %s outside [%s, %s]", attempt, d, full/2, full)
			}
		}
	}
}

func TestWebhookHungReceiverNeverBlocks(t *testing.T) {
	release := make(chan struct{})
	var got atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	w := newWebhook(t, srv.URL, func(c *WebhookConfig) {
		c.QueueSize = 2
		c.Timeout = time.Minute
		c.DrainTimeout = 100 * time.Millisecond
	})
	a := sampleAlert()
	w.Send(context.Background(), a)
	waitFor(t, "the first request", func() bool { return got.Load() == 1 })
	start := time.Now()
	var full int
	for i := 0; i < 10; i++ {
		if err := w.Send(context.Background(), a); errors.Is(err, ErrQueueFull) {
			full++
		}
	}
	if took := time.Since(start); took > 200*time.Millisecond {
		t.Errorf("10 sends to a hung receiver took %s", took)
	}
	// One alert is in flight, two wait in the queue, eight find it full.
	if st := w.Stats(); full != 8 || st.Dropped != 8 || st.Queued != 2 {
		t.Errorf("%d ErrQueueFull, stats %+v; want 8 dropped, 2 queued", full, st)
	}
	start = time.Now()
	err := w.Close()
	if err == nil || !strings.Contains(err.Error(), "3 dropped") {
		t.Errorf("Close = %v, want 3 dropped", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("Close took %s with a 100ms drain deadline", took)
	}
	st := w.Stats()
	if st.Sent+st.Failed+st.Dropped != 11 || st.Dropped != 11 || st.Queued != 0 {
		t.Errorf("after Close stats = %+v; every alert must be accounted for", st)
	}
	if err := w.Send(context.Background(), a); !errors.Is(err, ErrClosed) {
		t.Errorf("Send after Close = %v", err)
	}
}

func TestWebhookUnreachableIsRetriedThenFailed(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	w := newWebhook(t, url, func(c *WebhookConfig) { c.MaxRetries = 2 })
	w.Send(context.Background(), sampleAlert())
	w.Close()
	if st := w.Stats(); st.Failed != 1 || st.Retried != 2 {
		t.Errorf("stats = %+v", st)
	}
}

func TestWebhookConfigErrors(t *testing.T) {
	tests := []struct {
		cfg  WebhookConfig
		want string
	}{
		{WebhookConfig{URL: "ftp://x/y"}, "not an http(s) URL"},
		{WebhookConfig{URL: "http://"}, "not an http(s) URL"},
		{WebhookConfig{URL: "https://hooks.example/T0/SECRET"}, ""},
		{WebhookConfig{URL: "https://x", Format: "xml"}, "unknown format"},
	}
	for _, tc := range tests {
		w, err := NewWebhook(tc.cfg)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%+v: %v", tc.cfg, err)
			} else {
				if w.Name() != "webhook:hooks.example" {
					t.Errorf("name = %s", w.Name())
				}
				w.Close()
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v, want %q", tc.cfg, err, tc.want)
		}
	}
}
