package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An exceptions file beside the rules, or given with --exceptions, stops
// what it names in hunt; the summary says how much it stopped, and a bad
// entry is reported at its line while the good ones apply.
func TestHuntWithExceptions(t *testing.T) {
	logs := denials(t)
	code, stdout, stderr := runCLI(t, "", "hunt", "--format", "ndjson", logs)
	if code != exitOK || !strings.Contains(stdout, `user/x`) {
		t.Fatalf("without exceptions: exit %d\n%s%s", code, stdout, stderr)
	}
	dir := t.TempDir()
	exc := filepath.Join(dir, "exceptions.yaml")
	os.WriteFile(exc, []byte(`exceptions:
  - field: user.id
    value: arn:aws:iam::111122223333:user/x
    reason: x is our red team
    author: alice@example.com
  - field: user.id
    value: y
    author: bob@example.com
`), 0o644)
	for _, args := range [][]string{
		{"hunt", "--format", "ndjson", "--exceptions", exc, logs},
		{"hunt", "--format", "ndjson", "--rules", dir, logs}, // found beside the rules
	} {
		code, stdout, stderr = runCLI(t, "", args...)
		if code != exitOK || strings.Contains(stdout, `user/x`) {
			t.Errorf("%v: exit %d, alerts still name x:\n%s", args, code, stdout)
		}
		if !strings.Contains(stderr, "exceptions.yaml:6:5: exception not used: reason is empty") {
			t.Errorf("%v: the bad entry is not reported at its line:\n%s", args, stderr)
		}
		if !strings.Contains(stderr, "events or rows stopped by exceptions") {
			t.Errorf("%v: the summary does not say what the exceptions stopped:\n%s", args, stderr)
		}
	}
}
