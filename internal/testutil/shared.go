// Package testutil holds what tests across tripline share: locating the
// real logs and seed documents in ../shared beside the repository, and
// reading samples out of scraped metrics. Only
// _test.go files import it.
package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// Shared returns ../shared/<name> beside the module root (the directory
// holding go.mod above the test), or skips the test with a message that
// says where it looked.
func Shared(t testing.TB, name string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skipf("no go.mod above the test directory; cannot find ../shared/%s", name)
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("../shared/%s not found at %s (it lives beside the repository): %v", name, p, err)
	}
	return p
}
