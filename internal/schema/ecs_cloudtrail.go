package schema

import (
	"sort"
	"strings"

	"github.com/tripline/tripline/internal/event"
	"github.com/valyala/fastjson"
)

// The getters here derive the ECS fields of Elastic's aws.cloudtrail
// pipeline that are more than a renamed JSON path. The pipeline first drops
// null and empty values (and objects and arrays left empty), so a field
// whose source is "" is absent here too.

// strAt returns the non-empty string at a path of the record.
func strAt(ev *event.Event, keys ...string) (string, bool) {
	if ev.Doc == nil {
		return "", false
	}
	b := ev.Doc.GetStringBytes(keys...)
	if len(b) == 0 {
		return "", false
	}
	return ev.Strings.String(b), true
}

// nonEmpty reads a path as the pipeline's renames do: an empty string is
// absent, the pipeline having dropped it.
func nonEmpty(name string) Getter {
	keys := event.SplitPath(name)
	return func(ev *event.Event) event.Value {
		v := ev.Path(keys)
		if s, ok := v.Str(); ok && s == "" {
			return event.Value{}
		}
		return v
	}
}

// consoleLoginFlag is aws.cloudtrail.console_login.additional_eventdata's
// mobile_version and mfa_used: for ConsoleLogin events, false when the
// additionalEventData value is "No" and true for any other value.
func consoleLoginFlag(key string) Getter {
	return func(ev *event.Event) event.Value {
		if name, _ := strAt(ev, "eventName"); name != "ConsoleLogin" {
			return event.Value{}
		}
		v := ev.Doc.Get("additionalEventData", key)
		if v == nil || v.Type() == fastjson.TypeNull {
			return event.Value{}
		}
		if b, err := v.StringBytes(); err == nil {
			if len(b) == 0 {
				return event.Value{}
			}
			return event.BoolValue(string(b) != "No")
		}
		return event.BoolValue(true)
	}
}

// consoleLoginTo is aws.cloudtrail.console_login.additional_eventdata.login_to.
func consoleLoginTo(ev *event.Event) event.Value {
	if name, _ := strAt(ev, "eventName"); name != "ConsoleLogin" {
		return event.Value{}
	}
	if s, ok := strAt(ev, "additionalEventData", "LoginTo"); ok {
		return event.StringValue(s)
	}
	return event.Value{}
}

// cloudTrailOutcome is event.outcome: failure when the record has an error
// code or message, success otherwise; a ConsoleLogin's own verdict
// (responseElements.ConsoleLogin, "Success" or "Failure") lowercased wins.
func cloudTrailOutcome(ev *event.Event) event.Value {
	if ev.Doc == nil {
		return event.Value{}
	}
	if name, _ := strAt(ev, "eventName"); name == "ConsoleLogin" {
		if s, ok := strAt(ev, "responseElements", "ConsoleLogin"); ok {
			switch s {
			case "Success":
				return outcomeSuccess
			case "Failure":
				return outcomeFailure
			}
			return event.StringValue(strings.ToLower(s))
		}
	}
	_, code := strAt(ev, "errorCode")
	_, msg := strAt(ev, "errorMessage")
	if code || msg {
		return outcomeFailure
	}
	return outcomeSuccess
}

var (
	outcomeSuccess = event.StringValue("success")
	outcomeFailure = event.StringValue("failure")
)

// relatedUser is related.user: the caller's IAM user name, then the user
// names the request names (userName, newUserName), each once.
func relatedUser(ev *event.Event) event.Value {
	var vs [3]event.Value
	n := 0
	add := func(s string, ok bool) {
		if !ok {
			return
		}
		for _, v := range vs[:n] {
			if x, _ := v.Str(); x == s {
				return
			}
		}
		vs[n] = event.StringValue(s)
		n++
	}
	add(strAt(ev, "userIdentity", "userName"))
	add(strAt(ev, "requestParameters", "userName"))
	add(strAt(ev, "requestParameters", "newUserName"))
	switch n {
	case 0:
		return event.Value{}
	case 1:
		return vs[0]
	}
	return event.MultiValue(vs[:n])
}

// resourceField is aws.cloudtrail.resources.<key>: the pipeline renames a
// resource's ARN to arn and accountId to account_id, and keeps one of the
// resources that share arn, account id and type.
func resourceField(pick func(r [3]string) string) Getter {
	return func(ev *event.Event) event.Value {
		if ev.Doc == nil {
			return event.Value{}
		}
		res := ev.Doc.Get("resources")
		if res == nil {
			return event.Value{}
		}
		arr, err := res.Array()
		if err != nil || len(arr) == 0 {
			return event.Value{}
		}
		seen := make([][3]string, 0, len(arr))
		var out []event.Value
	next:
		for _, r := range arr {
			if r.Type() != fastjson.TypeObject {
				continue
			}
			arn := string(r.GetStringBytes("ARN"))
			if r.Get("ARN") == nil {
				arn = string(r.GetStringBytes("arn"))
			}
			k := [3]string{arn, string(r.GetStringBytes("accountId")), string(r.GetStringBytes("type"))}
			for _, s := range seen {
				if s == k {
					continue next
				}
			}
			seen = append(seen, k)
			if s := pick(k); s != "" {
				out = append(out, event.StringValue(s))
			}
		}
		return event.MultiValue(out)
	}
}

