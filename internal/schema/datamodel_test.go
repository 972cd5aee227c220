package schema

import (
	"testing"

	"github.com/tripline/tripline/internal/event"
)

// CloudTrail records, one per kind of event the CIM data models tell apart.
const (
	runInstances = `{"eventType":"AwsApiCall","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","awsRegion":"eu-west-1","sourceIPAddress":"192.0.2.7","userAgent":"aws-cli/2","userIdentity":{"type":"IAMUser","userName":"alice","principalId":"AIDAALICE","accountId":"111122223333","arn":"arn:aws:iam::111122223333:user/alice"},"requestParameters":{"instancesSet":{"items":[{"imageId":"ami-1","minCount":1}]},"instanceType":"p4d.24xlarge"},"responseElements":{"instancesSet":{"items":[{"instanceId":"i-1"},{"instanceId":"i-2"}]}}}`
	sgIngress    = `{"eventType":"AwsApiCall","eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","sourceIPAddress":"192.0.2.8","userIdentity":{"type":"AssumedRole","principalId":"AROA:bob","arn":"arn:aws:sts::111122223333:assumed-role/ops/bob","sessionContext":{"sessionIssuer":{"userName":"ops"}}},"requestParameters":{"groupId":"sg-1"},"errorCode":"Client.UnauthorizedOperation"}`
	putBucket    = `{"eventType":"AwsApiCall","eventSource":"s3.amazonaws.com","eventName":"PutBucketPolicy","requestParameters":{"bucketName":"logs","policy":"{}"},"resources":[{"ARN":"arn:aws:s3:::logs"}],"userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root"}}`
	loginFailed  = `{"eventType":"AwsConsoleSignIn","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","sourceIPAddress":"203.0.113.5","userIdentity":{"type":"IAMUser","userName":"carol","principalId":"AIDACAROL"},"responseElements":{"ConsoleLogin":"Failure"},"errorMessage":"Failed authentication"}`
	assumeRole   = `{"eventType":"AwsApiCall","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","sourceIPAddress":"198.51.100.2","userIdentity":{"type":"IAMUser","userName":"dave","accountId":"111122223333"},"requestParameters":{"roleArn":"arn:aws:iam::444455556666:role/x"},"responseElements":{"assumedRoleUser":{"arn":"arn:aws:sts::444455556666:assumed-role/x/s"}}}`
	serviceEvent = `{"eventType":"AwsServiceEvent","eventSource":"kms.amazonaws.com","eventName":"RotateKey"}`
)

func TestCloudTrailDatamodelFields(t *testing.T) {
	cases := []struct {
		rec, name, want string
	}{
		// The tag field puts an event in the data models' datasets.
		{runInstances, "tag", "change,instance,cloud"},
		{sgIngress, "tag", "change,cloud"},
		{loginFailed, "tag", "authentication,cloud"},
		{assumeRole, "tag", "authentication,cloud"},
		{serviceEvent, "tag", ""},
		{`{"eventType":"AwsApiCall","eventName":"DescribeInstances"}`, "tag", "change,cloud"}, // a read changes no instance
		// action: a change's kind, an authentication's outcome.
		{runInstances, "action", "created"},
		{sgIngress, "action", "modified"},
		{loginFailed, "action", "failure"},
		{assumeRole, "action", "success"},
		{loginFailed, "status", "failure"}, // no errorCode on a failed console sign-in
		{sgIngress, "status", "failure"},
		{putBucket, "status", "success"},
		{runInstances, "All_Changes.action", "created"},
		{runInstances, "All_Changes.status", "success"},
		{runInstances, "All_Changes.user", "alice"},
		{runInstances, "All_Changes.user_id", "AIDAALICE"},
		{runInstances, "All_Changes.command", "RunInstances"},
		{runInstances, "All_Changes.object_category", "instance"},
		{runInstances, "All_Changes.object_id", "i-1,i-2"},
		{runInstances, "All_Changes.object", "i-1,i-2"},
		{runInstances, "All_Changes.change_type", "EC2"},
		{runInstances, "All_Changes.vendor_region", "eu-west-1"},
		{runInstances, "All_Changes.Instance_Changes.image_id", "ami-1"},
		{runInstances, "All_Changes.Instance_Changes.instance_type", "p4d.24xlarge"},
		{sgIngress, "All_Changes.user", "ops"}, // the role's session issuer
		{sgIngress, "All_Changes.user_type", "AssumedRole"},
		{sgIngress, "All_Changes.object_category", "security_group"},
		{sgIngress, "All_Changes.object_id", "sg-1"},
		{putBucket, "All_Changes.object", "logs"},
		{putBucket, "All_Changes.object_id", "arn:aws:s3:::logs"},
		{putBucket, "All_Changes.object_category", "bucket_policy"},
		{putBucket, "All_Changes.user", "arn:aws:iam::111122223333:root"}, // no user name: the whole ARN
		// Fields an event lacks read "unknown", as the CIM data models give them.
		{putBucket, "All_Changes.src", "unknown"},
		{putBucket, "All_Changes.Instance_Changes.image_id", "unknown"},
		{loginFailed, "Authentication.action", "failure"},
		{loginFailed, "Authentication.app", "AwsConsoleSignIn"},
		{loginFailed, "Authentication.signature", "ConsoleLogin"},
		{loginFailed, "Authentication.src", "203.0.113.5"},
		{loginFailed, "Authentication.user", "carol"},
		{loginFailed, "Authentication.reason", "Failed authentication"},
		{assumeRole, "Authentication.user_role", "arn:aws:sts::444455556666:assumed-role/x/s"},
		{assumeRole, "Authentication.vendor_account", "111122223333"},
		{assumeRole, "Authentication.Failed_Authentication.user", "dave"},
		{assumeRole, "Authentication.no_such_field", ""},
	}
	for _, c := range cases {
		ev := mustEvent(t, event.CloudTrail, c.rec)
		g, known := Resolve(Raw, event.CloudTrail, c.name)
		if got := g(ev).String(); got != c.want || !known {
			t.Errorf("%s of %.60s = %q (known %v), want %q", c.name, c.rec, got, known, c.want)
		}
		if _, raw := RawPath(Raw, event.CloudTrail, c.name); raw && c.name != "tag" && c.name != "action" && c.name != "status" {
			t.Errorf("%s claims a raw path; prefilters would look for its values in the record", c.name)
		}
	}
}

