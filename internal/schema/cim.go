package schema

import (
	"strings"

	"github.com/tripline/tripline/internal/event"
	"github.com/valyala/fastjson"
)

// cimCloudTrail holds the CIM fields the Splunk Add-on for AWS extracts from
// aws:cloudtrail events, on top of the raw JSON paths.
var cimCloudTrail = map[string]field{
	"_time":           fn(epochTime),
	"src":             path("sourceIPAddress"),
	"src_ip":          path("sourceIPAddress"),
	"signature":       path("eventName"),
	"command":         path("eventName"),
	"vendor_region":   path("awsRegion"),
	"region":          path("awsRegion"),
	"vendor_account":  fn(coalesce(pathGet("userIdentity.accountId"), pathGet("recipientAccountId"))),
	"aws_account_id":  path("recipientAccountId"),
	"vendor_product":  fn(constant("AWS CloudTrail")),
	"vendor":          fn(constant("AWS")),
	"product":         fn(constant("CloudTrail")),
	"user_agent":      path("userAgent"),
	"http_user_agent": path("userAgent"),
	"dest":            path("eventSource"),
	"user_name": fn(coalesce(pathGet("userIdentity.userName"),
		pathGet("userIdentity.sessionContext.sessionIssuer.userName"),
		lastSegment(pathGet("userIdentity.arn")))),
	"user":            path("userIdentity.userName"),
	"user_arn":        path("userIdentity.arn"),
	"user_type":       path("userIdentity.type"),
	"user_id":         path("userIdentity.principalId"),
	"user_access_key": path("userIdentity.accessKeyId"),
	"result":          path("errorMessage"),
	"result_id":       path("errorCode"),
	"action":          fn(cimAction),
	"status":          fn(cimStatus),
	"tag":             fn(cloudTrailTags),
	"msg":             path("errorMessage"),
	"object_category": fn(cimObjectCategory),
	"app":             fn(constant("AWS")),
	"sourcetype":      fn(constant("aws:cloudtrail")),
	"source":          fn(constant("aws_cloudtrail")),
	"host":            fn(constant("aws_cloudtrail")),
	"_raw":            fn(rawText),
}

// cimInvocation holds the fields an SPL search sees on Bedrock
// model-invocation records beyond their raw JSON paths.
var cimInvocation = map[string]field{
	"_time":          fn(epochTime),
	"user":           path("identity.arn"),
	"user_name":      fn(lastSegment(pathGet("identity.arn"))),
	"vendor_account": path("accountId"),
	"vendor_region":  path("region"),
	"vendor_product": fn(constant("AWS Bedrock")),
	"signature":      path("operation"),
	"result_id":      path("errorCode"),
	"sourcetype":     fn(constant("aws:bedrock:invocation")),
	"source":         fn(constant("aws_bedrock_invocation")),
	"_raw":           fn(rawText),
}

func resolveRaw(lt event.LogType, name string) (Getter, bool) {
	var m map[string]field
	switch lt {
	case event.CloudTrail:
		m = cimCloudTrail
	case event.BedrockInvocation:
		m = cimInvocation
	case event.Risk:
		m = riskFields
		name = trimDataset(lt, name)
	}
	if f, ok := m[name]; ok {
		return f.get, true
	}
	if lt == event.CloudTrail {
		if g, ok := datamodelField(name); ok {
			return g, true
		}
	}
	switch name {
	case "index":
		return constant("aws"), true
	case "_indextime":
		return epochTime, true
	}
	return pathGet(name), knownRawPath(lt, name)
}

// knownRawPath reports whether a raw path starts with a top-level key that
// records of the log type have; deeper keys vary too much to know.
func knownRawPath(lt event.LogType, name string) bool {
	top := name
	if i := strings.IndexAny(name, ".{"); i >= 0 {
		top = name[:i]
	}
	switch lt {
	case event.CloudTrail:
		return cloudTrailKeys[top]
	case event.BedrockInvocation:
		return invocationKeys[top]
	case event.Risk:
		return riskKeys[top]
	}
	return false
}

var cloudTrailKeys = setOf("eventVersion", "userIdentity", "eventTime", "eventSource", "eventName",
	"awsRegion", "sourceIPAddress", "userAgent", "errorCode", "errorMessage", "requestParameters",
	"responseElements", "additionalEventData", "requestID", "eventID", "readOnly", "resources",
	"eventType", "apiVersion", "managementEvent", "recipientAccountId", "sharedEventID",
	"vpcEndpointId", "eventCategory", "tlsDetails", "sessionCredentialFromConsole", "serviceEventDetails",
	"insightDetails", "edgeDeviceDetails", "addendum")

var invocationKeys = setOf("schemaType", "schemaVersion", "timestamp", "accountId", "identity",
	"region", "requestId", "operation", "modelId", "input", "output", "errorCode", "inferenceRegion")

func setOf(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// epochTime is Splunk's _time: seconds since the epoch, fractional when the
// record's time has sub-second precision.
func epochTime(ev *event.Event) event.Value {
	if ev.Time.IsZero() {
		return event.Value{}
	}
	ns := ev.Time.UnixNano()
	if ns%1e9 == 0 {
		return event.LongValue(ns / 1e9)
	}
	return event.DoubleValue(float64(ns) / 1e9)
}

func rawText(ev *event.Event) event.Value { return event.StringValue(string(ev.Raw)) }

// flattenJSON adds every scalar leaf of the record under its dotted path,
// with "{}" after array keys as Splunk's JSON extraction names them.
func flattenJSON(ev *event.Event, out map[string]event.Value) {
	flattenFrom("", ev.Doc, out)
}

// flattenFrom adds the scalar leaves under v, named from prefix, as
// flattenJSON does for the whole record.
func flattenFrom(prefix string, v *fastjson.Value, out map[string]event.Value) {
	var walk func(prefix string, v *fastjson.Value)
	walk = func(prefix string, v *fastjson.Value) {
		switch v.Type() {
		case fastjson.TypeObject:
			obj, _ := v.Object()
			obj.Visit(func(k []byte, child *fastjson.Value) {
				name := string(k)
				if prefix != "" {
					name = prefix + "." + name
				}
				walk(name, child)
			})
		case fastjson.TypeArray:
			arr, _ := v.Array()
			for _, el := range arr {
				walk(prefix+"{}", el)
			}
		case fastjson.TypeNull:
		default:
			val := event.FromJSON(v)
			if old, ok := out[prefix]; ok {
				val = event.MultiValue([]event.Value{old, val})
			}
			out[prefix] = val
		}
	}
	walk(prefix, v)
}
