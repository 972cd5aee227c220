package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
	if code != exitOK || strings.Contains(stderr, "warning") || strings.Contains(stdout, "from-file") || !strings.Contains(stdout, "token: '***'") {
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
}
