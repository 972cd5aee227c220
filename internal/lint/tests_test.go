package lint

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/rule"
)

func TestReadTests(t *testing.T) {
	cases := []struct {
		name, src string
		err       string // substring; "" means it reads
		check     func(t *testing.T, got []FileTest)
	}{
		{"list", `
- name: one
  source: bedrock-invocation
  events:
    - {"timestamp": "2024-05-02T10:01:00Z", "n": 3, "f": 1.5, "ok": true, "none": null}
    - '{"nested": {"a": [1, 2]}}'
  expect:
    - {group: {user.id: a}, n: 4}
- name: two
  rule: some-id
  files: [a.json, b.json]
  expect_none: true
`, "", func(t *testing.T, got []FileTest) {
			if len(got) != 2 {
				t.Fatalf("got %d tests", len(got))
			}
			a := got[0].Test
			ev := a.Events[0]
			if ev["timestamp"] != "2024-05-02T10:01:00Z" || ev["n"] != int64(3) || ev["f"] != 1.5 || ev["ok"] != true || ev["none"] != nil {
				t.Errorf("event values %#v", ev)
			}
			if !reflect.DeepEqual(a.Events[1]["nested"], map[string]any{"a": []any{int64(1), int64(2)}}) {
				t.Errorf("JSON string event %#v", a.Events[1])
			}
			if a.LogType != "bedrock-invocation" || a.Line != 2 || a.Expect[0]["n"] != int64(4) {
				t.Errorf("test one %+v", a)
			}
			b := got[1]
			if b.Rule != "some-id" || !b.Test.ExpectNone || !reflect.DeepEqual(b.Test.EventFiles, []string{"a.json", "b.json"}) {
				t.Errorf("test two %+v", b)
			}
		}},
		{"mapping with tests", "tests:\n  - {name: x, events: [{a: 1}], expect_none: true}\n", "", func(t *testing.T, got []FileTest) {
			if len(got) != 1 || got[0].Test.Name != "x" {
				t.Errorf("got %+v", got)
			}
		}},
		{"empty file", "", "", func(t *testing.T, got []FileTest) {
			if len(got) != 0 {
				t.Errorf("got %+v", got)
			}
		}},
		{"unknown key", "- {name: x, events: [{a: 1}], expect_none: true, expected: []}\n", `1:50: unknown key "expected"`, nil},
		{"no name", "- {events: [{a: 1}], expect_none: true}\n", "without a name", nil},
		{"no events", "- {name: x, expect_none: true}\n", "no events and no files", nil},
		{"both expectations", "- {name: x, events: [{a: 1}], expect_none: true, expect: [{n: 1}]}\n", "either expect or expect_none", nil},
		{"no expectation", "- {name: x, events: [{a: 1}]}\n", "either expect or expect_none", nil},
		{"event not an object", "- {name: x, events: [3], expect_none: true}\n", "must be a JSON object", nil},
		{"bad JSON", "- {name: x, events: ['{\"a\": }'], expect_none: true}\n", "cannot read JSON", nil},
		{"not a list", "name: x\n", "a list of tests", nil},
		{"YAML syntax", "- [\n", "cannot parse tests", nil},
		{"NaN", "- {name: x, events: [{a: .nan}], expect_none: true}\n", "NaN", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ReadTests([]byte(c.src))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err %v, want one saying %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, got)
		})
	}
}

func FuzzReadTests(f *testing.F) {
	f.Add([]byte("- {name: x, events: [{a: 1}], expect_none: true}\n"))
	f.Add([]byte("tests:\n  - name: y\n    files: [a]\n    expect: [{n: '{\"a\": 1}'}]\n"))
	f.Add([]byte("- &a {name: x, events: [*a], expect_none: true}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ReadTests(data)
		if err != nil {
			return
		}
		for _, ft := range got {
			tt := ft.Test
			if tt.Name == "" || (len(tt.Events) == 0 && len(tt.EventFiles) == 0) || tt.ExpectNone == (len(tt.Expect) > 0) {
				t.Fatalf("ReadTests accepted an invalid test: %+v", tt)
			}
		}
	})
}

func TestRuleFilesAndSidecars(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.toml", "")
	write("a.tests.yaml", "- {name: for a, events: [{x: 1}], expect_none: true}\n")
	write("sub/b.yml", "")
	write("sub/b.tests.yml", "- {name: for b1, rule: b1, events: [{x: 1}], expect_none: true}\n- {name: orphan, events: [{x: 1}], expect_none: true}\n- {name: lost, rule: zz, events: [{x: 1}], expect_none: true}\n")
	write("c.ndjson", "")
	write("c.tests.yaml", "- [\n")
	write(".hidden/d.yaml", "")
	write("notes.txt", "")

	files, probs := RuleFiles([]string{dir, filepath.Join(dir, "a.tests.yaml"), filepath.Join(dir, "absent")})
	var rel []string
	for _, f := range files {
		r, _ := filepath.Rel(dir, f)
		rel = append(rel, filepath.ToSlash(r))
	}
	if want := []string{"a.toml", "c.ndjson", "sub/b.yml"}; !reflect.DeepEqual(rel, want) {
		t.Errorf("RuleFiles = %v, want %v", rel, want)
	}
	if len(probs) != 1 || !strings.Contains(probs[0].Error(), "absent") {
		t.Errorf("problems %v, want one for the absent path", probs)
	}

	ra := &rule.Rule{ID: "a", File: filepath.Join(dir, "a.toml")}
	rb1 := &rule.Rule{ID: "b1", File: filepath.Join(dir, "sub/b.yml")}
	rb2 := &rule.Rule{ID: "b2", Name: "B two", File: filepath.Join(dir, "sub/b.yml")}
	rc := &rule.Rule{ID: "c", File: filepath.Join(dir, "c.ndjson")}
	got, probs := SidecarTests([]*rule.Rule{ra, rb1, rb2, rc}, os.ReadFile)
	if len(got[ra]) != 1 || got[ra][0].Name != "for a" || len(got[rb1]) != 1 || len(got[rb2]) != 0 || len(got[rc]) != 0 {
		t.Errorf("tests by rule: a %v, b1 %v, b2 %v, c %v", got[ra], got[rb1], got[rb2], got[rc])
	}
	var msgs []string
	for _, p := range probs {
		msgs = append(msgs, p.Error())
	}
	all := strings.Join(msgs, "\n")
	for _, w := range []string{"c.tests.yaml: cannot parse tests", `"orphan"`, "say which with rule: ID", `no rule "zz"`} {
		if !strings.Contains(all, w) {
			t.Errorf("problems lack %q:\n%s", w, all)
		}
	}
	if len(probs) != 3 {
		t.Errorf("got %d problems, want 3:\n%s", len(probs), all)
	}

	// A missing test file is no problem, but one that cannot be read is.
	_, probs = SidecarTests([]*rule.Rule{{ID: "x", File: "x.toml"}}, func(string) ([]byte, error) { return nil, fs.ErrPermission })
	if len(probs) != 2 || !strings.Contains(probs[0].Error(), "x.tests.yaml: cannot read tests") {
		t.Errorf("unreadable test file: %v", probs)
	}
}

func TestIsTestFile(t *testing.T) {
	for name, want := range map[string]bool{"a.tests.yaml": true, "dir/A.Tests.YML": true, "a.yaml": false, "tests.yaml": false, "a.tests.toml": false} {
		if got := IsTestFile(name); got != want {
			t.Errorf("IsTestFile(%q) = %v, want %v", name, got, want)
		}
	}
}
