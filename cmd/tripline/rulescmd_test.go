package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seedID is the Elastic seed rule of the built-in pack.
const seedID = "17261da3-a6d0-463c-aac8-ea1718afcd20"

// writeFiles writes name→content into a new temporary directory.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// nativeRule is a native ES|QL rule over invocation logs; query lines are
// indented under "query: |-" starting at file line 6.
func nativeRule(id, query, schedule string) string {
	var b strings.Builder
	b.WriteString("id: " + id + "\n")
	b.WriteString("name: Rule " + id + "\n")
	b.WriteString("language: esql\n")
	b.WriteString("severity: low\n")
	b.WriteString("query: |-\n")
	for _, l := range strings.Split(query, "\n") {
		b.WriteString("  " + l + "\n")
	}
	if schedule != "" {
		b.WriteString(schedule + "\n")
	}
	return b.String()
}

const kueryTOML = `[rule]
name = "Console login from KQL"
rule_id = "b1a2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
description = "A KQL rule."
language = "kuery"
type = "query"
severity = "low"
risk_score = 21
query = "event.action:ConsoleLogin"
`

const eqlTOML = `[rule]
name = "Console login from EQL"
rule_id = "b1a2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
description = "An EQL rule."
language = "eql"
type = "machine_learning"
severity = "low"
risk_score = 21
query = 'any where event.action == "ConsoleLogin"'
`

func TestRulesBuiltin(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"list", []string{"rules", "list"}, []string{"ID", "HEALTH", seedID, "every 10m over 1h", "esql", "rules/elastic_aws_bedrock_denied_models_by_user.yaml"}},
		{"list json", []string{"rules", "list", "--format", "ndjson"}, []string{`"id":"` + seedID + `"`, `"health":"ok"`}},
		{"show", []string{"rules", "show", seedID}, []string{"Plan:", "| stats total_denials = count(*)", "Prefilter:", "AccessDeniedException", "Program:", "sources: bedrock_invocation", "Investigation guide:", "AML.T0034 Cost Harvesting", "Tests", "Query:"}},
		{"show by prefix", []string{"rules", "show", "17261da3"}, []string{"Name", "Denied Models"}},
		{"validate", []string{"rules", "validate"}, []string{"0 errors"}},
		{"coverage", []string{"rules", "coverage"}, []string{"MITRE ATLAS", "AML.T0034 Cost Harvesting", "Amazon Bedrock model invocation logs", "AWS CloudTrail"}},
		{"help", []string{"rules", "help"}, []string{"rules validate"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", c.args...)
			if code != exitOK {
				t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, stdout)
				}
			}
		})
	}
}

func TestRulesUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		err  string
	}{
		{[]string{"rules"}, "give a subcommand"},
		{[]string{"rules", "frob"}, "unknown subcommand"},
		{[]string{"rules", "show"}, "give one rule id"},
		{[]string{"rules", "show", "no-such-rule"}, "no rule"},
		{[]string{"rules", "list", "--format", "xml"}, "unknown --format"},
		{[]string{"rules", "test", "-run", "("}, "bad --run"},
	}
	for _, c := range cases {
		code, _, stderr := runCLI(t, "", c.args...)
		if code != exitUsage || !strings.Contains(stderr, c.err) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 saying %q", c.args, code, stderr, c.err)
		}
	}
}

