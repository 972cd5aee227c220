package service

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The environment wins over the file.
func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tripline.yaml")
	sink := filepath.Join(dir, "alerts.ndjson")
	os.WriteFile(path, []byte("listen: 127.0.0.1:1111\nlateness: 5m\nmax_skew: 2h\nnotify_update_events: 50\nrisk: {threshold: 50}\nsources:\n  watch: [./a]\nsinks:\n  - {type: file, path: "+sink+", format: ocsf}\n"), 0o644)
	cfg := Default()
	if err := LoadFile(path, &cfg); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TRIPLINE_LISTEN": "127.0.0.1:2222", "TRIPLINE_RISK_THRESHOLD": "70", "TRIPLINE_S3": "s3://trail/AWSLogs/?region=eu-west-1&path_style=true"}
	if err := ApplyEnv(&cfg, func(k string) string { return env[k] }); err != nil {
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
	if err := cfg.Check(); err != nil {
		t.Errorf("valid config rejected: %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("listen: x\nlatness: 5m\n"), 0o644)
	cfg := Default()
	if err := LoadFile(bad, &cfg); err == nil || !strings.Contains(err.Error(), `line 2: unknown key "latness"; did you mean "lateness"?`) {
		t.Errorf("a misspelt key was accepted or not explained: %v", err)
	}
	nested := filepath.Join(dir, "nested.yaml")
	os.WriteFile(nested, []byte("sources:\n  s3:\n    - bucket: b\n      regoin: eu-west-1\n"), 0o644)
	if err := LoadFile(nested, &cfg); err == nil || !strings.Contains(err.Error(), `line 4: unknown key "regoin" in sources.s3[0]; did you mean "region"?`) {
		t.Errorf("a misspelt nested key: %v", err)
	}
	for _, s := range []string{"ftp:x", "file:", "webhook:"} {
		if _, err := ParseSinkSpec(s); err == nil {
			t.Errorf("sink %q accepted", s)
		}
	}
	if _, err := ParseS3URL("https://bucket/x"); err == nil {
		t.Error("a non-s3 URL was accepted")
	}
	cfg = Default()
	cfg.Log.Format = "xml"
	if err := cfg.Check(); err == nil {
		t.Error("log format xml accepted")
	}
}

// Lengths of time in the environment take the one grammar.
func TestEnvDurations(t *testing.T) {
	cfg := Default()
	env := map[string]string{"TRIPLINE_RETENTION": "1w", "TRIPLINE_LATENESS": "1.5h"}
	if err := ApplyEnv(&cfg, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if time.Duration(cfg.Retention) != 7*24*time.Hour || time.Duration(cfg.Lateness) != 90*time.Minute {
		t.Errorf("retention %v lateness %v from 1w and 1.5h", time.Duration(cfg.Retention), time.Duration(cfg.Lateness))
	}
}

// The effective configuration prints in the file's own keys and units,
// secrets hidden, and reads back as the same configuration.
func TestConfigYAMLReadsBack(t *testing.T) {
	cfg := Default()
	cfg.Token = "sekrit"
	cfg.Retention = Duration(90 * 24 * time.Hour)
	cfg.Risk.Window = Duration(36 * time.Hour)
	out, err := cfg.YAML()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{"retention: 90d", "window: 1d12h", "lateness: 10m", "checkpoint_every: 10s", "listen: 127.0.0.1:7700"} {
		if !strings.Contains(text, want) {
			t.Errorf("lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "sekrit") || strings.Contains(text, "Token") {
		t.Errorf("secret or Go field names shown:\n%s", text)
	}
	path := filepath.Join(t.TempDir(), "back.yaml")
	os.WriteFile(path, out, 0o644)
	back := Config{}
	if err := LoadFile(path, &back); err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if back.Retention != cfg.Retention || back.Risk.Window != cfg.Risk.Window || back.Lateness != cfg.Lateness {
		t.Errorf("read back %+v", back)
	}
}