// tlsVersionPart splits tlsDetails.tlsVersion as the pipeline's dissect
// "%{tls.version_protocol}v%{tls.version}" does: "TLSv1.2" is protocol
// "tls" (lowercased) and version "1.2".
func tlsVersionPart(protocol bool) Getter {
	return func(ev *event.Event) event.Value {
		s, ok := strAt(ev, "tlsDetails", "tlsVersion")
		if !ok {
			return event.Value{}
		}
		i := strings.IndexByte(s, 'v')
		if i < 0 {
			return event.Value{}
		}
		if !protocol {
			return event.StringValue(s[i+1:])
		}
		switch p := s[:i]; p {
		case "TLS":
			return tlsProtocol
		default:
			return event.StringValue(strings.ToLower(p))
		}
	}
}

var tlsProtocol = event.StringValue("tls")

// flattenedLimit is the length of the Java text under which the pipeline
// also keeps an object as aws.cloudtrail.flattened.<name>.
const flattenedLimit = 32766

// flattenedGet reads aws.cloudtrail.flattened.<object>.<path>: the raw
// path, when the object's text (aws.cloudtrail.request_parameters and its
// siblings) is short enough for the pipeline to have kept the copy.
func flattenedGet(object, path string) Getter {
	keys := event.SplitPath(object + "." + path)
	objKeys := []string{object}
	text := javaText(object)
	return func(ev *event.Event) event.Value {
		v := ev.Path(keys)
		if v.IsNull() {
			return v
		}
		if s, ok := v.Str(); ok && s == "" {
			return event.Value{}
		}
		// The Java text is never longer than the object's JSON, so only
		// a large object needs rendering to tell.
		if o := ev.Doc.Get(objKeys...); o != nil && len(ev.RawJSON(objKeys)) >= flattenedLimit {
			if t, _ := text(ev).Str(); len(t) >= flattenedLimit {
				return event.Value{}
			}
		}
		return v
	}
}

// relatedEntitySlot remembers a record's related.entity.
var relatedEntitySlot = event.MemoSlot("cloudtrail related.entity")

// relatedEntity is related.entity as the pipeline's entity stage builds
// it: the caller's identifiers plus, for the events it knows, the
// identifiers of the resources the request names, each once, sorted.
// Paths that reach into arrays render as nothing in the pipeline's
// templates, so only scalar values count.
func relatedEntity(ev *event.Event) event.Value {
	if v, ok := ev.Memo.Get(relatedEntitySlot); ok {
		return v
	}
	v := computeRelatedEntity(ev)
	ev.Memo.Put(relatedEntitySlot, v)
	return v
}

func computeRelatedEntity(ev *event.Event) event.Value {
	if ev.Doc == nil {
		return event.Value{}
	}
	var out []string
	add := func(paths [][]string) {
		for _, p := range paths {
			if s, ok := scalarText(ev.Doc.Get(p...)); ok && s != "" {
				out = append(out, s)
			}
		}
	}
	add(entityCommon)
	name, _ := strAt(ev, "eventName")
	if ps, ok := entityByEvent[name]; ok {
		add(ps)
	} else {
		for _, pe := range entityByEventPrefix {
			if strings.HasPrefix(name, pe.prefix) {
				add(pe.paths)
				break
			}
		}
	}
	if len(out) == 0 {
		return event.Value{}
	}
	sort.Strings(out)
	vs := make([]event.Value, 0, len(out))
	for i, s := range out {
		if i > 0 && s == out[i-1] {
			continue
		}
		vs = append(vs, event.StringValue(s))
	}
	return event.MultiValue(vs)
}

// scalarText renders a JSON scalar as a template would: strings as they
// are, numbers and booleans as written; objects, arrays and null as
// nothing.
func scalarText(v *fastjson.Value) (string, bool) {
	if v == nil {
		return "", false
	}
	switch v.Type() {
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		return string(b), true
	case fastjson.TypeNumber, fastjson.TypeTrue, fastjson.TypeFalse:
		return string(v.MarshalTo(nil)), true
	}
	return "", false
}

func jsonPaths(names ...string) [][]string {
	out := make([][]string, len(names))
	for i, n := range names {
		out[i] = strings.Split(n, ".")
	}
	return out
}

// entityCommon are the identifiers related.entity takes from every event.
var entityCommon = jsonPaths(
	"userIdentity.arn", "userIdentity.identityProvider", "userIdentity.principalId",
	"userIdentity.sessionContext.sessionIssuer.arn", "userIdentity.sessionContext.sessionIssuer.userName",
	"userIdentity.sessionContext.webIdFederationData.federatedProvider", "userIdentity.userName",
)

