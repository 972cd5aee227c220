package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGenerateScenarioCommands(t *testing.T) {
	out := t.TempDir()
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string // a substring of standard output
		stderr string // a substring of standard error
	}{
		{"list", []string{"generate", "--list-scenarios"}, exitOK, "llmjacking", ""},
		{"unknown scenario", []string{"generate", "--scenario", "nope", "--out", t.TempDir()}, exitError, "", "unknown"},
		{"scenario", []string{"generate", "--scenario", "enabling", "--principals", "40", "--background", "0.02", "--out", out}, exitOK, "2 expected alerts", ""},
		{"demo", []string{"demo", "--scenario", "evasion", "--principals", "40", "--background", "0.02", "--format", "ndjson"}, exitOK, "f308ab55", "every expected alert was raised, and no other"},
		{"demo without a name", []string{"demo", "--scenario", ""}, exitUsage, "", "--scenario"},
	}
	for _, c := range cases {
		code, stdout, stderr := runCLI(t, "", c.args...)
		if code != c.code || !strings.Contains(stdout, c.stdout) || !strings.Contains(stderr, c.stderr) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d, %q in stdout, %q in stderr",
				c.name, code, stdout, stderr, c.code, c.stdout, c.stderr)
		}
	}
	data, err := os.ReadFile(filepath.Join(out, "expected.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 {
		t.Fatalf("expected.ndjson has %d lines, want 2", len(lines))
	}
	for _, l := range lines {
		var e struct {
			Rule  string
			Group map[string]any
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil || e.Rule == "" || e.Group["user"] == nil {
			t.Errorf("expected.ndjson line %s: %v", l, err)
		}
	}
}
