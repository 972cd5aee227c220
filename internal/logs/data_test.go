package logs

import (
	"github.com/tripline/tripline/internal/testutil"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/event"
)

// sharedData returns ../shared/data beside the module root, or skips.
func sharedData(t testing.TB) string { return testutil.Shared(t, "data") }

// TestReadSharedData reads every real log. The expected counts were taken
// independently with Python's json module (json.load of each file; records
// with eventSource counted as CloudTrail, with modelId as invocations).
func TestReadSharedData(t *testing.T) {
	data := sharedData(t)
	tests := []struct {
		input       string
		files       int
		cloudtrail  int
		invocations int
	}{
		{input: data, files: 93, cloudtrail: 3210, invocations: 36},
		{input: filepath.Join(data, "cloudtrail", "invictus-ir-aws_dataset"), files: 55, cloudtrail: 2900},
		{input: filepath.Join(data, "cloudtrail", "stratus-red-team-detonation-logs"), files: 35, cloudtrail: 310},
		{input: filepath.Join(data, "bedrock-invocation", "*.ndjson"), files: 2, invocations: 17},
		{input: filepath.Join(data, "bedrock-invocation", "elastic-integrations-test-aws-bedrock.log"), files: 1, invocations: 19},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.input), func(t *testing.T) {
			recs, st := collect(t, []string{tc.input}, Options{Workers: 2})
			if st.Bad != 0 {
				t.Fatalf("bad records: %d, first %v", st.Bad, st.BadSamples)
			}
			if st.Files != tc.files || st.Empty != 0 {
				t.Errorf("files %d empty %d, want %d and 0", st.Files, st.Empty, tc.files)
			}
			if st.Records[event.CloudTrail] != tc.cloudtrail || st.Records[event.BedrockInvocation] != tc.invocations {
				t.Errorf("records %v, want cloudtrail %d, invocations %d", st.Records, tc.cloudtrail, tc.invocations)
			}
			for _, r := range recs {
				if r.Time.IsZero() || r.ID == "" || r.Origin.Line < 1 {
					t.Fatalf("record without time, id or line: %+v", r.Origin)
				}
			}
		})
	}
}

// TestReadSharedDataOddValues checks that the stratus logs' odd spellings
// arrive untouched.
func TestReadSharedDataOddValues(t *testing.T) {
	data := sharedData(t)
	path := filepath.Join(data, "cloudtrail", "stratus-red-team-detonation-logs", "aws.impact.bedrock-invoke-model.json")
	recs, st := collect(t, []string{path}, Options{})
	if st.Bad != 0 || len(recs) == 0 {
		t.Fatalf("bad %v, %d records", st.BadSamples, len(recs))
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range recs {
		if r.IP == "035.249.253.232" {
			n++
		}
		if !strings.Contains(string(raw[r.Origin.Offset:]), r.Raw[:40]) || lineOf(raw, r.Origin.Offset) != r.Origin.Line {
			t.Errorf("record %s: origin %v does not point at it", r.ID, r.Origin)
		}
	}
	if want := strings.Count(string(raw), `"sourceIPAddress": "035.249.253.232"`); n != want || n == 0 {
		t.Errorf("%d records with IP 035.249.253.232, want %d", n, want)
	}
}
