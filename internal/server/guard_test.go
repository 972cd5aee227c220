package server

import (
	"strings"
	"testing"
)

// What a web page open in the analyst's browser could send to the
// tokenless loopback API is refused: a simple cross-site POST (text/plain
// or a form), a request through a rebound DNS name, and a request from
// another origin. The API's own clients are not.
func TestGuardAgainstCrossSiteRequests(t *testing.T) {
	eng := &fakeEngine{}
	h := newTest(t, Options{Listen: "127.0.0.1:7700", Ingest: eng.ingest, Hosts: []string{"tripline.internal"}}).Handler()
	rec := `{"eventSource":"s","eventName":"n"}` + "\n"
	cases := []struct {
		name   string
		method string
		path   string
		header []string
		want   int
	}{
		{"ndjson ingest", "POST", "/api/v1/ingest", []string{"Content-Type", "application/x-ndjson"}, 202},
		{"json ingest with charset", "POST", "/api/v1/ingest", []string{"Content-Type", "application/json; charset=utf-8"}, 202},
		{"text/plain ingest", "POST", "/api/v1/ingest", []string{"Content-Type", "text/plain"}, 415},
		{"form ingest", "POST", "/api/v1/ingest", []string{"Content-Type", "application/x-www-form-urlencoded"}, 415},
		{"no type", "POST", "/api/v1/ingest", []string{"Content-Type", ""}, 415},
		{"form status change", "POST", "/api/v1/alerts/x/status", []string{"Content-Type", "text/plain"}, 415},
		{"rebound host", "GET", "/api/v1/rules", []string{"Host", "evil.example:7700"}, 421},
		{"configured host", "GET", "/readyz", []string{"Host", "tripline.internal:7700"}, 200},
		{"localhost", "GET", "/readyz", []string{"Host", "localhost:7700"}, 200},
		{"ipv6 loopback", "GET", "/readyz", []string{"Host", "[::1]:7700"}, 200},
		{"cross origin", "POST", "/api/v1/ingest", []string{"Content-Type", "application/json", "Origin", "https://evil.example"}, 403},
		{"same origin without the CSRF token", "POST", "/api/v1/ingest", []string{"Content-Type", "application/json", "Origin", "http://127.0.0.1:7700"}, 403},
		{"same origin with the CSRF token", "POST", "/api/v1/ingest", []string{"Content-Type", "application/json", "Origin", "http://127.0.0.1:7700",
			"Cookie", CSRFCookie + "=" + testCSRF, CSRFHeader, testCSRF}, 202},
	}
	for _, c := range cases {
		r := do(t, h, c.method, c.path, strings.NewReader(rec), c.header...)
		if r.code != c.want {
			t.Errorf("%s: %d, want %d: %s", c.name, r.code, c.want, r.body)
		}
	}
	if len(eng.got) != 3 {
		t.Errorf("the engine got %d records, want 3 from the three allowed ingests", len(eng.got))
	}
	// Listening on every address with a token, any Host may reach it: a
	// rebinding page does not hold the token.
	open := newTest(t, Options{Listen: "0.0.0.0:7700", Token: "s3cret"}).Handler()
	if r := do(t, open, "GET", "/readyz", nil, "Host", "tripline.example.com"); r.code != 200 {
		t.Errorf("token-protected server on 0.0.0.0 refused its public name: %d", r.code)
	}
}
