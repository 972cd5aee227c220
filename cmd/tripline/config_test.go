package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Flags win over the environment, which wins over the file.
func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tripline.yaml")
	sink := filepath.Join(dir, "alerts.ndjson")
	os.WriteFile(path, []byte("listen: 127.0.0.1:1111\nlateness: 5m\nmax_skew: 2h\nnotify_update_events: 50\nrisk: {threshold: 50}\nsources:\n  watch: [./a]\nsinks:\n  - {type: file, path: "+sink+", format: ocsf}\n"), 0o644)
	cfg := defaultConfig()
	if err := loadConfigFile(path, &cfg); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TRIPLINE_LISTEN": "127.0.0.1:2222", "TRIPLINE_RISK_THRESHOLD": "70", "TRIPLINE_S3": "s3://trail/AWSLogs/?region=eu-west-1&path_style=true"}
	if err := applyEnv(&cfg, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:2222" || cfg.Risk.Threshold != 70 || time.Duration(cfg.Lateness) != 5*time.Minute {
		t.Errorf("env over file: listen %s threshold %d lateness %v", cfg.Listen, cfg.Risk.Threshold, time.Duration(cfg.Lateness))
	}
	if len(cfg.Sources.S3) != 1 || cfg.Sources.S3[0].Bucket != "trail" || cfg.Sources.S3[0].Prefix != "AWSLogs/" || !cfg.Sources.S3[0].PathStyle || cfg.Sources.S3[0].Region != "eu-west-1" {
		t.Errorf("s3 from env: %+v", cfg.Sources.S3)
	}
	if len(cfg.Sinks) != 1 || cfg.Sinks[0].Format != "ocsf" {
		t.Errorf("sinks from file: %+v", cfg.Sinks)
	}
	if cfg.NotifyUpdateEvents != 50 || time.Duration(cfg.MaxSkew) != 2*time.Hour || time.Duration(cfg.StreamIdle) != 5*time.Minute {
		t.Errorf("notify_update_events %d, max_skew %v, stream_idle %v", cfg.NotifyUpdateEvents, time.Duration(cfg.MaxSkew), time.Duration(cfg.StreamIdle))
	}
	if err := cfg.check(); err != nil {
		t.Errorf("valid config rejected: %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("listen: x\nlatness: 5m\n"), 0o644)
	cfg := defaultConfig()
	if err := loadConfigFile(bad, &cfg); err == nil || !strings.Contains(err.Error(), "latness") {
		t.Errorf("a misspelt key was accepted: %v", err)
	}
	for _, s := range []string{"ftp:x", "file:", "webhook:"} {
		if _, err := parseSinkSpec(s); err == nil {
			t.Errorf("sink %q accepted", s)
		}
	}
	if _, err := parseS3URL("https://bucket/x"); err == nil {
		t.Error("a non-s3 URL was accepted")
	}
	cfg = defaultConfig()
	cfg.Log.Format = "xml"
	if err := cfg.check(); err == nil {
		t.Error("log format xml accepted")
	}
}

func TestServeCheckConfig(t *testing.T) {
	code, stdout, stderr := runCLI(t, "", "serve", "--check-config", "--data", t.TempDir(), "--sink", "file:"+filepath.Join(t.TempDir(), "a.ndjson"), "--token", "sekrit")
	if code != exitOK || !strings.Contains(stdout, "configuration ok") || strings.Contains(stdout, "sekrit") {
		t.Errorf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, _, stderr = runCLI(t, "", "serve", "--check-config", "--sink", "ftp:x")
	if code != exitUsage || !strings.Contains(stderr, "unknown sink") {
		t.Errorf("bad sink: exit %d %s", code, stderr)
	}
	// A webhook with nothing to sign with is refused by the check, not
	// sent unsigned.
	t.Setenv("TRIPLINE_WEBHOOK_SECRET", "")
	code, _, stderr = runCLI(t, "", "serve", "--check-config", "--data", t.TempDir(), "--sink", "webhook:https://soar.example/hook")
	if code != exitUsage || !strings.Contains(stderr, "is empty") {
		t.Errorf("webhook with an empty secret: exit %d %s", code, stderr)
	}
	t.Setenv("TRIPLINE_WEBHOOK_SECRET", "s3cret")
	if code, _, stderr = runCLI(t, "", "serve", "--check-config", "--data", t.TempDir(), "--sink", "webhook:https://soar.example/hook"); code != exitOK {
		t.Errorf("webhook with a secret: exit %d %s", code, stderr)
	}
}

// A token in a file stays out of ps; one on the command line is taken
// but warned about.
func TestServeTokenFile(t *testing.T) {
	tok := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tok, []byte("from-file\n"), 0o600)
	code, stdout, stderr := runCLI(t, "", "serve", "--check-config", "--data", t.TempDir(), "--token-file", tok)
	if code != exitOK || strings.Contains(stderr, "warning") || strings.Contains(stdout, "from-file") || !strings.Contains(stdout, `"Token": "***"`) {
		t.Errorf("token file: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, _, stderr = runCLI(t, "", "serve", "--check-config", "--data", t.TempDir(), "--token", "sekrit")
	if code != exitOK || !strings.Contains(stderr, "--token is visible") {
		t.Errorf("--token: exit %d, want a warning: %s", code, stderr)
	}
	os.WriteFile(tok, nil, 0o600)
	if code, _, stderr = runCLI(t, "", "serve", "--check-config", "--data", t.TempDir(), "--token-file", tok); code == exitOK || !strings.Contains(stderr, "is empty") {
		t.Errorf("empty token file: exit %d %s", code, stderr)
	}
}

// One grammar for lengths of time everywhere: what the API and rules take,
// the command line and the config take too.
func TestOneDurationGrammar(t *testing.T) {
	if code, _, stderr := runCLI(t, "", "alerts", "list", "--data", t.TempDir(), "--since", "7d12h"); strings.Contains(stderr, "duration") || strings.Contains(stderr, "--since") {
		t.Errorf("alerts list --since 7d12h: exit %d %s", code, stderr)
	}
	if _, _, stderr := runCLI(t, "", "alerts", "list", "--data", t.TempDir(), "--since", "7 days"); !strings.Contains(stderr, "RFC 3339") {
		t.Errorf("alerts list --since '7 days' not refused with the grammar: %s", stderr)
	}
	cfg := defaultConfig()
	env := map[string]string{"TRIPLINE_RETENTION": "1w", "TRIPLINE_LATENESS": "1.5h"}
	if err := applyEnv(&cfg, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if time.Duration(cfg.Retention) != 7*24*time.Hour || time.Duration(cfg.Lateness) != 90*time.Minute {
		t.Errorf("retention %v lateness %v from 1w and 1.5h", time.Duration(cfg.Retention), time.Duration(cfg.Lateness))
	}
}
