package schema

import (
	"strings"
	"unicode"
	"unsafe"

	"github.com/tripline/tripline/internal/event"
	"github.com/valyala/fastjson"
)

// How CloudTrail events enter the CIM data models, following the Splunk
// Add-on for AWS (its "CIM compatibility of AWS CloudTrail logs" table and
// the CIM manual's "Change Field Mapping" example for AWS):
//
//   - ConsoleLogin is an Authentication event; so are the STS AssumeRole
//     calls, which splunk/security_content's detections read from the
//     Authentication data model (Authentication.signature=AssumeRole).
//   - Every other API call (eventType AwsApiCall), reads included, is a
//     Change event; its action is the kind of change its eventName's verb
//     makes (Create: created, Delete: deleted, Describe: read, ...).
//   - Changes to instances (object_category=instance, not reads) are
//     also tagged instance, IAM user and group changes account.
//
// The add-on's own configuration files are not public; where it leaves a
// field's derivation unstated (object, object_id, object_category,
// change_type), tripline derives it from the event as documented on each
// getter below.

// The tag values of CloudTrail events, shared: a tag field read per event
// allocates nothing.
var (
	tagsAuth     = event.StringsValue([]string{"authentication", "cloud"})
	tagsChange   = event.StringsValue([]string{"change", "cloud"})
	tagsInstance = event.StringsValue([]string{"change", "instance", "cloud"})
	tagsAccount  = event.StringsValue([]string{"change", "account", "cloud"})
)

// accountNouns are the IAM resources whose changes are account management.
var accountNouns = map[string]bool{"User": true, "Group": true, "LoginProfile": true, "AccessKey": true,
	"UserToGroup": true, "UserFromGroup": true}

// cloudTrailTags is the event's tag field: the CIM tags of its eventtypes.
func cloudTrailTags(ev *event.Event) event.Value {
	switch {
	case isAuthEvent(ev):
		return tagsAuth
	case !bytesIs(ev, "eventType", "AwsApiCall"):
		return event.Value{}
	}
	name := bytesOf(ev, "eventName")
	verb, noun := splitVerb(name)
	switch {
	case strings.HasPrefix(noun, "Instance") && verbs[verb] != "read":
		return tagsInstance
	case accountNouns[noun] && bytesIs(ev, "eventSource", "iam.amazonaws.com"):
		return tagsAccount
	}
	return tagsChange
}