// entityByEvent are the identifiers related.entity takes from the request
// and response of the events the pipeline knows, by event name.
var entityByEvent = map[string][][]string{}

// entityByEventPrefix are the versioned Lambda event names
// (UpdateFunctionCode20150331v2), matched by prefix.
var entityByEventPrefix = []struct {
	prefix string
	paths  [][]string
}{
	{"UpdateFunctionCode", jsonPaths("requestParameters.functionName", "responseElements.functionArn", "responseElements.functionName", "responseElements.role")},
	{"CreateFunction", jsonPaths("requestParameters.functionName", "responseElements.functionName", "responseElements.kmsKeyArn", "responseElements.role", "responseElements.vpcConfig.securityGroupIds", "responseElements.vpcConfig.subnetIds")},
	{"DeleteFunction", jsonPaths("requestParameters.functionName")},
}

func init() {
	set := func(paths []string, names ...string) {
		ps := jsonPaths(paths...)
		for _, n := range names {
			entityByEvent[n] = ps
		}
	}
	set([]string{"additionalEventData.MFAIdentifier"}, "ConsoleLogin")
	set([]string{"additionalEventData.MFAIdentifier", "requestParameters.roleArn", "responseElements.assumedRoleUser.arn",
		"requestParameters.roleSessionName", "sourceIdentity"}, "AssumeRole")
	set([]string{"responseElements.accessKeyId"}, "GetSessionToken")
	set([]string{"requestParameters.userName", "responseElements.accessKey.userName", "responseElements.accessKey.accessKeyId"}, "CreateAccessKey")
	set([]string{"requestParameters.userName", "requestParameters.accessKeyId"}, "DeleteAccessKey", "UpdateAccessKey")
	set([]string{"responseElements.user.arn", "responseElements.user.userName", "responseElements.userId"}, "CreateUser")
	set([]string{"requestParameters.userName"}, "DeleteUser")
	set([]string{"requestParameters.policyArn", "requestParameters.roleName"}, "AttachRolePolicy", "DetachRolePolicy")
	set([]string{"requestParameters.userName", "requestParameters.policyName"}, "PutUserPolicy", "DeleteUserPolicy")
	set([]string{"responseElements.role.arn", "requestParameters.roleName"}, "CreateRole")
	set([]string{"requestParameters.roleName"}, "DeleteRole")
	set([]string{"requestParameters.groupId"}, "AuthorizeSecurityGroupIngress")
	set([]string{"responseElements.groupId", "requestParameters.groupName"}, "CreateSecurityGroup")
	set([]string{"responseElements.reservationId"}, "RunInstances")
	set([]string{"requestParameters.roleName", "requestParameters.groupId"}, "RevokeSecurityGroupIngress")
	set([]string{"responseElements.vpc.vpcId", "responseElements.vpc.dhcpOptionsId"}, "CreateVpc")
	set([]string{"requestParameters.vpcId"}, "DeleteVpc")
	set([]string{"requestParameters.subnetId"}, "CreateSubnet", "DeleteSubnet")
	set([]string{"requestParameters.volumeId", "responseElements.snapshotId", "responseElements.volumeId"}, "CreateSnapshot")
	set([]string{"requestParameters.snapshotId"}, "DeleteSnapshot")
	set([]string{"requestParameters.subnetId"}, "CreateNetworkInterface")
	set([]string{"requestParameters.networkInterfaceId"}, "DeleteNetworkInterface")
	set([]string{"requestParameters.bucketName"}, "PutBucketPolicy", "DeleteBucketPublicAccessBlock", "CreateBucket",
		"DeleteBucketPolicy", "PutBucketLogging", "DeleteBucketLifecycle", "PutBucketAcl", "PutBucketVersioning")
	// The pipeline reads CreateTrail's request as "requestElements", a
	// key CloudTrail does not write; kept as it is.
	set([]string{"requestElements.name", "requestElements.s3BucketName", "responseElements.cloudWatchLogsLogGroupArn",
		"responseElements.cloudWatchLogsRoleArn", "responseElements.kmsKeyId", "responseElements.snsTopicARN",
		"responseElements.trailARN", "responseElements.name"}, "CreateTrail")
	set([]string{"requestParameters.name"}, "StopLogging", "DeleteTrail")
	set([]string{"requestParameters.keyId", "responseElements.keyId"}, "DisableKey", "EnableKey", "ScheduleKeyDeletion")
	set([]string{"responseElements.keyMetadata.arn", "responseElements.keyMetadata.keyId"}, "CreateKey")
	set([]string{"requestParameters.configurationRecorderName"}, "StartConfigurationRecorder", "StopConfigurationRecorder")
	set([]string{"requestParameters.dBInstanceArn", "requestParameters.dBInstanceIdentifier"}, "ModifyDBInstance")
	set([]string{"requestParameters.dBInstanceIdentifier", "responseElements.dBInstanceIdentifier", "responseElements.dbInstanceArn",
		"responseElements.dBSubnetGroup.vpcId"}, "CreateDBInstance", "DeleteDBInstance")
}
