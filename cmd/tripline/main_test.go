package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// denials writes invocation records that the Elastic seed alerts on.
func denials(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	base := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	for i := 0; i < 5; i++ {
		fmt.Fprintf(&b, `{"schemaType":"ModelInvocationLog","timestamp":%q,"accountId":"111122223333","identity":{"arn":"arn:aws:iam::111122223333:user/x"},"region":"us-east-1","requestId":"r%d","operation":"InvokeModel","modelId":"m1","errorCode":"AccessDeniedException"}`+"\n",
			base.Add(time.Duration(i)*time.Minute).Format(time.RFC3339), i)
	}
	path := filepath.Join(t.TempDir(), "inv.json")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestExitCodes(t *testing.T) {
	logs := denials(t)
	cases := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"no command", nil, exitUsage, "Usage"},
		{"unknown command", []string{"hunts"}, exitUsage, "unknown command"},
		{"hunt without paths", []string{"hunt"}, exitUsage, "at least one log path"},
		{"bad format", []string{"hunt", "--format", "xml", logs}, exitUsage, "unknown --format"},
		{"unknown flag", []string{"hunt", "--nope", logs}, exitUsage, "unknown flag: --nope"},
		{"misspelt flag", []string{"hunt", "--latenes", "2h", logs}, exitUsage, "unknown flag: --latenes; did you mean --lateness?"},
		{"missing input", []string{"hunt", filepath.Join(t.TempDir(), "absent")}, exitError, "absent"},
		{"alerts without fail-on-alert", []string{"hunt", "--format", "ndjson", logs}, exitOK, "1 alerts"},
		{"alerts with fail-on-alert", []string{"hunt", "--fail-on-alert", "--format", "ndjson", logs}, exitAlert, ""},
		{"no rules at all", []string{"hunt", "--no-builtin", logs}, exitUsage, "no rules"},
		{"bad lateness", []string{"hunt", "--lateness", "soon", logs}, exitUsage, "--lateness"},
		{"zero lateness", []string{"hunt", "--lateness", "0s", logs}, exitUsage, "positive duration"},
		{"lateness in days", []string{"hunt", "--lateness", "2d", "--format", "ndjson", logs}, exitOK, "1 alerts"},
		{"query syntax error", []string{"query", "from logs-* | where a ==", logs}, exitError, "^"},
	}
	for _, c := range cases {
		code, _, stderr := runCLI(t, "", c.args...)
		if code != c.code {
			t.Errorf("%s: exit %d, want %d (stderr: %s)", c.name, code, c.code, stderr)
		}
		if !strings.Contains(stderr, c.err) {
			t.Errorf("%s: stderr does not say %q:\n%s", c.name, c.err, stderr)
		}
	}
}

func TestHuntNDJSONKeys(t *testing.T) {
	code, stdout, stderr := runCLI(t, "", "hunt", "--format", "ndjson", denials(t))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 1 {
		t.Fatalf("got %d alerts, want 1:\n%s", len(lines), stdout)
	}
	var a map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &a); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "rule", "timestamp", "window", "group", "row", "first_seen", "last_seen", "event_count", "evidence", "reason", "guide", "drilldowns"} {
		if _, ok := a[k]; !ok && k != "drilldowns" {
			t.Errorf("alert lacks %q", k)
		}
	}
	rule := a["rule"].(map[string]any)
	for _, k := range []string{"id", "name", "version", "language", "severity", "risk_score", "tags", "threat"} {
		if _, ok := rule[k]; !ok {
			t.Errorf("alert rule lacks %q", k)
		}
	}
	ev := a["evidence"].([]any)
	if len(ev) != 5 || ev[0].(map[string]any)["line"].(float64) != 1 {
		t.Errorf("evidence %v, want 5 events from line 1", ev)
	}
	for _, want := range []string{"read 1 files", "5 bedrock invocation", "1 alerts"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("summary lacks %q:\n%s", want, stderr)
		}
	}
}

func TestHuntStdinAndOut(t *testing.T) {
	raw, err := os.ReadFile(denials(t))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "alerts.ndjson")
	code, stdout, stderr := runCLI(t, string(raw), "hunt", "--out", out, "-")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout should be empty with --out, got %q", stdout)
	}
	b, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(b), `"total_denials":5`) {
		t.Errorf("alerts file: %v %s", err, b)
	}
}

