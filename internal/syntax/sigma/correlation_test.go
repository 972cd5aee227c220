package sigma

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/syntax"
)

// The rules the correlations below name, in the same multi-document text
// (Sigma correlation rules specification, "Failed Logins Followed by
// Successful Login": everything in one file, rules named by name).
const corrMembers = `
---
title: Failed console login
id: 11111111-0000-4000-8000-000000000001
name: failed_login
logsource: {product: aws, service: cloudtrail}
detection:
  sel:
    eventName: ConsoleLogin
    errorMessage: Failed authentication
  condition: sel
---
title: Console login
name: login
logsource: {product: aws, service: cloudtrail}
detection:
  sel:
    eventName: ConsoleLogin
    responseElements.ConsoleLogin: Success
  condition: sel
---
title: Model invoked
name: invoke
logsource: {product: aws, service: bedrock}
detection:
  sel: {operation: InvokeModel}
  condition: sel
`

func corr(body string) string {
	return "title: c\ncorrelation:\n" + body + corrMembers
}

// TestCorrelationPlans prints the plan of each correlation type (Sigma
// correlation rules specification 2.1, "Correlation Types").
func TestCorrelationPlans(t *testing.T) {
	login := `(search(eventName = "ConsoleLogin") AND search(responseElements.ConsoleLogin = "Success"))`
	failed := `(search(eventName = "ConsoleLogin") AND search(errorMessage = "Failed authentication"))`
	for _, c := range []struct{ name, body, want string }{
		{"event_count by id", `
  type: event_count
  rules: [11111111-0000-4000-8000-000000000001]
  group-by: [userIdentity.arn]
  timespan: 10m
  condition: {gte: 10}`, `sigma: from sourcetype=aws:cloudtrail
| where ` + failed[1:len(failed)-1] + `
| stats event_count = count() by userIdentity.arn
| where event_count >= 10`},
		// "To define a range, you can use the conjunction 'AND' in the mapping."
		{"event_count range, no group", `
  type: event_count
  rules: [failed_login, login]
  timespan: 1h
  condition: {gt: 100, lte: 200}`, `sigma: from sourcetype=aws:cloudtrail
| where ` + failed + ` OR ` + login + `
| stats event_count = count()
| where (event_count > 100) AND (event_count <= 200)`},
		{"value_count", `
  type: value_count
  rules: [failed_login]
  group-by: [sourceIPAddress]
  timespan: 1d
  condition: {field: userIdentity.userName, gte: 5}`, `sigma: from sourcetype=aws:cloudtrail
| where ` + failed[1:len(failed)-1] + `
| stats value_count = dc(userIdentity.userName) by sourceIPAddress
| where value_count >= 5`},
		{"value_sum", `
  type: value_sum
  rules: [invoke]
  group-by: [identity.arn]
  timespan: 1h
  condition: {field: output.outputTokenCount, gt: 1000000}`, `sigma: from sourcetype=aws:bedrock:invocation
| where search(operation = "InvokeModel")
| stats value_sum = sum(output.outputTokenCount) by identity.arn
| where value_sum > 1000000`},
		{"value_avg", `
  type: value_avg
  rules: [invoke]
  group-by: [identity.arn]
  timespan: 24h
  condition: {field: input.inputTokenCount, gt: 500}`, `sigma: from sourcetype=aws:bedrock:invocation
| where search(operation = "InvokeModel")
| stats value_avg = avg(input.inputTokenCount) by identity.arn
| where value_avg > 500`},
		{"value_percentile", `
  type: value_percentile
  rules: [invoke]
  group-by: [identity.arn]
  timespan: 24h
  condition: {field: input.inputTokenCount, percentile: 90, gte: 4000}`, `sigma: from sourcetype=aws:bedrock:invocation
| where search(operation = "InvokeModel")
| stats value_percentile = percentile(input.inputTokenCount, 90) by identity.arn
| where value_percentile >= 4000`},
		// "All events defined by the rules referred by the rule field must
		// occur in the time frame": every rule counted once per group.
		{"temporal", `
  type: temporal
  rules: [failed_login, login]
  group-by: [sourceIPAddress]
  timespan: 5m`, `sigma: from sourcetype=aws:cloudtrail
| where ` + failed + ` OR ` + login + `
| eval sigma_rule = case(` + failed[1:len(failed)-1] + `, "failed_login", ` + login[1:len(login)-1] + `, "login")
| stats rule_count = dc(sigma_rule) by sourceIPAddress
| where rule_count == 2`},
		// The condition of a temporal correlation counts the rules that
		// matched; rules of two log sources each keep to their own.
		{"temporal condition, two sources, aliases", `
  type: temporal
  rules: [login, invoke]
  group-by: [principal]
  timespan: 5m
  condition: {gte: 1}
  aliases:
    principal:
      login: userIdentity.arn
      invoke: identity.arn`, `sigma: from sourcetype=aws:cloudtrail,aws:bedrock:invocation
| where ((sourcetype == "aws:cloudtrail") AND ` + login + `) OR ((sourcetype == "aws:bedrock:invocation") AND search(operation = "InvokeModel"))
| eval sigma_rule = case((sourcetype == "aws:cloudtrail") AND ` + login + `, "login", (sourcetype == "aws:bedrock:invocation") AND search(operation = "InvokeModel"), "invoke"), principal = case(sigma_rule == "login", userIdentity.arn, sigma_rule == "invoke", identity.arn)
| stats rule_count = dc(sigma_rule) by principal
| where rule_count >= 1`},
		// "requires in addition that the events appear in the order
		// provided in the rule attribute": a sequence by the group.
		{"temporal_ordered", `
  type: temporal_ordered
  rules: [failed_login, login]
  group-by: [userIdentity.arn]
  timespan: 10m`, `sigma: from sourcetype=aws:cloudtrail
| where ` + failed + ` OR ` + login + `
| sequence by userIdentity.arn maxspan=10m0s [` + failed[1:len(failed)-1] + `] [` + login[1:len(login)-1] + `]`},
	} {
		t.Run(c.name, func(t *testing.T) {
			q, err := Parse(corr(c.body))
			if err != nil {
				t.Fatal(detail(err))
			}
			if got := q.String(); got != c.want {
				t.Errorf("plan\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

// TestCorrelationResolve names rules outside the text through
// Options.Resolve, with the filters that apply to them.
func TestCorrelationResolve(t *testing.T) {
	rule := "title: r\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel: {eventName: DeleteTrail}\n  condition: sel\n"
	filter := "title: f\nlogsource: {product: aws, service: cloudtrail}\nfilter:\n  rules: [r]\n  sel: {userIdentity.arn|endswith: ':role/automation'}\n  condition: sel\n"
	o := Options{Resolve: func(ref string) (Doc, error) {
		if ref == "r" {
			return Doc{Text: rule, Filters: []string{filter}}, nil
		}
		return Doc{}, fmt.Errorf("no rule has id or name %q", ref)
	}}
	q, err := ParseWith("title: c\ncorrelation:\n  type: event_count\n  rules: [r]\n  timespan: 1h\n  condition: {gte: 2}\n", o)
	if err != nil {
		t.Fatal(detail(err))
	}
	want := `sigma: from sourcetype=aws:cloudtrail
| where search(eventName = "DeleteTrail") AND (NOT search(userIdentity.arn = "*:role/automation"))
| stats event_count = count()
| where event_count >= 2`
	if q.String() != want {
		t.Errorf("plan\n%s\nwant\n%s", q, want)
	}
	_, err = ParseWith("title: c\ncorrelation:\n  type: event_count\n  rules: [r, gone]\n  timespan: 1h\n  condition: {gte: 2}\n", o)
	if err == nil || !strings.Contains(detail(err), "4:14: no rule has id or name \"gone\"") {
		t.Errorf("missing rule: %v", detail(err))
	}
}

// TestCorrelationErrors checks that each mistake is reported where it is
// written.
func TestCorrelationErrors(t *testing.T) {
	for _, c := range []struct{ body, at, msg string }{
		{"  type: event_count\n  rules: [nope]\n  timespan: 1h\n  condition: {gte: 1}", "nope", `no rule with id or name "nope" in this file`},
		{"  type: event_counts\n  rules: [login]\n  timespan: 1h\n  condition: {gte: 1}", "event_counts", "unknown correlation type"},
		{"  type: event_count\n  rules: [login]\n  timespan: 1 hour\n  condition: {gte: 1}", "1 hour", "timespan"},
		{"  type: event_count\n  rules: [login]\n  timespan: 1h", "type", "has a condition"},
		{"  type: event_count\n  rules: [login]\n  timespan: 1h\n  condition: {gte: many}", "many", "gte takes a number"},
		{"  type: event_count\n  rules: [login]\n  timespan: 1h\n  condition: {gte: 1, field: x}", "field", "counts no field"},
		{"  type: value_count\n  rules: [login]\n  timespan: 1h\n  condition: {gte: 1}", "{gte: 1}", "names the field"},
		{"  type: value_sum\n  rules: [login, login]\n  timespan: 1h\n  condition: {gte: 1, field: x}", "login]", "named twice"},
		{"  type: temporal\n  rules: [login, invoke]\n  group-by: [ip]\n  timespan: 1h\n  aliases: {ip: {nobody: x}}", "nobody", "does not"},
		{"  type: temporal\n  rules: [login]\n  group-by: [ip]\n  timespan: 1h\n  aliases: {user: {login: x}}", "user", "not one of the correlation's group-by"},
		{"  type: temporal_ordered\n  rules: [login, invoke]\n  timespan: 1h\n  condition: {gte: 1}", "{gte: 1}", "not run yet"},
		{"  type: event_count\n  rules: [login]\n  timespan: 1h\n  condition: {gte: 1}\n  window: 5", "window", "unknown key"},
	} {
		src := corr(c.body)
		_, err := Parse(src)
		var se *syntax.Error
		if !errors.As(err, &se) {
			t.Errorf("%q: error %v is not a syntax error", c.body, err)
			continue
		}
		if !strings.Contains(se.Msg, c.msg) {
			t.Errorf("%q: error %q does not say %q", c.body, se.Msg, c.msg)
		}
		if int(se.Span.End) > len(src) || se.Span.Start > se.Span.End {
			t.Errorf("%q: span %v outside the input", c.body, se.Span)
		}
		if want := strings.Index(src, c.at); int(se.Span.Start) != want {
			t.Errorf("%q: error at %d (%q), want %d (%q)", c.body, se.Span.Start, src[se.Span.Start:], want, c.at)
		}
	}
}

// TestCorrelationOverCorrelation is refused at the reference: the plan
// cannot count the results of another correlation yet.
func TestCorrelationOverCorrelation(t *testing.T) {
	src := "title: outer\ncorrelation:\n  type: temporal_ordered\n  rules: [many, login]\n  group-by: [x]\n  timespan: 1h\n---\ntitle: many\nname: many\ncorrelation:\n  type: event_count\n  rules: [failed_login]\n  timespan: 1h\n  condition: {gte: 3}" + corrMembers
	_, err := Parse(src)
	if err == nil || !strings.Contains(err.Error(), "correlations over the results of other correlations are not run yet") {
		t.Fatalf("got %v", err)
	}
}

func detail(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		return se.Detail()
	}
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
