package schema

import (
	"strings"
	"time"

	"github.com/tripline/tripline/internal/event"
)

// ecsCloudTrail maps ECS names to CloudTrail records the way Elastic's
// aws.cloudtrail integration pipeline does.
var ecsCloudTrail = map[string]field{
	"@timestamp":       fn(eventTime),
	"event.provider":   path("eventSource"),
	"event.action":     path("eventName"),
	"event.id":         path("eventID"),
	"event.kind":       fn(constant("event")),
	"event.category":   fn(cloudTrailEventCategory),
	"event.type":       fn(cloudTrailEventType),
	"event.module":     fn(constant("aws")),
	"event.dataset":    fn(constant("aws.cloudtrail")),
	"event.outcome":    fn(cloudTrailOutcome),
	"event.original":   fn(func(ev *event.Event) event.Value { return event.StringValue(string(ev.Raw)) }),
	"cloud.provider":   fn(constant("aws")),
	"cloud.region":     path("awsRegion"),
	"cloud.account.id": path("userIdentity.accountId"),
	// user.name is the session issuer's name for assumed roles, else the IAM user's.
	"user.name":              fn(coalesce(pathGet("userIdentity.sessionContext.sessionIssuer.userName"), pathGet("userIdentity.userName"))),
	"user.id":                path("userIdentity.principalId"),
	"related.user":           fn(relatedUser),
	"related.entity":         fn(relatedEntity),
	"user.target.name":       fn(nonEmpty("requestParameters.userName")),
	"user.target.id":         fn(nonEmpty("responseElements.user.userId")),
	"user.changes.name":      fn(nonEmpty("requestParameters.newUserName")),
	"group.name":             fn(nonEmpty("requestParameters.groupName")),
	"group.id":               fn(nonEmpty("responseElements.group.groupId")),
	"source.address":         path("sourceIPAddress"),
	"source.ip":              fn(sourceIP),
	"user_agent.original":    path("userAgent"),
	"user_agent.name":        fn(userAgent(false)),
	"user_agent.version":     fn(userAgent(true)),
	"tls.version":            fn(tlsVersionPart(false)),
	"tls.version_protocol":   fn(tlsVersionPart(true)),
	"tls.cipher":             path("tlsDetails.cipherSuite"),
	"tls.client.server_name": path("tlsDetails.clientProvidedHostHeader"),
	"data_stream.dataset":    fn(constant("aws.cloudtrail")),
	"data_stream.type":       fn(constant("logs")),
	"data_stream.namespace":  fn(constant("default")),

	"aws.cloudtrail.event_version":        path("eventVersion"),
	"aws.cloudtrail.event_type":           path("eventType"),
	"aws.cloudtrail.event_category":       path("eventCategory"),
	"aws.cloudtrail.error_code":           path("errorCode"),
	"aws.cloudtrail.error_message":        path("errorMessage"),
	"aws.cloudtrail.request_id":           path("requestID"),
	"aws.cloudtrail.api_version":          path("apiVersion"),
	"aws.cloudtrail.management_event":     path("managementEvent"),
	"aws.cloudtrail.read_only":            path("readOnly"),
	"aws.cloudtrail.recipient_account_id": path("recipientAccountId"),
	// The pipeline renames "sharedEventId", a spelling CloudTrail does not
	// write (it writes sharedEventID), so Elastic never fills this field.
	"aws.cloudtrail.shared_event_id":                                           path("sharedEventId"),
	"aws.cloudtrail.vpc_endpoint_id":                                           path("vpcEndpointId"),
	"aws.cloudtrail.resources.arn":                                             fn(resourceField(func(r [3]string) string { return r[0] })),
	"aws.cloudtrail.resources.account_id":                                      fn(resourceField(func(r [3]string) string { return r[1] })),
	"aws.cloudtrail.resources.type":                                            fn(resourceField(func(r [3]string) string { return r[2] })),
	"aws.cloudtrail.session_credential_from_console":                           path("sessionCredentialFromConsole"),
	"aws.cloudtrail.console_login.additional_eventdata.mfa_used":               fn(consoleLoginFlag("MFAUsed")),
	"aws.cloudtrail.console_login.additional_eventdata.mobile_version":         fn(consoleLoginFlag("MobileVersion")),
	"aws.cloudtrail.console_login.additional_eventdata.login_to":               fn(consoleLoginTo),
	"aws.cloudtrail.user_identity.type":                                        path("userIdentity.type"),
	"aws.cloudtrail.user_identity.arn":                                         path("userIdentity.arn"),
	"aws.cloudtrail.user_identity.access_key_id":                               path("userIdentity.accessKeyId"),
	"aws.cloudtrail.user_identity.invoked_by":                                  path("userIdentity.invokedBy"),
	"aws.cloudtrail.user_identity.session_context.mfa_authenticated":           path("userIdentity.sessionContext.attributes.mfaAuthenticated"),
	"aws.cloudtrail.user_identity.session_context.creation_date":               fn(asTime(pathGet("userIdentity.sessionContext.attributes.creationDate"))),
	"aws.cloudtrail.user_identity.session_context.session_issuer.type":         path("userIdentity.sessionContext.sessionIssuer.type"),
	"aws.cloudtrail.user_identity.session_context.session_issuer.arn":          path("userIdentity.sessionContext.sessionIssuer.arn"),
	"aws.cloudtrail.user_identity.session_context.session_issuer.principal_id": path("userIdentity.sessionContext.sessionIssuer.principalId"),
	"aws.cloudtrail.user_identity.session_context.session_issuer.account_id":   path("userIdentity.sessionContext.sessionIssuer.accountId"),
	"aws.cloudtrail.request_parameters":                                        fn(javaText("requestParameters")),
	"aws.cloudtrail.response_elements":                                         fn(javaText("responseElements")),
	"aws.cloudtrail.additional_eventdata":                                      fn(javaText("additionalEventData")),
	"aws.cloudtrail.service_event_details":                                     fn(javaText("serviceEventDetails")),
}

