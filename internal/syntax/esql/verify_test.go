package esql

import (
	"strings"
	"testing"
)

// TestVerifyErrors checks each error the checks before a query runs
// report, with the exact text the caret lies under. ct is the FROM of a
// query over CloudTrail only, whose columns tripline's view knows.
func TestVerifyErrors(t *testing.T) {
	const ct = "FROM logs-aws.cloudtrail-* "
	const inv = "FROM logs-aws_bedrock.invocation-* "
	tests := []struct {
		query string
		at    string // the text under the caret, where it last occurs
		msg   string
	}{
		// Elasticsearch: "Unknown column [x]" for a name no index maps.
		{ct + "| KEEP no_such.field", "no_such.field", "cannot check keep command: unknown column [no_such.field]"},
		{ct + `| WHERE no_such.field == "x"`, "no_such.field", "cannot check where command: unknown column [no_such.field]"},
		{ct + "| STATS c = COUNT(*) BY nope", "nope", "cannot check stats command: unknown column [nope]"},
		{ct + "| EVAL x = to_lower(nope)", "nope", "cannot check eval command: unknown column [nope]"},
		{ct + "| SORT nope DESC", "nope", "cannot check sort command: unknown column [nope]"},
		{ct + "| MV_EXPAND nope", "nope", "cannot check mv_expand command: unknown column [nope]"},
		{ct + "| RENAME nope AS x", "nope", "cannot check rename command: unknown column [nope]"},
		{ct + "| DROP nope", "nope", "cannot check drop command: unknown column [nope]"},
		// Elasticsearch: "No matches found for pattern [x*]" (KEEP and DROP).
		{ct + "| KEEP user.name, nope*", "nope*", "cannot check keep command: no matches found for pattern [nope*]"},
		{ct + "| DROP nope*", "nope*", "cannot check drop command: no matches found for pattern [nope*]"},
		{ct + "| STATS c = COUNT(*) | KEEP user.*", "user.*", "cannot check keep command: no matches found for pattern [user.*]"},
		// Columns the query itself removed.
		{ct + "| STATS c = COUNT(*) | KEEP user.name", "user.name", "unknown column [user.name]: STATS at 1:30 outputs only its aggregates and BY keys"},
		{ct + "| STATS c = COUNT(*) BY source.ip | WHERE user.name == \"x\"", "user.name", "unknown column [user.name]: STATS at 1:30 outputs only"},
		{ct + "| DROP user.name | KEEP user.name", "user.name", "cannot check keep command: unknown column [user.name]: DROP at 1:30 dropped it"},
		{ct + "| DROP user.* | WHERE user.id == \"x\"", "user.id", "unknown column [user.id]: DROP at 1:30 dropped it"},
		{ct + `| RENAME user.name AS u | WHERE user.name == "x"`, "user.name", "unknown column [user.name]: RENAME at 1:30 renamed it to [u]"},
		{ct + "| RENAME user.name AS a, user.name AS b", "user.name", "unknown column [user.name]: RENAME at 1:30 renamed it to [a]"},
		{ct + "| KEEP user.name | WHERE source.ip IS NULL", "source.ip", "unknown column [source.ip]: KEEP at 1:30 did not keep it"},
		{ct + "| EVAL x = 1 | KEEP user.name | SORT x", "x", "unknown column [x]: KEEP at 1:43 did not keep it"},
		{"FROM logs-* | KEEP a | WHERE b == 1", "b", "unknown column [b]: KEEP at 1:15 did not keep it"},
		// Type mismatches between known types.
		{ct + "| WHERE user.name == 1", "user.name == 1", "first argument of [user.name == 1] is [keyword] so second argument must also be [keyword] but was [integer]"},
		{inv + `| WHERE gen_ai.usage.prompt_tokens > "a"`, `gen_ai.usage.prompt_tokens > "a"`, "first argument of [gen_ai.usage.prompt_tokens > \"a\"] is [numeric] so second argument must also be [numeric] but was [keyword]"},
		{ct + "| WHERE source.ip == @timestamp", "source.ip == @timestamp", "first argument of [source.ip == @timestamp] is [ip] so second argument must also be [ip] but was [datetime]"},
		{ct + "| EVAL x = user.name + 1", "user.name", "first argument of [user.name + 1] must be [numeric, date_period, datetime or time_duration], found value [user.name] type [keyword]"},
		{ct + "| EVAL x = 1 * event.action", "event.action", "second argument of [1 * event.action] must be [numeric], found value [event.action] type [keyword]"},
		{ct + "| EVAL x = @timestamp + 1", "@timestamp + 1", "[+] has arguments with incompatible types [datetime] and [integer]"},
		// ES|QL subtracts no date from a date: DATE_DIFF does.
		{ct + "| STATS m = MAX(@timestamp) - MIN(@timestamp)", "MAX(@timestamp) - MIN(@timestamp)", "[-] has arguments with incompatible types [datetime] and [datetime]"},
		{ct + "| EVAL x = to_lower(source.ip)", "source.ip", "argument of [to_lower(source.ip)] must be [string], found value [source.ip] type [ip]"},
		{ct + "| EVAL x = substring(user.name, \"1\")", `"1"`, "second argument of [substring(user.name, \"1\")] must be [integer or long], found value [\"1\"] type [keyword]"},
		{ct + "| EVAL x = date_diff(\"day\", user.name, @timestamp)", "user.name", "second argument of [date_diff(\"day\", user.name, @timestamp)] must be [datetime]"},
		{ct + "| EVAL x = coalesce(user.name, 1)", "1", "second argument of [coalesce(user.name, 1)] must be [keyword], found value [1] type [integer]"},
		{ct + "| EVAL x = case(user.name, 1, 2)", "user.name", "first argument of [case(user.name, 1, 2)] must be [boolean], found value [user.name] type [keyword]"},
		{ct + "| WHERE user.name IN (\"a\", 1)", "1", "2nd argument of [user.name IN (\"a\", 1)] must be [keyword], found value [1] type [integer]"},
		{ct + "| WHERE source.ip LIKE \"10.*\"", "source.ip", "first argument of [source.ip LIKE \"10.*\"] must be [string], found value [source.ip] type [ip]"},
		{ct + "| WHERE user.name", "user.name", "condition expression needs to be boolean, found [keyword]"},
		{ct + "| WHERE user.name AND true", "user.name", "first argument of [user.name AND true] must be [boolean]"},
		{ct + "| WHERE NOT user.name", "user.name", "argument of [NOT user.name] must be [boolean]"},
		{ct + "| STATS s = SUM(user.name)", "user.name", "argument of [SUM(user.name)] must be [numeric], found value [user.name] type [keyword]"},
		{ct + "| STATS c = COUNT(*) BY user.name | EVAL z = c + user.name", "user.name", "second argument of [c + user.name] must be"},
		{ct + "| STATS c = COUNT(*) | WHERE c == \"x\"", `c == "x"`, "first argument of [c == \"x\"] is [numeric]"},
		{ct + "| DISSECT source.ip \"%{a}\"", "source.ip", "DISSECT only supports keyword or text values, found expression [source.ip] type [ip]"},
		{ct + "| DISSECT user.name \"%{a}-%{b}\" | EVAL c = a + 1", "a", "first argument of [a + 1] must be"},
		// Functions the registry does not know, or given the wrong count.
		{ct + "| WHERE frobnicate(user.name)", "frobnicate(user.name)", "unknown function [frobnicate]"},
		{ct + "| EVAL x = to_lower()", "to_lower()", "to_lower() takes 1 argument, got 0"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.query)
		if err == nil {
			t.Errorf("Parse(%s) = nil error, want %q", tt.query, tt.msg)
			continue
		}
		se := checkSpan(t, tt.query, err)
		if !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("Parse(%s):\n got %s\nwant %q", tt.query, se.Msg, tt.msg)
		}
		want := strings.LastIndex(tt.query, tt.at)
		got := tt.query[se.Span.Start:se.Span.End]
		if int(se.Span.Start) != want || got != tt.at {
			t.Errorf("Parse(%s): caret under %q at %d, want %q at %d\n%s", tt.query, got, se.Span.Start, tt.at, want, se.Detail())
		}
	}
}

