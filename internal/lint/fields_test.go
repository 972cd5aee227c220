package lint

import (
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/schema"
)

func TestDistance(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "abc", 0},
		{"", "abc", 3},
		{"kitten", "sitting", 3},
		{"user.id", "user.di", 1}, // a swap of neighbours
		{"gen_ai.request.modelid", "gen_ai.request.model.id", 1},
		{"eventname", "eventName", 1},
	}
	for _, c := range cases {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := Distance(c.b, c.a); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d (not symmetric)", c.b, c.a, got, c.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	ecs := Candidates(schema.ECS, []event.LogType{event.BedrockInvocation})
	raw := Candidates(schema.Raw, []event.LogType{event.CloudTrail})
	cases := []struct {
		name  string
		cands []string
		want  string
	}{
		{"gen_ai.request.modelid", ecs, "gen_ai.request.model.id"},
		{"user.idd", ecs, "user.id"},
		{"eventname", raw, "eventName"},
		{"userIdentiy.arn", raw, "userIdentity.arn"},
		{"completely.different.thing", ecs, ""},
		{"user.id", []string{"user.id"}, ""}, // the name itself is no suggestion
		{"ab", []string{"xy", "ac"}, "ac"},
	}
	for _, c := range cases {
		if got := Suggest(c.name, c.cands); got != c.want {
			t.Errorf("Suggest(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestUnknownFields(t *testing.T) {
	cases := []struct {
		name, lang, query string
		want              []string // substrings, one per warning, in order
	}{
		{"known ECS", "esql", "from logs-aws_bedrock.invocation-* | stats n = count(*) by user.id, gen_ai.request.model.id", nil},
		{"ECS typo", "esql", "from logs-aws_bedrock.invocation-* | stats n = count(*) by gen_ai.request.modelid",
			[]string{`field "gen_ai.request.modelid" is not a field of Amazon Bedrock model invocation logs in the ECS view; did you mean "gen_ai.request.model.id"?`}},
		{"known by one of two log types", "esql", "from logs-* | where event.provider == \"bedrock.amazonaws.com\"", nil},
		{"computed column is not an event field", "esql", "from logs-aws_bedrock.invocation-* | eval x = 1 | where x > 0", nil},
		{"no suggestion", "esql", "from logs-aws.cloudtrail-* | where event.zzzz.qqqq.wwww == \"a\"", []string{`field "event.zzzz.qqqq.wwww"`}},
		{"raw typo", "spl", "sourcetype=aws:cloudtrail eventname=ListFoundationModels", []string{`did you mean "eventName"?`}},
		{"raw deep path is known", "spl", "sourcetype=aws:cloudtrail requestParameters.modelIdentifier=x", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ws := UnknownFields(compile(t, c.lang, c.query))
			if len(ws) != len(c.want) {
				t.Fatalf("got %d warnings %v, want %d", len(ws), ws, len(c.want))
			}
			for i, w := range ws {
				if !strings.Contains(w.Msg, c.want[i]) || w.Check != CheckField || w.Subject == "" {
					t.Errorf("warning %d = %+v, want it to say %q", i, w, c.want[i])
				}
			}
		})
	}
}