func TestVerbs(t *testing.T) {
	for name, want := range map[string]string{
		"CreateUser": "created", "TerminateInstances": "deleted", "DescribeInstances": "read",
		"BatchGetSecretValue": "read", "BatchDeleteImage": "deleted", "StopInstances": "stopped",
		"RebootInstances": "restarted", "StartInstances": "started", "PurgeQueue": "cleared",
		"ConsoleLogin": "", "X": "",
	} {
		if got := changeAction(name); got != want {
			t.Errorf("changeAction(%s) = %q, want %q", name, got, want)
		}
	}
}

func TestLookupDataset(t *testing.T) {
	cases := []struct{ name, full, lineage, constraint string }{
		{"Change", "Change.All_Changes", "All_Changes", `search(tag = "change")`},
		{"change.all_changes", "Change.All_Changes", "All_Changes", `search(tag = "change")`},
		{"Change.Instance_Changes", "Change.Instance_Changes", "All_Changes.Instance_Changes",
			`search(tag = "change") AND search(tag = "instance")`},
		{"Change.All_Changes.Instance_Changes", "Change.Instance_Changes", "All_Changes.Instance_Changes",
			`search(tag = "change") AND search(tag = "instance")`},
		{"Authentication.Failed_Authentication", "Authentication.Failed_Authentication", "Authentication.Failed_Authentication",
			`(search(tag = "authentication") AND (NOT (search(action = "success") AND search(user = "*$")))) AND search(action = "failure")`},
		{"Risk", "Risk.All_Risk", "All_Risk", "<nil>"},
	}
	for _, c := range cases {
		d, ok := LookupDataset(c.name)
		if !ok {
			t.Errorf("%s: not found", c.name)
			continue
		}
		cons := "<nil>"
		if e := d.Constraint(); e != nil {
			cons = e.String()
		}
		if d.FullName() != c.full || d.Lineage() != c.lineage || cons != c.constraint {
			t.Errorf("%s: %s %s %s; want %s %s %s", c.name, d.FullName(), d.Lineage(), cons, c.full, c.lineage, c.constraint)
		}
	}
	if _, ok := LookupDataset("Endpoint"); ok {
		t.Error("Endpoint found")
	}
	ch, _ := LookupDataset("Change")
	if c, ok := ch.Child("All_Changes.Instance_Changes"); !ok || c.Name != "Instance_Changes" {
		t.Error("nodename All_Changes.Instance_Changes not found")
	}
}

// The tag field is read for every CloudTrail event a data model search
// sees: it allocates nothing.
func TestTagsAllocateNothing(t *testing.T) {
	for _, rec := range []string{runInstances, sgIngress, loginFailed, serviceEvent} {
		ev := mustEvent(t, event.CloudTrail, rec)
		if n := testing.AllocsPerRun(100, func() { _ = cloudTrailTags(ev) }); n != 0 {
			t.Errorf("cloudTrailTags(%.50s) allocates %v times", rec, n)
		}
	}
}