// TestVerifyAccepts checks what ES|QL accepts and the checks must too.
func TestVerifyAccepts(t *testing.T) {
	const ct = "FROM logs-aws.cloudtrail-* "
	queries := []string{
		// Implicit casting of string constants (ES|QL reference, "Implicit
		// casting"): to dates and ips in comparisons, to booleans too.
		ct + `| WHERE @timestamp > "2024-01-01T00:00:00Z" AND source.ip == "10.0.0.1"`,
		ct + `| WHERE source.ip IN ("10.0.0.1", "10.0.0.2")`,
		`FROM logs-aws_bedrock.invocation-* | WHERE gen_ai.compliance.violation_detected == "true"`,
		ct + `| EVAL d = date_diff("day", "2024-01-01T00:00:00Z", @timestamp)`,
		// Null compares with anything; numbers with numbers.
		ct + `| WHERE user.name != null AND null == 1`,
		`FROM logs-aws_bedrock.invocation-* | WHERE gen_ai.usage.prompt_tokens > 1.5 AND gen_ai.usage.completion_tokens < 10`,
		// Fields under ECS namespaces the view does not derive: a warning
		// from rules validate, not an error (the data may hold them).
		ct + `| WHERE source.geo.country_iso_code == "RU" | KEEP source.as.*, source.geo.*`,
		ct + `| STATS c = COUNT(*) BY event.ingested`,
		// Subfields of flattened objects are of any type.
		ct + `| EVAL d = aws.cloudtrail.flattened.request_parameters.durationSeconds + 1`,
		// A FROM that reads data tripline does not know checks no field.
		`FROM logs-endpoint.events.* | WHERE process.name == "curl" AND nope == 1`,
		`FROM logs-* | WHERE whatever > 3`,
		// Columns the query made, renamed or kept are there.
		ct + `| EVAL x = to_lower(user.name) | RENAME x AS y | KEEP y, user.* | WHERE y == "a" AND user.id IS NOT NULL`,
		ct + `| STATS c = COUNT(*), u = COUNT_DISTINCT(user.name) BY w = DATE_TRUNC(1 hour, @timestamp) | WHERE c > 1 | SORT w | KEEP c, w`,
		ct + `| INLINE STATS c = COUNT(*) BY user.name | WHERE c > 1 AND event.action == "x"`,
		ct + `| STATS c = COUNT(*) WHERE event.outcome == "failure", m = DATE_DIFF("minute", MIN(@timestamp), MAX(@timestamp)) BY user.name`,
		ct + `| GROK user_agent.original "%{WORD:agent}/%{NUMBER:v:int}" | WHERE v > 1 AND agent == "aws-cli"`,
		ct + `| DISSECT user_agent.original "%{a} %{?b}" | WHERE a == "x"`,
		ct + `| DROP user.name | EVAL user.name = "x" | KEEP user.name`,
		ct + `| WHERE kql("user.whatever: x")`,
		ct + `| WHERE user.name : "x" AND to_string(source.ip) LIKE "10.*"`,
		ct + `| EVAL h = DATE_EXTRACT("hour_of_day", @timestamp), b = BUCKET(@timestamp, 1 hour) | STATS c = COUNT(*) BY h, b`,
		ct + `| STATS v = VALUES(user.name), t = TOP(user.name, 3, "desc"), f = FIRST(user.name, @timestamp) BY source.ip`,
		ct + `| KEEP @timestamp, _id, _index`,
	}
	for _, q := range queries {
		if _, err := Parse(q); err != nil {
			t.Errorf("Parse(%s): %s", q, detail(err))
		}
	}
}

// TestVerifySpansInside checks, for every prefix of queries with checks
// to fail, that an error's span lies inside the input: what FuzzParse
// checks, over the checks' errors in particular.
func TestVerifySpansInside(t *testing.T) {
	queries := []string{
		"FROM logs-aws.cloudtrail-*\n| STATS c = COUNT(*)\n| KEEP user.name, nope*",
		"FROM logs-aws.cloudtrail-* | WHERE user.name == 1 OR source.ip LIKE \"x\" | EVAL y = user.name + 1",
		"FROM logs-aws.cloudtrail-* | STATS s = SUM(user.name) WHERE event.action == 1 BY k = to_lower(nope)",
		"FROM logs-aws.cloudtrail-* | RENAME user.name AS u | DROP u | GROK u \"%{WORD:w}\"",
	}
	for _, q := range queries {
		for i := range q {
			if _, err := Parse(q[:i]); err != nil {
				checkSpan(t, q[:i], err)
			}
		}
	}
}
