package schema

import (
	"testing"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/valyala/fastjson"
)

func mustEvent(t *testing.T, lt event.LogType, raw string) *event.Event {
	t.Helper()
	doc, err := fastjson.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return &event.Event{LogType: lt, Raw: []byte(raw), Doc: doc, Time: time.Date(2024, 10, 17, 20, 10, 2, 0, time.UTC)}
}

const cloudTrailRecord = `{"eventTime":"2024-10-17T20:10:02Z","eventSource":"bedrock.amazonaws.com","eventName":"GetFoundationModelAvailability","awsRegion":"us-east-1","sourceIPAddress":"035.249.253.232","userAgent":"stratus","errorCode":"AccessDenied","errorMessage":"no","recipientAccountId":"494659789341","userIdentity":{"type":"AssumedRole","accountId":"494659789341","arn":"arn:aws:sts::494659789341:assumed-role/test-role/cli","principalId":"AROA:cli","accessKeyId":"ASIA1","sessionContext":{"sessionIssuer":{"userName":"test-role","type":"Role"}}},"requestParameters":{"modelId":"anthropic.claude"},"resources":[{"ARN":"arn:a"},{"ARN":"arn:b"}]}`

func TestViews(t *testing.T) {
	ct := mustEvent(t, event.CloudTrail, cloudTrailRecord)
	cases := []struct {
		view View
		name string
		want string
	}{
		{ECS, "event.provider", "bedrock.amazonaws.com"},
		{ECS, "event.action", "GetFoundationModelAvailability"},
		{ECS, "event.outcome", "failure"},
		{ECS, "user.name", "test-role"}, // the session issuer, as Elastic maps assumed roles
		{ECS, "source.address", "035.249.253.232"},
		{ECS, "source.ip", "035.249.253.232"},
		{ECS, "cloud.account.id", "494659789341"},
		{ECS, "aws.cloudtrail.error_code", "AccessDenied"},
		{ECS, "aws.cloudtrail.flattened.request_parameters.modelId", "anthropic.claude"},
		{ECS, "aws.cloudtrail.resources.arn", "arn:a,arn:b"},
		{ECS, "@timestamp", "2024-10-17T20:10:02.000Z"},
		{ECS, "no.such.field", ""},
		{Raw, "user_name", "test-role"},
		{Raw, "user", ""}, // userIdentity.userName is absent for assumed roles
		{Raw, "src", "035.249.253.232"},
		{Raw, "signature", "GetFoundationModelAvailability"},
		{Raw, "vendor_account", "494659789341"},
		{Raw, "vendor_product", "AWS CloudTrail"},
		{Raw, "dest", "bedrock.amazonaws.com"},
		{Raw, "result_id", "AccessDenied"},
		{Raw, "_time", "1729195802"},
		{Raw, "requestParameters.modelId", "anthropic.claude"},
		{Raw, "resources{}.ARN", "arn:a,arn:b"},
	}
	for _, c := range cases {
		g, _ := Resolve(c.view, event.CloudTrail, c.name)
		if got := g(ct).String(); got != c.want {
			t.Errorf("view %d %s = %q, want %q", c.view, c.name, got, c.want)
		}
	}
}