func TestRulesValidate(t *testing.T) {
	typo := nativeRule("typo", "from logs-aws_bedrock.invocation-*\n| stats n = count(*) by gen_ai.request.modelid\n| where n > 3", "")
	syntaxErr := nativeRule("broken", "from logs-aws_bedrock.invocation-*\n| where user.id == \n| stats n = count(*) by user.id", "")
	short := nativeRule("short", "from logs-aws_bedrock.invocation-*\n| stats n = count(*) by user.id\n| where n > 3", "schedule:\n  interval: 1h\n  lookback: 10m")
	never := nativeRule("never", "from logs-aws_bedrock.invocation-*\n| stats n = count(*) by user.id\n| where n < 1", "")
	cases := []struct {
		name   string
		files  map[string]string
		flags  []string
		code   int
		want   []string
		status string // of the one rule, in --format json
	}{
		{"typo", map[string]string{"typo.yaml": typo}, nil, exitOK,
			[]string{"typo.yaml:7:27: warning: rule typo", `"gen_ai.request.modelid"`, `did you mean "gen_ai.request.model.id"?`}, "ok"},
		{"typo strict", map[string]string{"typo.yaml": typo}, []string{"--strict"}, exitError, []string{"did you mean"}, "ok"},
		// The parser stops at the "|" that starts the query's third line:
		// file line 8, column 3 (the query is indented by two).
		{"syntax error", map[string]string{"broken.yaml": syntaxErr}, nil, exitError,
			[]string{"broken.yaml:8:3: error: rule broken", "expected an expression", "  | stats n", "\n    ^\n", "1 error"}, "error"},
		{"short look-back", map[string]string{"short.yaml": short}, nil, exitOK, []string{"look-back 10m0s is shorter than the interval 1h0m0s"}, "ok"},
		{"unreachable threshold", map[string]string{"never.yaml": never}, nil, exitOK, []string{`can never be true`, "at least 1 row"}, "ok"},
		{"eql skipped", map[string]string{"eql.toml": eqlTOML}, nil, exitOK, []string{"skipped: rule b1a2c3d4", "eql"}, "skipped"},
		{"kuery runs", map[string]string{"kql.toml": kueryTOML}, nil, exitOK, []string{"1 ok"}, "ok"},
		{"yaml error", map[string]string{"bad.yaml": "id: [\n"}, nil, exitError, []string{"bad.yaml", "error"}, "error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeFiles(t, c.files)
			args := append([]string{"rules", "validate"}, c.flags...)
			code, stdout, stderr := runCLI(t, "", append(args, dir)...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, stdout, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, stdout)
				}
			}
			_, stdout, _ = runCLI(t, "", "rules", "validate", "--format", "ndjson", dir)
			lines := strings.Split(strings.TrimSpace(stdout), "\n")
			if len(lines) != 1 {
				t.Fatalf("json: %d lines, want 1:\n%s", len(lines), stdout)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
				t.Fatalf("json: %v: %s", err, lines[0])
			}
			for _, k := range []string{"file", "status", "warnings"} {
				if _, ok := got[k]; !ok {
					t.Errorf("json lacks %q: %s", k, lines[0])
				}
			}
			if got["status"] != c.status {
				t.Errorf("status %v, want %s", got["status"], c.status)
			}
			if !strings.HasPrefix(got["file"].(string), dir) {
				t.Errorf("file %v is not under %s", got["file"], dir)
			}
		})
	}
}

func TestRulesValidateErrorPosition(t *testing.T) {
	dir := writeFiles(t, map[string]string{"broken.yaml": nativeRule("broken", "from logs-aws_bedrock.invocation-*\n| where user.id == \n| stats n = count(*) by user.id", "")})
	_, stdout, _ := runCLI(t, "", "rules", "validate", "--format", "ndjson", dir)
	var got struct {
		File      string
		Line, Col int
		Message   string
		Detail    string
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	if got.Line != 8 || got.Col != 3 {
		t.Errorf("error at %d:%d, want 8:3 (the query's third line, indented by two): %+v", got.Line, got.Col, got)
	}
	if !strings.Contains(got.Detail, "^") {
		t.Errorf("detail has no caret: %q", got.Detail)
	}
}

func TestRulesValidateWithBuiltin(t *testing.T) {
	dir := writeFiles(t, map[string]string{"kql.toml": kueryTOML})
	_, only, _ := runCLI(t, "", "rules", "validate", "--format", "ndjson", dir)
	_, both, _ := runCLI(t, "", "rules", "validate", "--format", "ndjson", "--with-builtin", dir)
	n1, n2 := strings.Count(only, "\n"), strings.Count(both, "\n")
	if n1 != 1 || n2 < 3 || !strings.Contains(both, seedID) {
		t.Errorf("without builtin %d rules, with %d; want 1 and the pack besides", n1, n2)
	}
}

// elasticRule is an Elastic TOML ES|QL rule: more than 2 denials per user.
const elasticRule = `[rule]
name = "Denials per user"
rule_id = "d0000000-0000-4000-8000-000000000001"
description = "More than two denials."
language = "esql"
type = "esql"
severity = "medium"
risk_score = 47
interval = "10m"
from = "now-60m"
query = '''
from logs-aws_bedrock.invocation-*
| where gen_ai.response.error_code == "AccessDeniedException"
| stats n = count(*) by user.id
| where n > 2
'''
`

const denial = `{"schemaType": "ModelInvocationLog", "timestamp": "2024-05-02T10:0N:00Z", "accountId": "123456789012", "identity": {"arn": "arn:aws:iam::123456789012:user/a"}, "region": "us-east-1", "requestId": "rN", "operation": "InvokeModel", "modelId": "m", "errorCode": "AccessDeniedException"}`

// denialEvents renders n denial records as the items of a test's events.
func denialEvents(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString("    - '" + strings.ReplaceAll(denial, "N", string(rune('0'+i))) + "'\n")
	}
	return b.String()
}

