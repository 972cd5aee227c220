package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/store"
)

// newStoreDir makes serve's data directory with an empty store.
func newStoreDir(t *testing.T) string {
	t.Helper()
	data := t.TempDir()
	st, err := store.OpenSQLite(filepath.Join(data, "tripline.db"))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	return data
}

// The CLI adds, lists, removes, exports and imports the store's
// exceptions, and every change is in their history.
func TestExceptionsCLI(t *testing.T) {
	data := newStoreDir(t)
	code, out, errs := runCLI(t, "", "exceptions", "add", "--data", data, "--rule", "denials", "--field", "caller",
		"--value", "arn:aws:iam::1:user/ci", "--reason", "CI <b>probes</b>", "--author", "ana", "--expires", "30d")
	if code != exitOK || !strings.HasSuffix(out, " added\n") {
		t.Fatalf("add: %d %s %s", code, out, errs)
	}
	id := strings.Fields(out)[0]
	if code, _, errs := runCLI(t, "", "exceptions", "add", "--data", data, "--rule", "denials", "--field", "caller",
		"--value", "arn:aws:iam::1:user/ci", "--reason", "again", "--author", "bob"); code != exitError || !strings.Contains(errs, "already exists") {
		t.Errorf("the same exception again: %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, "", "exceptions", "add", "--data", data, "--field", "f", "--value", "v", "--author", "bob"); code != exitUsage ||
		!strings.Contains(errs, "reason is empty") {
		t.Errorf("without a reason: %d %s", code, errs)
	}
	code, out, _ = runCLI(t, "", "exceptions", "list", "--data", data, "--format", "json")
	var listed struct {
		ID     string `json:"id"`
		Reason string `json:"reason"`
		Source string `json:"source"`
		Active bool   `json:"active"`
	}
	if err := json.Unmarshal([]byte(out), &listed); code != exitOK || err != nil || listed.ID != id || listed.Reason != "CI <b>probes</b>" || !listed.Active {
		t.Fatalf("list: %d %s %v", code, out, err)
	}
	if code, out, _ := runCLI(t, "", "exceptions", "list", "--data", data, "--format", "table"); code != exitOK || !strings.Contains(out, id) || !strings.Contains(out, "active") {
		t.Errorf("list as a table:\n%s", out)
	}

	export := filepath.Join(t.TempDir(), "exceptions.yaml")
	if code, _, errs := runCLI(t, "", "exceptions", "export", "--data", data, "--out", export); code != exitOK {
		t.Fatalf("export: %s", errs)
	}
	text, _ := os.ReadFile(export)
	if !strings.Contains(string(text), "id: "+id) || !strings.Contains(string(text), "expires:") {
		t.Errorf("exported:\n%s", text)
	}

	if code, _, errs := runCLI(t, "", "exceptions", "remove", "--data", data, id, "--by", "carl"); code != exitUsage || !strings.Contains(errs, "--why") {
		t.Errorf("remove without why: %d %s", code, errs)
	}
	if code, out, errs := runCLI(t, "", "exceptions", "remove", "--data", data, id, "--by", "carl", "--why", "the CI account is gone"); code != exitOK {
		t.Fatalf("remove: %d %s %s", code, out, errs)
	}
	if _, out, _ := runCLI(t, "", "exceptions", "list", "--data", data, "--format", "json"); out != "" {
		t.Errorf("in force after the removal: %s", out)
	}
	if _, out, _ := runCLI(t, "", "exceptions", "list", "--data", data, "--all", "--format", "table"); !strings.Contains(out, "removed by carl") {
		t.Errorf("with the removed:\n%s", out)
	}

	// The export imports back; a second import reports each duplicate once.
	bad := filepath.Join(filepath.Dir(export), "bad.yaml")
	os.WriteFile(bad, []byte("exceptions:\n  - field: f\n    value: v\n    author: a\n"), 0o644)
	code, out, errs = runCLI(t, "", "exceptions", "import", "--data", data, "--by", "dana", export, bad)
	if code != exitError || !strings.Contains(out, "1 exceptions imported, 1 not") || !strings.Contains(errs, "bad.yaml:2:5: reason is empty") {
		t.Errorf("import: %d\n%s%s", code, out, errs)
	}
	code, out, errs = runCLI(t, "", "exceptions", "import", "--data", data, "--by", "dana", export)
	if code != exitError || !strings.Contains(errs, id+" is in the store already") || !strings.Contains(out, "0 exceptions imported, 1 not") {
		t.Errorf("a second import: %d\n%s%s", code, out, errs)
	}

	code, out, _ = runCLI(t, "", "exceptions", "history", "--data", data, id, "--format", "json")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != exitOK || len(lines) != 3 || !strings.Contains(lines[0], `"by":"ana"`) || !strings.Contains(lines[1], `"the CI account is gone"`) ||
		!strings.Contains(lines[2], `"imported from `) {
		t.Errorf("history: %d\n%s", code, out)
	}
}
