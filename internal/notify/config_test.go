package notify

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestFromConfig(t *testing.T) {
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	t.Setenv("TRIPLINE_TEST_HOOK", srv.URL)
	t.Setenv("TRIPLINE_WEBHOOK_SECRET", "from-env")
	t.Setenv("TRIPLINE_TEST_TOKEN", "tok")
	path := filepath.Join(t.TempDir(), "alerts.ndjson")
	src := `
- type: file
  path: ` + path + `
  format: ocsf
  max_bytes: 1000000
  keep: 2
- type: webhook
  url: ${TRIPLINE_TEST_HOOK}/in
  secret: ${TRIPLINE_WEBHOOK_SECRET}
  format: ecs
  min_severity: critical
  headers: {Authorization: "Bearer ${TRIPLINE_TEST_TOKEN}"}
  timeout: 2s
  min_backoff: 1ms
  drain_timeout: 3s
- type: webhook
  url: ${TRIPLINE_TEST_HOOK}/bedrock
  unsigned: true
  rules: ["aws-bedrock-*"]
`
	var specs []SinkSpec
	if err := yaml.Unmarshal([]byte(src), &specs); err != nil {
		t.Fatal(err)
	}
	if specs[1].Timeout != 2*time.Second || specs[1].MinBackoff != time.Millisecond || specs[0].MaxBytes != 1000000 {
		t.Fatalf("YAML decoded to %+v", specs)
	}
	r, err := FromConfig(specs)
	if err != nil {
		t.Fatal(err)
	}
	r.Send(context.Background(), withRule("aws-bedrock-x", "high"))
	r.Send(context.Background(), withRule("other", "critical"))
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(readLines(t, path)); n != 2 {
		t.Errorf("file has %d alerts, want 2", n)
	}
	if rc.requests() != 2 {
		t.Fatalf("%d webhook requests, want 2", rc.requests())
	}
	for i, h := range rc.headers {
		switch {
		case strings.Contains(string(rc.bodies[i]), `"kibana.alert.rule.rule_id":"other"`):
			if h.Get(SignatureHeader) != Sign([]byte("from-env"), rc.bodies[i]) || h.Get("Authorization") != "Bearer tok" {
				t.Errorf("critical webhook headers %v", h)
			}
		case strings.Contains(string(rc.bodies[i]), `"rule":{"id":"aws-bedrock-x"`):
			if h.Get(SignatureHeader) != "" {
				t.Errorf("unsigned webhook sent a signature")
			}
		default:
			t.Errorf("unexpected body %s", rc.bodies[i])
		}
	}
	st := r.Stats()
	if st[0].Sent != 2 || st[1].Sent != 1 || st[2].Sent != 1 || !strings.HasPrefix(st[0].Name, "file:") {
		t.Errorf("stats %+v", st)
	}
}

func TestFromConfigErrors(t *testing.T) {
	os.Unsetenv("TRIPLINE_TEST_UNSET")
	t.Setenv("TRIPLINE_TEST_EMPTY", "")
	dir := t.TempDir()
	tests := []struct {
		spec SinkSpec
		want string
	}{
		{SinkSpec{}, "no type"},
		{SinkSpec{Type: "pager"}, `unknown type "pager"`},
		{SinkSpec{Type: "webhook", URL: "https://x", Secret: "${TRIPLINE_TEST_UNSET}"}, "TRIPLINE_TEST_UNSET is not set"},
		{SinkSpec{Type: "webhook", URL: "${TRIPLINE_TEST_UNSET}"}, "url: environment variable"},
		{SinkSpec{Type: "webhook", URL: "x", Unsigned: true}, "not an http(s) URL"},
		{SinkSpec{Type: "webhook", URL: "https://x"}, "no secret to sign with"},
		{SinkSpec{Type: "webhook", URL: "https://x", Secret: "${TRIPLINE_TEST_EMPTY}"}, "secret ${TRIPLINE_TEST_EMPTY} is empty"},
		{SinkSpec{Type: "webhook", URL: "https://x", Secret: "s", Unsigned: true}, "say which"},
		{SinkSpec{Type: "slack", URL: ""}, "not an http(s) URL"},
		{SinkSpec{Type: "file"}, "no path"},
		{SinkSpec{Type: "stdout", Format: "xml"}, "unknown format"},
		{SinkSpec{Type: "stdout", MinSeverity: "urgent"}, "unknown severity"},
		{SinkSpec{Type: "stdout", Rules: []string{"["}}, "bad rule pattern"},
	}
	for _, tc := range tests {
		// A good sink first: it must be closed when a later one fails.
		good := SinkSpec{Type: "file", Path: filepath.Join(dir, "ok.ndjson")}
		if _, err := FromConfig([]SinkSpec{good, tc.spec}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v, want %q", tc.spec, err, tc.want)
		}
	}
}

func TestExpandEnv(t *testing.T) {
	t.Setenv("TRIPLINE_A", "alpha")
	os.Unsetenv("TRIPLINE_B")
	tests := []struct{ in, want, err string }{
		{"plain", "plain", ""},
		{"${TRIPLINE_A}", "alpha", ""},
		{"x-${TRIPLINE_A}-${TRIPLINE_A}", "x-alpha-alpha", ""},
		{"pa$$word$TRIPLINE_A", "pa$$word$TRIPLINE_A", ""},
		{"${TRIPLINE_B}", "", "TRIPLINE_B is not set"},
		{"${not valid}", "${not valid}", ""},
	}
	for _, tc := range tests {
		got, err := expandEnv(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("expandEnv(%q) err = %v", tc.in, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("expandEnv(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func FuzzExpandEnv(f *testing.F) {
	for _, s := range []string{"", "${HOME}", "$${X}", "${", "a${B_1}c", "${1A}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := expandEnv(s)
		if err == nil && !strings.Contains(s, "${") && got != s {
			t.Fatalf("expandEnv(%q) = %q changed text without a reference", s, got)
		}
	})
}