func TestQueryEveryLanguage(t *testing.T) {
	logs := denials(t)
	code, stdout, stderr := runCLI(t, "", "query", "--format", "ndjson", "from logs-aws_bedrock.invocation-* | stats n = count(*) by user.id", logs)
	if code != exitOK || strings.TrimSpace(stdout) != `{"n":5,"user.id":"arn:aws:iam::111122223333:user/x"}` {
		t.Errorf("esql: exit %d, out %q, err %s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, "", "query", "--lang", "spl", "--format", "ndjson", "modelId=m1 | stats count by user_name", logs)
	if code != exitOK || strings.TrimSpace(stdout) != `{"user_name":"x","count":5}` {
		t.Errorf("spl: exit %d, out %q, err %s", code, stdout, stderr)
	}
	// KQL and EQL name no data in the query: --index does, or every log.
	for _, c := range [][]string{
		{"--lang", "kuery", "--index", "logs-aws_bedrock.invocation-*", "gen_ai.request.model.id: m1"},
		{"--lang", "kql", "gen_ai.request.model.id: m1 and not user.id: nobody"},
		{"--lang", "eql", "any where gen_ai.request.model.id == \"m1\""},
	} {
		args := append([]string{"query", "--format", "ndjson"}, append(c, logs)...)
		code, stdout, stderr = runCLI(t, "", args...)
		if n := strings.Count(stdout, `"gen_ai.request.model.id":"m1"`); code != exitOK || n != 5 {
			t.Errorf("%v: exit %d, %d events, want 5; err %s", c, code, n, stderr)
		}
	}
	code, _, stderr = runCLI(t, "", "query", "--index", "x-*", "from logs-aws_bedrock.invocation-*", logs)
	if code != exitUsage || !strings.Contains(stderr, "--index is for KQL and EQL") {
		t.Errorf("--index with ES|QL: exit %d, err %s", code, stderr)
	}
}

// Rules in languages tripline does not run are listed as skipped, with
// the reason, and the run goes on: not an error.
// (The Sigma correlation names a rule the set lacks: an error at the
// reference, not a skip.)
func TestHuntListsSkippedRules(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "s.yml"), []byte("title: Sigma correlation\nid: 5a3b1d0e-1111-4c2e-9c59-0c6f4d2a9e11\nstatus: test\ncorrelation:\n  type: event_count\n  rules: [x]\n  group-by: [userIdentity.arn]\n  timespan: 1h\n  condition: {gte: 10}\nlevel: high\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "k.toml"), []byte("[metadata]\ncreation_date = \"2024/01/01\"\n[rule]\nname = \"EQL rule\"\nrule_id = \"6a3b1d0e-1111-4c2e-9c59-0c6f4d2a9e12\"\ndescription = \"d\"\nrisk_score = 21\nseverity = \"low\"\ntype = \"machine_learning\"\nlanguage = \"eql\"\nquery = \"any where true\"\nindex = [\"logs-aws.cloudtrail-*\"]\nauthor = [\"x\"]\nlicense = \"x\"\n"), 0o644)
	code, _, stderr := runCLI(t, "", "hunt", "--rules", dir, "--format", "ndjson", denials(t))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"skipped  EQL rule", "1 skipped"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("summary lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "rule error") && !strings.Contains(stderr, "rule error: "+filepath.Join(dir, "s.yml")+`:6:11: rule 5a3b1d0e-1111-4c2e-9c59-0c6f4d2a9e11 (Sigma correlation): no rule of the set has id or name "x"`) {
		t.Errorf("a skipped rule was reported as an error, or the correlation's missing rule is not placed at its reference:\n%s", stderr)
	}
}

