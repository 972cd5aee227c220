package schema

import (
	"strings"

	"github.com/tripline/tripline/internal/event"
)

// ecsMappingTypes are the Elasticsearch mapping types of the ECS view's
// fields that are not keyword, as ECS and Elastic's aws and aws_bedrock
// integrations map them. Every other field the view defines is a keyword
// (see types.go for the few matched as text). ES|QL's checks read the type
// to find comparisons that can never hold (user.name == 1). Fields of ECS
// the view does not derive are listed too, so that a rule reading one is
// typed as Elasticsearch would type it once the view derives it.
var ecsMappingTypes = map[string]string{
	"@timestamp":       "date",
	"event.created":    "date",
	"event.ingested":   "date",
	"event.start":      "date",
	"event.end":        "date",
	"event.duration":   "long",
	"event.severity":   "long",
	"event.sequence":   "long",
	"event.risk_score": "float",

	"source.ip":                 "ip",
	"source.port":               "long",
	"source.as.number":          "long",
	"source.geo.location":       "geo_point",
	"client.ip":                 "ip",
	"client.as.number":          "long",
	"client.geo.location":       "geo_point",
	"destination.ip":            "ip",
	"destination.port":          "long",
	"http.response.status_code": "long",

	"message":           "match_only_text",
	"error.message":     "match_only_text",
	"error.stack_trace": "wildcard",

	"aws.cloudtrail.read_only":                                                   "boolean",
	"aws.cloudtrail.user_identity.session_context.creation_date":                 "date",
	"aws.cloudtrail.console_login.additional_eventdata.mfa_used":                 "boolean",
	"aws.cloudtrail.insight_details.insight_context.statistics.insight_duration": "float",

	"gen_ai.usage.prompt_tokens":                       "long",
	"gen_ai.usage.completion_tokens":                   "long",
	"gen_ai.prompt":                                    "text",
	"gen_ai.completion":                                "text",
	"gen_ai.compliance.violation_detected":             "boolean",
	"aws_bedrock.invocation.input.input_token_count":   "long",
	"aws_bedrock.invocation.output.output_token_count": "long",

	"_version": "long",
}

// MappingType returns the Elasticsearch mapping type a field of the ECS
// view has for a log type ("keyword", "date", "ip", "long", ...), and
// whether the view knows the field. A field the view knows only by a
// pattern (a subfield of a flattened object such as
// aws.cloudtrail.flattened.request_parameters.*) has the type "": any
// subfield is valid and its type is not known.
func MappingType(lt event.LogType, name string) (string, bool) {
	if _, ok := resolveECS(lt, name); !ok {
		return "", false
	}
	if t, ok := ecsMappingTypes[name]; ok {
		return t, true
	}
	if _, defined := fieldsOf(ECS, lt)[name]; defined || strings.HasPrefix(name, "_") {
		return "keyword", true
	}
	return "", true
}

// ecsNamespaces are the top-level names of ECS field sets and of the
// namespaces of Elastic's integrations that read AWS logs: the names under
// which an ECS document can hold a field. A field under one of them that
// the view does not derive may still be in an Elastic user's data.
var ecsNamespaces = map[string]bool{
	"@timestamp": true, "agent": true, "client": true, "cloud": true, "container": true,
	"data_stream": true, "destination": true, "device": true, "dll": true, "dns": true,
	"ecs": true, "email": true, "entity": true, "error": true, "event": true, "faas": true,
	"file": true, "gen_ai": true, "group": true, "host": true, "http": true, "labels": true,
	"log": true, "message": true, "network": true, "observer": true, "orchestrator": true,
	"organization": true, "package": true, "process": true, "registry": true, "related": true,
	"rule": true, "server": true, "service": true, "source": true, "span": true, "tags": true,
	"threat": true, "tls": true, "trace": true, "transaction": true, "url": true, "user": true,
	"user_agent": true, "vulnerability": true, "input": true, "kibana": true, "signal": true,
	"aws": true, "aws_bedrock": true, "aws_bedrock_agentcore": true, "cloudtrail": true,
}

// InECSNamespace reports whether a field name lies under a namespace of
// ECS or of Elastic's AWS integrations (see ecsNamespaces): whether an
// Elastic user's data could hold it. A glob's first segment matches when
// it matches a namespace.
func InECSNamespace(name string) bool {
	first, _, _ := strings.Cut(name, ".")
	if !strings.Contains(first, "*") {
		return ecsNamespaces[first]
	}
	for ns := range ecsNamespaces {
		if Glob(first, ns) {
			return true
		}
	}
	return false
}
