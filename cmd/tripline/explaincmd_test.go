package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// nearDenials writes invocation records on which the Elastic seed stays
// quiet: one caller refused a model three times (the seed wants more than
// three), another refused once, and calls that were throttled, not refused.
func nearDenials(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	base := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	rec := func(i int, user, code string) {
		fmt.Fprintf(&b, `{"schemaType":"ModelInvocationLog","timestamp":%q,"accountId":"111122223333","identity":{"arn":"arn:aws:iam::111122223333:user/%s"},"region":"us-east-1","requestId":"r%d","operation":"InvokeModel","modelId":"m1","errorCode":%q}`+"\n",
			base.Add(time.Duration(i)*time.Minute).Format(time.RFC3339), user, i, code)
	}
	for i := 0; i < 3; i++ {
		rec(i, "almost", "AccessDeniedException")
	}
	rec(3, "once", "AccessDeniedException")
	rec(4, "busy", "ThrottlingException")
	rec(5, "busy", "ThrottlingException")
	path := filepath.Join(t.TempDir(), "inv.json")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// rules explain on the Elastic seed names the stage that kept it quiet
// (the WHERE on total_denials) and the near miss: 3 denials against > 3.
func TestRulesExplainSeed(t *testing.T) {
	logs := nearDenials(t)
	code, stdout, stderr := runCLI(t, "", "rules", "explain", seedID, logs)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"Verdict:  no alert: stage 4 (where total_denials > 3) let none of the",
		"where total_denials > 3",
		"<-- drops everything",
		"Nearest groups to the threshold total_denials > 3 (2 groups seen)",
		"arn:aws:iam::111122223333:user/almost",
		"admitted by the prefilter         4",
		"reached the rule                  4",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	// The stage flagged is the WHERE, and the near miss is "almost" at 3.
	for _, line := range strings.Split(stdout, "\n") {
		if strings.Contains(line, "<-- drops everything") && !strings.Contains(line, "where total_denials > 3") {
			t.Errorf("another stage is flagged: %q", line)
		}
		if strings.Contains(line, "user/almost") && !strings.Contains(line, "  3  ") {
			t.Errorf("near miss line lacks the value 3: %q", line)
		}
	}

	// The same from standard input, by name, as JSON.
	raw, err := os.ReadFile(logs)
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runCLI(t, string(raw), "rules", "explain", "--format", "json", "--top", "1",
		"AWS Bedrock Detected Multiple Attempts to use Denied Models by a Single User", "-")
	if code != exitOK {
		t.Fatalf("json: exit %d: %s", code, stderr)
	}
	var doc struct {
		Rule    struct{ ID string }
		Verdict string
		Alerts  int
		Plan    struct {
			Events int
			Drop   int
			Stages []struct {
				Node     string
				In, Out  int
				DropsAll bool `json:"drops_all"`
			}
			Near struct {
				Column string
				Op     string
				Limit  int
				Groups []struct {
					Keys  []string
					Value int
					Met   bool
				}
				Total int
			} `json:"near_misses"`
		}
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	p := doc.Plan
	if doc.Rule.ID != seedID || doc.Alerts != 0 || p.Events != 4 || p.Stages[p.Drop].Node != "where total_denials > 3" || !p.Stages[p.Drop].DropsAll {
		t.Errorf("json: %+v", doc)
	}
	if n := p.Near; n.Column != "total_denials" || n.Op != ">" || n.Limit != 3 || n.Total != 2 || len(n.Groups) != 1 ||
		!strings.HasSuffix(n.Groups[0].Keys[0], "user/almost") || n.Groups[0].Value != 3 || n.Groups[0].Met {
		t.Errorf("json near misses: %+v", n)
	}
}

func TestRulesExplainUsageErrors(t *testing.T) {
	logs := nearDenials(t)
	cases := []struct {
		args []string
		err  string
	}{
		{[]string{"rules", "explain", seedID}, "at least one log path"},
		{[]string{"rules", "explain", "no-such-rule", logs}, "no rule"},
		{[]string{"rules", "explain", "--top", "0", seedID, logs}, "--top"},
		{[]string{"rules", "explain", "--format", "ndjson", seedID, logs}, "unknown --format"},
	}
	for _, c := range cases {
		code, _, stderr := runCLI(t, "", c.args...)
		if code != exitUsage || !strings.Contains(stderr, c.err) {
			t.Errorf("%v: exit %d, stderr %q; want usage error saying %q", c.args, code, stderr, c.err)
		}
	}
}