// A rule that does not parse is reported with its file, line:col and a
// caret, and the other rules still run.
func TestHuntReportsBrokenRuleInItsFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte("id: 11111111-2222-3333-4444-555555555555\nname: Broken rule\nlanguage: esql\nseverity: low\nrisk_score: 10\nquery: |-\n  from logs-aws.cloudtrail-*\n  | where event.action == \"CreateUser\" and\n  | stats n = count(*) by user.name\n"), 0o644)
	code, stdout, stderr := runCLI(t, "", "hunt", "--rules", dir, "--format", "ndjson", denials(t))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "bad.yaml:9:3: rule 11111111-2222-3333-4444-555555555555 (Broken rule)") || !strings.Contains(stderr, "\n  ^") {
		t.Errorf("error not placed in the file with a caret:\n%s", stderr)
	}
	if !strings.Contains(stdout, `"total_denials":5`) {
		t.Errorf("the built-in rules did not run beside the broken one:\n%s", stdout)
	}
}

// Text an attacker chose (a user agent, a bad file's name) reaches the
// terminal as visible escapes: it can neither move the cursor nor clear
// the screen nor start a line of its own.
func TestHuntOutputEscapesControlCharacters(t *testing.T) {
	dir := t.TempDir()
	ua := "aws-cli/2.0\x1b[2J\x1b[H\nevery expected alert was raised\r"
	var b strings.Builder
	base := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	for i := 0; i < 12; i++ {
		rec, _ := json.Marshal(map[string]any{
			"eventVersion": "1.09", "eventTime": base.Add(time.Duration(i) * time.Minute).Format(time.RFC3339),
			"eventSource": "bedrock.amazonaws.com", "eventName": "ListFoundationModels", "awsRegion": "us-east-1",
			"sourceIPAddress": "203.0.113.9", "userAgent": ua, "errorCode": "AccessDenied",
			"userIdentity": map[string]any{"type": "IAMUser", "userName": "mallory", "accountId": "111122223333",
				"arn": "arn:aws:iam::111122223333:user/mallory"},
			"eventID": fmt.Sprintf("e%d", i), "recipientAccountId": "111122223333",
		})
		b.Write(rec)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(filepath.Join(dir, "ct.json"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	// A file whose name holds a newline and an escape, and a bad record.
	if err := os.WriteFile(filepath.Join(dir, "x\n\x1b[31mok.json"), []byte("{bad\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "", "hunt", "--format", "table", "-v", "--no-prefilter", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "High Number List Foundation Model Failures") {
		t.Fatalf("the Splunk seed did not alert:\n%s", stdout)
	}
	for name, out := range map[string]string{"stdout": stdout, "stderr": stderr} {
		if strings.ContainsAny(out, "\x1b\r") {
			t.Errorf("%s holds a raw escape or carriage return:\n%q", name, out)
		}
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "every expected alert") || strings.HasPrefix(line, "ok.json") {
				t.Errorf("%s has a line an attacker wrote: %q", name, line)
			}
		}
	}
	if !strings.Contains(stdout, `\x1b[2J`) || !strings.Contains(stderr, `x\n\x1b[31mok.json`) {
		t.Errorf("escapes not shown visibly:\nstdout %q\nstderr %q", stdout, stderr)
	}
}

// A schedule whose windows are made of hundreds of thousands of panes (an
// interval of 1s over a week) is flagged by rules validate and refused by
// hunt with the figure, while the other rules run.
func TestHuntRefusesRunawaySchedules(t *testing.T) {
	src, err := os.ReadFile("../../rules/elastic_aws_bedrock_denied_models_by_user.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(strings.Replace(string(src), "interval: 10m", "interval: 1s", 1), "lookback: 60m", "lookback: 7d", 1)
	text = strings.Replace(text, "id: ", "id: runaway-", 1)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "runaway.yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stdout, stderr := runCLI(t, "", "rules", "validate", dir)
	if !strings.Contains(stdout+stderr, "604800 panes") {
		t.Errorf("rules validate does not flag the schedule:\n%s%s", stdout, stderr)
	}
	code, _, stderr := runCLI(t, "", "hunt", "--format", "ndjson", "--rules", dir, denials(t))
	if code != exitOK || !strings.Contains(stderr, "604800 panes") || !strings.Contains(stderr, "1 alerts") {
		t.Errorf("hunt: exit %d; want the runaway rule refused and the seed's alert:\n%s", code, stderr)
	}
}
