package esql

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

// seedFile returns the text of the seed whose name starts with prefix.
func seedFile(t *testing.T, prefix string) string {
	t.Helper()
	dir := sharedDir(t, "seeds")
	matches, err := filepath.Glob(filepath.Join(dir, prefix+"*.txt"))
	if err != nil || len(matches) != 1 {
		t.Skipf("seed %s*.txt not found in %s", prefix, dir)
	}
	b, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSeedElastic parses the ES|QL query of the Elastic seed rule exactly as
// the rule page prints it (everything after "Rule query" and "edit").
func TestSeedElastic(t *testing.T) {
	text := seedFile(t, "000_")
	i := strings.LastIndex(text, "Rule query")
	if i < 0 {
		t.Fatal("the seed has no \"Rule query\" section")
	}
	rest := text[i+len("Rule query"):]
	j := strings.Index(rest, "edit\n")
	if j < 0 {
		t.Fatal("the seed's rule query section has no \"edit\" line")
	}
	query := rest[j+len("edit\n"):]
	if !strings.HasPrefix(query, "from ") {
		t.Fatalf("seed query does not start with from: %q", query)
	}
	q, err := Parse(query)
	if err != nil {
		t.Fatal(detail(err))
	}
	got := q.String()
	golden(t, "seed_000.plan", got)
	if errs := Check(q); len(errs) > 0 {
		t.Errorf("Check: %v", errs)
	}
	// The same query reformatted onto one line with extra space and
	// comments plans identically.
	one := strings.Join(strings.Fields(strings.ReplaceAll(query, "|", " | ")), "  ")
	one = "// Elastic seed\n" + strings.Replace(one, "| where", "/* filter */ | where", 1)
	q2, err := Parse(one)
	if err != nil {
		t.Fatal(detail(err))
	}
	if q2.String() != got {
		t.Errorf("reformatted seed plans differently:\n%s\nvs\n%s", q2, got)
	}
}

// TestSeedSplunk feeds the Splunk seed's search to the ES|QL parser: it is
// not ES|QL, and must be refused with a positioned error, not a panic.
func TestSeedSplunk(t *testing.T) {
	text := seedFile(t, "003_")
	i := strings.Index(text, "search:")
	if i < 0 {
		t.Fatal("the seed has no search: line")
	}
	search := text[i+len("search:"):]
	if nl := strings.IndexByte(search, '\n'); nl >= 0 {
		search = search[:nl]
	}
	_, err := Parse(search)
	if err == nil {
		t.Fatal("the SPL search parsed as ES|QL")
	}
	se := checkSpan(t, search, err)
	if !strings.Contains(se.Msg, "must start with FROM") {
		t.Errorf("unexpected error for SPL input: %v", se)
	}
}
