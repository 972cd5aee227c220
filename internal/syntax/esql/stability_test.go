package esql

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/scalar"
)

// rules are ES|QL queries in the style of Elastic's AWS and Bedrock
// detection rules. bare marks queries that name columns by expression
// text, where white space inside an expression is part of the name.
var rules = []struct {
	name  string
	query string
	bare  bool
}{
	{name: "guardrail-change", query: `from logs-aws.cloudtrail-* metadata _id, _version, _index
| where event.dataset == "aws.cloudtrail"
    and event.provider == "bedrock.amazonaws.com"
    and event.action in ("DeleteGuardrail", "UpdateGuardrail")
    and event.outcome == "success"
| keep @timestamp, user.name, source.ip, event.action, cloud.account.id, _id, _version, _index`},
	{name: "token-usage", query: `from logs-aws_bedrock.invocation-*
// high token usage per user
| keep user.id, gen_ai.usage.prompt_tokens, gen_ai.usage.completion_tokens
| stats max_tokens = max(gen_ai.usage.prompt_tokens),
        total_requests = count(*),
        avg_tokens = avg(gen_ai.usage.completion_tokens)
    by user.id
| where total_requests > 1
| eval risk_factor = (max_tokens / 1000) * total_requests * 10
| where risk_factor > 10
| sort risk_factor desc
| limit 100`},
	{name: "guardrail-blocks", query: `from logs-aws_bedrock.invocation-*
| mv_expand gen_ai.compliance.violation_code
| eval policy_action = mv_concat(gen_ai.policy.action, ",")
| where gen_ai.policy.action == "BLOCKED"
| stats request_blocked = count(*), violations = values(gen_ai.compliance.violation_code) by user.id
| where request_blocked > 5
| sort request_blocked desc`},
	{name: "iam-burst", query: `from logs-aws.cloudtrail-*
| where event.provider == "iam.amazonaws.com" and not user.name like "svc-*"
| eval window = date_trunc(10 minutes, @timestamp), lname = to_lower(user.name)
| stats actions = count_distinct(event.action), first_seen = min(@timestamp), last_seen = max(@timestamp) by window, lname, source.ip
| eval duration = date_diff("minute", first_seen, last_seen)
| where actions >= 5 and duration <= 10
| rename lname as user
| keep user, source.ip, actions, duration`},
	{name: "cli-hours", bare: true, query: `FROM logs-aws.cloudtrail-*
| WHERE user_agent.original RLIKE ".*(boto3|aws-cli).*" AND source.ip IS NOT NULL
| EVAL hour = DATE_EXTRACT("hour_of_day", @timestamp), to_lower(event.action)
| STATS COUNT(*), count_distinct(source.ip) BY hour, BUCKET(@timestamp, 1 hour)
| SORT ` + "`COUNT(*)`" + ` DESC NULLS LAST
| LIMIT 10`},
	{name: "arn-parts", query: `from logs-aws.cloudtrail-*
| where aws.cloudtrail.user_identity.arn is not null
| dissect aws.cloudtrail.user_identity.arn "arn:aws:%{service}::%{account}:%{kind}/%{name}"
| grok user_agent.original "%{NOTSPACE:agent}/%{NUMBER:agent_version:float} %{GREEDYDATA:rest}"
| drop rest, kind
| stats n = count(*) by agent, account`},
	{name: "model-spread", query: `from logs-aws_bedrock.invocation-*
| inline stats user_requests = count(*) by user.id
| stats spread = max(gen_ai.usage.prompt_tokens) - min(gen_ai.usage.prompt_tokens),
        p95 = percentile(gen_ai.usage.prompt_tokens, 95)
    by gen_ai.request.model.id
| where spread > 1000.5`},
	{name: "casts", query: `from logs-*
| eval port = source.port::integer, is_admin = user.name in ("root", "admin")
| rename src = source.ip
| where (port >= 1024 and port <= 65535) or -port < -5 or user.name =~ "ROOT"
| sort port asc nulls first, src desc`},
}

// TestRulesGolden prints the plans of all rules into one golden file.
func TestRulesGolden(t *testing.T) {
	var b strings.Builder
	for _, r := range rules {
		b.WriteString("# " + r.name + "\n")
		b.WriteString(mustParse(t, r.query))
		b.WriteString("\n\n")
	}
	golden(t, "rules.plan", b.String())
	if _, ok := scalar.Lookup(plan.ESQL, "to_lower"); !ok {
		t.Skip("the ES|QL scalar function table is empty: not checking the rules' functions")
	}
	for _, r := range rules {
		q, err := Parse(r.query)
		if err != nil {
			t.Fatal(detail(err))
		}
		if errs := Check(q); len(errs) > 0 {
			t.Errorf("%s: Check: %v", r.name, errs)
		}
	}
}

// TestStability checks that a query plans the same every time, and the
// same when reformatted: white space, line breaks and comments added
// between tokens (only around pipes when a bare expression's text names a
// column), a leading comment and a trailing one.
func TestStability(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, r := range rules {
		want := mustParse(t, r.query)
		if again := mustParse(t, r.query); again != want {
			t.Errorf("%s: two parses differ:\n%s\nvs\n%s", r.name, want, again)
		}
		for i := 0; i < 20; i++ {
			src := reformat(r.query, !r.bare, rng)
			if got := mustParse(t, src); got != want {
				t.Errorf("%s: reformatted query plans differently\nsource:\n%s\ngot:\n%s\nwant:\n%s", r.name, src, got, want)
			}
		}
	}
}

// reformat adds white space and comments to src where it already has some
// (or around pipes), so that no token is split or joined.
func reformat(src string, everywhere bool, rng *rand.Rand) string {
	// Each filler starts and ends with white space, so that it cannot glue
	// onto a neighbouring "/" or "*".
	fillers := []string{" ", "\n  ", "\t/* c */ ", " // line comment\n", "\r\n", " /**/ "}
	pick := func() string { return fillers[rng.Intn(len(fillers))] }
	var b strings.Builder
	b.WriteString(pick())
	lx := lexer{src: src}
	prevEnd := 0
	prevPipe := false
	for {
		tok := lx.next()
		gap := src[prevEnd:tok.start]
		if (everywhere && gap != "") || tok.kind == tPipe || prevPipe {
			gap = pick() + gap
		}
		b.WriteString(gap)
		b.WriteString(src[tok.start:tok.end])
		if tok.kind == tEOF || tok.kind == tError {
			break
		}
		prevEnd, prevPipe = tok.end, tok.kind == tPipe
	}
	b.WriteString(pick())
	return b.String()
}