// TestInvocationGuardrails follows the get_guardrail_details script of
// Elastic's aws_bedrock pipeline: policies, actions, confidences and
// violation codes come from bodies where a guardrail intervened, with the
// pipeline's snake_case policy names; guardrail ids from every input
// assessment; a violation code fails the event.
func TestInvocationGuardrails(t *testing.T) {
	stream := mustEvent(t, event.BedrockInvocation, `{"modelId":"anthropic.claude-3","identity":{"arn":"arn:u"},"input":{"inputBodyJson":{"anthropic_version":"bedrock-2023-05-31"}},"output":{"outputBodyJson":[{"amazon-bedrock-guardrailAction":"INTERVENED","amazon-bedrock-trace":{"guardrail":{"input":{"g1":{"topicPolicy":{"topics":[{"name":"Bombs","type":"DENY","action":"BLOCKED"}]},"invocationMetrics":{"x":1}}}}}}]}}`)
	converse := mustEvent(t, event.BedrockInvocation, `{"modelId":"m","output":{"outputBodyJson":{"stopReason":"guardrail_intervened","trace":{"guardrail":{"inputAssessment":{"g2":{"contentPolicy":{"filters":[{"type":"INSULTS","confidence":"HIGH","action":"BLOCKED"}]}}}}}}}}`)
	passed := mustEvent(t, event.BedrockInvocation, `{"modelId":"m","output":{"outputBodyJson":{"stopReason":"end_turn","trace":{"guardrail":{"inputAssessment":{"g3":{"contentPolicy":{"filters":[{"type":"INSULTS","confidence":"LOW","action":"NONE"}]}}}}}}}}`)
	none := mustEvent(t, event.BedrockInvocation, `{"modelId":"m"}`)
	get := func(ev *event.Event, name string) string {
		g, ok := Resolve(ECS, event.BedrockInvocation, name)
		if !ok {
			t.Fatalf("%s unknown", name)
		}
		return g(ev).String()
	}
	cases := []struct {
		ev         *event.Event
		name, want string
	}{
		{stream, "gen_ai.policy.name", "topic_policy"},
		{stream, "gen_ai.compliance.violation_code", "DENY"},
		{stream, "gen_ai.guardrail_id", "g1"},
		{stream, "event.outcome", "failure"},
		{stream, "gen_ai.request.model.type", "anthropic"},
		{stream, "gen_ai.request.model.version", "bedrock-2023-05-31"},
		{stream, "user.id", "arn:u"},
		{stream, "cloud.service.name", "bedrock"},
		{converse, "gen_ai.policy.name", "content_policy"},
		{converse, "gen_ai.policy.confidence", "HIGH"},
		{converse, "gen_ai.compliance.violation_code", "INSULTS"},
		{converse, "gen_ai.compliance.violation_detected", "true"},
		{converse, "gen_ai.request.model.type", ""}, // no request body
		{passed, "gen_ai.guardrail_id", "g3"},
		{passed, "gen_ai.policy.name", ""},
		{passed, "gen_ai.compliance.violation_detected", ""},
		{passed, "event.outcome", "success"},
		{none, "gen_ai.guardrail_id", ""},
		{none, "user.id", ""},
	}
	for _, c := range cases {
		if got := get(c.ev, c.name); got != c.want {
			t.Errorf("%s = %q, want %q (%s)", c.name, got, c.want, c.ev.Raw)
		}
	}
}

func TestSelect(t *testing.T) {
	cases := []struct {
		from   plan.From
		want   string
		warned bool
	}{
		{plan.From{Indices: []string{"logs-aws_bedrock.invocation-*"}}, "bedrock_invocation", false},
		{plan.From{Indices: []string{"logs-aws.cloudtrail-*"}}, "cloudtrail", false},
		{plan.From{Indices: []string{"logs-aws*"}}, "cloudtrail,bedrock_invocation", false},
		{plan.From{Indices: []string{"logs-*", "-logs-aws.cloudtrail-*"}}, "bedrock_invocation", false},
		{plan.From{Indices: []string{"logs-endpoint.events.*"}}, "", true},
		{plan.From{Sourcetypes: []string{"aws:cloudtrail"}}, "cloudtrail", false},
		{plan.From{Sourcetypes: []string{"WinEventLog"}}, "", true},
		{plan.From{}, "cloudtrail,bedrock_invocation", false},
		{plan.From{Indices: []string{"*"}}, "cloudtrail,bedrock_invocation", false},
		{plan.From{Sourcetypes: []string{"*"}}, "cloudtrail,bedrock_invocation", false},
		{plan.From{Datamodel: "Risk.All_Risk"}, "risk", false},
		{plan.From{Datamodel: "risk"}, "risk", false},
		{plan.From{Datamodel: "Authentication.Authentication"}, "cloudtrail", false},
		{plan.From{Datamodel: "Change"}, "cloudtrail", false},
		{plan.From{Datamodel: "change.instance_changes"}, "cloudtrail", false},
		{plan.From{Datamodel: "Network_Traffic"}, "", true},
		{plan.From{Datamodel: "Endpoint.Processes"}, "", true},
	}
	for _, c := range cases {
		lts, warns := Select(&c.from)
		got := ""
		for i, s := range lts {
			if i > 0 {
				got += ","
			}
			got += s.String()
		}
		if got != c.want || (len(warns) > 0) != c.warned {
			t.Errorf("%s: log types %q warnings %v; want %q warned=%v", c.from.String(), got, warns, c.want, c.warned)
		}
	}
}

func TestRawPath(t *testing.T) {
	if p, ok := RawPath(ECS, event.CloudTrail, "event.action"); !ok || p != "eventName" {
		t.Errorf("event.action raw path %q %v", p, ok)
	}
	if _, ok := RawPath(ECS, event.CloudTrail, "event.outcome"); ok {
		t.Error("a computed field claims a raw path")
	}
	if _, ok := RawPath(Raw, event.CloudTrail, "vendor_product"); ok {
		t.Error("a constant CIM field claims a raw path")
	}
	if p, ok := RawPath(Raw, event.CloudTrail, "requestParameters.modelId"); !ok || p != "requestParameters.modelId" {
		t.Error("a raw path is not raw")
	}
}