// ecsFlattened maps the aws.cloudtrail.flattened.* object fields to raw paths.
var ecsFlattened = map[string]string{
	"aws.cloudtrail.flattened.request_parameters.":    "requestParameters.",
	"aws.cloudtrail.flattened.response_elements.":     "responseElements.",
	"aws.cloudtrail.flattened.additional_eventdata.":  "additionalEventData.",
	"aws.cloudtrail.flattened.service_event_details.": "serviceEventDetails.",
}

// ecsInvocation maps ECS names to Bedrock model-invocation records the way
// Elastic's aws_bedrock integration does.
var ecsInvocation = map[string]field{
	"@timestamp":                       fn(eventTime),
	"event.action":                     path("operation"),
	"event.id":                         path("requestId"),
	"event.kind":                       fn(constant("event")),
	"event.module":                     fn(constant("aws_bedrock")),
	"event.dataset":                    fn(constant("aws_bedrock.invocation")),
	"event.outcome":                    fn(invocationOutcome),
	"event.original":                   fn(func(ev *event.Event) event.Value { return event.StringValue(string(ev.Raw)) }),
	"cloud.provider":                   fn(constant("aws")),
	"cloud.service.name":               fn(constant("bedrock")),
	"cloud.account.id":                 path("accountId"),
	"cloud.region":                     path("region"),
	"user.id":                          path("identity.arn"),
	"gen_ai.system":                    fn(constant("aws")),
	"gen_ai.request.id":                path("requestId"),
	"gen_ai.request.model.id":          path("modelId"),
	"gen_ai.request.model.type":        fn(modelType),
	"gen_ai.response.error_code":       path("errorCode"),
	"gen_ai.usage.prompt_tokens":       path("input.inputTokenCount"),
	"gen_ai.usage.completion_tokens":   path("output.outputTokenCount"),
	"gen_ai.prompt":                    fn(rawJSON("input.inputBodyJson")),
	"gen_ai.completion":                fn(rawJSON("output.outputBodyJson")),
	"gen_ai.policy.name":               fn(guardrailField(func(g *guardrail) []string { return g.policies })),
	"gen_ai.policy.action":             fn(guardrailField(func(g *guardrail) []string { return g.actions })),
	"gen_ai.policy.confidence":         fn(guardrailField(func(g *guardrail) []string { return g.confidences })),
	"gen_ai.compliance.violation_code": fn(guardrailField(func(g *guardrail) []string { return g.codes })),
	"gen_ai.compliance.violation_detected": fn(func(ev *event.Event) event.Value {
		if findGuardrail(ev).violation() {
			return event.BoolValue(true)
		}
		return event.Value{}
	}),
	"gen_ai.request.model.version": fn(modelVersion),
	"gen_ai.request.max_tokens":    fn(bodyNumber("max_tokens", true)),
	"gen_ai.request.temperature":   fn(bodyNumber("temperature", false)),
	"gen_ai.request.top_p":         fn(bodyNumber("top_p", false)),
	"gen_ai.request.top_k":         fn(bodyNumber("top_k", false)),
	"gen_ai.response.id":           fn(responseID),
	"gen_ai.response.timestamp":    fn(eventTime),
	"gen_ai.user.id":               path("identity.arn"),
	"gen_ai.guardrail_id":          fn(guardrailField(func(g *guardrail) []string { return g.ids })),
	"data_stream.dataset":          fn(constant("aws_bedrock.invocation")),
	"data_stream.type":             fn(constant("logs")),
	"data_stream.namespace":        fn(constant("default")),

	"aws_bedrock.invocation.model_id":                   path("modelId"),
	"aws_bedrock.invocation.request_id":                 path("requestId"),
	"aws_bedrock.invocation.schema_type":                path("schemaType"),
	"aws_bedrock.invocation.schema_version":             path("schemaVersion"),
	"aws_bedrock.invocation.inference_region":           path("inferenceRegion"),
	"aws_bedrock.invocation.error_code":                 path("errorCode"),
	"aws_bedrock.invocation.input.input_content_type":   path("input.inputContentType"),
	"aws_bedrock.invocation.input.input_token_count":    path("input.inputTokenCount"),
	"aws_bedrock.invocation.output.output_content_type": path("output.outputContentType"),
	"aws_bedrock.invocation.output.output_token_count":  path("output.outputTokenCount"),
}

