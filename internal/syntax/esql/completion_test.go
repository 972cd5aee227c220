package esql

import (
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/plan"
)

func TestCompletion(t *testing.T) {
	tests := []struct{ query, want string }{
		{`from x | eval p = concat("a", b) | COMPLETION r = p WITH { "inference_id": ".anthropic-claude-4.6-sonnet-completion" }`,
			`completion r = p with {"inference_id": ".anthropic-claude-4.6-sonnet-completion"}`},
		{`from x | completion concat("Summarise: ", m) with {"inference_id": "gpt"}`,
			`completion completion = concat("Summarise: ", m) with {"inference_id": "gpt"}`},
		{`from x | completion m WITH my_llm AS answer`, `completion answer = m with {"inference_id": "my_llm"}`},
		{"from x | completion Esql.triage_result = Esql.prompt WITH {\"inference_id\": \"a\"} | dissect Esql.triage_result \"verdict=%{v}\"",
			`completion Esql.triage_result = Esql.prompt with {"inference_id": "a"}`},
	}
	for _, tt := range tests {
		q, err := Parse(tt.query)
		if err != nil {
			t.Fatalf("%s: %s", tt.query, detail(err))
		}
		var got string
		for _, n := range q.Pipeline {
			if c, ok := n.(*plan.Completion); ok {
				got = c.String()
			}
		}
		if got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.query, got, tt.want)
		}
	}
}

func TestCompletionErrors(t *testing.T) {
	tests := []struct{ query, at, msg string }{
		{`from x | completion r = p`, ``, `expected WITH and the inference endpoint`},
		{`from x | completion r = p with {"model": "x"}`, `"model"`, `unknown COMPLETION option "model"`},
		{`from x | completion r = p with {"inference_id": 3}`, `3`, `inference_id must be a non-empty string`},
		{`from x | completion r = p with {}`, `{}`, `COMPLETION needs an "inference_id"`},
		// The prompt is text: ES|QL's COMPLETION takes a keyword or text.
		{`from logs-aws.cloudtrail-* | completion r = source.ip with {"inference_id": "a"}`, `source.ip`, `prompt of [completion r = source.ip with {"inference_id": "a"}] must be [string]`},
		{`from logs-aws.cloudtrail-* | completion r = nope with {"inference_id": "a"}`, `nope`, `unknown column [nope]`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.query)
		if err == nil {
			t.Errorf("Parse(%s) = nil error", tt.query)
			continue
		}
		se := checkSpan(t, tt.query, err)
		if !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("Parse(%s) = %s, want %q", tt.query, se.Msg, tt.msg)
		}
		if got := tt.query[se.Span.Start:se.Span.End]; tt.at != "" && got != tt.at {
			t.Errorf("Parse(%s): caret under %q, want %q", tt.query, got, tt.at)
		}
	}
}