// bytesOf returns a top-level string of the record, without copying: valid
// while the event is.
func bytesOf(ev *event.Event, key string) string {
	if ev.Doc == nil {
		return ""
	}
	b := ev.Doc.GetStringBytes(key)
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func bytesIs(ev *event.Event, key, want string) bool { return bytesOf(ev, key) == want }

func str(ev *event.Event, key string) string {
	if ev.Doc == nil {
		return ""
	}
	return string(ev.Doc.GetStringBytes(key))
}

// isAuthEvent reports a console sign-in or an STS role assumption.
func isAuthEvent(ev *event.Event) bool {
	name := bytesOf(ev, "eventName")
	return name == "ConsoleLogin" || strings.HasPrefix(name, "AssumeRole") && bytesIs(ev, "eventSource", "sts.amazonaws.com")
}

// cimStatus is success or failure: a console sign-in by its
// responseElements.ConsoleLogin (CloudTrail writes no errorCode for a
// failed one), any other call by whether it has an errorCode.
func cimStatus(ev *event.Event) event.Value {
	if ev.Doc == nil {
		return event.Value{}
	}
	if bytesIs(ev, "eventName", "ConsoleLogin") {
		if r := ev.Doc.GetStringBytes("responseElements", "ConsoleLogin"); len(r) > 0 {
			if strings.EqualFold(string(r), "success") {
				return event.StringValue("success")
			}
			return event.StringValue("failure")
		}
		if ev.Doc.Get("errorMessage") != nil || ev.Doc.Get("errorCode") != nil {
			return event.StringValue("failure")
		}
		return event.StringValue("success")
	}
	if v := ev.Doc.Get("errorCode"); v != nil && v.Type() != fastjson.TypeNull {
		return event.StringValue("failure")
	}
	return event.StringValue("success")
}

// cimAction is the CIM action: an authentication's outcome (success,
// failure), or the change an API call makes (changeAction).
func cimAction(ev *event.Event) event.Value {
	if isAuthEvent(ev) {
		return cimStatus(ev)
	}
	if a := changeAction(bytesOf(ev, "eventName")); a != "" {
		return event.StringValue(a)
	}
	return event.Value{}
}

// verbs maps the leading verb of an API name to the CIM Change action
// (the prescribed values: created, deleted, modified, read, started,
// stopped, restarted, cleared).
var verbs = map[string]string{
	"Create": "created", "Run": "created", "Allocate": "created", "Import": "created", "Copy": "created",
	"Register": "created", "Launch": "created", "Request": "created", "Issue": "created",
	"Delete": "deleted", "Terminate": "deleted", "Deregister": "deleted", "Release": "deleted",
	"Purge": "cleared", "Clear": "cleared",
	"Update": "modified", "Modify": "modified", "Put": "modified", "Set": "modified", "Attach": "modified",
	"Detach": "modified", "Associate": "modified", "Disassociate": "modified", "Add": "modified",
	"Remove": "modified", "Replace": "modified", "Enable": "modified", "Disable": "modified",
	"Change": "modified", "Reset": "modified", "Tag": "modified", "Untag": "modified",
	"Authorize": "modified", "Revoke": "modified", "Apply": "modified", "Upload": "modified",
	"Restore": "modified", "Rotate": "modified", "Rename": "modified", "Assign": "modified",
	"Unassign": "modified", "Accept": "modified", "Reject": "modified", "Activate": "modified",
	"Deactivate": "modified", "Upgrade": "modified", "Resize": "modified", "Edit": "modified",
	"Describe": "read", "List": "read", "Get": "read", "Lookup": "read", "Search": "read", "Head": "read",
	"Scan": "read", "Query": "read", "Select": "read", "Check": "read", "Preview": "read", "View": "read",
	"Download": "read", "Decrypt": "read", "Encrypt": "read", "Generate": "read", "Verify": "read",
	"Start": "started", "Resume": "started",
	"Stop": "stopped", "Suspend": "stopped",
	"Reboot": "restarted", "Restart": "restarted",
}

// splitVerb splits an API name into its leading verb and the rest
// ("RunInstances" -> "Run", "Instances"); a leading "Batch" is skipped
// ("BatchDeleteImage" -> "Delete", "Image").
func splitVerb(name string) (verb, noun string) {
	name = strings.TrimPrefix(name, "Batch")
	for i := 1; i < len(name); i++ {
		if unicode.IsUpper(rune(name[i])) {
			return name[:i], name[i:]
		}
	}
	return name, ""
}

// changeAction is the Change action of an API name, "" when its verb is
// not one of verbs.
func changeAction(name string) string {
	verb, _ := splitVerb(name)
	return verbs[verb]
}

// objectCategory is the kind of resource an API call acts on: the noun
// after its verb in snake case, singular, without an API version suffix
// ("RunInstances" -> instance, "CreateFunction20150331" -> function,
// "PutBucketPolicy" -> bucket_policy); instance attributes fold into
// instance and security group rules into security_group.
func objectCategory(ev *event.Event) string {
	_, noun := splitVerb(str(ev, "eventName"))
	noun = strings.TrimRight(noun, "0123456789")
	if noun == "" {
		return ""
	}
	var b strings.Builder
	for i, r := range noun {
		if unicode.IsUpper(r) {
			if i > 0 && !unicode.IsUpper(rune(noun[i-1])) {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	s := b.String()
	switch {
	case strings.HasPrefix(s, "instance"):
		return "instance"
	case strings.Contains(s, "security_group"):
		return "security_group"
	case strings.HasSuffix(s, "ies"):
		return s[:len(s)-3] + "y"
	case strings.HasSuffix(s, "s") && !strings.HasSuffix(s, "ss") && !strings.HasSuffix(s, "us") && !strings.HasSuffix(s, "is"):
		return s[:len(s)-1]
	}
	return s
}

func cimObjectCategory(ev *event.Event) event.Value {
	if str(ev, "eventType") != "AwsApiCall" || isAuthEvent(ev) {
		return event.Value{}
	}
	if c := objectCategory(ev); c != "" {
		return event.StringValue(c)
	}
	return event.Value{}
}

// changeType is the AWS service a change is made in, as its short name in
// upper case: EC2, IAM, S3 (from eventSource "ec2.amazonaws.com").
func changeType(ev *event.Event) event.Value {
	src := str(ev, "eventSource")
	if src == "" {
		return event.Value{}
	}
	svc, _, _ := strings.Cut(src, ".")
	return event.StringValue(strings.ToUpper(svc))
}

// objectIDPaths are where the ids of the resources an API call acts on
// are, tried in order.
var objectIDPaths = [][]string{
	{"responseElements", "instancesSet", "items", "instanceId"},
	{"requestParameters", "instancesSet", "items", "instanceId"},
	{"requestParameters", "instanceId"},
	{"requestParameters", "groupId"},
	{"resources", "ARN"},
}

// objectID is the id of the resource a change acts on: the instance ids
// of an EC2 instance call, a security group's id, the ARNs in resources,
// else the first request parameter whose name ends in Id, Arn or ARN.
func objectID(ev *event.Event) event.Value {
	for _, p := range objectIDPaths {
		if v := ev.Path(p); !v.IsNull() {
			return v
		}
	}
	return requestParam(ev, "Id", "Arn", "ARN")
}

// object is the name of the resource a change acts on: the first request
// parameter whose name ends in Name (userName, bucketName, roleName), else
// its id.
func object(ev *event.Event) event.Value {
	if v := requestParam(ev, "Name"); !v.IsNull() {
		return v
	}
	return objectID(ev)
}

// requestParam returns the first scalar request parameter whose key ends in
// one of the suffixes.
func requestParam(ev *event.Event, suffixes ...string) event.Value {
	if ev.Doc == nil {
		return event.Value{}
	}
	rp := ev.Doc.GetObject("requestParameters")
	if rp == nil {
		return event.Value{}
	}
	var out event.Value
	rp.Visit(func(k []byte, v *fastjson.Value) {
		if !out.IsNull() || v.Type() != fastjson.TypeString && v.Type() != fastjson.TypeNumber {
			return
		}
		for _, s := range suffixes {
			if strings.HasSuffix(string(k), s) {
				out = event.FromJSON(v)
				return
			}
		}
	})
	return out
}

// authApp is the authenticating application: CloudTrail's eventType
// (AwsConsoleSignIn for a console sign-in, AwsApiCall for AssumeRole).
var authApp = path("eventType")

// userRole is the role an AssumeRole call took on: the assumed role
// user's ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION), else the
// role ARN asked for.
var userRole = coalesce(pathGet("responseElements.assumedRoleUser.arn"), pathGet("requestParameters.roleArn"))

// cimUser is who acted, as the data models name them: the IAM user, else
// the role's session issuer, else the last part of the ARN.
var cimUser = coalesce(pathGet("userIdentity.userName"),
	pathGet("userIdentity.sessionContext.sessionIssuer.userName"),
	lastSegment(pathGet("userIdentity.arn")))

// changeFields are the fields of the Change data model's datasets by their
// name under the dataset (All_Changes.user is "user"; the fields of
// All_Changes.Instance_Changes are prefixed "Instance_Changes.").
var changeFields = map[string]Getter{
	"action":          cimAction,
	"change_type":     changeType,
	"command":         pathGet("eventName"),
	"dest":            pathGet("eventSource"),
	"dvc":             pathGet("eventSource"),
	"object":          object,
	"object_category": cimObjectCategory,
	"object_id":       objectID,
	"result":          pathGet("errorMessage"),
	"result_id":       pathGet("errorCode"),
	"src":             pathGet("sourceIPAddress"),
	"src_ip":          pathGet("sourceIPAddress"),
	"status":          cimStatus,
	"user":            cimUser,
	"user_id":         pathGet("userIdentity.principalId"),
	"user_name":       cimUser,
	"user_type":       pathGet("userIdentity.type"),
	"user_agent":      pathGet("userAgent"),
	"vendor_account":  coalesce(pathGet("userIdentity.accountId"), pathGet("recipientAccountId")),
	"vendor_region":   pathGet("awsRegion"),
	"vendor_product":  constant("AWS CloudTrail"),
	"tag":             cloudTrailTags,

	"Instance_Changes.image_id": coalesce(pathGet("requestParameters.instancesSet.items.imageId"),
		pathGet("requestParameters.imageId")),
	"Instance_Changes.instance_id": coalesce(pathGet("responseElements.instancesSet.items.instanceId"),
		pathGet("requestParameters.instancesSet.items.instanceId"), pathGet("requestParameters.instanceId")),
	"Instance_Changes.instance_type": coalesce(pathGet("requestParameters.instanceType.value"),
		pathGet("requestParameters.instanceType"), pathGet("responseElements.instancesSet.items.instanceType")),
}

// authFields are the fields of the Authentication data model's datasets.
var authFields = map[string]Getter{
	"action":         cimAction,
	"app":            authApp.get,
	"dest":           pathGet("eventSource"),
	"reason":         pathGet("errorMessage"),
	"signature":      pathGet("eventName"),
	"signature_id":   pathGet("eventID"),
	"src":            pathGet("sourceIPAddress"),
	"src_ip":         pathGet("sourceIPAddress"),
	"user":           cimUser,
	"user_id":        pathGet("userIdentity.principalId"),
	"user_name":      cimUser,
	"user_type":      pathGet("userIdentity.type"),
	"user_role":      userRole,
	"user_agent":     pathGet("userAgent"),
	"vendor_account": coalesce(pathGet("userIdentity.accountId"), pathGet("recipientAccountId")),
	"vendor_region":  pathGet("awsRegion"),
	"vendor_product": constant("AWS CloudTrail"),
	"tag":            cloudTrailTags,
}

// unknownValue is what the CIM data models' calculated fields give for a
// field the event does not have.
var unknownValue = event.StringValue("unknown")

// orUnknown reads "unknown" where g gives null or "", as the CIM data
// models' fields do (hence searches such as All_Changes.user!=unknown).
func orUnknown(g Getter) Getter {
	return func(ev *event.Event) event.Value {
		v := g(ev)
		if s, ok := v.Str(); v.IsNull() || ok && s == "" {
			return unknownValue
		}
		return v
	}
}

// datamodelField resolves a CloudTrail field named with a data model
// dataset's lineage (All_Changes.user, All_Changes.Instance_Changes.image_id,
// Authentication.src). ok is false for names of no dataset.
func datamodelField(name string) (Getter, bool) {
	var m map[string]Getter
	rest := ""
	switch {
	case strings.HasPrefix(name, "All_Changes."):
		m, rest = changeFields, name[len("All_Changes."):]
	case strings.HasPrefix(name, "Authentication."):
		m, rest = authFields, name[len("Authentication."):]
		// Child datasets define no fields of their own.
		for _, c := range []string{"Failed_Authentication.", "Successful_Authentication.", "Default_Authentication.", "Privileged_Authentication."} {
			rest = strings.TrimPrefix(rest, c)
		}
	default:
		return nil, false
	}
	if g, ok := m[rest]; ok {
		return orUnknown(g), true
	}
	// A name under a dataset that tripline derives nothing for: null, and
	// never a raw path (CloudTrail records have no such keys).
	return nullGetter, true
}