func resolveECS(lt event.LogType, name string) (Getter, bool) {
	switch lt {
	case event.CloudTrail:
		if f, ok := ecsCloudTrail[name]; ok {
			return f.get, true
		}
		for prefix, raw := range ecsFlattened {
			if strings.HasPrefix(name, prefix) && len(name) > len(prefix) {
				return flattenedGet(strings.TrimSuffix(raw, "."), strings.TrimPrefix(name, prefix)), true
			}
		}
	case event.BedrockInvocation:
		if f, ok := ecsInvocation[name]; ok {
			return f.get, true
		}
	}
	switch name {
	case "_id":
		return func(ev *event.Event) event.Value { return event.StringValue(ev.ID) }, true
	case "_index":
		return func(ev *event.Event) event.Value { return event.StringValue(IndexName(ev.LogType)) }, true
	case "_version":
		return func(*event.Event) event.Value { return event.LongValue(1) }, true
	}
	return nullGetter, false
}

func sourceIP(ev *event.Event) event.Value {
	s, ok := ev.Path([]string{"sourceIPAddress"}).Str()
	if !ok {
		return event.Value{}
	}
	if _, ok := event.ParseAddr(s); !ok {
		return event.Value{}
	}
	return event.IPValue(s)
}

func rawJSON(name string) Getter {
	keys := event.SplitPath(name)
	// Several rules read the same object as text (a completion); render
	// it once per record.
	slot := event.MemoSlot("json " + name)
	return func(ev *event.Event) event.Value {
		if v, ok := ev.Memo.Get(slot); ok {
			return v
		}
		var v event.Value
		if s := ev.RawJSON(keys); s != "" && s != "null" {
			v = event.StringValue(s)
		}
		ev.Memo.Put(slot, v)
		return v
	}
}

func parseTime(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }
