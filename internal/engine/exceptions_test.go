package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/exception"
	"github.com/tripline/tripline/internal/rule"
)

// exceptionRules are an aggregating rule (denials per caller) and a
// per-event rule (guardrail deletions), over data where each has two
// subjects to alert on.
func exceptionRules(t *testing.T) []*Compiled {
	t.Helper()
	mk := func(id, query string) *Compiled {
		r := &rule.Rule{ID: id, Name: id, Language: "esql", Severity: "high",
			Interval: 10 * time.Minute, LookBack: time.Hour, Query: query}
		c := Compile(r, nil)
		if c.Err != nil {
			t.Fatal(ErrorDetail(c.Err))
		}
		return c
	}
	return []*Compiled{
		mk("denials", `from logs-aws_bedrock.invocation-*
| where gen_ai.response.error_code == "AccessDeniedException"
| stats denials = count(*) by user.id
| where denials >= 3`),
		mk("guardrail-deleted", `from logs-aws.cloudtrail-*
| where event.provider == "bedrock.amazonaws.com" and event.action == "DeleteGuardrail"
| keep @timestamp, user.name, user_agent.original, source.ip`),
	}
}

func exceptionData(t *testing.T) string {
	t.Helper()
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	var lines []string
	for i, user := range []string{"ci", "ci", "ci", "eve", "eve", "eve"} {
		lines = append(lines, fmt.Sprintf(`{"schemaType":"ModelInvocationLog","timestamp":%q,"accountId":"111122223333","identity":{"arn":"arn:aws:iam::111122223333:user/%s"},"region":"us-east-1","requestId":"d%d","operation":"InvokeModel","modelId":"m","errorCode":"AccessDeniedException"}`,
			at.Add(time.Duration(i)*time.Minute).Format(time.RFC3339), user, i))
	}
	for i, agent := range []string{"Terraform/1.9.0", "aws-cli/2.15"} {
		lines = append(lines, fmt.Sprintf(`{"eventVersion":"1.09","eventTime":%q,"eventSource":"bedrock.amazonaws.com","eventName":"DeleteGuardrail","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.%d","userAgent":%q,"eventID":"g%d","userIdentity":{"type":"IAMUser","userName":"ops","accountId":"111122223333"},"recipientAccountId":"111122223333"}`,
			at.Add(time.Duration(10+i)*time.Minute).Format(time.RFC3339), i+1, agent, i))
	}
	path := filepath.Join(t.TempDir(), "logs.json")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func huntWith(t *testing.T, excs []exception.Exception) []string {
	t.Helper()
	rules := exceptionRules(t)
	ApplyExceptions(rules, excs)
	rep, err := Hunt(context.Background(), rules, []string{exceptionData(t)}, HuntOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range rep.Alerts {
		if a.Rule.ID == "denials" {
			out = append(out, "denials "+a.Group.Get("user.id").String())
		} else {
			out = append(out, "guardrail-deleted "+a.Row.Get("user_agent.original").String())
		}
	}
	sort.Strings(out)
	return out
}

// An exception on a result column of an aggregating rule and one on an
// event field of a per-event rule each stop the alert they target and no
// other; an expired one stops nothing; exported and re-imported, they stop
// the same.
func TestExceptionsStopWhatTheyName(t *testing.T) {
	all := []string{
		"denials arn:aws:iam::111122223333:user/ci",
		"denials arn:aws:iam::111122223333:user/eve",
		"guardrail-deleted Terraform/1.9.0",
		"guardrail-deleted aws-cli/2.15",
	}
	if got := huntWith(t, nil); strings.Join(got, "\n") != strings.Join(all, "\n") {
		t.Fatalf("without exceptions:\n%s", strings.Join(got, "\n"))
	}
	excs, probs, err := exception.Parse("exceptions.yaml", []byte(`exceptions:
  - rule: denials
    field: user.id
    value: arn:aws:iam::111122223333:user/ci
    reason: CI tries models it has no access to on purpose
    author: alice@example.com
  - field: user_agent.original
    values: ["Terraform/*"]
    match: wildcard
    reason: infrastructure changes go through Terraform
    author: bob@example.com
`))
	if err != nil || len(probs) > 0 {
		t.Fatal(err, probs)
	}
	want := []string{all[1], all[3]}
	if got := huntWith(t, excs); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("with exceptions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The first is a result column (user.id is also an event field, so it
	// stops the events too); the second an event field that the
	// aggregating rule never sees as a column.
	expired := append([]exception.Exception(nil), excs...)
	for i := range expired {
		expired[i].Expires = time.Now().Add(-time.Hour)
	}
	if got := huntWith(t, expired); strings.Join(got, "\n") != strings.Join(all, "\n") {
		t.Errorf("expired exceptions stopped alerts:\n%s", strings.Join(got, "\n"))
	}
	text, err := exception.Marshal(excs)
	if err != nil {
		t.Fatal(err)
	}
	back, probs, err := exception.Parse("export.yaml", text)
	if err != nil || len(probs) > 0 {
		t.Fatal(err, probs)
	}
	if got := huntWith(t, back); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("re-imported exceptions:\n%s", strings.Join(got, "\n"))
	}
}

// An exception on a column only the rule computes (not an event field)
// stops result rows after aggregation.
func TestExceptionOnAComputedColumn(t *testing.T) {
	excs := []exception.Exception{{ID: "ex-3", Rule: "denials", Field: "denials", Values: []string{"3"}, Reason: "r", Author: "a"}}
	if got := huntWith(t, excs); len(got) != 2 || strings.HasPrefix(got[0], "denials") {
		t.Errorf("an exception on the computed count: %v, want only the guardrail alerts", got)
	}
}