// sidecarTests holds a positive and a negative test that pass, and one
// that fails: three denials raise an alert, but not with n = 4.
func sidecarTests() string {
	return "- name: three denials alert\n  events:\n" + denialEvents(3) +
		"  expect:\n    - {group: {user.id: 'arn:aws:iam::123456789012:user/a'}, n: 3}\n" +
		"- name: two denials are quiet\n  events:\n" + denialEvents(2) + "  expect_none: true\n" +
		"- name: wrong count\n  events:\n" + denialEvents(3) + "  expect:\n    - {n: 4}\n"
}

func TestRulesTest(t *testing.T) {
	dir := writeFiles(t, map[string]string{"denials.toml": elasticRule, "denials.tests.yaml": sidecarTests()})
	junit := filepath.Join(t.TempDir(), "junit.xml")

	code, stdout, stderr := runCLI(t, "", "rules", "test", "--junit", junit, dir)
	if code != exitError {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, w := range []string{"--- FAIL: d0000000-0000-4000-8000-000000000001/wrong_count", "n is 3, want 4", "FAIL\trules", "3 tests: 2 passed, 1 failed"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("output lacks %q:\n%s", w, stdout)
		}
	}
	if strings.Contains(stdout, "--- PASS") {
		t.Errorf("passing tests shown without -v:\n%s", stdout)
	}

	data, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName  xml.Name `xml:"testsuites"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("junit XML is not well-formed: %v\n%s", err, data)
	}
	if doc.Tests != 3 || doc.Failures != 1 || len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 3 {
		t.Fatalf("junit: %d tests, %d failures, %d suites; want 3, 1, 1:\n%s", doc.Tests, doc.Failures, len(doc.Suites), data)
	}
	if c := doc.Suites[0].Cases[2]; c.Name != "wrong count" || c.Failure == nil || !strings.Contains(c.Failure.Message, "want 4") {
		t.Errorf("junit third case: %+v", c)
	}

	code, stdout, _ = runCLI(t, "", "rules", "test", "-v", "-run", "alert|quiet", dir)
	if code != exitOK {
		t.Fatalf("-run: exit %d, want 0:\n%s", code, stdout)
	}
	for _, w := range []string{"=== RUN   d0000000-0000-4000-8000-000000000001/three_denials_alert", "--- PASS: d0000000-0000-4000-8000-000000000001/two_denials_are_quiet", "PASS\nok  \trules", "2 tests: 2 passed"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("-run -v output lacks %q:\n%s", w, stdout)
		}
	}
	if strings.Contains(stdout, "wrong_count") {
		t.Errorf("-run did not filter out wrong_count:\n%s", stdout)
	}
}

func TestRulesTestBuiltin(t *testing.T) {
	code, stdout, stderr := runCLI(t, "", "rules", "test", "-run", "Denied Models")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "ok  \trules") || !strings.Contains(stdout, "2 tests: 2 passed") {
		t.Errorf("want the seed's two tests to pass:\n%s", stdout)
	}
}

func TestRulesTestBrokenSidecar(t *testing.T) {
	dir := writeFiles(t, map[string]string{"denials.toml": elasticRule, "denials.tests.yaml": "- name: x\n  events: []\n  bogus: 1\n"})
	code, stdout, _ := runCLI(t, "", "rules", "test", dir)
	if code != exitError || !strings.Contains(stdout, "denials.tests.yaml") || !strings.Contains(stdout, `unknown key "bogus"`) {
		t.Errorf("exit %d, want 1 naming the test file and the key:\n%s", code, stdout)
	}
}

func TestRulesCoverageJSON(t *testing.T) {
	code, stdout, stderr := runCLI(t, "", "rules", "coverage", "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Techniques []struct {
			Framework string
			Technique struct{ ID, Name string }
			Rules     []struct{ ID string }
		}
		Rules []struct {
			ID          string
			DataSources []string `json:"data_sources"`
		}
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, te := range got.Techniques {
		if te.Technique.ID == "AML.T0034" && te.Framework == "MITRE ATLAS" {
			for _, r := range te.Rules {
				found = found || r.ID == seedID
			}
		}
	}
	if !found {
		t.Errorf("AML.T0034 is not covered by the seed rule: %s", stdout)
	}
	for _, r := range got.Rules {
		if r.ID == seedID && (len(r.DataSources) != 1 || r.DataSources[0] != "Amazon Bedrock model invocation logs") {
			t.Errorf("seed data sources %v", r.DataSources)
		}
	}
}
